import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createUser } from '../../bridge/core/accounts/index.js';
import { createCompany } from '../../bridge/core/organisation/index.js';
import { API_SCOPES } from '../../protocol/account-api.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';

/** API tokens (issue 11): made only with a password session, never by a locked user, limited by scopes. */
describe('API tokens and their scopes', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let tc: TestCore;
  let n = 0;

  const call = async (method: string, path: string, body?: unknown, token?: string, scheme = 'Bearer') => {
    const res = await tc.app.request(path, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `${scheme} ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    return { status: res.status, json: text ? JSON.parse(text) : null };
  };
  /** An admin of a company of their own, logged in with the password. */
  async function admin() {
    const email = `admin${++n}@example.com`;
    const u = await createUser(tc.core, { email, password: 'a long password', name: 'Admin', active: true });
    const company = await createCompany(tc.core, u.id, `Company ${n}`);
    const session = (await call('POST', '/api/v1/session', { email, password: 'a long password' })).json
      .token as string;
    return { id: u.id, email, companyId: company.companyId, session };
  }
  const makeToken = async (session: string, scopes?: string[]) => {
    const r = await call(
      'POST',
      '/api/v1/account/tokens',
      { label: 'script', ...(scopes ? { scopes } : {}) },
      session,
    );
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json.token as string;
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-token-scopes-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
  });
  beforeEach(async () => {
    await tc?.close();
    tc = await makeTestCore(`${tmp.dir}/${++n}`, pki);
  });
  afterAll(async () => {
    await tc?.close();
    await tmp?.cleanup();
  });

  it('refuses to make an API token with an API token, even one with every scope: 403 PASSWORD_SESSION_REQUIRED, so revoking a leaked token leaves nothing of it behind', async () => {
    const a = await admin();
    const leaked = await makeToken(a.session, [...API_SCOPES]);
    const minted = await call(
      'POST',
      '/api/v1/account/tokens',
      { label: 'successor', scopes: [...API_SCOPES] },
      leaked,
    );
    expect(minted.status).toBe(403);
    expect(minted.json.error.code).toBe('PASSWORD_SESSION_REQUIRED');
    const list = (await call('GET', '/api/v1/account/tokens', undefined, a.session)).json;
    expect(list).toHaveLength(1);
    expect((await call('DELETE', `/api/v1/account/tokens/${list[0].id}`, undefined, a.session)).status).toBe(
      204,
    );
    expect(
      await tc.core.store.db.selectFrom('sessions').select('kind').where('kind', '=', 'api').execute(),
    ).toEqual([]);
  });

  it('keeps token management, account changes, creating and switching companies to password sessions', async () => {
    const a = await admin();
    const token = await makeToken(a.session, [...API_SCOPES]);
    for (const [method, path, body] of [
      ['GET', '/api/v1/account/tokens', undefined],
      ['DELETE', '/api/v1/account/tokens/0123456789abcdef', undefined],
      ['PATCH', '/api/v1/account', { currentPassword: 'a long password', name: 'Mallory' }],
      [
        'POST',
        '/api/v1/account/email',
        { currentPassword: 'a long password', newEmail: 'mallory@example.com' },
      ],
      ['PUT', '/api/v1/session/company', { companyId: a.companyId }],
      // A token is bound to one company: making another (and selecting it) is the account's business.
      ['POST', '/api/v1/companies', { name: 'Token GmbH', select: true }],
      // Handing out access: members, admin flags, project rights (a leaked token must not mint an admin).
      ['POST', '/api/v1/company/users', { email: 'mallory@example.com', admin: true }],
      ['PATCH', '/api/v1/company/users/1', { admin: true }],
      ['POST', '/api/v1/projects/1/rights', { companyId: 2 }],
      ['DELETE', '/api/v1/projects/1/rights/2', undefined],
    ] as const) {
      const r = await call(method, path, body, token);
      expect(r.status, `${method} ${path}`).toBe(403);
      expect(r.json.error.code).toBe('PASSWORD_SESSION_REQUIRED');
    }
    // A token may always end itself.
    expect((await call('DELETE', '/api/v1/session', undefined, token)).status).toBe(204);
    expect((await call('GET', '/api/v1/account', undefined, token)).status).toBe(401);
  });

  it('refuses a token to a user locked in the selected company: 403 USER_LOCKED', async () => {
    const a = await admin();
    const email = `member${++n}@example.com`;
    const member = await createUser(tc.core, {
      email,
      password: 'a long password',
      name: 'Member',
      active: true,
    });
    expect((await call('POST', '/api/v1/company/users', { email }, a.session)).status).toBe(201);
    const session = (await call('POST', '/api/v1/session', { email, password: 'a long password' })).json
      .token as string;
    expect((await call('GET', '/api/v1/account', undefined, session)).json.selectedCompanyId).toBe(
      a.companyId,
    );
    expect(
      (await call('PATCH', `/api/v1/company/users/${member.id}`, { locked: true }, a.session)).status,
    ).toBe(200);
    const r = await call('POST', '/api/v1/account/tokens', { label: 'after the lock' }, session);
    expect(r.status).toBe(403);
    expect(r.json.error.code).toBe('USER_LOCKED');
    expect(
      await tc.core.store.db
        .selectFrom('sessions')
        .select('kind')
        .where('user_id', '=', member.id)
        .where('kind', '=', 'api')
        .execute(),
    ).toEqual([]);
  });

  it('gives a token only `read` unless told otherwise, and lists each token with its scopes', async () => {
    const a = await admin();
    await makeToken(a.session);
    await makeToken(a.session, ['organisation', 'read']);
    const list = (await call('GET', '/api/v1/account/tokens', undefined, a.session)).json;
    expect(list.map((t: { scopes: string[] }) => t.scopes)).toEqual([['read'], ['read', 'organisation']]);
    const bad = await call('POST', '/api/v1/account/tokens', { label: 'x', scopes: ['admin'] }, a.session);
    expect(bad.status).toBe(400);
    expect(bad.json.error.code).toBe('VALIDATION_FAILED');
  });

  it('lets a token call only the routes of its scopes: a read token reads but cannot create a project (403 TOKEN_SCOPE_MISSING); an organisation token can', async () => {
    const a = await admin();
    const reader = await makeToken(a.session, ['read']);
    expect((await call('GET', '/api/v1/projects', undefined, reader)).status).toBe(200);
    expect((await call('GET', '/api/v1/account', undefined, reader)).status).toBe(200);
    const refused = await call('POST', '/api/v1/projects', { name: 'By a reader' }, reader);
    expect(refused.status).toBe(403);
    expect(refused.json.error).toMatchObject({
      code: 'TOKEN_SCOPE_MISSING',
      details: { scope: 'organisation' },
    });
    const writer = await makeToken(a.session, ['organisation']);
    expect((await call('POST', '/api/v1/projects', { name: 'By a script' }, writer)).status).toBe(201);
    // Without `read`, an organisation token does not read.
    expect((await call('GET', '/api/v1/projects', undefined, writer)).json.error.code).toBe(
      'TOKEN_SCOPE_MISSING',
    );
    // A password session is not limited by scopes.
    expect((await call('POST', '/api/v1/projects', { name: 'By hand' }, a.session)).status).toBe(201);
  });

  it('names in /openapi.json the scope every authenticated route needs from a token; account changes need a password session', async () => {
    const doc = (await call('GET', '/openapi.json')).json;
    const allowed = new Set<string>([...API_SCOPES, 'password-session', 'any-token']);
    for (const [path, methods] of Object.entries(
      doc.paths as Record<string, Record<string, { security?: unknown; 'x-scope'?: string }>>,
    )) {
      for (const [method, op] of Object.entries(methods)) {
        if (!op.security) continue;
        expect(allowed.has(op['x-scope']!), `${method} ${path}: ${op['x-scope']}`).toBe(true);
      }
    }
    expect(doc.paths['/api/v1/account/tokens'].post['x-scope']).toBe('password-session');
    expect(doc.paths['/api/v1/account/email'].post['x-scope']).toBe('password-session');
    expect(doc.paths['/api/v1/projects'].post).toMatchObject({
      'x-scope': 'organisation',
      security: [{ bearer: ['organisation'] }],
    });
    expect(doc.paths['/api/v1/invalidations'].post['x-scope']).toBe('invalidations');
    expect(doc.paths['/api/v1/devices/{deviceId}/licenses/move'].post['x-scope']).toBe('licenses');
    expect(doc.paths['/api/v1/devices/{deviceId}/warranty/preview'].post['x-scope']).toBe('read');
    expect(doc.components.securitySchemes.bearer.description).toContain('x-scope');
    expect(
      doc.paths['/api/v1/account/tokens'].post.requestBody.content['application/json'].schema.properties
        .scopes.items.enum,
    ).toEqual([...API_SCOPES]);
  });

  it('accepts the Bearer scheme name in any case', async () => {
    const a = await admin();
    for (const scheme of ['Bearer', 'bearer', 'BEARER', 'bEaReR']) {
      const r = await call('GET', '/api/v1/account', undefined, a.session, scheme);
      expect(r.status, scheme).toBe(200);
    }
    expect((await call('DELETE', '/api/v1/session', undefined, a.session, 'bearer')).status).toBe(204);
    expect((await call('GET', '/api/v1/account', undefined, a.session)).status).toBe(401);
    expect((await call('GET', '/api/v1/account', undefined, a.session, 'Basic')).status).toBe(401);
  });
});
