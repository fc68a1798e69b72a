import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { bindFromBalance } from '../../bridge/core/licenses/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { EXIT } from '../../protocol/errors.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { bridgeInProcess } from '../support/bridge-in-process.js';
import { call, expectConservation, ok } from './keys-fixtures.js';
import { snapshot } from './licenses-fixtures.js';
import { device, expected, licenseRow, sscBalance, ssaCompany, type SsaCompany } from './ssa-fixtures.js';

/**
 * The operator's bind (`mylic-bridge ops license bind`, bridge/core/licenses.ts bindFromBalance) into a
 * project under SSA (seed: Known Issues, "Devices where imported into a project with SSA"; issue 6: "must
 * not be possible"): it is refused with SSA_CONFIRMATION_REQUIRED and the SSC summary unless the operator
 * confirms with --ssa-confirm; then the SSC is paid as the calculator says and the license gets the
 * project's SSA end. The CLI runs in-process on the test's database, with the real clock.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let co: SsaCompany;
let token: string;
let hw: string;
const SSC_START = 300;
const inDays = (n: number) => new Date(Date.now() + n * 86_400_000).toISOString().slice(0, 10);
const END = inDays(400);

/** Runs `mylic-bridge …` in-process against the test database; the exit code and what it printed. */
const cli = (args: string[]) => bridgeInProcess(root.dir, `${root.dir}/test.sqlite`, args);

beforeAll(async () => {
  root = await tempDir('mylic-ssa-bind-');
  tc = await makeTestCore(root.dir);
  co = await ssaCompany(tc, 'bind');
  await operatorCredit(tc.core, co.companyId, DEFAULT_PROJECT, 'PBX-Port14', 30, 'bind');
  await operatorCredit(tc.core, co.companyId, DEFAULT_PROJECT, 'SSC', SSC_START, 'bind');
  hw = (await device(tc, co.actor, co.projectId)).hardwareId;
  token = await co.login();
  // DEFAULT under SSA (no licenses yet: nothing to pay).
  await ok(call(tc.app, 'POST', `/projects/${co.projectId}/ssa`, token, { endDate: END, expectedTotal: 0 }));
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const notCovered = async () =>
  (await ok(call(tc.app, 'GET', `/projects/${co.projectId}/ssa`, token))).licenses.notCovered as string[];

describe('the operator binds licenses into a project under SSA', () => {
  let asked = 0;

  it('is refused with the SSC summary without the confirmation, in the core and on the command line, and nothing changes', async () => {
    const before = await snapshot(tc);
    const refused = await bindFromBalance(tc.core, co.actor, {
      projectId: co.projectId,
      hardwareId: hw,
      licenseType: 'PBX-Port14',
      units: 5,
    }).catch((e: unknown) => e);
    expect(refused).toMatchObject({ code: 'SSA_CONFIRMATION_REQUIRED' });
    const summary = (
      refused as {
        details: {
          summary: { total: number; endDate: string; lines: { type: string; units: number; line: number }[] };
        };
      }
    ).details.summary;
    expect(summary).toMatchObject({ endDate: END, lines: [{ type: 'PBX-Port14', units: 5, line: 0 }] });
    asked = summary.total;
    expect(asked).toBeGreaterThan(0);

    const r = await cli([
      'ops',
      'license',
      'bind',
      '--company',
      String(co.companyId),
      '--mac',
      hw,
      '--type',
      'PBX-Port14',
      '--units',
      '5',
      '--json',
    ]);
    expect(r.code).toBe(EXIT.CONFLICT);
    expect(JSON.parse(r.out)).toMatchObject({
      ok: false,
      error: { code: 'SSA_CONFIRMATION_REQUIRED', details: { summary: { total: asked } } },
    });
    expect(await snapshot(tc)).toEqual(before);
  });

  it("with --ssa-confirm binds, pays what the calculator says and gives the license the project's SSA end", async () => {
    const r = await cli([
      'ops',
      'license',
      'bind',
      '--company',
      String(co.companyId),
      '--mac',
      hw,
      '--type',
      'PBX-Port14',
      '--units',
      '5',
      '--ssa-confirm',
      '--json',
    ]);
    expect(r.code, r.out).toBe(EXIT.OK);
    const { result } = JSON.parse(r.out) as {
      result: {
        serial: string;
        ssa: { endDate: string; total: number; licenses: { serial: string; ssaEnd: string }[] };
      };
    };
    const row = await licenseRow(tc, result.serial);
    expect(row).toMatchObject({ license_type: 'PBX-Port14', units: 5, ssa_end: END });
    // Independently: the calculator on the row as it was bound (today, no SSA yet), from today to END.
    const want = expected([{ ...row, ssa_end: null }], row.bind_date, END);
    expect(want.total).toBeGreaterThan(0);
    expect(result.ssa).toMatchObject({
      endDate: END,
      total: want.total,
      licenses: [{ serial: result.serial, ssaEnd: END }],
    });
    expect(want.total).toBe(asked);
    expect(await sscBalance(tc, co.companyId)).toBe(SSC_START - want.total);
    expect(await notCovered()).toEqual([]);
    await expectConservation(tc, co.companyId);
    const text = await cli([
      'ops',
      'license',
      'bind',
      '--company',
      String(co.companyId),
      '--mac',
      hw,
      '--type',
      'PBX-Port14',
      '--units',
      '1',
      '--ssa-confirm',
    ]);
    expect(text.out).toMatch(
      new RegExp(
        `^1 PBX-Port14 bound to ${hw} \\(serial L-[0-9A-F]{16}\\); SSA until ${END}, \\d+ SSC paid$`,
      ),
    );
  });

  it('binds a license without SSA only when told so for that license, and then lists it as not covered', async () => {
    const serial = (
      await bindFromBalance(tc.core, co.actor, {
        projectId: co.projectId,
        hardwareId: hw,
        licenseType: 'PBX-Port14',
        units: 2,
        ssa: { optOutLines: [0] },
      })
    ).serial;
    expect((await licenseRow(tc, serial)).ssa_end).toBeNull();
    expect(await notCovered()).toEqual([serial]);
  });
});
