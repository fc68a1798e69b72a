import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueVendorKey } from '../../bridge/core/keys/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { snapshotDatabase } from '../support/db-snapshot.js';
import { tempDir } from '../support/tmp.js';
import {
  expectMatrixCovers,
  routesOf,
  runWallsMatrix,
  type Outcome,
  type WallsCase,
} from '../support/walls.js';
import { expectError } from '../bridge/fixtures.js';
import {
  addMember,
  call,
  counts,
  grantRights,
  GW,
  keyCompany,
  lockMember,
  ok,
  PORT,
  selectProject,
  type KeyCompany,
} from './keys-fixtures.js';

/**
 * Walls around the balance and key endpoints. Company A has projects, balance, an own key, a redeemed
 * vendor key and a fresh vendor key. Each endpoint is tried as: anonymous (401), a user of company B
 * (404: A's project or key looks absent), a member of A who was locked after logging in (403
 * USER_LOCKED), and a user of company C, which has rights on A's project, on what rights do not allow
 * (403 FORBIDDEN). A user of company D, with an own key and balance of its own, names A's project in a
 * secondary parameter (a key line's project, the project a deleted key's licenses go back to): 404, as
 * if it did not exist. After every refusal nothing in the database has changed.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let a: KeyCompany;
let b: KeyCompany;
let c: KeyCompany;
let d: KeyCompany;
let dOwnKey: { keyId: number; key: string };
let locked: { token: string };
let ownKey: { keyId: number; key: string };
let cOwnKey: { keyId: number; key: string };
let redeemedVendor: { keyId: number; key: string };
let freshVendor: { keyId: number; key: string };

beforeAll(async () => {
  root = await tempDir('mylic-keys-walls-');
  tc = await makeTestCore(root.dir);
  a = await keyCompany(tc, 'wall-a', {
    extraProjects: ['Lab'],
    credit: [
      { type: PORT, units: 10 },
      { project: 'Lab', type: PORT, units: 5 },
    ],
  });
  b = await keyCompany(tc, 'wall-b', { credit: [{ type: PORT, units: 3 }] });
  c = await keyCompany(tc, 'wall-c', { credit: [{ type: GW, units: 2 }] });
  d = await keyCompany(tc, 'wall-d', { credit: [{ type: PORT, units: 4 }] });
  await grantRights(tc, a.projects[0]!.id, c.companyId);
  const member = await addMember(tc, a.companyId, 'wall-locked');
  await lockMember(tc, member.user.id, a.companyId);
  locked = { token: member.token };
  ownKey = await ok(
    call(tc.app, 'POST', '/own-keys', a.token, {
      projectId: a.projects[0]!.id,
      licenses: [{ type: PORT, units: 2 }],
    }),
    201,
  );
  cOwnKey = await ok(
    call(tc.app, 'POST', '/own-keys', c.token, {
      projectId: c.projects[0]!.id,
      licenses: [{ type: GW, units: 1 }],
    }),
    201,
  );
  dOwnKey = await ok(
    call(tc.app, 'POST', '/own-keys', d.token, {
      projectId: d.projects[0]!.id,
      licenses: [{ type: PORT, units: 2 }],
    }),
    201,
  );
  redeemedVendor = await issueVendorKey(tc.core, { licenses: [{ type: PORT, units: 1 }] });
  await ok(
    call(tc.app, 'POST', '/activation-keys/redeem', a.token, {
      key: redeemedVendor.key,
      projectId: a.projects[0]!.id,
    }),
    201,
  );
  freshVendor = await issueVendorKey(tc.core, { licenses: [{ type: PORT, units: 50 }] });
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

/**
 * Everything a refused request could have changed: every row of every table (support/db-snapshot.ts),
 * and the conservation counts of each company read through the ledger report.
 */
async function snapshot() {
  return {
    a: await counts(tc, a.companyId),
    b: await counts(tc, b.companyId),
    c: await counts(tc, c.companyId),
    d: await counts(tc, d.companyId),
    database: await snapshotDatabase(tc),
  };
}

/** What a user of another company gets (`stranger`); every endpoint refuses a locked member (USER_LOCKED). */
type Endpoint = WallsCase<'stranger' | 'locked'> & { name: string; stranger: Outcome };

const A0 = () => a.projects[0]!.id;
const ENDPOINTS: Endpoint[] = [
  {
    route: 'GET /projects/{projectId}/balance',
    name: 'project balance',
    path: () => `/projects/${A0()}/balance`,
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    route: 'POST /activation-keys/preview',
    name: 'preview a key into A',
    path: () => '/activation-keys/preview',
    body: () => ({ key: freshVendor.key, projectId: A0() }),
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    route: 'POST /activation-keys/redeem',
    name: 'redeem a key into A',
    path: () => '/activation-keys/redeem',
    body: () => ({ key: freshVendor.key, projectId: A0() }),
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    route: 'GET /activation-keys',
    name: "A's activations",
    path: () => `/activation-keys?projectId=${A0()}`,
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    route: 'GET /activation-keys/{keyId}/certificate',
    name: 'certificate of a key redeemed into A',
    path: () => `/activation-keys/${redeemedVendor.keyId}/certificate`,
    stranger: [404, 'KEY_NOT_FOUND'],
  },
  {
    route: 'GET /activation-keys/{keyId}/certificate',
    name: "certificate of A's own key",
    path: () => `/activation-keys/${ownKey.keyId}/certificate`,
    stranger: [404, 'KEY_NOT_FOUND'],
  },
  {
    route: 'GET /own-keys',
    name: "A's own keys",
    path: () => `/own-keys?projectId=${A0()}`,
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    route: 'POST /own-keys',
    name: "create a key from A's balance",
    path: () => '/own-keys',
    body: () => ({ projectId: A0(), licenses: [{ type: PORT, units: 1 }] }),
    stranger: [404, 'PROJECT_NOT_FOUND'],
  },
  {
    route: 'GET /own-keys/{keyId}',
    name: "one of A's own keys",
    path: () => `/own-keys/${ownKey.keyId}`,
    stranger: [404, 'KEY_NOT_FOUND'],
  },
  {
    route: 'PATCH /own-keys/{keyId}',
    name: "update A's own key",
    path: () => `/own-keys/${ownKey.keyId}`,
    body: () => ({ licenses: [{ type: PORT, units: -1 }], comment: 'mine now' }),
    stranger: [404, 'KEY_NOT_FOUND'],
  },
  {
    route: 'DELETE /own-keys/{keyId}',
    name: "delete A's own key",
    path: () => `/own-keys/${ownKey.keyId}`,
    stranger: [404, 'KEY_NOT_FOUND'],
  },
];

/** Routes without a resource of A in them: the selected company's own view, tried below by a locked member and a stranger. */
const SELECTED_COMPANY_ROUTES = ['GET /balance', 'GET /own-keys', 'GET /activation-keys'];

describe('every balance and key endpoint', () => {
  it('is in the matrix (checked against /openapi.json)', async () => {
    const routes = await routesOf(tc.app, (op) =>
      op.tags.some((t) => t === 'Balance' || t === 'Activations' || t === 'Own Activations'),
    );
    const selected = SELECTED_COMPANY_ROUTES.map((route) => ({ route, path: () => route.split(' ')[1]! }));
    expectMatrixCovers([...ENDPOINTS, ...selected], routes, { exactly: true });
  });
});

describe('walls around balance and activation keys', () => {
  runWallsMatrix({
    cases: ENDPOINTS,
    actors: {
      stranger: { name: "another company's user", token: () => b.token },
      locked: { name: 'a locked member', token: () => locked.token },
    },
    defaults: { locked: [403, 'USER_LOCKED'] },
    anonymous: { badToken: 'not-a-real-token-but-long-enough' },
    app: () => tc.app,
    snapshot,
  });

  it('the balance of the selected company: a locked member gets 403 USER_LOCKED, anonymous 401', async () => {
    const before = await snapshot();
    await expectError(await call(tc.app, 'GET', '/balance'), 401, 'UNAUTHENTICATED');
    await expectError(await call(tc.app, 'GET', '/balance', locked.token), 403, 'USER_LOCKED');
    await expectError(await call(tc.app, 'GET', '/own-keys', locked.token), 403, 'USER_LOCKED');
    await expectError(await call(tc.app, 'GET', '/activation-keys', locked.token), 403, 'USER_LOCKED');
    expect(await snapshot()).toEqual(before);
  });

  describe("a user of another company naming A's project in a secondary parameter", () => {
    it("cannot draw a line of their key from A's project: PATCH /own-keys/{id} with licenses[].projectId of A answers 404 PROJECT_NOT_FOUND; nothing changes", async () => {
      const before = await snapshot();
      await expectError(
        await call(tc.app, 'PATCH', `/own-keys/${dOwnKey.keyId}`, d.token, {
          licenses: [{ type: PORT, units: 1, projectId: A0() }],
        }),
        404,
        'PROJECT_NOT_FOUND',
      );
      // Nor give licenses back into it.
      await expectError(
        await call(tc.app, 'PATCH', `/own-keys/${dOwnKey.keyId}`, d.token, {
          licenses: [{ type: PORT, units: -1, projectId: A0() }],
        }),
        404,
        'PROJECT_NOT_FOUND',
      );
      // Not even together with a line that would be allowed.
      await expectError(
        await call(tc.app, 'PATCH', `/own-keys/${dOwnKey.keyId}`, d.token, {
          licenses: [
            { type: PORT, units: 1, projectId: d.projects[0]!.id },
            { type: PORT, units: 1, projectId: A0() },
          ],
          comment: 'half',
        }),
        404,
        'PROJECT_NOT_FOUND',
      );
      expect(await snapshot()).toEqual(before);
    });

    it("cannot send a deleted key's licenses into A's project: DELETE /own-keys/{id}?projectId=<A's project> answers 404 PROJECT_NOT_FOUND; nothing changes", async () => {
      const before = await snapshot();
      await expectError(
        await call(tc.app, 'DELETE', `/own-keys/${dOwnKey.keyId}?projectId=${A0()}`, d.token),
        404,
        'PROJECT_NOT_FOUND',
      );
      expect(await snapshot()).toEqual(before);
    });

    it("cannot mix an own project with A's in a new key: POST /own-keys answers 404 PROJECT_NOT_FOUND; nothing changes", async () => {
      const before = await snapshot();
      await expectError(
        await call(tc.app, 'POST', '/own-keys', d.token, {
          projectId: d.projects[0]!.id,
          licenses: [
            { type: PORT, units: 1 },
            { type: PORT, units: 1, projectId: A0() },
          ],
        }),
        404,
        'PROJECT_NOT_FOUND',
      );
      // A's project first, the own one second: the same answer.
      await expectError(
        await call(tc.app, 'POST', '/own-keys', d.token, {
          licenses: [
            { type: PORT, units: 1, projectId: A0() },
            { type: PORT, units: 1, projectId: d.projects[0]!.id },
          ],
        }),
        404,
        'PROJECT_NOT_FOUND',
      );
      expect(await snapshot()).toEqual(before);
    });

    it("still manages the own key in the own project (the refusals above were about A's project only)", async () => {
      const updated = await ok(
        call(tc.app, 'PATCH', `/own-keys/${dOwnKey.keyId}`, d.token, {
          licenses: [{ type: PORT, units: -1, projectId: d.projects[0]!.id }],
        }),
      );
      expect(updated.licenses).toEqual([{ type: PORT, units: 1 }]);
    });
  });

  it("another company's user sees only their own company in the balance and key lists", async () => {
    const balance = await ok(call(tc.app, 'GET', '/balance', b.token));
    expect(balance.companyId).toBe(b.companyId);
    expect(balance.projects.map((p: { projectId: number }) => p.projectId)).toEqual([b.projects[0]!.id]);
    expect((await ok(call(tc.app, 'GET', '/own-keys', b.token))).keys).toEqual([]);
    expect((await ok(call(tc.app, 'GET', '/activation-keys', b.token))).keys).toEqual([]);
  });

  describe('a user whose company has rights on a project of A', () => {
    it("cannot create a key from the project's balance (403 FORBIDDEN); nothing changes", async () => {
      const before = await snapshot();
      const res = await call(tc.app, 'POST', '/own-keys', c.token, {
        projectId: A0(),
        licenses: [{ type: PORT, units: 1 }],
      });
      await expectError(res, 403, 'FORBIDDEN');
      // Not even with the project selected, and not by mixing it with an own project (no balance sharing with external projects).
      await selectProject(tc, c.token, A0());
      try {
        await expectError(
          await call(tc.app, 'POST', '/own-keys', c.token, { licenses: [{ type: PORT, units: 1 }] }),
          403,
          'FORBIDDEN',
        );
      } finally {
        await selectProject(tc, c.token, null);
      }
      await expectError(
        await call(tc.app, 'POST', '/own-keys', c.token, {
          projectId: c.projects[0]!.id,
          licenses: [
            { type: GW, units: 1 },
            { type: PORT, units: 1, projectId: A0() },
          ],
        }),
        403,
        'FORBIDDEN',
      );
      expect(await snapshot()).toEqual(before);
    });

    it("cannot move licenses of their own key into the external project's balance (403 FORBIDDEN); nothing changes", async () => {
      const before = await snapshot();
      await expectError(
        await call(tc.app, 'DELETE', `/own-keys/${cOwnKey.keyId}?projectId=${A0()}`, c.token),
        403,
        'FORBIDDEN',
      );
      await expectError(
        await call(tc.app, 'PATCH', `/own-keys/${cOwnKey.keyId}`, c.token, {
          licenses: [{ type: GW, units: -1, projectId: A0() }],
        }),
        403,
        'FORBIDDEN',
      );
      expect(await snapshot()).toEqual(before);
    });

    it("cannot see or change A's own keys (404 KEY_NOT_FOUND), and sees none of them in the external project", async () => {
      const before = await snapshot();
      await expectError(
        await call(tc.app, 'GET', `/own-keys/${ownKey.keyId}`, c.token),
        404,
        'KEY_NOT_FOUND',
      );
      await expectError(
        await call(tc.app, 'DELETE', `/own-keys/${ownKey.keyId}`, c.token),
        404,
        'KEY_NOT_FOUND',
      );
      expect(await ok(call(tc.app, 'GET', `/own-keys?projectId=${A0()}`, c.token))).toEqual({
        scope: 'project',
        keys: [],
      });
      expect(await snapshot()).toEqual(before);
    });

    it("does not get A's other project, where the company has no rights (404 PROJECT_NOT_FOUND)", async () => {
      const before = await snapshot();
      await expectError(
        await call(tc.app, 'GET', `/projects/${a.projects[1]!.id}/balance`, c.token),
        404,
        'PROJECT_NOT_FOUND',
      );
      await expectError(
        await call(tc.app, 'POST', '/activation-keys/redeem', c.token, {
          key: freshVendor.key,
          projectId: a.projects[1]!.id,
        }),
        404,
        'PROJECT_NOT_FOUND',
      );
      expect(await snapshot()).toEqual(before);
    });
  });

  it('malformed ids answer like absent ones, and bodies that do not fit the schema are refused before anything happens', async () => {
    const before = await snapshot();
    await expectError(await call(tc.app, 'GET', '/own-keys/abc', a.token), 404, 'NOT_FOUND');
    await expectError(
      await call(tc.app, 'GET', '/activation-keys/-1/certificate', a.token),
      404,
      'NOT_FOUND',
    );
    await expectError(
      await call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: A0(),
        licenses: [{ type: PORT, units: 0 }],
      }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: A0(),
        licenses: [{ type: PORT, units: -1 }],
      }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await call(tc.app, 'POST', '/own-keys', a.token, { projectId: A0(), licenses: [] }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: A0(),
        licenses: [{ type: 'PBX-Nope', units: 1 }],
      }),
      400,
      'LICENSE_TYPE_UNKNOWN',
    );
    await expectError(
      await call(tc.app, 'POST', '/own-keys', a.token, {
        projectId: A0(),
        licenses: [{ type: PORT, units: 1 }],
        extra: true,
      }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await call(tc.app, 'PATCH', `/own-keys/${ownKey.keyId}`, a.token, {
        licenses: [{ type: PORT, units: 0 }],
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await snapshot()).toEqual(before);
  });
});
