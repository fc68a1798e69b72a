import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../bridge/core/context.js';
import { addDevice, removeDevice } from '../../bridge/core/devices/index.js';
import { addKnownDevice, registerAsVendor } from '../support/vendor-devices.js';
import { loadOrCreateDevPki } from '../../certs/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  DEVICE_TYPE,
  expectError,
  loginPortal,
  makeTenant,
  makeUser,
  type FixtureUser,
  type Tenant,
} from '../bridge/fixtures.js';
import { snapshotDatabase, type DbSnapshot } from '../support/db-snapshot.js';
import { call as apiCall, ok } from '../support/api-client.js';
import {
  actorsOf,
  expectMatrixCovers,
  routesOf,
  runWallsMatrix,
  type Outcome,
  type WallsCase,
} from '../support/walls.js';

/**
 * Walls of the organisation endpoints (issue: "A test matrix tries every endpoint as: anonymous, a user
 * of another company, a locked user, a non-admin where admin is needed, and an external-rights user on
 * the restricted actions"). Company A: alice (admin), bob (not admin), carol (locked while logged in).
 * Company B: dave, a stranger to A. Company C: erin, whose company has rights on A's project "Shared".
 * Every refused request answers its status and code, and the whole database is unchanged afterwards.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let a: Tenant;
let dave: Tenant;
let bob: FixtureUser;
let frank: FixtureUser;
const tokens: Record<'alice' | 'bob' | 'carol' | 'dave' | 'erin', string> = {
  alice: '',
  bob: '',
  carol: '',
  dave: '',
  erin: '',
};
let ids: Ids;
let erinActor: Actor;
let carolActor: Actor;
let before: Snapshot;

interface Ids {
  companyA: number;
  companyB: number;
  companyC: number;
  pA: number;
  shared: number;
  second: number;
  bobId: number;
  aliceId: number;
}

type Snapshot = DbSnapshot;
const snapshot = (): Promise<Snapshot> => snapshotDatabase(tc);

const call = (method: string, path: string, token?: string, body?: unknown) =>
  apiCall(tc.app, method, path, token, body);

beforeAll(async () => {
  root = await tempDir('mylic-organisation-walls-');
  tc = await makeTestCore(join(root.dir, 'core'), await loadOrCreateDevPki(join(root.dir, 'pki')));
  a = await makeTenant(tc, { name: 'alice', mac: '00-90-33-0A-00-01' });
  dave = await makeTenant(tc, { name: 'dave', mac: '00-90-33-0D-00-01' });
  const erin = await makeTenant(tc, { name: 'erin', mac: '00-90-33-0E-00-01' });
  tokens.alice = await loginPortal(tc.app, a.user);
  tokens.dave = await loginPortal(tc.app, dave.user);
  tokens.erin = await loginPortal(tc.app, erin.user);
  bob = await makeUser(tc, 'bob@example.test');
  const carol = await makeUser(tc, 'carol@example.test');
  frank = await makeUser(tc, 'frank@example.test');
  await ok(call('POST', '/company/users', tokens.alice, { email: bob.email }), 201);
  await ok(call('POST', '/company/users', tokens.alice, { email: carol.email }), 201);
  tokens.bob = await loginPortal(tc.app, bob);
  tokens.carol = await loginPortal(tc.app, carol);
  // Carol is locked while her session has company A selected.
  await ok(call('PATCH', `/company/users/${carol.id}`, tokens.alice, { locked: true }));
  const shared = await ok(call('POST', '/projects', tokens.alice, { name: 'Shared' }), 201);
  const second = await ok(call('POST', '/projects', tokens.alice, { name: 'Second' }), 201);
  await ok(call('POST', `/projects/${shared.id}/rights`, tokens.alice, { companyId: erin.companyId }), 201);
  await addKnownDevice(tc.core, { userId: a.user.id }, shared.id, '00-90-33-0A-00-02', DEVICE_TYPE);
  // Known to the vendor's device database, so only the walls can refuse adding it below.
  await registerAsVendor(tc.core, DEVICE_TYPE, '00-90-33-0A-00-09');
  ids = {
    companyA: a.companyId,
    companyB: dave.companyId,
    companyC: erin.companyId,
    pA: a.projectId,
    shared: shared.id,
    second: second.id,
    bobId: bob.id,
    aliceId: a.user.id,
  };
  erinActor = { userId: erin.user.id, companyId: erin.companyId };
  carolActor = { userId: carol.id, companyId: a.companyId };
  before = await snapshot();
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

type Refusal = Outcome;
const NOT_FOUND_PROJECT: Refusal = [404, 'PROJECT_NOT_FOUND'];
const LOCKED: Refusal = [403, 'USER_LOCKED'];
const FORBIDDEN: Refusal = [403, 'FORBIDDEN'];

interface Case extends WallsCase<never, Ids> {
  /** dave, admin of company B. */
  other?: Refusal;
  /** carol, locked in A. */
  locked?: Refusal;
  /** bob, not admin in A. */
  nonAdmin?: Refusal;
  /** erin, of company C with rights on A's project "Shared". */
  external?: Refusal;
}

const CASES: Case[] = [
  { route: 'GET /companies', path: () => '/companies' },
  { route: 'POST /companies', path: () => '/companies', body: () => ({ name: 'Never made' }) },
  {
    route: 'PUT /session/company',
    path: () => '/session/company',
    body: (i) => ({ companyId: i.companyA }),
    other: [404, 'COMPANY_NOT_FOUND'],
    locked: LOCKED,
  },
  { route: 'GET /company', path: () => '/company', locked: LOCKED },
  {
    route: 'PATCH /company',
    path: () => '/company',
    body: () => ({ city: 'Elsewhere' }),
    locked: LOCKED,
    nonAdmin: FORBIDDEN,
  },
  {
    route: 'POST /company/join',
    path: () => '/company/join',
    // bob's real login: he is no admin of A, so B cannot take A with it.
    body: (i) => ({ companyId: i.companyA, email: bob.email, password: bob.password }),
    other: [403, 'COMPANY_JOIN_REFUSED'],
    locked: LOCKED,
    nonAdmin: FORBIDDEN,
  },
  { route: 'GET /company/users', path: () => '/company/users', locked: LOCKED },
  {
    route: 'POST /company/users',
    path: () => '/company/users',
    body: () => ({ email: frank.email, admin: true }),
    locked: LOCKED,
    nonAdmin: FORBIDDEN,
  },
  {
    route: 'PATCH /company/users/{userId}',
    path: (i) => `/company/users/${i.bobId}`,
    body: () => ({ admin: true }),
    other: [404, 'USER_NOT_FOUND'],
    locked: LOCKED,
    nonAdmin: FORBIDDEN,
  },
  {
    route: 'DELETE /company/users/{userId}',
    path: (i) => `/company/users/${i.aliceId}`,
    other: [404, 'USER_NOT_FOUND'],
    locked: LOCKED,
    nonAdmin: FORBIDDEN,
  },
  { route: 'GET /projects', path: () => '/projects', locked: LOCKED },
  { route: 'POST /projects', path: () => '/projects', body: () => ({ name: 'Never made' }), locked: LOCKED },
  {
    route: 'PUT /session/project',
    path: () => '/session/project',
    body: (i) => ({ projectId: i.pA }),
    other: NOT_FOUND_PROJECT,
    locked: LOCKED,
  },
  {
    route: 'GET /projects/{projectId}',
    path: (i) => `/projects/${i.pA}`,
    other: NOT_FOUND_PROJECT,
    locked: LOCKED,
  },
  {
    route: 'PATCH /projects/{projectId}',
    path: (i) => `/projects/${i.shared}`,
    body: () => ({ name: 'Taken over' }),
    other: NOT_FOUND_PROJECT,
    locked: LOCKED,
    external: FORBIDDEN,
  },
  {
    route: 'DELETE /projects/{projectId}',
    path: (i) => `/projects/${i.second}`,
    other: NOT_FOUND_PROJECT,
    locked: LOCKED,
  },
  { route: 'DELETE /projects/{projectId}', path: (i) => `/projects/${i.shared}`, external: FORBIDDEN },
  {
    route: 'POST /projects/{projectId}/join',
    path: (i) => `/projects/${i.second}`.concat('/join'),
    body: (i) => ({ intoProjectId: i.pA }),
    other: NOT_FOUND_PROJECT,
    locked: LOCKED,
  },
  {
    route: 'POST /projects/{projectId}/join',
    path: (i) => `/projects/${i.shared}/join`,
    body: (i) => ({ intoProjectId: i.pA }),
    external: FORBIDDEN,
  },
  {
    route: 'GET /projects/{projectId}/rights',
    path: (i) => `/projects/${i.shared}/rights`,
    other: NOT_FOUND_PROJECT,
    locked: LOCKED,
    external: FORBIDDEN,
  },
  {
    route: 'POST /projects/{projectId}/rights',
    path: (i) => `/projects/${i.second}/rights`,
    body: (i) => ({ companyId: i.companyB }),
    other: NOT_FOUND_PROJECT,
    locked: LOCKED,
    // Changed for issue 15 item 10 (seed L73, "Add or delete company rights for this project", not
    // "admin only"): bob, a plain member of A, may grant now (test/api/seed-project-rights.test.ts).
    external: NOT_FOUND_PROJECT,
  },
  {
    route: 'POST /projects/{projectId}/rights',
    path: (i) => `/projects/${i.shared}/rights`,
    body: (i) => ({ companyId: i.companyB }),
    external: FORBIDDEN,
  },
  {
    route: 'DELETE /projects/{projectId}/rights/{companyId}',
    path: (i) => `/projects/${i.shared}/rights/${i.companyC}`,
    other: NOT_FOUND_PROJECT,
    locked: LOCKED,
    // Changed for issue 15 item 10 (seed L73): a plain member of A may revoke now.
    external: FORBIDDEN,
  },
];

const ACTORS = { other: 'dave', locked: 'carol', nonAdmin: 'bob', external: 'erin' } as const;

describe('every organisation endpoint', () => {
  it('is in the matrix below (checked against /openapi.json)', async () => {
    const routes = await routesOf(tc.app, (op) => op.tags.some((t) => t === 'Company' || t === 'Projects'));
    expectMatrixCovers(CASES, routes, { exactly: true, ctx: ids });
  });
});

runWallsMatrix({
  cases: CASES,
  actors: actorsOf(ACTORS, tokens),
  app: () => tc.app,
  context: () => ids,
  snapshot,
  baseline: () => before,
});

describe('no probing across the wall', () => {
  it("answers another company's project exactly like a project that does not exist", async () => {
    for (const [method, suffix, body] of [
      ['GET', '', undefined],
      ['PATCH', '', { description: 'x' }],
      ['DELETE', '', undefined],
      ['GET', '/rights', undefined],
      ['POST', '/join', { intoProjectId: dave.projectId }],
    ] as const) {
      const theirs = await expectError(
        await call(method, `/projects/${ids.pA}${suffix}`, tokens.dave, body),
        404,
        'PROJECT_NOT_FOUND',
      );
      const none = await expectError(
        await call(method, `/projects/999999${suffix}`, tokens.dave, body),
        404,
        'PROJECT_NOT_FOUND',
      );
      expect(theirs).toEqual(none);
    }
    // A project of another company as join target looks absent too.
    await expectError(
      await call('POST', `/projects/${dave.projectId}/join`, tokens.dave, { intoProjectId: ids.pA }),
      404,
      'PROJECT_NOT_FOUND',
    );
    expect(await snapshot()).toEqual(before);
  });

  it('answers a user of another company like a user who does not exist', async () => {
    const theirs = await expectError(
      await call('PATCH', `/company/users/${ids.bobId}`, tokens.dave, { locked: true }),
      404,
      'USER_NOT_FOUND',
    );
    const none = await expectError(
      await call('PATCH', '/company/users/999999', tokens.dave, { locked: true }),
      404,
      'USER_NOT_FOUND',
    );
    expect(theirs).toEqual(none);
    const company = await expectError(
      await call('PUT', '/session/company', tokens.dave, { companyId: ids.companyA }),
      404,
      'COMPANY_NOT_FOUND',
    );
    expect(company).toEqual(
      await expectError(
        await call('PUT', '/session/company', tokens.dave, { companyId: 999999 }),
        404,
        'COMPANY_NOT_FOUND',
      ),
    );
    expect(await snapshot()).toEqual(before);
  });

  it("does not show A's projects, users or data to B, nor B's selection to A", async () => {
    const projects = await ok(call('GET', '/projects', tokens.dave));
    expect(projects.projects.map((p: { companyId: number }) => p.companyId)).toEqual([ids.companyB]);
    const users = await ok(call('GET', '/company/users', tokens.dave));
    expect(users.users.map((u: { email: string }) => u.email)).toEqual([dave.user.email]);
    expect((await ok(call('GET', '/company', tokens.dave))).id).toBe(ids.companyB);
    // erin sees exactly the one project granted to C, not the rest of A.
    const erins = await ok(call('GET', '/projects', tokens.erin));
    expect(
      erins.projects.filter((p: { external: boolean }) => p.external).map((p: { id: number }) => p.id),
    ).toEqual([ids.shared]);
    expect(await snapshot()).toEqual(before);
  });
});

describe('core services behind the walls', () => {
  it('refuses removing a device to the external user (FORBIDDEN), the stranger (PROJECT_NOT_FOUND) and the locked user (USER_LOCKED)', async () => {
    await expect(removeDevice(tc.core, erinActor, ids.shared, '00-90-33-0A-00-02')).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    await expect(
      removeDevice(
        tc.core,
        { userId: dave.user.id, companyId: ids.companyB },
        ids.shared,
        '00-90-33-0A-00-02',
      ),
    ).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    await expect(removeDevice(tc.core, carolActor, ids.shared, '00-90-33-0A-00-02')).rejects.toMatchObject({
      code: 'USER_LOCKED',
    });
    await expect(addDevice(tc.core, carolActor, ids.shared, '00-90-33-0A-00-09')).rejects.toMatchObject({
      code: 'USER_LOCKED',
    });
    // erin reaches only the granted project, and only while C is her selected company.
    await expect(addDevice(tc.core, erinActor, ids.pA, '00-90-33-0A-00-09')).rejects.toMatchObject({
      code: 'PROJECT_NOT_FOUND',
    });
    await expect(
      addDevice(tc.core, { userId: erinActor.userId }, ids.shared, '00-90-33-0A-00-09'),
    ).rejects.toMatchObject({ code: 'PROJECT_NOT_FOUND' });
    expect(await snapshot()).toEqual(before);
  });
});
