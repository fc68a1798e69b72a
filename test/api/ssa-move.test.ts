import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError } from '../bridge/fixtures.js';
import { addProject, call, expectConservation, ok } from './keys-fixtures.js';
import { snapshot } from './licenses-fixtures.js';
import {
  at,
  bind,
  expected,
  expectSameSummary,
  licenseRow,
  sscBalance,
  ssaCompany,
  type SsaCompany,
} from './ssa-fixtures.js';
import { known } from '../support/vendor-devices.js';

/**
 * Moving devices into a project under SSA through POST /devices/move (seed: Move device, "If the other
 * project is under SSA, you will first see a SSC calculation, which you have to confirm"), its preview
 * with the move's own inputs, and the seed's Known Issue (devices imported into an SSA project without
 * SSA): adding a device with licenses of the company into an SSA project is refused with
 * DEVICE_ADD_NEEDS_SSA on every add path, and the seed's workaround (a project without SSA, then the
 * move with the summary confirmed) is the way in.
 */
const TODAY = '2026-03-02';
const END = '2027-03-02';
const SSC_START = 500;

let tmp: Awaited<ReturnType<typeof tempDir>>;
let tc: TestCore;
let co: SsaCompany;
let token: string;
let plain: number;
const dev: Record<string, { deviceId: number; hardwareId: string }> = {};
const serial: Record<string, string> = {};
let spent = 0;

/** Everything a refused move or add could have changed. */
const state = async () => ({
  ...(await snapshot(tc)),
  placements: await tc.core.store.db
    .selectFrom('device_projects')
    .selectAll()
    .orderBy('device_id')
    .orderBy('company_id')
    .execute(),
});
const addApi = async (mac: string, projectId: number) =>
  call(tc.app, 'POST', '/devices', token, await known(tc.core, { device: mac, type: 'IP6000', projectId }));
const projectOf = async (deviceId: number) =>
  (
    await tc.core.store.db
      .selectFrom('device_projects')
      .select('project_id')
      .where('device_id', '=', deviceId)
      .where('company_id', '=', co.companyId)
      .executeTakeFirst()
  )?.project_id ?? null;
const spend = async (total: number) => {
  spent += total;
  expect(await sscBalance(tc, co.companyId)).toBe(SSC_START - spent);
  await expectConservation(tc, co.companyId);
};

beforeAll(async () => {
  tmp = await tempDir('mylic-ssa-move-');
  tc = await makeTestCore(tmp.dir, await loadOrCreateDevPki(`${tmp.dir}/pki`));
  tc.clock.set(at('2025-11-03'));
  co = await ssaCompany(tc, 'mover');
  plain = await addProject(tc, co.companyId, 'PLAIN');
  await operatorCredit(tc.core, co.companyId, DEFAULT_PROJECT, 'SSC', SSC_START, 'move');
  await operatorCredit(tc.core, co.companyId, 'PLAIN', 'PBX-Port14', 100, 'move');
  await operatorCredit(tc.core, co.companyId, 'PLAIN', 'GW-Channel', 10, 'move');
  await operatorCredit(tc.core, co.companyId, DEFAULT_PROJECT, 'PBX-Port14', 10, 'move');
  token = await co.login();
  // Devices in the project without SSA, licensed four months before today (they pay those days twice).
  for (const [name, mac, projectId] of [
    ['d1', '00-90-33-77-00-01', plain],
    ['d2', '00-90-33-77-00-02', plain],
    ['d3', '00-90-33-77-00-03', co.projectId],
    ['d4', '00-90-33-77-00-04', plain],
    ['d5', '00-90-33-77-00-05', plain],
  ] as const) {
    dev[name] = await ok(addApi(mac, projectId), 201);
  }
  serial.d1 = await bind(tc, co.actor, plain, dev.d1!.hardwareId, 'PBX-Port14', 10);
  serial.d1gw = await bind(tc, co.actor, plain, dev.d1!.hardwareId, 'GW-Channel', 2);
  serial.d2 = await bind(tc, co.actor, plain, dev.d2!.hardwareId, 'PBX-Port14', 4);
  serial.d3 = await bind(tc, co.actor, co.projectId, dev.d3!.hardwareId, 'PBX-Port14', 1);
  serial.d4a = await bind(tc, co.actor, plain, dev.d4!.hardwareId, 'PBX-Port14', 3);
  serial.d4b = await bind(tc, co.actor, plain, dev.d4!.hardwareId, 'PBX-Port14', 2);
  serial.d5 = await bind(tc, co.actor, plain, dev.d5!.hardwareId, 'PBX-Port14', 5);
  tc.clock.set(at(TODAY));
  token = await co.login();
  // DEFAULT under SSA (its one license paid for with the project's SSA).
  const first = await ok(call(tc.app, 'GET', `/projects/${co.projectId}/ssa/summary?endDate=${END}`, token));
  await ok(
    call(tc.app, 'POST', `/projects/${co.projectId}/ssa`, token, {
      endDate: END,
      expectedTotal: first.summary.total,
    }),
  );
  spent += first.summary.total;
});
afterAll(async () => {
  await tc?.close();
  await tmp?.cleanup();
});

describe('moving devices into a project under SSA', () => {
  it("previews with the move's own inputs, refuses the move without the confirmation, then pays one summary for all devices", async () => {
    const rows = await Promise.all([serial.d1!, serial.d1gw!, serial.d2!].map((s) => licenseRow(tc, s)));
    const want = expected(rows, TODAY, END);
    expect(want.total).toBeGreaterThan(0);
    // d3 is in DEFAULT already: the move leaves it as it is, and so does the preview.
    const deviceIds = [dev.d1!.deviceId, dev.d2!.deviceId, dev.d3!.deviceId];
    const byId = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa/move-preview`, token, { deviceIds }),
    );
    expect(byId).toMatchObject({
      target: { projectId: co.projectId, ssaEnd: END },
      confirmationRequired: true,
    });
    expectSameSummary(byId.summary, want);
    // By MAC in any form: the same summary.
    const byMac = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa/move-preview`, token, {
        hardwareIds: ['770001', '00:90:33:77:00:02', '009033770003'],
      }),
    );
    expect(byMac).toEqual(byId);
    // Another calculation date is a preview of other figures.
    const later = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa/move-preview`, token, {
        deviceIds,
        calculationDate: '2026-06-01',
      }),
    );
    expectSameSummary(later.summary, expected(rows, '2026-06-01', END));
    await expectError(
      await call(tc.app, 'POST', `/projects/${co.projectId}/ssa/move-preview`, token, {}),
      400,
      'VALIDATION_FAILED',
    );

    const before = await state();
    const asked = await expectError(
      await call(tc.app, 'POST', '/devices/move', token, { deviceIds, projectId: co.projectId }),
      409,
      'SSA_CONFIRMATION_REQUIRED',
    );
    const details = asked.details as {
      target: { ssaEnd: string };
      summary: { total: number; lines: { serial: string; hardwareId: string }[] };
    };
    expect(details.target.ssaEnd).toBe(END);
    expect(details.summary.total).toBe(want.total);
    expect(details.summary.lines.map((l) => l.serial).sort()).toEqual(rows.map((r) => r.serial).sort());
    await expectError(
      await call(tc.app, 'POST', '/devices/move', token, {
        deviceIds,
        projectId: co.projectId,
        ssa: { expectedTotal: want.total - 1 },
      }),
      409,
      'SSA_SUMMARY_CHANGED',
    );
    await expectError(
      await call(tc.app, 'POST', '/devices/move', token, {
        deviceIds,
        projectId: co.projectId,
        ssa: { endDate: '2026-01-01' },
      }),
      400,
      'SSA_END_IN_PAST',
    );
    expect(await state()).toEqual(before);

    const r = await ok(
      call(tc.app, 'POST', '/devices/move', token, {
        deviceIds,
        projectId: co.projectId,
        ssa: { expectedTotal: want.total },
      }),
    );
    expect(r).toMatchObject({
      projectId: co.projectId,
      moved: [
        { deviceId: dev.d1!.deviceId, fromProjectId: plain, licenses: 2 },
        { deviceId: dev.d2!.deviceId, fromProjectId: plain, licenses: 1 },
      ],
      unchanged: [dev.d3!.deviceId],
      ssa: {
        endDate: END,
        total: want.total,
        paid: [{ projectId: co.projectId, units: want.total }],
        onCredit: null,
      },
    });
    for (const row of rows)
      expect(await licenseRow(tc, row.serial)).toMatchObject({ ssa_end: END, project_id: co.projectId });
    await spend(want.total);
    const status = await ok(call(tc.app, 'GET', `/projects/${co.projectId}/ssa`, token));
    expect(status.licenses).toEqual({ total: 4, covered: 4, notCovered: [] });
    const events = await tc.core.store.db
      .selectFrom('history')
      .selectAll()
      .where('event', '=', 'device.moved')
      .orderBy('id')
      .execute();
    expect(events.map((e) => JSON.parse(e.detail).ssa.total)).toEqual([want.total, want.total]);
  });

  it('takes another end date and opt-outs as previewed; a move out of SSA or costing nothing needs no confirmation', async () => {
    const end = '2027-06-30';
    const rows = await Promise.all([serial.d4a!, serial.d4b!].map((s) => licenseRow(tc, s)));
    const want = expected(rows, TODAY, end, [serial.d4b!]);
    const body = { endDate: end, optOut: [serial.d4b] };
    const p = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa/move-preview`, token, {
        deviceIds: [dev.d4!.deviceId],
        ...body,
      }),
    );
    expectSameSummary(p.summary, want);
    await expectError(
      await call(tc.app, 'POST', '/devices/move', token, {
        deviceIds: [dev.d4!.deviceId],
        projectId: co.projectId,
        ssa: { ...body, optOut: ['L-0000000000000000'] },
      }),
      400,
      'VALIDATION_FAILED',
    );
    const r = await ok(
      call(tc.app, 'POST', '/devices/move', token, {
        deviceIds: [dev.d4!.deviceId],
        projectId: co.projectId,
        ssa: { ...body, expectedTotal: want.total },
      }),
    );
    expect(r.ssa).toMatchObject({
      endDate: end,
      total: want.total,
      licenses: [{ serial: serial.d4a, ssaEnd: end }],
      optedOut: [serial.d4b],
    });
    expect((await licenseRow(tc, serial.d4a!)).ssa_end).toBe(end);
    expect((await licenseRow(tc, serial.d4b!)).ssa_end).toBeNull();
    await spend(want.total);

    // Out of the SSA project: nothing to confirm, the licenses keep their SSA end.
    const out = await ok(
      call(tc.app, 'POST', '/devices/move', token, { deviceIds: [dev.d4!.deviceId], projectId: plain }),
    );
    expect(out).toMatchObject({ moved: [{ deviceId: dev.d4!.deviceId }], ssa: null });
    expect((await licenseRow(tc, serial.d4a!)).ssa_end).toBe(end);
    // A device without licenses comes in without a summary.
    const bare = await ok(addApi('00-90-33-77-00-09', plain), 201);
    const preview = await ok(
      call(tc.app, 'POST', `/projects/${co.projectId}/ssa/move-preview`, token, {
        deviceIds: [bare.deviceId],
      }),
    );
    expect(preview).toMatchObject({ confirmationRequired: false, summary: { total: 0, lines: [] } });
    expect(
      (
        await ok(
          call(tc.app, 'POST', '/devices/move', token, {
            deviceIds: [bare.deviceId],
            projectId: co.projectId,
          }),
        )
      ).ssa,
    ).toMatchObject({ total: 0, licenses: [] });
    await spend(0);
  });
});

describe("the seed's Known Issue: devices imported into a project with SSA", () => {
  it('refuses to add a device with licenses of the company into an SSA project, singly and in batches, and changes nothing', async () => {
    expect((await call(tc.app, 'DELETE', `/devices/${dev.d5!.deviceId}`, token)).status).toBe(204);
    const want = expected([await licenseRow(tc, serial.d5!)], TODAY, END);
    const before = await state();
    const single = await expectError(
      await addApi('00-90-33-77-00-05', co.projectId),
      409,
      'DEVICE_ADD_NEEDS_SSA',
    );
    expect(single.message).toContain('move it into this project');
    expect(single.details).toMatchObject({
      target: { projectId: co.projectId, ssaEnd: END },
      summary: { total: want.total, lines: [{ serial: serial.d5 }] },
    });
    expect(await state()).toEqual(before);

    // A range: the other rows are added, the device's row fails with the code (each row its own transaction).
    const range = await ok(
      call(
        tc.app,
        'POST',
        '/devices/range',
        token,
        await known(tc.core, {
          from: '00-90-33-77-00-05',
          to: '00-90-33-77-00-07',
          type: 'IP6000',
          projectId: co.projectId,
        }),
      ),
    );
    expect(
      range.rows.map((r: { outcome: string; error: { code: string } | null }) => [
        r.outcome,
        r.error?.code ?? null,
      ]),
    ).toEqual([
      ['failed', 'DEVICE_ADD_NEEDS_SSA'],
      ['added', null],
      ['added', null],
    ]);
    const file = await ok(
      call(
        tc.app,
        'POST',
        '/devices/file',
        token,
        await known(tc.core, {
          text: '00-90-33-77-00-05\n',
          type: 'IP6000',
          projectId: co.projectId,
        }),
      ),
    );
    expect(file.rows[0]).toMatchObject({ outcome: 'failed', error: { code: 'DEVICE_ADD_NEEDS_SSA' } });
    expect(await projectOf(dev.d5!.deviceId)).toBeNull();
    expect(await licenseRow(tc, serial.d5!)).toMatchObject({
      state: 'bound',
      ssa_end: null,
      project_id: plain,
    });
    expect(await sscBalance(tc, co.companyId)).toBe(SSC_START - spent);
  });

  it("takes the seed's workaround: into a project without SSA, then moved in with the summary confirmed", async () => {
    await ok(addApi('770005', plain), 201);
    const want = expected([await licenseRow(tc, serial.d5!)], TODAY, END);
    const r = await ok(
      call(tc.app, 'POST', '/devices/move', token, {
        deviceIds: [dev.d5!.deviceId],
        projectId: co.projectId,
        ssa: { expectedTotal: want.total },
      }),
    );
    expect(r.ssa.total).toBe(want.total);
    await spend(want.total);
    expect(await licenseRow(tc, serial.d5!)).toMatchObject({ ssa_end: END, project_id: co.projectId });
  });

  it('adds a device whose licenses are covered to the end already, without asking and without SSC', async () => {
    expect((await call(tc.app, 'DELETE', `/devices/${dev.d5!.deviceId}`, token)).status).toBe(204);
    const added = await ok(addApi('00-90-33-77-00-05', co.projectId), 201);
    expect(added.deviceId).toBe(dev.d5!.deviceId);
    expect(await projectOf(dev.d5!.deviceId)).toBe(co.projectId);
    expect((await licenseRow(tc, serial.d5!)).ssa_end).toBe(END);
    await spend(0);
    const status = await ok(call(tc.app, 'GET', `/projects/${co.projectId}/ssa`, token));
    expect(status.licenses.notCovered).toEqual([]);
  });
});
