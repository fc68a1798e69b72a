import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { downloadableVersions } from '../../bridge/core/catalog.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { createProject } from '../../bridge/core/organisation/index.js';
import { ssaForNewLicenses, ssaSummaryForLicenses } from '../../bridge/core/ssa/index.js';
import { reminderSchedule, runSsaMails } from '../../bridge/core/ssa/index.js';
import { smtpMailer } from '../../bridge/mail/mailer.js';
import { MylicError } from '../../protocol/errors.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { tempDir } from '../support/tmp.js';
import { expectError } from '../bridge/fixtures.js';
import { call, counts, expectConservation, ok } from './keys-fixtures.js';
import {
  at,
  bind,
  device,
  expected,
  expectSameSummary,
  historyCount,
  licenseRow,
  sscBalance,
  ssaCompany,
  type SsaCompany,
} from './ssa-fixtures.js';

/**
 * The done-when scenario of issue 6 (seed: Projects → SSA, Join, Move device, Add licenses), through
 * /api/v1: a project is put under SSA, a preview for another calculation date is looked at, today's
 * summary confirmed, licenses are added (POST …/licenses/from-balance with the summary confirmed), a
 * device moved in (POST /devices/move: refused without the confirmation, then paid), a project joined
 * in, the SSA extended with a license opted out, and every user of the company receives the expiry
 * reminders over SMTP in the right weeks (the mail job run with an injected clock). Every step must
 * charge exactly what calculateSsc says for the rows as they are, and the company's units must stay
 * conserved (activated = balance + bound + free + inKeys, SSC spent leaving).
 */
describe('a project under SSA, from the first summary to the extension', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let tc: TestCore;
  let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
  let co: SsaCompany;
  let token: string;
  const serial: Record<string, string> = {};
  const hw: Record<string, string> = {};
  const SSC_START = 600;
  let spent = 0;
  let otherProject = 0;
  let oldProject = 0;

  const spend = async (total: number) => {
    spent += total;
    expect(await sscBalance(tc, co.companyId)).toBe(SSC_START - spent);
    expect((await counts(tc, co.companyId)).SSC).toMatchObject({
      activated: SSC_START - spent,
      balance: SSC_START - spent,
    });
    await expectConservation(tc, co.companyId);
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-ssa-');
    smtp = await startSmtpSink();
    tc = await makeTestCore(tmp.dir, await loadOrCreateDevPki(`${tmp.dir}/pki`), {
      mailer: smtpMailer(smtp.url, 'portal@example.com'),
      publicUrl: 'https://portal.example.test',
    });
    tc.clock.set(at('2025-11-03'));
    co = await ssaCompany(tc, 'scenario');
    for (const [type, units] of [
      ['PBX-Port14', 40],
      ['PBX-Port13', 10],
      ['GW-Channel', 10],
      ['SSC', SSC_START],
    ] as const) {
      await operatorCredit(tc.core, co.companyId, DEFAULT_PROJECT, type, units, 'scenario');
    }
    otherProject = (await createProject(tc.core, co.actor, { name: 'OTHER' })).id;
    oldProject = (await createProject(tc.core, co.actor, { name: 'OLD' })).id;
    await operatorCredit(tc.core, co.companyId, 'OTHER', 'PBX-Port14', 5, 'scenario');
    await operatorCredit(tc.core, co.companyId, 'OLD', 'PBX-Port13', 2, 'scenario');
    const a = await device(tc, co.actor, co.projectId);
    const b = await device(tc, co.actor, co.projectId);
    const c = await device(tc, co.actor, otherProject);
    const d = await device(tc, co.actor, oldProject);
    Object.assign(hw, { a: a.hardwareId, b: b.hardwareId, c: c.hardwareId, d: d.hardwareId });
    // Bound four months before the SSA: these pay the days since binding twice.
    serial.l1 = await bind(tc, co.actor, co.projectId, hw.a!, 'PBX-Port14', 10);
    serial.l2 = await bind(tc, co.actor, co.projectId, hw.a!, 'PBX-Port13', 4);
    serial.l3 = await bind(tc, co.actor, co.projectId, hw.a!, 'GW-Channel', 2);
    serial.l7 = await bind(tc, co.actor, oldProject, hw.d!, 'PBX-Port13', 1);
    tc.clock.set(at('2026-03-02'));
    serial.l4 = await bind(tc, co.actor, co.projectId, hw.b!, 'PBX-Port14', 5);
    serial.l6 = await bind(tc, co.actor, otherProject, hw.c!, 'PBX-Port14', 2);
    token = await co.login();
  });
  afterAll(async () => {
    await tc?.close();
    await smtp?.close();
    await tmp?.cleanup();
  });

  const projectRows = async () =>
    Promise.all(['l1', 'l2', 'l3', 'l4'].map((k) => licenseRow(tc, serial[k]!)));

  it('shows the project not under SSA, with its four licenses not covered', async () => {
    const s = await ok(call(tc.app, 'GET', `/projects/${co.projectId}/ssa`, token));
    expect(s).toEqual({
      projectId: co.projectId,
      ssaEnd: null,
      underSsa: false,
      sendMails: true,
      licenses: { total: 4, covered: 0, notCovered: [] },
    });
  });

  it("previews another calculation date: the calculator's figures, not confirmable", async () => {
    const p = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa/preview`, token, {
        endDate: '2027-03-02',
        calculationDate: '2026-06-01',
      }),
    );
    expect(p.confirmable).toBe(false);
    expectSameSummary(p.summary, expected(await projectRows(), '2026-06-01', '2027-03-02'));
  });

  it("confirms today's summary: pays exactly its total, every license and the project get the end date", async () => {
    const want = expected(await projectRows(), '2026-03-02', '2027-03-02');
    const p = await ok(
      call(tc.app, 'GET', `/projects/${co.projectId}/ssa/summary?endDate=2027-03-02`, token),
    );
    expect(p.confirmable).toBe(true);
    expectSameSummary(p.summary, want);
    // Worked by hand: bound 2025-11-03, today 2026-03-02 → 119 days twice, 365 once;
    // (238 + 365) / 365 = 1.65205… → 1.6521; 10 × 3 × 1.6521 = 49.563 → 50.
    expect(p.summary.lines.find((l: { serial: string }) => l.serial === serial.l1)).toMatchObject({
      start: '2025-11-03',
      daysTwice: 119,
      days: 365,
      multiplier: '1.6521',
      ssc: 50,
    });
    // The V13 license pays from V14's release (2023-06-05).
    expect(p.summary.lines.find((l: { serial: string }) => l.serial === serial.l2)).toMatchObject({
      start: '2023-06-05',
      startReason: 'next-release',
    });
    expect(p.payment).toEqual({
      projectSsc: SSC_START,
      companySsc: SSC_START,
      missing: 0,
      onCreditAllowed: false,
    });
    expect(downloadableVersions({ version: 13, ssaEnd: (await licenseRow(tc, serial.l2!)).ssa_end })).toEqual(
      [6, 7, 8, 9, 10, 11, 12, 13],
    );

    const events = await historyCount(tc);
    const r = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa`, token, {
        endDate: '2027-03-02',
        expectedTotal: want.total,
      }),
    );
    expect(r.applied).toMatchObject({
      total: want.total,
      paid: [{ projectId: co.projectId, units: want.total }],
      onCredit: null,
    });
    expect(await historyCount(tc)).toBe(events + 1);
    await spend(want.total);
    for (const row of await projectRows()) expect(row.ssa_end).toBe('2027-03-02');
    // Downloadable versions grow with the SSA end: the V13 license now also downloads as V14.
    expect(downloadableVersions({ version: 13, ssaEnd: (await licenseRow(tc, serial.l2!)).ssa_end })).toEqual(
      [6, 7, 8, 9, 10, 11, 12, 13, 14],
    );
    const s = await ok(call(tc.app, 'GET', `/projects/${co.projectId}/ssa`, token));
    expect(s).toMatchObject({
      ssaEnd: '2027-03-02',
      underSsa: true,
      licenses: { total: 4, covered: 4, notCovered: [] },
    });
    const h = await tc.core.store.db
      .selectFrom('history')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(h.event).toBe('project.ssa_set');
    expect(JSON.parse(h.detail)).toMatchObject({ before: null, endDate: '2027-03-02', total: want.total });
  });

  it('adds licenses in the SSA project with the same calculation, only after the summary is confirmed', async () => {
    // The operator's bind into the SSA project asks for the summary like every other path (seed: Known Issues) …
    const before = await historyCount(tc);
    await expect(bind(tc, co.actor, co.projectId, hw.b!, 'PBX-Port14', 3)).rejects.toMatchObject({
      code: 'SSA_CONFIRMATION_REQUIRED',
    });
    expect(await historyCount(tc)).toBe(before);
    // … and, told to leave this license out of SSA on purpose, binds it without: it shows up as not covered.
    serial.l5 = await bind(tc, co.actor, co.projectId, hw.b!, 'PBX-Port14', 3, { optOutLines: [0] });
    expect(
      (await ok(call(tc.app, 'GET', `/projects/${co.projectId}/ssa`, token))).licenses.notCovered,
    ).toEqual([serial.l5]);
    const row = await licenseRow(tc, serial.l5);
    const want = expected([row], '2026-03-02', '2027-03-02');
    expect(ssaSummaryForLicenses(tc.core, [row], '2026-03-02', '2027-03-02')).toEqual(want);
    const project = { id: co.projectId, company_id: co.companyId, ssa_end: '2027-03-02' };
    const input = { userId: co.user.id, project, deviceId: 0, serials: [serial.l5], shareBalance: true };
    // Not asked → refused with the summary to show; nothing paid.
    const refused = await tc.core.store
      .write((tx) => ssaForNewLicenses(tx, at('2026-03-02').toISOString(), { ...input, choice: undefined }))
      .catch((e: unknown) => e);
    expect(refused).toBeInstanceOf(MylicError);
    expect(refused).toMatchObject({
      code: 'SSA_CONFIRMATION_REQUIRED',
      details: { summary: { total: want.total } },
    });
    const applied = await tc.core.store.write((tx) =>
      ssaForNewLicenses(tx, tc.core.clock.now().toISOString(), {
        ...input,
        choice: { expectedTotal: want.total },
      }),
    );
    expect(applied?.total).toBe(want.total);
    expect(applied?.licenses).toEqual([{ serial: serial.l5, ssaEnd: '2027-03-02' }]);
    await spend(want.total);

    // Through the portal's route: the summary first (409 with it), then the confirmed selection.
    const deviceB = (
      await tc.core.store.db
        .selectFrom('devices')
        .select('id')
        .where('hardware_id', '=', hw.b!)
        .executeTakeFirstOrThrow()
    ).id;
    const body = { version: 14, lines: [{ type: 'PBX-Port14', units: 2 }] };
    const asked = await expectError(
      await call(tc.app, 'POST', `/devices/${deviceB}/licenses/from-balance`, token, body),
      409,
      'SSA_CONFIRMATION_REQUIRED',
    );
    const total = (asked.details as { summary: { total: number } }).summary.total;
    const added = await ok(
      call(tc.app, 'POST', `/devices/${deviceB}/licenses/from-balance`, token, {
        ...body,
        ssa: { expectedTotal: total },
      }),
      201,
    );
    serial.l8 = added.licenses[0].serial as string;
    const l8 = await licenseRow(tc, serial.l8);
    expect(l8.ssa_end).toBe('2027-03-02');
    // Bound today, paid from today to the end: what the calculator says for the row as it was bound.
    expect(added.ssa).toMatchObject({
      endDate: '2027-03-02',
      total: expected([{ ...l8, ssa_end: null }], '2026-03-02', '2027-03-02').total,
    });
    expect(total).toBe(added.ssa.total);
    await spend(total);
  });

  it('moves a device into the SSA project: summary first, then its licenses are brought to the end date', async () => {
    const row = await licenseRow(tc, serial.l6!);
    const want = expected([row], '2026-03-02', '2027-03-02');
    const p = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa/move-preview`, token, { hardwareIds: [hw.c] }),
    );
    expect(p).toMatchObject({
      target: { projectId: co.projectId, ssaEnd: '2027-03-02' },
      confirmationRequired: true,
    });
    expectSameSummary(p.summary, want);
    expect(p.summary.lines[0].hardwareId).toBe(hw.c);
    // The move's own inputs give the same summary.
    const deviceId = (
      await tc.core.store.db
        .selectFrom('devices')
        .select('id')
        .where('hardware_id', '=', hw.c!)
        .executeTakeFirstOrThrow()
    ).id;
    expect(
      await ok(
        call(tc.app, 'POST', `/projects/${co.projectId}/ssa/move-preview`, token, { deviceIds: [deviceId] }),
      ),
    ).toEqual(p);

    const move = (ssa?: { expectedTotal: number }) =>
      call(tc.app, 'POST', '/devices/move', token, {
        deviceIds: [deviceId],
        projectId: co.projectId,
        ...(ssa ? { ssa } : {}),
      });
    const events = await historyCount(tc);
    const asked = await expectError(await move(), 409, 'SSA_CONFIRMATION_REQUIRED');
    expect((asked.details as { summary: { total: number } }).summary.total).toBe(want.total);
    await expectError(await move({ expectedTotal: want.total + 1 }), 409, 'SSA_SUMMARY_CHANGED');
    expect(await licenseRow(tc, serial.l6!)).toMatchObject({ ssa_end: null, project_id: otherProject });
    expect(await historyCount(tc)).toBe(events);

    const r = await ok(move({ expectedTotal: want.total }));
    expect(r).toMatchObject({
      projectId: co.projectId,
      moved: [{ deviceId, fromProjectId: otherProject, licenses: 1 }],
      ssa: { total: want.total, licenses: [{ serial: serial.l6, ssaEnd: '2027-03-02' }] },
    });
    expect(await licenseRow(tc, serial.l6!)).toMatchObject({
      ssa_end: '2027-03-02',
      project_id: co.projectId,
    });
    expect(await historyCount(tc)).toBe(events + 1);
    await spend(want.total);
  });

  it('joins a project into the SSA project only with the summary confirmed', async () => {
    const want = expected([await licenseRow(tc, serial.l7!)], '2026-03-02', '2027-03-02');
    expect(want.total).toBeGreaterThan(0);
    const refused = await call(tc.app, 'POST', `/projects/${oldProject}/join`, token, {
      intoProjectId: co.projectId,
    });
    expect(refused.status).toBe(409);
    const body = (await refused.json()) as {
      error: { code: string; details: { summary: { total: number } } };
    };
    expect(body.error.code).toBe('SSA_CONFIRMATION_REQUIRED');
    expect(body.error.details.summary.total).toBe(want.total);

    const p = await ok(
      call(tc.app, 'POST', `/projects/${oldProject}/join/ssa-preview`, token, {
        intoProjectId: co.projectId,
      }),
    );
    expect(p.confirmationRequired).toBe(true);
    expectSameSummary(p.summary, want);
    const r = await ok(
      call(tc.app, 'POST', `/projects/${oldProject}/join/ssa`, token, {
        intoProjectId: co.projectId,
        ssa: { expectedTotal: want.total },
      }),
    );
    expect(r).toMatchObject({
      projectId: oldProject,
      intoProjectId: co.projectId,
      devices: 1,
      ssa: { total: want.total, licenses: [{ serial: serial.l7, ssaEnd: '2027-03-02' }] },
    });
    await spend(want.total);
    const h = await tc.core.store.db
      .selectFrom('history')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(h.event).toBe('project.joined');
    expect(JSON.parse(h.detail).ssa.total).toBe(want.total);
  });

  it('extends the SSA later, with one license opted out: only the difference is paid', async () => {
    tc.clock.set(at('2026-12-01'));
    token = await co.login();
    const keys = ['l1', 'l2', 'l3', 'l4', 'l5', 'l6', 'l7', 'l8'];
    const rows = await Promise.all(keys.map((k) => licenseRow(tc, serial[k]!)));
    const want = expected(rows, '2026-12-01', '2028-03-02', [serial.l3!]);
    const p = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa/preview`, token, {
        endDate: '2028-03-02',
        optOut: [serial.l3],
      }),
    );
    expectSameSummary(p.summary, want);
    // Running SSA: from 2027-03-02 to 2028-03-02 is 366 days (29 February 2028), paid once: 1.0027;
    // 10 × 3 × 1.0027 = 30.081 → 31.
    expect(p.summary.lines.find((l: { serial: string }) => l.serial === serial.l1)).toMatchObject({
      start: '2027-03-02',
      startReason: 'running-ssa',
      daysTwice: 0,
      days: 366,
      multiplier: '1.0027',
      ssc: 31,
    });
    const r = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa`, token, {
        endDate: '2028-03-02',
        optOut: [serial.l3],
        expectedTotal: want.total,
      }),
    );
    expect(r).toMatchObject({
      ssaEnd: '2028-03-02',
      before: '2027-03-02',
      applied: { total: want.total, optedOut: [serial.l3] },
    });
    await spend(want.total);
    for (const k of keys)
      expect((await licenseRow(tc, serial[k]!)).ssa_end).toBe(k === 'l3' ? '2027-03-02' : '2028-03-02');
    const h = await tc.core.store.db
      .selectFrom('history')
      .selectAll()
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(h.event).toBe('project.ssa_extended');
    // The ledger's SSC entries are exactly what was charged.
    const ledger = await tc.core.store.db
      .selectFrom('ledger_entries')
      .select(['delta', 'reason'])
      .where('license_type', '=', 'SSC')
      .execute();
    expect(ledger.filter((e) => e.reason === 'ssc.spent').reduce((s, e) => s - e.delta, 0)).toBe(spent);
  });

  it('costs nothing to confirm the same end again', async () => {
    const r = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa`, token, {
        endDate: '2028-03-02',
        optOut: [serial.l3],
      }),
    );
    expect(r.applied.total).toBe(0);
    await spend(0);
  });

  it('sends the expiry reminders over SMTP 7, 6, … 1 weeks before the extended end, once each', async () => {
    const END = '2028-03-02';
    const due = reminderSchedule(END);
    expect(due.map((d) => d.dueDate)).toEqual([
      '2028-01-13',
      '2028-01-20',
      '2028-01-27',
      '2028-02-03',
      '2028-02-10',
      '2028-02-17',
      '2028-02-24',
    ]);
    const mine = () => smtp.mails.filter((m) => m.to.includes(co.user.email));
    const days: string[] = [];
    // Every day from before the first reminder to after the end, twice a day (a second run sends nothing).
    for (
      let t = Date.parse('2028-01-01T00:00:00Z');
      t <= Date.parse('2028-03-10T00:00:00Z');
      t += 86_400_000
    ) {
      const day = new Date(t).toISOString().slice(0, 10);
      for (const hour of [7, 19]) {
        const before = mine().length;
        await runSsaMails(tc.core, new Date(`${day}T${String(hour).padStart(2, '0')}:00:00Z`));
        if (mine().length > before) days.push(`${day}T${hour}`);
      }
    }
    expect(days).toEqual(due.map((d) => `${d.dueDate}T7`));
    const mails = mine();
    expect(mails.map((m) => /in (\d) weeks?\./.exec(m.body)?.[1])).toEqual([
      '7',
      '6',
      '5',
      '4',
      '3',
      '2',
      '1',
    ]);
    expect(
      mails.every((m) => m.body.includes(`https://portal.example.test/projects/${co.projectId}/ssa`)),
    ).toBe(true);
    expect(mails.every((m) => m.from === 'portal@example.com')).toBe(true);
    // Only the project under SSA sends: OTHER has no SSA (OLD was joined into the SSA project).
    expect(smtp.mails.every((m) => m.to.includes(co.user.email))).toBe(true);
  });
});
