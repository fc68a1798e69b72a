import { MAX_INVALIDATION_BYTES } from '../../protocol/documents/index.js';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/index.js';
import { DEVICE_API } from '../../protocol/device-protocol.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError, loginPortal } from '../bridge/fixtures.js';
import { addMember, call, keyCompany, lockMember, ok, type KeyCompany } from './keys-fixtures.js';
import { credit, placeDevice, type PlacedDevice } from './licenses-fixtures.js';

/**
 * Issue 11, section 2, the HTTP edge: security headers and caching, one strict id parser, bounded work
 * and bounded echoes per request, UTF-8 only bodies, and USER_LOCKED for a locked member on every route.
 *
 * One world: Ann (admin) and her company with balance, a device and a second project; Lou, a member of
 * Ann's company who is locked. Nothing here changes Ann's data except where a test says so.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: KeyCompany;
let dev: PlacedDevice;
let openApi: {
  paths: Record<
    string,
    Record<
      string,
      {
        security?: unknown;
        parameters?: { name: string; in: string; required: boolean }[];
        requestBody?: { content: Record<string, unknown> };
      }
    >
  >;
};

beforeAll(async () => {
  root = await tempDir('mylic-http-hardening-');
  tc = await makeTestCore(join(root.dir, 'core'), await loadOrCreateDevPki(join(root.dir, 'pki')));
  ann = await keyCompany(tc, 'ann', { extraProjects: ['Second'] });
  await credit(tc, ann, 'PBX-Port14', 10);
  dev = await placeDevice(tc, ann, 'IP811');
  openApi = (await (await tc.app.request('/openapi.json')).json()) as typeof openApi;
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

/** Every operation of /openapi.json that needs a session, as [METHOD, /api/v1 path template]. */
const sessionRoutes = () =>
  Object.entries(openApi.paths).flatMap(([path, ops]) =>
    Object.entries(ops)
      .filter(([, op]) => op.security !== undefined)
      .map(([method, op]) => ({ method: method.toUpperCase(), template: path.slice(PORTAL_API.length), op })),
  );

/** Fills a path template: ids from `ids` (Ann's own resources by default), other parameters with harmless values. */
function fill(template: string, ids: Record<string, string> = {}): string {
  const values: Record<string, string> = {
    deviceId: String(dev.deviceId),
    projectId: String(ann.projects[0]!.id),
    keyId: '1',
    userId: String(ann.user.id),
    companyId: String(ann.companyId),
    orderNumber: 'NONE',
    documentId: '00000000-0000-4000-8000-000000000000',
    id: 'none',
    ...ids,
  };
  return template.replace(/\{(\w+)\}/g, (_, name: string) => values[name]!);
}

/** The required query string of an operation, with valid values. */
function requiredQuery(op: { parameters?: { name: string; in: string; required: boolean }[] }): string {
  const values: Record<string, string> = {
    version: '14',
    endDate: '2030-01-01',
    device: dev.hardwareId,
    q: 'abc',
    type: 'IP811',
  };
  const q = (op.parameters ?? [])
    .filter((p) => p.in === 'query' && p.required)
    .map((p) => `${p.name}=${encodeURIComponent(values[p.name] ?? 'x')}`);
  return q.length ? `?${q.join('&')}` : '';
}

const request = (
  method: string,
  path: string,
  token?: string,
  init: { contentType?: string; body?: string | Uint8Array } = {},
) =>
  tc.app.request(path, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(init.contentType ? { 'content-type': init.contentType } : {}),
    },
    ...(init.body !== undefined ? { body: init.body } : {}),
  });

// ---------------------------------------------------------------------------------------------

describe('Every answer carries the security headers', () => {
  const SECURITY = {
    'strict-transport-security': /^max-age=\d{7,}; includeSubDomains$/,
    'x-content-type-options': /^nosniff$/,
    'x-frame-options': /^DENY$/,
    'content-security-policy': /(^|; ?)frame-ancestors 'none'(;|$)/,
    'referrer-policy': /^no-referrer$/,
  };
  const expectSecure = (res: Response, what: string) => {
    for (const [name, value] of Object.entries(SECURITY))
      expect(res.headers.get(name) ?? '', `${name} of ${what}`).toMatch(value);
    expect(res.headers.get('content-security-policy'), what).toMatch(/default-src 'none'/);
  };

  it('on the health check, the OpenAPI document, the device protocol and an unknown route', async () => {
    expectSecure(await tc.app.request('/healthz'), '/healthz');
    expectSecure(await tc.app.request('/openapi.json'), '/openapi.json');
    expectSecure(
      await request('POST', `${DEVICE_API}/challenge`, undefined, {
        contentType: 'application/json',
        body: JSON.stringify({ hardwareId: dev.hardwareId }),
      }),
      'device challenge',
    );
    expectSecure(await tc.app.request('/no/such/route'), 'unknown route');
  });

  it('on portal answers, successful or refused', async () => {
    expectSecure(
      await call(tc.app, 'POST', '/session', undefined, {
        email: ann.user.email,
        password: ann.user.password,
      }),
      'login',
    );
    expectSecure(await call(tc.app, 'GET', '/devices', ann.token), 'device list');
    expectSecure(await call(tc.app, 'GET', '/devices'), 'refused device list');
    expectSecure(
      await call(tc.app, 'POST', '/session', undefined, {
        email: 'nobody@example.test',
        password: 'wrong password',
      }),
      'failed login',
    );
  });
});

describe('Answers of the APIs are never stored by caches', () => {
  it('token, account and tenant answers say Cache-Control: no-store', async () => {
    const answers: [string, Response][] = [
      [
        'POST /session',
        await call(tc.app, 'POST', '/session', undefined, {
          email: ann.user.email,
          password: ann.user.password,
        }),
      ],
      ['GET /account', await call(tc.app, 'GET', '/account', ann.token)],
      ['GET /account/tokens', await call(tc.app, 'GET', '/account/tokens', ann.token)],
      ['GET /companies', await call(tc.app, 'GET', '/companies', ann.token)],
      ['GET /company/users', await call(tc.app, 'GET', '/company/users', ann.token)],
      ['GET /devices', await call(tc.app, 'GET', '/devices', ann.token)],
      ['GET /catalog', await call(tc.app, 'GET', '/catalog', ann.token)],
      ['GET /account without a session', await call(tc.app, 'GET', '/account')],
      [
        'POST /device/v1/challenge',
        await request('POST', `${DEVICE_API}/challenge`, undefined, {
          contentType: 'application/json',
          body: JSON.stringify({ hardwareId: dev.hardwareId }),
        }),
      ],
      ['GET /device/v1/licenses without a session', await request('GET', `${DEVICE_API}/licenses`)],
    ];
    for (const [what, res] of answers) expect(res.headers.get('cache-control'), what).toBe('no-store');
  });

  it('the public OpenAPI document and the health check may be cached', async () => {
    expect((await tc.app.request('/openapi.json')).headers.get('cache-control')).toBeNull();
    expect((await tc.app.request('/healthz')).headers.get('cache-control')).toBeNull();
  });
});

// ---------------------------------------------------------------------------------------------

/** Spellings that z.coerce.number() read as the id itself (or as another number). */
const lookalikes = (id: number) => [
  `0x${id.toString(16)}`,
  `${id}e0`,
  `%20${id}`,
  `${id}%20`,
  `+${id}`,
  `0${id}`,
  `${id}.0`,
  `${id}.`,
  '1e3',
  '0',
  '-1',
  '2147483648',
  '9'.repeat(30),
];

describe('Ids are decimal digits only', () => {
  it('a path id written any other way is a resource that does not exist (404 NOT_FOUND), on every route that takes one', async () => {
    const ID_PARAMS = ['deviceId', 'projectId', 'keyId', 'userId', 'companyId'];
    const routes = sessionRoutes().filter((r) => ID_PARAMS.some((p) => r.template.includes(`{${p}}`)));
    expect(routes.length).toBeGreaterThan(40);
    const wrong: string[] = [];
    for (const r of routes) {
      for (const param of ID_PARAMS.filter((p) => r.template.includes(`{${p}}`))) {
        const real = Number(fill(`{${param}}`));
        for (const spelled of lookalikes(real)) {
          const path = `${PORTAL_API}${fill(r.template, { [param]: spelled })}${requiredQuery(r.op)}`;
          // The id is judged before the body: an empty body of any type does not decide the answer.
          const res = await request(
            r.method,
            path,
            ann.token,
            r.method === 'GET' ? {} : { contentType: 'application/json', body: '{}' },
          );
          const code =
            res.status === 404
              ? ((await res.json()) as { error: { code: string } }).error.code
              : `${res.status}`;
          if (code !== 'NOT_FOUND') wrong.push(`${r.method} ${r.template} ${param}=${spelled}: ${code}`);
        }
      }
    }
    expect(wrong).toEqual([]);
  });

  it('the decimal spelling still reaches the resource', async () => {
    await ok(call(tc.app, 'GET', `/projects/${ann.projects[0]!.id}/balance`, ann.token));
    await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}/licenses`, ann.token));
    await ok(call(tc.app, 'GET', `/projects/${ann.projects[1]!.id}`, ann.token));
  });

  it('a query id written any other way is refused as VALIDATION_FAILED', async () => {
    const p = ann.projects[0]!.id;
    for (const route of ['/free-licenses', '/own-keys', '/activation-keys', '/devices']) {
      for (const spelled of [`0x${p}`, `${p}e0`, `%20${p}`, `+${p}`, `0${p}`, `${p}.0`, '1e3', '']) {
        await expectError(
          await call(tc.app, 'GET', `${route}?projectId=${spelled}`, ann.token),
          400,
          'VALIDATION_FAILED',
        );
      }
      await ok(call(tc.app, 'GET', `${route}?projectId=${p}`, ann.token));
    }
    await expectError(
      await call(tc.app, 'GET', `/history?context=user&userId=0x${ann.user.id}`, ann.token),
      400,
      'VALIDATION_FAILED',
    );
    await ok(call(tc.app, 'GET', `/history?context=user&userId=${ann.user.id}`, ann.token));
  });

  it('other whole numbers in queries are decimal digits too (pages, offsets, versions)', async () => {
    for (const path of [
      '/history?page=1e0',
      '/history?pageSize=0x10',
      '/devices?limit=1e2',
      '/devices?offset=%200',
      `/devices/${dev.deviceId}/licenses/offer?version=1.4e1`,
      `/devices/${dev.deviceId}/licenses/offer?version=14&ports=0x5`,
    ]) {
      await expectError(await call(tc.app, 'GET', path, ann.token), 400, 'VALIDATION_FAILED');
    }
    await ok(call(tc.app, 'GET', '/history?page=1&pageSize=10', ann.token));
    await ok(call(tc.app, 'GET', `/devices/${dev.deviceId}/licenses/offer?version=14&ports=5`, ann.token));
  });
});

// ---------------------------------------------------------------------------------------------

describe('Work and echoes per request are bounded', () => {
  const attributes = (n: number) => Array.from({ length: n }, (_, i) => ` a${i}="value"`).join('');

  const upload = (xml: string) =>
    request('POST', `${PORTAL_API}/invalidations`, ann.token, { contentType: 'application/xml', body: xml });

  it('an uploaded document with 60,000 attributes is refused before it is read (XML_TOO_LARGE), and 5,000 under the size limit with XML_TOO_COMPLEX', async () => {
    // An invalidation is capped at MAX_INVALIDATION_BYTES before the XML is read at all.
    await expectError(
      await upload(`<mylic-document kind="invalidation" format="1"${attributes(60_000)}/>`),
      413,
      'XML_TOO_LARGE',
    );
    const xml = `<mylic-document kind="invalidation" format="1"${attributes(5_000)}/>`;
    expect(xml.length).toBeLessThan(MAX_INVALIDATION_BYTES);
    await expectError(await upload(xml), 400, 'XML_TOO_COMPLEX');
  });

  it('an uploaded document with 100,000 elements is refused before it is read, and 20,000 under the size limit with XML_TOO_COMPLEX', async () => {
    await expectError(
      await upload(
        `<mylic-document kind="invalidation" format="1">${'<e/>'.repeat(100_000)}</mylic-document>`,
      ),
      413,
      'XML_TOO_LARGE',
    );
    const xml = `<mylic-document kind="invalidation" format="1">${'<e/>'.repeat(20_000)}</mylic-document>`;
    expect(xml.length).toBeLessThan(MAX_INVALIDATION_BYTES);
    await expectError(await upload(xml), 400, 'XML_TOO_COMPLEX');
  });

  /** Error answers stay small and quote at most 80 characters of one run of what was sent. */
  const expectShortEcho = async (res: Response, status: number, code: string, sent: string) => {
    const text = await res.text();
    expect(res.status, text.slice(0, 300)).toBe(status);
    expect(JSON.parse(text).error.code).toBe(code);
    expect(text.length, text.slice(0, 300)).toBeLessThan(2_000);
    expect(text).not.toContain(sent.slice(0, 81));
  };

  it('a document with a 1 MB or a 100 kB tag name is refused without the tag name coming back', async () => {
    const huge = 'q'.repeat(1_000_000);
    await expectShortEcho(await upload(`<${huge}`), 413, 'XML_TOO_LARGE', huge);
    const long = 'q'.repeat(100_000);
    await expectShortEcho(await upload(`<${long}`), 400, 'XML_TOO_COMPLEX', long);
  });

  it('a document whose library error quotes a long name comes back with 80 characters of it', async () => {
    const name = 'q'.repeat(200);
    await expectShortEcho(
      await request('POST', `${PORTAL_API}/invalidations`, ann.token, {
        contentType: 'application/xml',
        body: `<r></${name}>`,
      }),
      400,
      'XML_MALFORMED',
      name,
    );
  });

  it('a document kind of 4,000 characters is refused with 80 characters of it', async () => {
    const kind = 'k'.repeat(4_000);
    await expectShortEcho(
      await request('POST', `${PORTAL_API}/invalidations`, ann.token, {
        contentType: 'application/xml',
        body: `<mylic-document kind="${kind}" format="1"/>`,
      }),
      400,
      'DOC_MALFORMED',
      kind,
    );
  });

  it('a JSON body with a 900 kB unknown field name or license type is refused without it coming back', async () => {
    const long = 'z'.repeat(900_000);
    await expectShortEcho(
      await call(tc.app, 'POST', '/session', undefined, {
        email: 'a@example.test',
        password: 'x'.repeat(12),
        [long]: 1,
      }),
      400,
      'VALIDATION_FAILED',
      long,
    );
    await expectShortEcho(
      await call(tc.app, 'POST', `/devices/${dev.deviceId}/licenses/from-balance`, ann.token, {
        version: 14,
        lines: [{ type: long, units: 1 }],
      }),
      400,
      'VALIDATION_FAILED',
      long,
    );
  });

  it('a 10 kB unknown path does not come back whole', async () => {
    const long = 'p'.repeat(10_000);
    await expectShortEcho(await tc.app.request(`/${long}`), 404, 'NOT_FOUND', long);
  });
});

// ---------------------------------------------------------------------------------------------

describe('Bodies are UTF-8 only', () => {
  const login = () => JSON.stringify({ email: ann.user.email, password: ann.user.password });

  it('JSON declared in another charset is refused with 415 UNSUPPORTED_MEDIA_TYPE, not read as UTF-8', async () => {
    const utf16 = new Uint8Array(Buffer.from(`\ufeff${login()}`, 'utf16le'));
    for (const [type, body] of [
      ['application/json; charset=utf-16', utf16],
      ['application/json; charset=UTF-16LE', utf16],
      ['application/json; charset=iso-8859-1', login()],
      ['application/json; charset="latin1"', login()],
    ] as const) {
      await expectError(
        await request('POST', `${PORTAL_API}/session`, undefined, { contentType: type, body }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
    await expectError(
      await request('POST', `${DEVICE_API}/challenge`, undefined, {
        contentType: 'application/json; charset=utf-16',
        body: JSON.stringify({ hardwareId: dev.hardwareId }),
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
  });

  it('JSON in UTF-8, declared or not, is read', async () => {
    for (const type of [
      'application/json',
      'application/json; charset=utf-8',
      'application/json;charset=UTF-8',
      'application/json; charset="utf-8"',
    ]) {
      await ok(
        request('POST', `${PORTAL_API}/session`, undefined, { contentType: type, body: login() }),
        201,
      );
    }
  });

  it('JSON that is not valid UTF-8 is refused rather than read with replacement characters', async () => {
    const bytes = new Uint8Array([
      ...Buffer.from('{"email":"'),
      0xff,
      0xfe,
      ...Buffer.from('@example.test","password":"0123456789ab"}'),
    ]);
    await expectError(
      await request('POST', `${PORTAL_API}/session`, undefined, {
        contentType: 'application/json',
        body: bytes,
      }),
      400,
      'BAD_REQUEST',
    );
  });

  it('XML declared in another charset is refused with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    for (const type of ['application/xml; charset=utf-16', 'text/xml; charset=iso-8859-1']) {
      await expectError(
        await request('POST', `${PORTAL_API}/invalidations`, ann.token, { contentType: type, body: '<r/>' }),
        415,
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
    // UTF-8 declared: read, and refused for what it is.
    await expectError(
      await request('POST', `${PORTAL_API}/invalidations`, ann.token, {
        contentType: 'application/xml; charset=UTF-8',
        body: '<r/>',
      }),
      400,
      'DOC_MALFORMED',
    );
  });
});

// ---------------------------------------------------------------------------------------------

describe('A locked member gets USER_LOCKED on every route that needs a company', () => {
  /** Routes a user needs no company for: their own account, tokens, session, company list and switch, the catalog. */
  const NO_COMPANY = new Set([
    'DELETE /session',
    'GET /account',
    'PATCH /account',
    'POST /account/email',
    'POST /account/tokens',
    'GET /account/tokens',
    'DELETE /account/tokens/{id}',
    'GET /companies',
    'POST /companies',
    'PUT /session/company',
    'GET /catalog',
  ]);

  async function walk(token: string) {
    const routes = sessionRoutes().filter((r) => !NO_COMPANY.has(`${r.method} ${r.template}`));
    expect(routes.length).toBeGreaterThan(70);
    const wrong: string[] = [];
    for (const r of routes) {
      const type = Object.keys(r.op.requestBody?.content ?? {})[0];
      const body =
        type === 'application/json'
          ? '{}'
          : type === 'application/xml'
            ? '<mylic-document/>'
            : type
              ? 'x'
              : undefined;
      const res = await request(r.method, `${PORTAL_API}${fill(r.template)}${requiredQuery(r.op)}`, token, {
        ...(type ? { contentType: type } : {}),
        ...(body !== undefined ? { body } : {}),
      });
      const text = await res.text();
      const code = res.headers.get('content-type')?.startsWith('application/json')
        ? JSON.parse(text).error?.code
        : undefined;
      if (res.status !== 403 || code !== 'USER_LOCKED')
        wrong.push(`${r.method} ${r.template}: ${res.status} ${code ?? text.slice(0, 60)}`);
    }
    return wrong;
  }

  it('with a session opened before the lock (the locked company stays selected)', async () => {
    const lou = await addMember(tc, ann.companyId, 'lou');
    await lockMember(tc, lou.user.id, ann.companyId);
    expect(await walk(lou.token)).toEqual([]);
  });

  // Changed for issue 15 item 9 (seed L269 "Locked users can't loggin to my.innovaphone.com any more."):
  // a user locked in every company of theirs gets no session at all any more, so the walk with a session
  // opened after the lock became a refused log-in.
  it('L269: no session opens after the lock when the user is locked in every company of theirs', async () => {
    const lea = await addMember(tc, ann.companyId, 'lea');
    await lockMember(tc, lea.user.id, ann.companyId);
    await expectError(
      await call(tc.app, 'POST', '/session', undefined, {
        email: lea.user.email,
        password: lea.user.password,
      }),
      403,
      'USER_LOCKED',
    );
  });

  it('a locked member still reaches the routes that need no company', async () => {
    const leo = await addMember(tc, ann.companyId, 'leo');
    await lockMember(tc, leo.user.id, ann.companyId);
    const companies = await ok(call(tc.app, 'GET', '/companies', leo.token));
    expect(companies.companies).toEqual([expect.objectContaining({ id: ann.companyId, locked: true })]);
    await ok(call(tc.app, 'GET', '/catalog', leo.token));
    await ok(call(tc.app, 'GET', '/account/tokens', leo.token));
    await ok(call(tc.app, 'DELETE', '/session', leo.token), 204);
  });

  it('a user with no company at all is told to create or select one, not that they are locked', async () => {
    const { makeUser } = await import('../bridge/fixtures.js');
    const solo = await makeUser(tc, 'solo@example.test');
    const token = await loginPortal(tc.app, solo);
    await expectError(await call(tc.app, 'GET', '/devices', token), 404, 'COMPANY_NOT_FOUND');
  });
});
