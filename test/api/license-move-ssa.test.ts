import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { setRight } from '../../bridge/core/rights.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError } from '../bridge/fixtures.js';
import { addProject, call, expectConservation, ok } from './keys-fixtures.js';
import { snapshot } from './licenses-fixtures.js';
import { at, bind, expected, licenseRow, sscBalance, ssaCompany, type SsaCompany } from './ssa-fixtures.js';
import { known } from '../support/vendor-devices.js';

/**
 * Moving licenses onto a device in another project under SSA (seed: Move licenses to another device;
 * Move device): like a moved device, the licenses are brought to that project's end date, after the
 * SSC summary is confirmed; unconfirmed, nothing moves.
 */
const TODAY = '2026-03-02';
const END = '2027-03-02';

let tmp: Awaited<ReturnType<typeof tempDir>>;
let tc: TestCore;
let co: SsaCompany;
let token: string;
let source: { deviceId: number; hardwareId: string };
let target: { deviceId: number; hardwareId: string };
let serial: string;
let source2: { deviceId: number; hardwareId: string };
let target2: { deviceId: number; hardwareId: string };
let serial2: string;

beforeAll(async () => {
  tmp = await tempDir('mylic-license-move-ssa-');
  tc = await makeTestCore(tmp.dir, await loadOrCreateDevPki(`${tmp.dir}/pki`));
  tc.clock.set(at('2025-11-03'));
  co = await ssaCompany(tc, 'lmove');
  const plain = await addProject(tc, co.companyId, 'PLAIN');
  await operatorCredit(tc.core, co.companyId, DEFAULT_PROJECT, 'SSC', 500, 'lmove');
  await operatorCredit(tc.core, co.companyId, 'PLAIN', 'PBX-Port14', 10, 'lmove');
  await operatorCredit(tc.core, co.companyId, DEFAULT_PROJECT, 'PBX-Port14', 1, 'lmove');
  await setRight(tc.core, co.user.id, 'move-licenses', true);
  token = await co.login();
  source = await ok(
    call(
      tc.app,
      'POST',
      '/devices',
      token,
      await known(tc.core, {
        device: '00-90-33-78-00-01',
        type: 'IP6000',
        projectId: plain,
      }),
    ),
    201,
  );
  target = await ok(
    call(
      tc.app,
      'POST',
      '/devices',
      token,
      await known(tc.core, {
        device: '00-90-33-78-00-02',
        type: 'IP6000',
        projectId: co.projectId,
      }),
    ),
    201,
  );
  const keep = await ok(
    call(
      tc.app,
      'POST',
      '/devices',
      token,
      await known(tc.core, {
        device: '00-90-33-78-00-03',
        type: 'IP6000',
        projectId: co.projectId,
      }),
    ),
    201,
  );
  source2 = await ok(
    call(
      tc.app,
      'POST',
      '/devices',
      token,
      await known(tc.core, {
        device: '00-90-33-78-00-04',
        type: 'IP6000',
        projectId: plain,
      }),
    ),
    201,
  );
  target2 = await ok(
    call(
      tc.app,
      'POST',
      '/devices',
      token,
      await known(tc.core, {
        device: '00-90-33-78-00-05',
        type: 'IP6000',
        projectId: co.projectId,
      }),
    ),
    201,
  );
  serial = await bind(tc, co.actor, plain, source.hardwareId, 'PBX-Port14', 6);
  serial2 = await bind(tc, co.actor, plain, source2.hardwareId, 'PBX-Port14', 4);
  await bind(tc, co.actor, co.projectId, (keep as { hardwareId: string }).hardwareId, 'PBX-Port14', 1);
  tc.clock.set(at(TODAY));
  token = await co.login();
  const first = await ok(call(tc.app, 'GET', `/projects/${co.projectId}/ssa/summary?endDate=${END}`, token));
  await ok(
    call(tc.app, 'POST', `/projects/${co.projectId}/ssa`, token, {
      endDate: END,
      expectedTotal: first.summary.total,
    }),
  );
});
afterAll(async () => {
  await tc?.close();
  await tmp?.cleanup();
});

describe('moving licenses onto a device in a project under SSA', () => {
  it('asks for the SSC summary first and moves nothing until it is confirmed', async () => {
    const before = await snapshot(tc);
    const asked = await expectError(
      await call(tc.app, 'POST', `/devices/${source.deviceId}/licenses/move`, token, {
        targetDeviceId: target.deviceId,
      }),
      409,
      'SSA_CONFIRMATION_REQUIRED',
    );
    const details = asked.details as { summary: { total: number; lines: { serial: string }[] } };
    expect(details.summary.lines.map((l) => l.serial)).toEqual([serial]);
    expect(details.summary.total).toBeGreaterThan(0);
    expect(await snapshot(tc)).toEqual(before);
  });

  it('moves the licenses, pays the SSC and gives them the end date of the target project', async () => {
    const sscBefore = await sscBalance(tc, co.companyId);
    // Independently of the 409: the calculator on the row before the move (bound 2025-11-03, no SSA), today to END.
    const want = expected([await licenseRow(tc, serial)], TODAY, END);
    expect(want.total).toBeGreaterThan(0);
    const asked = await expectError(
      await call(tc.app, 'POST', `/devices/${source.deviceId}/licenses/move`, token, {
        targetDeviceId: target.deviceId,
      }),
      409,
      'SSA_CONFIRMATION_REQUIRED',
    );
    const total = (asked.details as { summary: { total: number } }).summary.total;
    expect(total).toBe(want.total);
    const moved = await ok(
      call(tc.app, 'POST', `/devices/${source.deviceId}/licenses/move`, token, {
        targetDeviceId: target.deviceId,
        ssa: { expectedTotal: total },
      }),
    );
    expect(moved.serials).toEqual([serial]);
    expect(moved.ssa.total).toBe(total);
    expect(moved.ssa).toMatchObject({ total: want.total, endDate: END, licenses: [{ serial, ssaEnd: END }] });
    expect(moved.from.rma).toBe(true);
    const row = await licenseRow(tc, serial);
    expect(row).toMatchObject({ device_id: target.deviceId, ssa_end: END });
    expect(await sscBalance(tc, co.companyId)).toBe(sscBefore - total);
    expect(await sscBalance(tc, co.companyId)).toBe(sscBefore - want.total);
    await expectConservation(tc, co.companyId);
  });

  it('brings the licenses to another end date when one is chosen for the move, and charges for that date', async () => {
    const CHOSEN = '2027-09-01';
    const sscBefore = await sscBalance(tc, co.companyId);
    const rowBefore = await licenseRow(tc, serial2);
    const want = expected([rowBefore], TODAY, CHOSEN);
    // Six months more than the project's end: more SSC than to END.
    expect(want.total).toBeGreaterThan(expected([rowBefore], TODAY, END).total);
    const moved = await ok(
      call(tc.app, 'POST', `/devices/${source2.deviceId}/licenses/move`, token, {
        targetDeviceId: target2.deviceId,
        ssa: { endDate: CHOSEN, expectedTotal: want.total },
      }),
    );
    expect(moved.ssa).toMatchObject({
      endDate: CHOSEN,
      total: want.total,
      licenses: [{ serial: serial2, ssaEnd: CHOSEN }],
    });
    expect(await licenseRow(tc, serial2)).toMatchObject({ device_id: target2.deviceId, ssa_end: CHOSEN });
    expect(await sscBalance(tc, co.companyId)).toBe(sscBefore - want.total);
    await expectConservation(tc, co.companyId);
  });
});
