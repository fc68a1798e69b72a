import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { projectAccess } from '../../bridge/core/access.js';
import { removeDevice } from '../../bridge/core/devices/index.js';
import { addKnownDevice } from '../support/vendor-devices.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { setVendorAccount } from '../../bridge/core/organisation/index.js';
import { main as bridgeMain } from '../../bridge/cli.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/index.js';
import { DEVICE_API } from '../../protocol/device-protocol.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { call as apiCall, ok } from '../support/api-client.js';
import { tempDir } from '../support/tmp.js';
import {
  countsOf,
  DEVICE_TYPE,
  expectError,
  expectOk,
  GW_TYPE,
  invalidationDocument,
  licenseRow,
  loginDevice,
  loginPortal,
  makeTenant,
  makeUser,
  PORT_TYPE,
  postXml,
  type FixtureUser,
  type Tenant,
} from '../bridge/fixtures.js';

/**
 * Companies, their users, projects and project rights through /api/v1 (seed: Company → Users, Join,
 * Company, New Company; Company selection; Licenses → Projects: Properties, Rights, Join, Delete), on a
 * real SQLite file, with the outcomes read back from the database.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let pki: Pki;
let coreNo = 0;
let tc: TestCore;

beforeAll(async () => {
  root = await tempDir('mylic-organisation-');
  pki = await loadOrCreateDevPki(join(root.dir, 'pki'));
});
afterAll(async () => {
  await root.cleanup();
});
beforeEach(async () => {
  tc = await makeTestCore(join(root.dir, `core-${++coreNo}`), pki);
});
afterEach(async () => {
  await tc.close();
});

// ---------------------------------------------------------------------------------------------
// helpers

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const call = (method: Method, path: string, token?: string, body?: unknown) =>
  apiCall(tc.app, method, path, token, body);

const db = () => tc.core.store.db;

async function events(name: string) {
  return db().selectFrom('history').selectAll().where('event', '=', name).orderBy('id').execute();
}

async function membership(userId: number, companyId: number) {
  return db()
    .selectFrom('memberships')
    .select(['is_admin', 'is_locked'])
    .where('user_id', '=', userId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
}

async function session(token: string) {
  const rows = await db().selectFrom('sessions').select(['token_hash', 'company_id', 'project_id']).execute();
  const { hashToken } = await import('../../bridge/core/accounts/index.js');
  return rows.find((r) => r.token_hash === hashToken(token))!;
}

/** A user with a company of their own (via the API), logged in with that company selected. */
async function founder(name: string, company = `Company ${name}`) {
  const user = await makeUser(tc, `${name}@example.test`);
  const token = await loginPortal(tc.app, user);
  const created = await ok<{ companyId: number; defaultProjectId: number }>(
    call('POST', '/companies', token, { name: company, select: true }),
    201,
  );
  return { user, token, companyId: created.companyId, defaultProjectId: created.defaultProjectId };
}

/** Adds `user` to the admin's selected company and logs them in (their first company is selected). */
async function member(adminToken: string, user: FixtureUser, admin = false) {
  await ok(call('POST', '/company/users', adminToken, { email: user.email, admin }), 201);
  return loginPortal(tc.app, user);
}

/** A tenant of the fixtures (device, balance, bound licenses) with a portal session. */
async function tenant(name: string, mac: string): Promise<Tenant & { token: string }> {
  const t = await makeTenant(tc, { name, mac });
  return { ...t, token: await loginPortal(tc.app, t.user) };
}

// ---------------------------------------------------------------------------------------------

describe('companies', () => {
  it('creates a company with its address: the creator is its admin, it has a DEFAULT project and is selected at once', async () => {
    const user = await makeUser(tc, 'anna@example.test');
    const token = await loginPortal(tc.app, user);
    await expectError(await call('GET', '/company', token), 404, 'COMPANY_NOT_FOUND');

    const created = await ok(
      call('POST', '/companies', token, {
        name: '  Anna GmbH ',
        street: 'Hauptstr. 1',
        postalCode: '80331',
        city: 'München',
        country: 'DE',
        select: true,
      }),
      201,
    );
    expect(created).toMatchObject({ selected: true });
    expect(await ok(call('GET', '/company', token))).toEqual({
      id: created.companyId,
      name: 'Anna GmbH',
      street: 'Hauptstr. 1',
      postalCode: '80331',
      city: 'München',
      country: 'DE',
      vendorAccountId: null,
      admin: true,
      editable: true,
    });
    expect(await membership(user.id, created.companyId)).toEqual({ is_admin: 1, is_locked: 0 });
    const projects = await ok(call('GET', '/projects', token));
    expect(projects).toEqual({
      selectedProjectId: null,
      projects: [
        {
          id: created.defaultProjectId,
          name: 'DEFAULT',
          description: '',
          ssaEnd: null,
          companyId: created.companyId,
          companyName: 'Anna GmbH',
          external: false,
          selected: false,
        },
      ],
    });
    expect(await ok(call('GET', '/companies', token))).toEqual({
      selectedCompanyId: created.companyId,
      companies: [{ id: created.companyId, name: 'Anna GmbH', admin: true, locked: false, selected: true }],
    });
    expect((await events('company.created')).map((e) => [e.company_id, e.user_id])).toEqual([
      [created.companyId, user.id],
    ]);
  });

  it('creates another company for a user who has one, as its admin, and leaves the selection alone unless asked', async () => {
    const anna = await founder('anna');
    const second = await ok(call('POST', '/companies', anna.token, { name: 'Anna Two' }), 201);
    expect(second.selected).toBe(false);
    expect((await session(anna.token)).company_id).toBe(anna.companyId);
    const mine = await ok(call('GET', '/companies', anna.token));
    expect(mine.companies.map((c: { id: number; admin: boolean }) => [c.id, c.admin])).toEqual([
      [anna.companyId, true],
      [second.companyId, true],
    ]);
  });

  it('lets admins change the company data; other members read it, see the company id, and cannot change it', async () => {
    const anna = await founder('anna', 'Anna GmbH');
    const bob = await member(anna.token, await makeUser(tc, 'bob@example.test'));
    const seen = await ok(call('GET', '/company', bob));
    expect(seen).toMatchObject({ id: anna.companyId, name: 'Anna GmbH', admin: false, editable: false });

    await expectError(await call('PATCH', '/company', bob, { city: 'Nowhere' }), 403, 'FORBIDDEN');
    expect(await ok(call('GET', '/company', anna.token))).toMatchObject({ city: '' });

    const changed = await ok(call('PATCH', '/company', anna.token, { name: 'Anna AG', city: 'Berlin' }));
    expect(changed).toMatchObject({ name: 'Anna AG', city: 'Berlin', editable: true });
    expect(await ok(call('GET', '/company', bob))).toMatchObject({ name: 'Anna AG', city: 'Berlin' });
    const [event] = await events('company.updated');
    expect(JSON.parse(event!.detail)).toMatchObject({
      before: { name: 'Anna GmbH', city: '' },
      after: { name: 'Anna AG', city: 'Berlin' },
    });
    await expectError(await call('PATCH', '/company', anna.token, {}), 400, 'VALIDATION_FAILED');
  });

  it('creates a company from the vendor account id and postal code: its data is the vendor record, always current, never editable', async () => {
    await setVendorAccount(tc.core, {
      accountId: 'C-1001',
      postalCode: '80 331',
      name: 'Vendor Kunde GmbH',
      street: 'Ring 5',
      city: 'München',
      country: 'DE',
    });
    const user = await makeUser(tc, 'vera@example.test');
    const token = await loginPortal(tc.app, user);
    const companiesBefore = await db().selectFrom('companies').select('id').execute();

    const wrongZip = await expectError(
      await call('POST', '/companies', token, { vendorAccountId: 'C-1001', postalCode: '99999' }),
      404,
      'VENDOR_ACCOUNT_NOT_FOUND',
    );
    const unknown = await expectError(
      await call('POST', '/companies', token, { vendorAccountId: 'C-9999', postalCode: '80331' }),
      404,
      'VENDOR_ACCOUNT_NOT_FOUND',
    );
    expect(wrongZip).toEqual(unknown);
    expect(await db().selectFrom('companies').select('id').execute()).toEqual(companiesBefore);

    const created = await ok(
      call('POST', '/companies', token, { vendorAccountId: 'C-1001', postalCode: '80331', select: true }),
      201,
    );
    expect(await ok(call('GET', '/company', token))).toEqual({
      id: created.companyId,
      name: 'Vendor Kunde GmbH',
      street: 'Ring 5',
      postalCode: '80331',
      city: 'München',
      country: 'DE',
      vendorAccountId: 'C-1001',
      admin: true,
      editable: false,
    });
    await expectError(
      await call('PATCH', '/company', token, { city: 'Berlin' }),
      409,
      'COMPANY_DATA_FROM_VENDOR',
    );

    // The operator changes the record: the company shows it at once, the address it was not given stays.
    await setVendorAccount(tc.core, {
      accountId: 'C-1001',
      postalCode: '80331',
      name: 'Vendor Kunde AG',
      city: 'Augsburg',
    });
    expect(await ok(call('GET', '/company', token))).toMatchObject({
      name: 'Vendor Kunde AG',
      street: 'Ring 5',
      city: 'Augsburg',
    });
    expect((await ok(call('GET', '/companies', token))).companies[0]).toMatchObject({
      name: 'Vendor Kunde AG',
    });
  });

  it('refuses a second company for a vendor account already linked to a company with 409 VENDOR_ACCOUNT_TAKEN, and changes nothing', async () => {
    await setVendorAccount(tc.core, {
      accountId: 'C-3003',
      postalCode: '20095',
      name: 'Hamburg Telefon GmbH',
    });
    const first = await makeUser(tc, 'first@example.test');
    const firstToken = await loginPortal(tc.app, first);
    const created = await ok(
      call('POST', '/companies', firstToken, { vendorAccountId: 'C-3003', postalCode: '20095' }),
      201,
    );
    const second = await makeUser(tc, 'second@example.test');
    const secondToken = await loginPortal(tc.app, second);
    const before = {
      companies: await db().selectFrom('companies').selectAll().orderBy('id').execute(),
      details: await db().selectFrom('company_details').selectAll().orderBy('company_id').execute(),
      memberships: await db()
        .selectFrom('memberships')
        .selectAll()
        .orderBy('company_id')
        .orderBy('user_id')
        .execute(),
      projects: await db().selectFrom('projects').selectAll().orderBy('id').execute(),
    };
    await expectError(
      await call('POST', '/companies', secondToken, {
        vendorAccountId: 'C-3003',
        postalCode: '20 095',
        select: true,
      }),
      409,
      'VENDOR_ACCOUNT_TAKEN',
    );
    // The creator cannot make a second one either.
    await expectError(
      await call('POST', '/companies', firstToken, { vendorAccountId: 'C-3003', postalCode: '20095' }),
      409,
      'VENDOR_ACCOUNT_TAKEN',
    );
    // Without the right postal code the answer stays "no such vendor account": the link is not probed.
    await expectError(
      await call('POST', '/companies', secondToken, { vendorAccountId: 'C-3003', postalCode: '99999' }),
      404,
      'VENDOR_ACCOUNT_NOT_FOUND',
    );
    expect({
      companies: await db().selectFrom('companies').selectAll().orderBy('id').execute(),
      details: await db().selectFrom('company_details').selectAll().orderBy('company_id').execute(),
      memberships: await db()
        .selectFrom('memberships')
        .selectAll()
        .orderBy('company_id')
        .orderBy('user_id')
        .execute(),
      projects: await db().selectFrom('projects').selectAll().orderBy('id').execute(),
    }).toEqual(before);
    const linked = await db()
      .selectFrom('company_details')
      .select('company_id')
      .where('vendor_account_id', '=', 'C-3003')
      .execute();
    expect(linked).toEqual([{ company_id: created.companyId }]);
  });

  it('sets a vendor record with the operator command `ops vendor-account set`', async () => {
    const env = { MYLIC_DATA: root.dir, MYLIC_SQLITE: join(root.dir, `core-${coreNo}`, 'test.sqlite') };
    const saved = { ...process.env };
    Object.assign(process.env, env);
    const log = vi.spyOn(console, 'log').mockImplementation(() => {});
    try {
      const code = await bridgeMain([
        'ops',
        'vendor-account',
        'set',
        '--account',
        'C-2002',
        '--postal-code',
        '1010',
        '--name',
        'Wien Telecom',
        '--city',
        'Wien',
        '--json',
      ]);
      expect(code).toBe(0);
      expect(JSON.parse(String(log.mock.calls.at(-1)![0]))).toMatchObject({
        ok: true,
        result: {
          accountId: 'C-2002',
          postalCode: '1010',
          name: 'Wien Telecom',
          city: 'Wien',
          created: true,
        },
      });
      const missing = await bridgeMain([
        'ops',
        'vendor-account',
        'set',
        '--account',
        'C-2002',
        '--name',
        'X',
        '--json',
      ]);
      expect(missing).toBe(2);
    } finally {
      log.mockRestore();
      process.env = saved;
    }
    const user = await makeUser(tc, 'wien@example.test');
    const token = await loginPortal(tc.app, user);
    await ok(
      call('POST', '/companies', token, { vendorAccountId: 'C-2002', postalCode: '1010', select: true }),
      201,
    );
    expect(await ok(call('GET', '/company', token))).toMatchObject({
      name: 'Wien Telecom',
      city: 'Wien',
      vendorAccountId: 'C-2002',
    });
  });

  it('switches between companies, refuses one where the user is locked and clears the project selection on a switch', async () => {
    const anna = await founder('anna');
    const victor = await founder('victor');
    const annaUser = anna.user;
    await ok(call('POST', '/company/users', victor.token, { email: annaUser.email }), 201);
    await ok(call('PATCH', `/company/users/${annaUser.id}`, victor.token, { locked: true }));

    expect(await ok(call('GET', '/companies', anna.token))).toEqual({
      selectedCompanyId: anna.companyId,
      companies: [
        { id: anna.companyId, name: 'Company anna', admin: true, locked: false, selected: true },
        { id: victor.companyId, name: 'Company victor', admin: false, locked: true, selected: false },
      ],
    });
    await expectError(
      await call('PUT', '/session/company', anna.token, { companyId: victor.companyId }),
      403,
      'USER_LOCKED',
    );
    expect((await session(anna.token)).company_id).toBe(anna.companyId);

    await ok(call('PATCH', `/company/users/${annaUser.id}`, victor.token, { locked: false }));
    await ok(call('PUT', '/session/project', anna.token, { projectId: anna.defaultProjectId }));
    expect(await session(anna.token)).toMatchObject({
      company_id: anna.companyId,
      project_id: anna.defaultProjectId,
    });
    expect(await ok(call('PUT', '/session/company', anna.token, { companyId: victor.companyId }))).toEqual({
      companyId: victor.companyId,
      projectId: null,
    });
    expect(await session(anna.token)).toMatchObject({ company_id: victor.companyId, project_id: null });
    const projects = await ok(call('GET', '/projects', anna.token));
    expect(projects.projects.map((p: { id: number }) => p.id)).toEqual([victor.defaultProjectId]);

    const stranger = await founder('stranger');
    await expectError(
      await call('PUT', '/session/company', anna.token, { companyId: stranger.companyId }),
      404,
      'COMPANY_NOT_FOUND',
    );
    await expectError(
      await call('PUT', '/session/company', anna.token, { companyId: 987654 }),
      404,
      'COMPANY_NOT_FOUND',
    );
  });
});

describe('users of a company', () => {
  it('lets admins add existing accounts by e-mail, optionally as admin; non-admins get the same list read-only', async () => {
    const anna = await founder('anna');
    const bobUser = await makeUser(tc, 'bob@example.test');
    const carlUser = await makeUser(tc, 'carl@example.test');
    const added = await ok(call('POST', '/company/users', anna.token, { email: 'BOB@example.test' }), 201);
    expect(added).toMatchObject({ userId: bobUser.id, email: bobUser.email, admin: false, locked: false });
    await ok(call('POST', '/company/users', anna.token, { email: carlUser.email, admin: true }), 201);
    expect(await membership(carlUser.id, anna.companyId)).toEqual({ is_admin: 1, is_locked: 0 });

    const bob = await loginPortal(tc.app, bobUser);
    const list = await ok(call('GET', '/company/users', bob));
    expect(list.editable).toBe(false);
    expect(list.users.map((u: { email: string; admin: boolean }) => [u.email, u.admin])).toEqual([
      ['anna@example.test', true],
      ['bob@example.test', false],
      ['carl@example.test', true],
    ]);
    expect((await ok(call('GET', '/company/users', anna.token))).editable).toBe(true);

    await expectError(
      await call('POST', '/company/users', anna.token, { email: 'nobody@example.test' }),
      404,
      'USER_NOT_FOUND',
    );
    await expectError(
      await call('POST', '/company/users', anna.token, { email: bobUser.email }),
      409,
      'ALREADY_MEMBER',
    );
    await expectError(
      await call('POST', '/company/users', bob, { email: 'someone@example.test' }),
      403,
      'FORBIDDEN',
    );
    expect((await events('company.user_added')).length).toBe(2);
  });

  it('locks and unlocks users, grants and revokes admin; a locked user reaches nothing of the company', async () => {
    const anna = await founder('anna');
    const bobUser = await makeUser(tc, 'bob@example.test');
    const bob = await member(anna.token, bobUser);

    expect(
      await ok(call('PATCH', `/company/users/${bobUser.id}`, anna.token, { admin: true })),
    ).toMatchObject({ admin: true, locked: false });
    expect(
      await ok(call('PATCH', `/company/users/${bobUser.id}`, anna.token, { admin: false, locked: true })),
    ).toMatchObject({ admin: false, locked: true });
    expect(await membership(bobUser.id, anna.companyId)).toEqual({ is_admin: 0, is_locked: 1 });
    await expectError(await call('GET', '/company', bob), 403, 'USER_LOCKED');
    await expectError(await call('GET', '/projects', bob), 403, 'USER_LOCKED');
    await expectError(await call('GET', `/projects/${anna.defaultProjectId}`, bob), 403, 'USER_LOCKED');

    await ok(call('PATCH', `/company/users/${bobUser.id}`, anna.token, { locked: false }));
    expect((await ok(call('GET', '/company', bob))).id).toBe(anna.companyId);
    const changes = (await events('company.user_changed')).map((e) => JSON.parse(e.detail));
    expect(changes).toEqual([
      { user: bobUser.id, email: bobUser.email, admin: true },
      { user: bobUser.id, email: bobUser.email, admin: false, locked: true },
      { user: bobUser.id, email: bobUser.email, locked: false },
    ]);
  });

  it('removes a user from the company: the account and its history stay, their session loses the company', async () => {
    const anna = await founder('anna');
    const bobUser = await makeUser(tc, 'bob@example.test');
    const bob = await member(anna.token, bobUser);
    await ok(call('POST', '/projects', bob, { name: 'Bob made this' }), 201);
    const bobsEvents = await db()
      .selectFrom('history')
      .select('id')
      .where('user_id', '=', bobUser.id)
      .execute();
    expect(bobsEvents.length).toBeGreaterThan(0);

    await ok(call('DELETE', `/company/users/${bobUser.id}`, anna.token), 204);
    expect(await membership(bobUser.id, anna.companyId)).toBeUndefined();
    expect(
      await db().selectFrom('users').select('email').where('id', '=', bobUser.id).executeTakeFirst(),
    ).toEqual({ email: bobUser.email });
    expect(await db().selectFrom('history').select('id').where('user_id', '=', bobUser.id).execute()).toEqual(
      expect.arrayContaining(bobsEvents),
    );
    expect(await session(bob)).toMatchObject({ company_id: null, project_id: null });
    await expectError(await call('GET', '/company', bob), 404, 'COMPANY_NOT_FOUND');
    await expectError(await call('GET', `/projects/${anna.defaultProjectId}`, bob), 404, 'PROJECT_NOT_FOUND');
    // The account still logs in.
    await loginPortal(tc.app, bobUser);
    await expectError(
      await call('DELETE', `/company/users/${bobUser.id}`, anna.token),
      404,
      'USER_NOT_FOUND',
    );
  });

  it('never lets the last admin who is not locked be removed, locked or demoted', async () => {
    const anna = await founder('anna');
    const annaId = anna.user.id;
    for (const [method, body] of [
      ['DELETE', undefined],
      ['PATCH', { locked: true }],
      ['PATCH', { admin: false }],
    ] as const) {
      const e = await expectError(
        await call(method, `/company/users/${annaId}`, anna.token, body),
        409,
        'LAST_ADMIN',
      );
      expect(e.message).toMatch(/last company admin/);
    }
    // A second admin who is locked does not count; one who is not does.
    const carlUser = await makeUser(tc, 'carl@example.test');
    await ok(call('POST', '/company/users', anna.token, { email: carlUser.email, admin: true }), 201);
    await ok(call('PATCH', `/company/users/${carlUser.id}`, anna.token, { locked: true }));
    await expectError(
      await call('PATCH', `/company/users/${annaId}`, anna.token, { admin: false }),
      409,
      'LAST_ADMIN',
    );
    expect(await membership(annaId, anna.companyId)).toEqual({ is_admin: 1, is_locked: 0 });
    await ok(call('PATCH', `/company/users/${carlUser.id}`, anna.token, { locked: false }));
    await ok(call('PATCH', `/company/users/${annaId}`, anna.token, { admin: false }));
    expect(await membership(annaId, anna.companyId)).toEqual({ is_admin: 0, is_locked: 0 });
  });

  it('keeps different admin and locked flags for one user in each of their companies', async () => {
    const anna = await founder('anna');
    const victor = await founder('victor');
    const xUser = await makeUser(tc, 'x@example.test');
    await ok(call('POST', '/company/users', anna.token, { email: xUser.email, admin: true }), 201);
    await ok(call('POST', '/company/users', victor.token, { email: xUser.email }), 201);
    await ok(call('PATCH', `/company/users/${xUser.id}`, victor.token, { locked: true }));
    const x = await loginPortal(tc.app, xUser);
    const mine = await ok(call('GET', '/companies', x));
    expect(
      mine.companies.map((c: { id: number; admin: boolean; locked: boolean }) => [c.id, c.admin, c.locked]),
    ).toEqual([
      [anna.companyId, true, false],
      [victor.companyId, false, true],
    ]);
    // Admin in one company gives nothing in the other.
    await ok(call('PATCH', `/company/users/${xUser.id}`, victor.token, { locked: false }));
    await ok(call('PUT', '/session/company', x, { companyId: victor.companyId }));
    await expectError(await call('PATCH', '/company', x, { city: 'X' }), 403, 'FORBIDDEN');
  });
});

describe('company join', () => {
  it('imports another company: projects (clashing names renamed visibly), users, devices, balance, licenses, keys and history; the other company is deleted', async () => {
    const t = await tenant('tina', '00-90-33-01-00-01');
    const s = await tenant('sam', '00-90-33-02-00-01');
    const counts = { t: await countsOf(tc, t.companyId), s: await countsOf(tc, s.companyId) };
    // Both have DEFAULT and "Shared": the incoming ones are renamed.
    const tShared = await ok(call('POST', '/projects', t.token, { name: 'Shared' }), 201);
    const sShared = await ok(call('POST', '/projects', s.token, { name: 'Shared' }), 201);
    const sOnly = await ok(call('POST', '/projects', s.token, { name: 'Only in S' }), 201);
    // Users: carl is admin in S and plain user in T (gets admin); dora is locked in S (stays locked); bob only in S.
    const carl = await makeUser(tc, 'carl@example.test');
    const dora = await makeUser(tc, 'dora@example.test');
    const bob = await makeUser(tc, 'bob@example.test');
    await ok(call('POST', '/company/users', s.token, { email: carl.email, admin: true }), 201);
    await ok(call('POST', '/company/users', t.token, { email: carl.email }), 201);
    await ok(call('POST', '/company/users', s.token, { email: dora.email }), 201);
    await ok(call('PATCH', `/company/users/${dora.id}`, s.token, { locked: true }));
    await ok(call('POST', '/company/users', s.token, { email: bob.email }), 201);
    // T's device is placed in S too: T's placement stays.
    await addKnownDevice(tc.core, s.actor, sOnly.id, t.device.hardwareId, DEVICE_TYPE);
    // S granted a third company rights on its "Shared": the right stays with the project.
    const x = await founder('xavier');
    await ok(call('POST', `/projects/${sShared.id}/rights`, s.token, { companyId: x.companyId }), 201);
    // An own activation key of S (a row of the keys area with a company column) moves along.
    const key = await db()
      .insertInto('activation_keys')
      .values({
        code: 'TESTKEYTESTKEYTESTKEYTEST',
        ref: 'K-TEST-1',
        kind: 'own',
        company_id: s.companyId,
        created_by: s.user.id,
        created_at: '2026-01-01T00:00:00.000Z',
        updated_at: '2026-01-01T00:00:00.000Z',
        redeemed_project_id: null,
        redeemed_by: null,
        redeemed_at: null,
        redeem_comment: null,
        deleted_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    const sHistory = (
      await db().selectFrom('history').select('id').where('company_id', '=', s.companyId).execute()
    ).map((r) => r.id);
    const samPortal = s.token;

    const result = await ok(
      call('POST', '/company/join', t.token, {
        companyId: s.companyId,
        email: s.user.email,
        password: s.user.password,
      }),
    );

    expect(result).toMatchObject({
      companyId: t.companyId,
      joinedCompanyId: s.companyId,
      joinedCompanyName: 'Company sam',
    });
    expect(result.renamed).toEqual([
      { projectId: s.projectId, from: 'DEFAULT', to: `DEFAULT (from company ${s.companyId})` },
      { projectId: sShared.id, from: 'Shared', to: `Shared (from company ${s.companyId})` },
    ]);
    expect(result.devicePlacements.keptHere).toEqual([
      {
        deviceId: t.device.deviceId,
        hardwareId: t.device.hardwareId,
        keptProjectId: t.projectId,
        droppedProjectId: sOnly.id,
      },
    ]);
    expect(result.users).toEqual({
      added: expect.arrayContaining([s.user.id, dora.id, bob.id]),
      merged: [carl.id],
    });
    expect(result.moved).toEqual([{ table: 'activation_keys', column: 'company_id', rows: 1 }]);

    // Projects
    const projects = await ok(call('GET', '/projects', t.token));
    expect(projects.projects.map((p: { name: string }) => p.name).sort()).toEqual(
      [
        'DEFAULT',
        `DEFAULT (from company ${s.companyId})`,
        'Only in S',
        'Shared',
        `Shared (from company ${s.companyId})`,
      ].sort(),
    );
    expect(projects.projects.find((p: { id: number }) => p.id === tShared.id).name).toBe('Shared');
    // Users and flags
    expect(await membership(s.user.id, t.companyId)).toEqual({ is_admin: 1, is_locked: 0 });
    expect(await membership(carl.id, t.companyId)).toEqual({ is_admin: 1, is_locked: 0 });
    expect(await membership(dora.id, t.companyId)).toEqual({ is_admin: 0, is_locked: 1 });
    expect(await membership(bob.id, t.companyId)).toEqual({ is_admin: 0, is_locked: 0 });
    // Devices: S's device now in T's (renamed) DEFAULT, T's device only in T's DEFAULT.
    const placements = await db()
      .selectFrom('device_projects')
      .select(['device_id', 'company_id', 'project_id'])
      .orderBy('device_id')
      .execute();
    expect(placements).toEqual([
      { device_id: t.device.deviceId, company_id: t.companyId, project_id: t.projectId },
      { device_id: s.device.deviceId, company_id: t.companyId, project_id: s.projectId },
    ]);
    // Balance, licenses: T now holds both companies' units, nothing lost, nothing made.
    const after = await countsOf(tc, t.companyId);
    for (const type of [PORT_TYPE, GW_TYPE]) {
      expect(after[type]).toEqual({
        type,
        activated: counts.t[type]!.activated + counts.s[type]!.activated,
        balance: counts.t[type]!.balance + counts.s[type]!.balance,
        bound: counts.t[type]!.bound + counts.s[type]!.bound,
        free: 0,
        inKeys: 0,
      });
    }
    expect((await licenseRow(tc, s.port.serial)).project_id).toBe(s.projectId);
    // Rights, keys, history, sessions
    expect(
      await db().selectFrom('project_rights').select(['project_id', 'grantee_company_id']).execute(),
    ).toEqual([{ project_id: sShared.id, grantee_company_id: x.companyId }]);
    expect(
      await db()
        .selectFrom('activation_keys')
        .select('company_id')
        .where('id', '=', key.id)
        .executeTakeFirst(),
    ).toEqual({ company_id: t.companyId });
    const moved = await db()
      .selectFrom('history')
      .select(['id', 'company_id'])
      .where('id', 'in', sHistory)
      .execute();
    expect(moved.every((h) => h.company_id === t.companyId)).toBe(true);
    expect(moved.length).toBe(sHistory.length);
    expect((await session(samPortal)).company_id).toBe(t.companyId);
    expect((await ok(call('GET', '/company', samPortal))).id).toBe(t.companyId);
    // The joined company is gone.
    expect(
      await db().selectFrom('companies').select('id').where('id', '=', s.companyId).executeTakeFirst(),
    ).toBeUndefined();
    expect(
      await db()
        .selectFrom('company_details')
        .select('company_id')
        .where('company_id', '=', s.companyId)
        .executeTakeFirst(),
    ).toBeUndefined();
    expect(
      await db().selectFrom('memberships').select('user_id').where('company_id', '=', s.companyId).execute(),
    ).toEqual([]);
    const [joined] = await events('company.joined');
    expect(joined).toMatchObject({ company_id: t.companyId, user_id: t.user.id });
    expect(JSON.parse(joined!.detail)).toMatchObject({ joinedCompanyId: s.companyId, joinedBy: s.user.id });
  });

  it('refuses a join with a wrong password, a login that is not an admin there, an unknown company or the own company, and changes nothing', async () => {
    const t = await founder('tina');
    const s = await founder('sam');
    const bob = await makeUser(tc, 'bob@example.test');
    const bobToken = await member(s.token, bob);
    const tBob = await makeUser(tc, 'tbob@example.test');
    const tBobToken = await member(t.token, tBob);
    const before = await db().selectFrom('projects').selectAll().orderBy('id').execute();
    const membersBefore = await db()
      .selectFrom('memberships')
      .selectAll()
      .orderBy('user_id')
      .orderBy('company_id')
      .execute();

    const wrong = await expectError(
      await call('POST', '/company/join', t.token, {
        companyId: s.companyId,
        email: s.user.email,
        password: 'wrong-password',
      }),
      403,
      'COMPANY_JOIN_REFUSED',
    );
    const notAdmin = await expectError(
      await call('POST', '/company/join', t.token, {
        companyId: s.companyId,
        email: bob.email,
        password: bob.password,
      }),
      403,
      'COMPANY_JOIN_REFUSED',
    );
    const unknown = await expectError(
      await call('POST', '/company/join', t.token, {
        companyId: 987654,
        email: s.user.email,
        password: s.user.password,
      }),
      403,
      'COMPANY_JOIN_REFUSED',
    );
    expect(wrong).toEqual(notAdmin);
    expect(wrong).toEqual(unknown);
    await expectError(
      await call('POST', '/company/join', t.token, {
        companyId: t.companyId,
        email: t.user.email,
        password: t.user.password,
      }),
      409,
      'COMPANY_JOIN_SELF',
    );
    await expectError(
      await call('POST', '/company/join', tBobToken, {
        companyId: s.companyId,
        email: s.user.email,
        password: s.user.password,
      }),
      403,
      'FORBIDDEN',
    );
    void bobToken;

    expect(await db().selectFrom('projects').selectAll().orderBy('id').execute()).toEqual(before);
    expect(
      await db().selectFrom('memberships').selectAll().orderBy('user_id').orderBy('company_id').execute(),
    ).toEqual(membersBefore);
    expect(await events('company.joined')).toEqual([]);
  });
});

describe('projects', () => {
  it('creates, renames and describes projects with names unique within the company, and lists them with the selection', async () => {
    const anna = await founder('anna');
    const victor = await founder('victor');
    const p = await ok(
      call('POST', '/projects', anna.token, { name: ' Berlin ', description: 'Office' }),
      201,
    );
    expect(p).toMatchObject({
      name: 'Berlin',
      description: 'Office',
      companyId: anna.companyId,
      external: false,
    });
    await expectError(
      await call('POST', '/projects', anna.token, { name: 'Berlin' }),
      409,
      'PROJECT_NAME_TAKEN',
    );
    await expectError(
      await call('PATCH', `/projects/${p.id}`, anna.token, { name: 'DEFAULT' }),
      409,
      'PROJECT_NAME_TAKEN',
    );
    // Another company may use the same name.
    await ok(call('POST', '/projects', victor.token, { name: 'Berlin' }), 201);

    const renamed = await ok(
      call('PATCH', `/projects/${p.id}`, anna.token, { name: 'Berlin Mitte', description: 'Main office' }),
    );
    expect(renamed).toMatchObject({ id: p.id, name: 'Berlin Mitte', description: 'Main office' });
    const [updated] = await events('project.updated');
    expect(JSON.parse(updated!.detail)).toEqual({
      before: { name: 'Berlin', description: 'Office' },
      after: { name: 'Berlin Mitte', description: 'Main office' },
    });

    await ok(call('PUT', '/session/project', anna.token, { projectId: p.id }));
    const list = await ok(call('GET', '/projects', anna.token));
    expect(list.selectedProjectId).toBe(p.id);
    expect(list.projects.map((x: { name: string; selected: boolean }) => [x.name, x.selected])).toEqual([
      ['Berlin Mitte', true],
      ['DEFAULT', false],
    ]);
    await expectError(await call('POST', '/projects', anna.token, { name: '' }), 400, 'VALIDATION_FAILED');
  });

  it('creates one project when the same name is asked for ten times in parallel: one 201, nine 409 PROJECT_NAME_TAKEN', async () => {
    const anna = await founder('anna');
    const answers = await Promise.all(
      Array.from({ length: 10 }, () => call('POST', '/projects', anna.token, { name: 'Race' })),
    );
    const statuses = answers.map((r) => r.status).sort();
    expect(statuses).toEqual([201, ...Array<number>(9).fill(409)]);
    for (const r of answers.filter((x) => x.status === 409))
      expect(((await r.json()) as { error: { code: string } }).error.code).toBe('PROJECT_NAME_TAKEN');
    expect(
      await db()
        .selectFrom('projects')
        .select('id')
        .where('company_id', '=', anna.companyId)
        .where('name', '=', 'Race')
        .execute(),
    ).toHaveLength(1);
  });

  it('has the database itself refuse a second project of the same name in a company (unique index on company and name)', async () => {
    const anna = await founder('anna');
    const victor = await founder('victor');
    const row = (companyId: number) => ({
      company_id: companyId,
      name: 'Twice',
      description: '',
      ssa_end: null,
      created_at: new Date().toISOString(),
    });
    await db().insertInto('projects').values(row(anna.companyId)).execute();
    await expect(db().insertInto('projects').values(row(anna.companyId)).execute()).rejects.toThrow(
      /UNIQUE constraint failed: projects\.company_id, projects\.name/,
    );
    // Another company may hold the same name.
    await db().insertInto('projects').values(row(victor.companyId)).execute();
  });

  it('keeps the selected project in the session, deselects with null and refuses projects outside the selected company', async () => {
    const anna = await founder('anna');
    const victor = await founder('victor');
    const other = await ok(call('POST', '/companies', anna.token, { name: 'Anna Two' }), 201);
    const p = await ok(call('POST', '/projects', anna.token, { name: 'Berlin' }), 201);

    expect(await ok(call('PUT', '/session/project', anna.token, { projectId: p.id }))).toEqual({
      companyId: anna.companyId,
      projectId: p.id,
    });
    expect((await session(anna.token)).project_id).toBe(p.id);
    // Another session of the same user has its own selection.
    const second = await loginPortal(tc.app, anna.user);
    expect((await ok(call('GET', '/projects', second))).selectedProjectId).toBeNull();

    await expectError(
      await call('PUT', '/session/project', anna.token, { projectId: victor.defaultProjectId }),
      404,
      'PROJECT_NOT_FOUND',
    );
    await expectError(
      await call('PUT', '/session/project', anna.token, { projectId: other.defaultProjectId }),
      404,
      'PROJECT_NOT_FOUND',
    );
    expect((await session(anna.token)).project_id).toBe(p.id);

    expect(await ok(call('PUT', '/session/project', anna.token, { projectId: null }))).toEqual({
      companyId: anna.companyId,
      projectId: null,
    });
    expect((await session(anna.token)).project_id).toBeNull();
  });

  it('lets an admin grant another company rights: its users see the project as external, may add devices, but not edit, join, delete it or remove devices', async () => {
    const a = await tenant('anna', '00-90-33-0A-00-01');
    const b = await tenant('bert', '00-90-33-0B-00-01');
    const shared = await ok(call('POST', '/projects', a.token, { name: 'Shared' }), 201);
    const target = await ok(call('POST', '/projects', a.token, { name: 'Target' }), 201);

    await expectError(
      await call('POST', `/projects/${shared.id}/rights`, a.token, { companyId: a.companyId }),
      409,
      'RIGHT_OWN_COMPANY',
    );
    await expectError(
      await call('POST', `/projects/${shared.id}/rights`, a.token, { companyId: 987654 }),
      404,
      'COMPANY_NOT_FOUND',
    );
    const granted = await ok(
      call('POST', `/projects/${shared.id}/rights`, a.token, { companyId: b.companyId }),
      201,
    );
    expect(granted.rights).toEqual([
      { companyId: b.companyId, companyName: 'Company bert', grantedAt: expect.any(String) },
    ]);
    await expectError(
      await call('POST', `/projects/${shared.id}/rights`, a.token, { companyId: b.companyId }),
      409,
      'ALREADY_EXISTS',
    );
    expect(
      (await ok(call('GET', `/projects/${shared.id}/rights`, a.token))).rights.map(
        (r: { companyId: number }) => r.companyId,
      ),
    ).toEqual([b.companyId]);

    // B sees it, external, and can select it.
    const list = await ok(call('GET', '/projects', b.token));
    expect(
      list.projects.map((p: { id: number; external: boolean; companyName: string }) => [
        p.id,
        p.external,
        p.companyName,
      ]),
    ).toEqual([
      [b.projectId, false, 'Company bert'],
      [shared.id, true, 'Company anna'],
    ]);
    expect(await ok(call('GET', `/projects/${shared.id}`, b.token))).toMatchObject({
      id: shared.id,
      external: true,
    });
    await ok(call('PUT', '/session/project', b.token, { projectId: shared.id }));
    const bActor = { userId: b.user.id, companyId: b.companyId };
    expect(await projectAccess(db(), bActor, shared.id)).toMatchObject({ external: true, admin: false });

    // B adds a device: it is placed in the project, in A's company.
    const added = await addKnownDevice(tc.core, bActor, shared.id, '00-90-33-0B-00-77', DEVICE_TYPE);
    expect(
      await db()
        .selectFrom('device_projects')
        .select(['company_id', 'project_id'])
        .where('device_id', '=', added.deviceId)
        .execute(),
    ).toEqual([{ company_id: a.companyId, project_id: shared.id }]);

    // ... but may not edit, join, delete, remove devices or touch rights.
    const before = await db()
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', shared.id)
      .executeTakeFirst();
    await expectError(
      await call('PATCH', `/projects/${shared.id}`, b.token, { name: 'Mine now' }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await call('POST', `/projects/${shared.id}/join`, b.token, { intoProjectId: target.id }),
      403,
      'FORBIDDEN',
    );
    await expectError(await call('DELETE', `/projects/${shared.id}`, b.token), 403, 'FORBIDDEN');
    await expectError(await call('GET', `/projects/${shared.id}/rights`, b.token), 403, 'FORBIDDEN');
    await expectError(
      await call('DELETE', `/projects/${shared.id}/rights/${b.companyId}`, b.token),
      403,
      'FORBIDDEN',
    );
    await expect(removeDevice(tc.core, bActor, shared.id, '00-90-33-0B-00-77')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect(
      await db().selectFrom('projects').selectAll().where('id', '=', shared.id).executeTakeFirst(),
    ).toEqual(before);
    expect(
      await db()
        .selectFrom('device_projects')
        .select('project_id')
        .where('device_id', '=', added.deviceId)
        .execute(),
    ).toEqual([{ project_id: shared.id }]);

    // A's own user removes it.
    await removeDevice(tc.core, { userId: a.user.id }, shared.id, '00-90-33-0B-00-77');
    expect(
      await db()
        .selectFrom('device_projects')
        .select('project_id')
        .where('device_id', '=', added.deviceId)
        .execute(),
    ).toEqual([]);

    // Revoked: B's selection falls back to all projects and the project is gone for B.
    await ok(call('DELETE', `/projects/${shared.id}/rights/${b.companyId}`, a.token), 204);
    expect((await session(b.token)).project_id).toBeNull();
    await expectError(await call('GET', `/projects/${shared.id}`, b.token), 404, 'PROJECT_NOT_FOUND');
    await expect(
      addKnownDevice(tc.core, bActor, shared.id, '00-90-33-0B-00-78', DEVICE_TYPE),
    ).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    await expectError(
      await call('DELETE', `/projects/${shared.id}/rights/${b.companyId}`, a.token),
      404,
      'RIGHT_NOT_FOUND',
    );
    expect((await events('project.right_granted')).length).toBe(1);
    expect((await events('project.right_revoked')).length).toBe(1);
  });

  it('joins a project into another of the same company: devices, bound and free licenses, balance with its ledger and invalidations move, the project is deleted', async () => {
    const a = await tenant('anna', '00-90-33-0A-00-01');
    // Return the port license so that the project holds free licenses and an invalidation document.
    const deviceToken = await loginDevice(tc.app, a.user, a.device);
    await expectOk(
      await postXml(
        tc.app,
        `${DEVICE_API}/invalidations`,
        invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 }).xml,
        deviceToken,
      ),
    );
    const target = await ok(call('POST', '/projects', a.token, { name: 'Target' }), 201);
    await operatorCredit(tc.core, a.companyId, 'Target', PORT_TYPE, 3, 'target-credit');
    await ok(call('PUT', '/session/project', a.token, { projectId: a.projectId }));
    const countsBefore = await countsOf(tc, a.companyId);
    const ledgerBefore = await db()
      .selectFrom('ledger_entries')
      .select(['id', 'delta'])
      .where('project_id', 'in', [a.projectId, target.id])
      .execute();

    const result = await ok(
      call('POST', `/projects/${a.projectId}/join`, a.token, { intoProjectId: target.id }),
    );
    expect(result).toEqual({
      projectId: a.projectId,
      intoProjectId: target.id,
      devices: 1,
      licenses: { bound: 1, free: 1 },
      balance: [
        { type: GW_TYPE, units: 6 },
        { type: PORT_TYPE, units: 6 },
      ].sort((x, y) => x.type.localeCompare(y.type)),
      ledgerEntries: 4,
      invalidations: 1,
      moved: [],
    });

    await expectError(await call('GET', `/projects/${a.projectId}`, a.token), 404, 'PROJECT_NOT_FOUND');
    const balances = await db()
      .selectFrom('balances')
      .select(['license_type', 'units'])
      .where('project_id', '=', target.id)
      .orderBy('license_type')
      .execute();
    expect(balances).toEqual([
      { license_type: GW_TYPE, units: 6 },
      { license_type: PORT_TYPE, units: 9 },
    ]);
    expect(
      await db()
        .selectFrom('ledger_entries')
        .select(['id', 'delta'])
        .where('project_id', '=', target.id)
        .execute(),
    ).toEqual(expect.arrayContaining(ledgerBefore));
    expect(await licenseRow(tc, a.port.serial)).toMatchObject({ state: 'free', project_id: target.id });
    expect(await licenseRow(tc, a.gw.serial)).toMatchObject({
      state: 'bound',
      project_id: target.id,
      device_id: a.device.deviceId,
    });
    expect(
      await db()
        .selectFrom('device_projects')
        .select('project_id')
        .where('device_id', '=', a.device.deviceId)
        .execute(),
    ).toEqual([{ project_id: target.id }]);
    expect(await db().selectFrom('invalidations').select('project_id').execute()).toEqual([
      { project_id: target.id },
    ]);
    expect(await countsOf(tc, a.companyId)).toEqual(countsBefore);
    expect((await session(a.token)).project_id).toBe(target.id);
    const [joined] = await events('project.joined');
    expect(joined).toMatchObject({ company_id: a.companyId, project_id: target.id });
    expect(JSON.parse(joined!.detail).from).toEqual({ id: a.projectId, name: 'DEFAULT' });
  });

  it("refuses to delete a project that paid into an activation key, and merges the key's sources when the project is joined", async () => {
    const a = await tenant('anna', '00-90-33-0A-00-01');
    const target = await ok(call('POST', '/projects', a.token, { name: 'Target' }), 201);
    const at = '2026-01-01T00:00:00.000Z';
    const key = await db()
      .insertInto('activation_keys')
      .values({
        code: 'TESTKEYTESTKEYTESTKEYTEST',
        ref: 'K-TEST-2',
        kind: 'own',
        company_id: a.companyId,
        created_by: a.user.id,
        created_at: at,
        updated_at: at,
        redeemed_project_id: null,
        redeemed_by: null,
        redeemed_at: null,
        redeem_comment: null,
        deleted_at: null,
      })
      .returning('id')
      .executeTakeFirstOrThrow();
    await db()
      .insertInto('activation_key_sources')
      .values([
        { key_id: key.id, project_id: a.projectId, license_type: PORT_TYPE, units: 2 },
        { key_id: key.id, project_id: target.id, license_type: PORT_TYPE, units: 1 },
        { key_id: key.id, project_id: a.projectId, license_type: GW_TYPE, units: 1 },
      ])
      .execute();
    // A project that paid into an activation key cannot be deleted, for that reason.
    const refused = await expectError(
      await call('DELETE', `/projects/${target.id}`, a.token),
      409,
      'PROJECT_NOT_EMPTY',
    );
    expect(refused.details).toEqual({
      reasons: [
        {
          reason: 'activation-keys',
          count: 1,
          message: 'It has activation keys (1 record(s) in activation_key_sources).',
        },
      ],
    });

    const result = await ok(
      call('POST', `/projects/${a.projectId}/join`, a.token, { intoProjectId: target.id }),
    );
    expect(result.moved).toEqual([{ table: 'activation_key_sources', column: 'project_id', rows: 2 }]);
    expect(
      await db()
        .selectFrom('activation_key_sources')
        .select(['project_id', 'license_type', 'units'])
        .orderBy('license_type')
        .execute(),
    ).toEqual([
      { project_id: target.id, license_type: GW_TYPE, units: 1 },
      { project_id: target.id, license_type: PORT_TYPE, units: 3 },
    ]);
  });

  it("refuses to join a project that grants rights, into itself or into another company's project, and changes nothing", async () => {
    const a = await tenant('anna', '00-90-33-0A-00-01');
    const b = await tenant('bert', '00-90-33-0B-00-01');
    const target = await ok(call('POST', '/projects', a.token, { name: 'Target' }), 201);
    await ok(call('POST', `/projects/${a.projectId}/rights`, a.token, { companyId: b.companyId }), 201);
    const snapshot = async () => ({
      projects: await db().selectFrom('projects').selectAll().orderBy('id').execute(),
      placements: await db().selectFrom('device_projects').selectAll().orderBy('device_id').execute(),
      counts: await countsOf(tc, a.companyId),
    });
    const before = await snapshot();

    const e = await expectError(
      await call('POST', `/projects/${a.projectId}/join`, a.token, { intoProjectId: target.id }),
      409,
      'PROJECT_HAS_RIGHTS',
    );
    expect(e.details).toEqual({ companies: [b.companyId] });
    await expectError(
      await call('POST', `/projects/${target.id}/join`, a.token, { intoProjectId: target.id }),
      409,
      'PROJECT_JOIN_SELF',
    );
    await expectError(
      await call('POST', `/projects/${target.id}/join`, a.token, { intoProjectId: b.projectId }),
      404,
      'PROJECT_NOT_FOUND',
    );
    expect(await snapshot()).toEqual(before);

    // With the right revoked, the join goes through.
    await ok(call('DELETE', `/projects/${a.projectId}/rights/${b.companyId}`, a.token), 204);
    await ok(call('POST', `/projects/${a.projectId}/join`, a.token, { intoProjectId: target.id }));
  });

  it('deletes only an empty project, naming every reason it is not; the session selection of a deleted project is cleared', async () => {
    const a = await tenant('anna', '00-90-33-0A-00-01');
    const b = await founder('bert');
    await ok(call('POST', `/projects/${a.projectId}/rights`, a.token, { companyId: b.companyId }), 201);

    const e = await expectError(
      await call('DELETE', `/projects/${a.projectId}`, a.token),
      409,
      'PROJECT_NOT_EMPTY',
    );
    expect((e.details as { reasons: { reason: string }[] }).reasons.map((r) => r.reason)).toEqual([
      'devices',
      'rights',
      'balance',
      'licenses',
    ]);
    expect(e.message).toMatch(
      /1 device\(s\).*rights to 1 other company.*balance holds 6 GW-Channel, 6 PBX-Port13.*2 license\(s\)/,
    );
    expect(
      await db().selectFrom('projects').select('id').where('id', '=', a.projectId).executeTakeFirst(),
    ).toEqual({ id: a.projectId });

    // A project with rights only: revoke them, then it goes.
    const shared = await ok(call('POST', '/projects', a.token, { name: 'Shared' }), 201);
    await ok(call('POST', `/projects/${shared.id}/rights`, a.token, { companyId: b.companyId }), 201);
    const onlyRights = await expectError(
      await call('DELETE', `/projects/${shared.id}`, a.token),
      409,
      'PROJECT_NOT_EMPTY',
    );
    expect(onlyRights.details).toEqual({
      reasons: [{ reason: 'rights', count: 1, message: expect.stringMatching(/revoke them first/) }],
    });
    await ok(call('DELETE', `/projects/${shared.id}/rights/${b.companyId}`, a.token), 204);
    await ok(call('PUT', '/session/project', a.token, { projectId: shared.id }));
    await ok(call('DELETE', `/projects/${shared.id}`, a.token), 204);
    expect(
      await db().selectFrom('projects').select('id').where('id', '=', shared.id).executeTakeFirst(),
    ).toBeUndefined();
    expect((await session(a.token)).project_id).toBeNull();
    expect((await events('project.deleted')).map((h) => [h.project_id, JSON.parse(h.detail).name])).toEqual([
      [shared.id, 'Shared'],
    ]);

    // A project that once had balance keeps its ledger: it can only be joined.
    const spent = await ok(call('POST', '/projects', a.token, { name: 'Spent' }), 201);
    await operatorCredit(tc.core, a.companyId, 'Spent', PORT_TYPE, 1, null);
    const withBalance = await expectError(
      await call('DELETE', `/projects/${spent.id}`, a.token),
      409,
      'PROJECT_NOT_EMPTY',
    );
    expect((withBalance.details as { reasons: { reason: string }[] }).reasons.map((r) => r.reason)).toEqual([
      'balance',
    ]);
  });
});

describe('the API description', () => {
  it('lists every organisation route in /openapi.json', async () => {
    const doc = (await (await tc.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const routes = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.keys(methods).map((m) => `${m.toUpperCase()} ${path}`),
    );
    expect(routes).toEqual(
      expect.arrayContaining([
        'GET /api/v1/companies',
        'POST /api/v1/companies',
        'PUT /api/v1/session/company',
        'GET /api/v1/company',
        'PATCH /api/v1/company',
        'POST /api/v1/company/join',
        'GET /api/v1/company/users',
        'POST /api/v1/company/users',
        'PATCH /api/v1/company/users/{userId}',
        'DELETE /api/v1/company/users/{userId}',
        'GET /api/v1/projects',
        'POST /api/v1/projects',
        'PUT /api/v1/session/project',
        'GET /api/v1/projects/{projectId}',
        'PATCH /api/v1/projects/{projectId}',
        'DELETE /api/v1/projects/{projectId}',
        'POST /api/v1/projects/{projectId}/join',
        'GET /api/v1/projects/{projectId}/rights',
        'POST /api/v1/projects/{projectId}/rights',
        'DELETE /api/v1/projects/{projectId}/rights/{companyId}',
      ]),
    );
  });
});
