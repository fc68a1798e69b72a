import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { setRight } from '../../bridge/core/rights.js';
import { applySsa, ssaSummaryForLicenses } from '../../bridge/core/ssa/index.js';
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
import {
  addMember,
  addProject,
  call,
  expectConservation,
  grantRights,
  lockMember,
  ok,
} from './keys-fixtures.js';
import {
  at,
  bind,
  device,
  expected,
  historyCount,
  licenseRow,
  sscBalance,
  ssaCompany,
  type SsaCompany,
} from './ssa-fixtures.js';

/**
 * Who may do what with a project's SSA, and every refusal of a confirmation (seed: Projects → SSA,
 * Rights). Another company's project answers "not found"; a locked user is refused; users of a company
 * with rights on the project may look at the summary but not confirm it or change the mail flag.
 * A refused confirmation changes nothing: no ledger entry, no end date, no history.
 */
const TODAY = '2026-03-02';
const END = '2027-03-02';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let tc: TestCore;
let owner: SsaCompany;
let ownerToken: string;
let second: number;
let mac: string;
const tokens: Record<string, string> = {};

beforeAll(async () => {
  tmp = await tempDir('mylic-ssa-walls-');
  tc = await makeTestCore(tmp.dir, await loadOrCreateDevPki(`${tmp.dir}/pki`));
  tc.clock.set(at(TODAY));
  owner = await ssaCompany(tc, 'owner');
  second = await addProject(tc, owner.companyId, 'SECOND');
  await operatorCredit(tc.core, owner.companyId, DEFAULT_PROJECT, 'PBX-Port14', 20, 'walls');
  const d = await device(tc, owner.actor, owner.projectId);
  mac = d.hardwareId;
  await bind(tc, owner.actor, owner.projectId, mac, 'PBX-Port14', 10);
  ownerToken = await owner.login();
  tokens.member = (await addMember(tc, owner.companyId, 'member')).token;
  const locked = await addMember(tc, owner.companyId, 'locked');
  await lockMember(tc, locked.user.id, owner.companyId);
  tokens.locked = locked.token;
  tokens.other = await (await ssaCompany(tc, 'other')).login();
  const external = await ssaCompany(tc, 'external');
  await grantRights(tc, owner.projectId, external.companyId);
  tokens.external = await external.login();
});
afterAll(async () => {
  await tc?.close();
  await tmp?.cleanup();
});

type Actor = 'other' | 'locked' | 'external' | 'member';
const NOT_FOUND: Outcome = [404, 'PROJECT_NOT_FOUND'];
const LOCKED: Outcome = [403, 'USER_LOCKED'];
const FORBIDDEN: Outcome = [403, 'FORBIDDEN'];
const OK: Outcome = [200];
const p = () => `/projects/${owner.projectId}`;

const CASES: WallsCase<Actor>[] = [
  {
    route: 'GET /projects/{projectId}/ssa',
    path: () => `${p()}/ssa`,
    other: NOT_FOUND,
    locked: LOCKED,
    external: OK,
    member: OK,
  },
  {
    route: 'PATCH /projects/{projectId}/ssa',
    path: () => `${p()}/ssa`,
    body: () => ({ sendMails: true }),
    other: NOT_FOUND,
    locked: LOCKED,
    external: FORBIDDEN,
    member: OK,
  },
  {
    route: 'GET /projects/{projectId}/ssa/summary',
    path: () => `${p()}/ssa/summary?endDate=${END}`,
    other: NOT_FOUND,
    locked: LOCKED,
    external: OK,
    member: OK,
  },
  {
    route: 'POST /projects/{projectId}/ssa/preview',
    path: () => `${p()}/ssa/preview`,
    body: () => ({ endDate: END }),
    other: NOT_FOUND,
    locked: LOCKED,
    external: OK,
    member: OK,
  },
  // The member's confirmation is tested below (it changes the project).
  {
    route: 'POST /projects/{projectId}/ssa',
    path: () => `${p()}/ssa`,
    body: () => ({ endDate: END }),
    other: NOT_FOUND,
    locked: LOCKED,
    external: FORBIDDEN,
  },
  {
    route: 'POST /projects/{projectId}/ssa/move-preview',
    path: () => `${p()}/ssa/move-preview`,
    body: () => ({ hardwareIds: [mac] }),
    // The preview plans the move itself: devices cannot be moved into a project reached through rights.
    other: NOT_FOUND,
    locked: LOCKED,
    external: FORBIDDEN,
    member: OK,
  },
  {
    route: 'POST /projects/{projectId}/join/ssa-preview',
    path: () => `${p()}/join/ssa-preview`,
    body: () => ({ intoProjectId: second }),
    other: NOT_FOUND,
    locked: LOCKED,
    external: FORBIDDEN,
    member: OK,
  },
  {
    route: 'POST /projects/{projectId}/join/ssa',
    path: () => `${p()}/join/ssa`,
    body: () => ({ intoProjectId: second, ssa: {} }),
    other: NOT_FOUND,
    locked: LOCKED,
    external: FORBIDDEN,
  },
];

describe('the walls of every SSA route', () => {
  runWallsMatrix({
    cases: CASES,
    actors: {
      other: { name: 'another company', token: () => tokens.other! },
      locked: { name: 'a locked member', token: () => tokens.locked! },
      external: { name: 'a company with rights', token: () => tokens.external! },
      member: { name: 'a member', token: () => tokens.member! },
    },
    app: () => tc.app,
    // Nothing but the member's own mail flag (already on) could have changed anything: no history, no
    // end date, no row of any table.
    snapshot: async () => ({
      history: await historyCount(tc),
      ssaEnd: (
        await tc.core.store.db
          .selectFrom('projects')
          .select('ssa_end')
          .where('id', '=', owner.projectId)
          .executeTakeFirstOrThrow()
      ).ssa_end,
      database: await snapshotDatabase(tc),
    }),
  });

  it('has no SSA end date after the walls above', async () => {
    expect(
      (
        await tc.core.store.db
          .selectFrom('projects')
          .select('ssa_end')
          .where('id', '=', owner.projectId)
          .executeTakeFirstOrThrow()
      ).ssa_end,
    ).toBeNull();
  });

  it('lists every SSA route in /openapi.json', async () => {
    expectMatrixCovers(CASES, await routesOf(tc.app, (op) => op.tags.includes('SSA')), { exactly: true });
  });

  it("shows a user with rights the summary, not confirmable, with only the project's own SSC", async () => {
    await operatorCredit(tc.core, owner.companyId, 'SECOND', 'SSC', 7, 'walls');
    const r = await ok(call(tc.app, 'POST', `${p()}/ssa/preview`, tokens.external, { endDate: END }));
    expect(r.confirmable).toBe(false);
    expect(r.payment).toMatchObject({ projectSsc: 0, companySsc: 0 });
    const mine = await ok(call(tc.app, 'POST', `${p()}/ssa/preview`, ownerToken, { endDate: END }));
    expect(mine.payment).toMatchObject({ projectSsc: 0, companySsc: 7, missing: mine.summary.total - 7 });
  });
});

describe('refused confirmations change nothing', () => {
  const ledgerRows = async () =>
    Number(
      (
        await tc.core.store.db
          .selectFrom('ledger_entries')
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  const refuse = async (body: unknown, status: number, code: string, path = `${p()}/ssa`) => {
    const [ledger, events] = [await ledgerRows(), await historyCount(tc)];
    const res = await call(tc.app, 'POST', path, ownerToken, body);
    const json = (await res.json()) as { error: { code: string; details: Record<string, any> } };
    expect(res.status, JSON.stringify(json)).toBe(status);
    expect(json.error.code).toBe(code);
    expect([await ledgerRows(), await historyCount(tc)]).toEqual([ledger, events]);
    return json.error;
  };
  const total = async (end = END) =>
    (await ok(call(tc.app, 'POST', `${p()}/ssa/preview`, ownerToken, { endDate: end }))).summary
      .total as number;

  it('an end date in the past, a calculation date on a confirmation, an unknown opt-out', async () => {
    await refuse({ endDate: '2026-03-01' }, 400, 'SSA_END_IN_PAST');
    await refuse({ endDate: '2026-03-01' }, 400, 'SSA_END_IN_PAST', `${p()}/ssa/preview`);
    await refuse({ endDate: END, calculationDate: TODAY }, 400, 'VALIDATION_FAILED');
    await refuse({ endDate: 'next year' }, 400, 'VALIDATION_FAILED');
    await refuse({ endDate: END, optOut: ['L-NOT-MINE'] }, 400, 'VALIDATION_FAILED');
  });

  it('too little SSC: BALANCE_INSUFFICIENT with how many are missing', async () => {
    const need = await total();
    const err = await refuse({ endDate: END }, 409, 'BALANCE_INSUFFICIENT');
    expect(err.details).toMatchObject({ licenseType: 'SSC', needed: need, available: 7, missing: need - 7 });
    // Kept to this project (as external projects are), nothing is available at all.
    expect(
      (await refuse({ endDate: END, fromProjectIds: [] }, 409, 'BALANCE_INSUFFICIENT')).details,
    ).toMatchObject({ available: 0, missing: need });
  });

  it("another company's project as a source of SSC looks absent", async () => {
    const otherProject = (
      await tc.core.store.db
        .selectFrom('projects')
        .select('id')
        .where('company_id', '!=', owner.companyId)
        .executeTakeFirstOrThrow()
    ).id;
    await refuse({ endDate: END, fromProjectIds: [otherProject] }, 404, 'PROJECT_NOT_FOUND');
  });

  it('a total that changed since the summary was shown', async () => {
    const err = await refuse(
      { endDate: END, expectedTotal: (await total()) - 1 },
      409,
      'SSA_SUMMARY_CHANGED',
    );
    expect(err.details.summary.total).toBe(await total());
  });

  it('on credit without the right', async () => {
    await refuse({ endDate: END, onCredit: { orderNumber: 'PO-1' } }, 403, 'ON_CREDIT_NOT_ALLOWED');
  });

  it('a calculation for another day, through the core', async () => {
    const rows = await tc.core.store.db
      .selectFrom('licenses')
      .selectAll()
      .where('project_id', '=', owner.projectId)
      .execute();
    const summary = ssaSummaryForLicenses(tc.core, rows, '2026-03-01', END);
    const refused = tc.core.store.write((tx) =>
      applySsa(tx, at(TODAY).toISOString(), summary, {
        projectId: owner.projectId,
        companyId: owner.companyId,
        userId: owner.user.id,
      }),
    );
    await expect(refused).rejects.toMatchObject({ code: 'SSA_NOT_TODAY' });
  });
});

describe('paying', () => {
  it('draws from the project first, then the other projects of the company', async () => {
    // SECOND holds 7 SSC; DEFAULT gets what is missing beyond those.
    const need = (await ok(call(tc.app, 'POST', `${p()}/ssa/preview`, ownerToken, { endDate: END }))).summary
      .total as number;
    await operatorCredit(tc.core, owner.companyId, DEFAULT_PROJECT, 'SSC', need - 7, 'walls');
    const r = await ok(
      call(tc.app, 'POST', `${p()}/ssa`, tokens.member, { endDate: END, expectedTotal: need }),
    );
    expect(r.applied.paid).toEqual([
      { projectId: owner.projectId, units: need - 7 },
      { projectId: second, units: 7 },
    ]);
    expect(await sscBalance(tc, owner.companyId)).toBe(0);
    await expectConservation(tc, owner.companyId);
  });

  it('refuses to shorten the SSA', async () => {
    const res = await call(tc.app, 'POST', `${p()}/ssa`, ownerToken, { endDate: '2027-01-01' });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('SSA_END_BEFORE_CURRENT');
  });

  it('buys on credit with the right: a credit and a debit with the order number, balance untouched, conservation kept', async () => {
    await setRight(tc.core, owner.user.id, 'buy-on-credit', true);
    const row = await tc.core.store.db
      .selectFrom('licenses')
      .selectAll()
      .where('project_id', '=', owner.projectId)
      .executeTakeFirstOrThrow();
    const want = expected([row], TODAY, '2028-01-01');
    expect(want.total).toBeGreaterThan(0);
    const r = await ok(
      call(tc.app, 'POST', `${p()}/ssa`, ownerToken, {
        endDate: '2028-01-01',
        onCredit: { orderNumber: 'PO-77' },
        expectedTotal: want.total,
      }),
    );
    expect(r.applied).toMatchObject({
      total: want.total,
      paid: [],
      onCredit: { orderNumber: 'PO-77', units: want.total },
    });
    const entries = await tc.core.store.db
      .selectFrom('ledger_entries')
      .select(['delta', 'reason', 'ref', 'project_id'])
      .where('ref', '=', 'on-credit:PO-77')
      .orderBy('id')
      .execute();
    expect(entries).toEqual([
      { delta: want.total, reason: 'ssc.on-credit', ref: 'on-credit:PO-77', project_id: owner.projectId },
      { delta: -want.total, reason: 'ssc.spent', ref: 'on-credit:PO-77', project_id: owner.projectId },
    ]);
    expect(await sscBalance(tc, owner.companyId)).toBe(0);
    expect((await licenseRow(tc, row.serial)).ssa_end).toBe('2028-01-01');
    await expectConservation(tc, owner.companyId);
  });

  it('turns the expiry mails off and on: one history event per change, none without one', async () => {
    const before = await historyCount(tc);
    expect((await ok(call(tc.app, 'PATCH', `${p()}/ssa`, ownerToken, { sendMails: false }))).sendMails).toBe(
      false,
    );
    expect((await ok(call(tc.app, 'PATCH', `${p()}/ssa`, ownerToken, { sendMails: false }))).sendMails).toBe(
      false,
    );
    expect(await historyCount(tc)).toBe(before + 1);
    expect((await ok(call(tc.app, 'GET', `${p()}/ssa`, tokens.external))).sendMails).toBe(false);
    expect((await ok(call(tc.app, 'PATCH', `${p()}/ssa`, ownerToken, { sendMails: true }))).sendMails).toBe(
      true,
    );
    expect(await historyCount(tc)).toBe(before + 2);
  });
});
