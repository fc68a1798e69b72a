import { expect } from 'vitest';
import { createCompany } from '../../bridge/core/organisation/index.js';
import type { Actor } from '../../bridge/core/context.js';
import { addKnownDevice } from '../support/vendor-devices.js';
import { catalog } from '../../bridge/core/catalog.js';
import { bindFromBalance, type NewLicensesChoice } from '../../bridge/core/licenses/index.js';
import {
  calculateSsc,
  type SscLicense,
  type SscSummary,
  type Versions,
} from '../../bridge/core/ssa/index.js';
import type { License } from '../../bridge/db/schema.js';
import type { TestCore } from '../support/core.js';
import { loginPortal, makeUser, type FixtureUser } from '../bridge/fixtures.js';

/** Fixtures of the SSA tests: a company with devices and bound licenses at chosen days, and the calculator's expectations. */

export const DEVICE = 'IP6000';
export const at = (iso: string) => new Date(`${iso}T10:00:00Z`);

/** Release dates straight from the catalog, as the calculator takes them. */
export const versions: Versions = {
  current: catalog.currentVersion,
  released: (v) => catalog.versions.find((r) => r.version === v)?.released,
};

export interface SsaCompany {
  user: FixtureUser;
  actor: Actor;
  companyId: number;
  projectId: number;
  /** A fresh portal session (sessions last 8 hours; tests move the clock by months). */
  login(): Promise<string>;
}

let seq = 0;

export async function ssaCompany(tc: TestCore, name: string): Promise<SsaCompany> {
  const user = await makeUser(tc, `${name}-${++seq}@example.test`);
  const { companyId, defaultProjectId } = await createCompany(tc.core, user.id, `Company ${name}`);
  return {
    user,
    actor: { userId: user.id, companyId },
    companyId,
    projectId: defaultProjectId,
    login: () => loginPortal(tc.app, user),
  };
}

let macSeq = 0x100;
export async function device(tc: TestCore, actor: Actor, projectId: number) {
  const mac = `00-90-33-5A-${((macSeq >> 8) & 0xff).toString(16).padStart(2, '0')}-${(macSeq++ & 0xff).toString(16).padStart(2, '0')}`;
  return addKnownDevice(tc.core, actor, projectId, mac, DEVICE);
}

/** The operator's bind; in a project under SSA it needs `ssa` (the confirmation) when SSC is due. */
export async function bind(
  tc: TestCore,
  actor: Actor,
  projectId: number,
  hardwareId: string,
  type: string,
  units: number,
  ssa?: NewLicensesChoice,
) {
  return (
    await bindFromBalance(tc.core, actor, {
      projectId,
      hardwareId,
      licenseType: type,
      units,
      ...(ssa ? { ssa } : {}),
    })
  ).serial;
}

export const licenseRow = (tc: TestCore, serial: string) =>
  tc.core.store.db.selectFrom('licenses').selectAll().where('serial', '=', serial).executeTakeFirstOrThrow();

/** What the calculator says for these rows, built field by field (not through the SSA area's mapping). */
export function expected(
  rows: readonly License[],
  calc: string,
  end: string,
  optOut: readonly string[] = [],
): SscSummary {
  const input: SscLicense[] = rows.map((r) => ({
    id: r.serial,
    type: r.license_type,
    units: r.units,
    version: r.version,
    bindDate: r.bind_date,
    ssaEnd: r.ssa_end,
    sscPerUnitYear: catalog.licenseType(r.license_type).sscPerUnitYear,
    optOut: optOut.includes(r.serial),
  }));
  return calculateSsc(input, calc, end, versions);
}

/** The API's summary lines against the calculator's, line by line (order by serial). */
export function expectSameSummary(
  api: {
    calculationDate: string;
    endDate: string;
    total: number;
    lines: {
      serial: string;
      ssc: number;
      daysTwice: number;
      days: number;
      multiplier: string;
      start: string;
      newSsaEnd: string | null;
    }[];
  },
  want: SscSummary,
) {
  expect(api.calculationDate).toBe(want.calculationDate);
  expect(api.endDate).toBe(want.endDate);
  const bySerial = <T extends { id?: string; serial?: string }>(xs: T[]) =>
    [...xs].sort((a, b) => String(a.serial ?? a.id).localeCompare(String(b.serial ?? b.id)));
  expect(
    bySerial(api.lines).map((l) => ({
      serial: l.serial,
      start: l.start,
      daysTwice: l.daysTwice,
      days: l.days,
      multiplier: l.multiplier,
      ssc: l.ssc,
      newSsaEnd: l.newSsaEnd,
    })),
  ).toEqual(
    bySerial(want.lines).map((l) => ({
      serial: l.id,
      start: l.start,
      daysTwice: l.daysTwice,
      days: l.days,
      multiplier: l.multiplier,
      ssc: l.ssc,
      newSsaEnd: l.newSsaEnd,
    })),
  );
  expect(api.total).toBe(want.total);
}

/** Sum of the company's SSC balances. */
export async function sscBalance(tc: TestCore, companyId: number): Promise<number> {
  const rows = await tc.core.store.db
    .selectFrom('balances')
    .innerJoin('projects', 'projects.id', 'balances.project_id')
    .select('balances.units')
    .where('projects.company_id', '=', companyId)
    .where('balances.license_type', '=', 'SSC')
    .execute();
  return rows.reduce((s, r) => s + r.units, 0);
}

export async function historyCount(tc: TestCore): Promise<number> {
  const r = await tc.core.store.db
    .selectFrom('history')
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(r.n);
}
