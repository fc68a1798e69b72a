import { MylicError, type ErrorCode } from '../../../protocol/errors.js';
import type { LicenseOffer } from '../../../protocol/licenses-api.js';
import {
  catalog,
  downloadableVersions,
  type DeviceType,
  type LicenseKind,
  type LicenseType,
} from '../catalog.js';
import type { Tx } from '../../db/store.js';
import type { Actor, Core } from '../context.js';
import { boundLicenses, deviceForActor } from './device-licenses.js';
import { cheapestPacks } from './pack-optimiser.js';

/**
 * Which licenses a device may hold (seed: Add licenses from balance; Add licenses from free licenses,
 * "a consistency check"; Add V7 floating license), as pure rules over the catalog, and the offer the
 * "Add licenses from balance" page starts from.
 *
 * Counting: a license's amount is units × pack size, summed per kind. For a selected version V:
 * - `exact` (summate off): versionless licenses and those of version V count;
 * - `summate` (seed: "older licenses … will also be counted as V8 licenses"): also every license of an
 *   older version and every license usable in V (downgrade or SSA) — what the device holds when it runs V.
 * The PBX amount of V is the PBX ports counted (plus, in `exact`, the upgrades to V, which lift ports of
 * V-1 that `exact` does not count).
 * Rules, each with its own code: the device runs V; it takes the kind; the line's version is V (from
 * balance) or the license is usable in V (free); the maximum of each kind added to; Voicemail and Standby
 * 0 or equal to the PBX amount; Registrations at most the PBX amount; upgrades at most the ports of V-1;
 * V7 PBX ports and a V7 floating license never together. A rule is checked for what the selection
 * touches, so a device that is already beyond a rule can still get unrelated licenses.
 */

export interface HeldLicense {
  type: string;
  units: number;
  version: number | null;
  ssaEnd: string | null;
}

export type CountMode = 'exact' | 'summate';

export interface RuleInput {
  device: DeviceType;
  version: number;
  mode: CountMode;
  installed: readonly HeldLicense[];
  added: readonly HeldLicense[];
  /** `balance`: new licenses, their type must be of the selected version; `free`: returned licenses, usable in it. */
  source: 'balance' | 'free' | 'floating';
}

export interface Violation {
  code: ErrorCode;
  message: string;
  details: Record<string, unknown>;
}

const SELF_SERVICE: readonly string[] = ['warranty', 'floating', 'ssc'];

function counts(license: HeldLicense, version: number, mode: CountMode): boolean {
  if (license.version === null) return true;
  if (license.version === version) return true;
  if (mode === 'exact') return false;
  return license.version < version || downloadableVersions(license).includes(version);
}

export function amountOf(l: HeldLicense): number {
  return l.units * catalog.licenseType(l.type).packSize;
}

/** Amounts per kind counting toward `version`, and the PBX amount the dependent rules compare with. */
export function amounts(licenses: readonly HeldLicense[], version: number, mode: CountMode) {
  const byKind = new Map<LicenseKind, number>();
  for (const l of licenses) {
    if (!counts(l, version, mode)) continue;
    const kind = catalog.licenseType(l.type).kind;
    byKind.set(kind, (byKind.get(kind) ?? 0) + amountOf(l));
  }
  const of = (k: LicenseKind) => byKind.get(k) ?? 0;
  const pbx = of('pbx-port') + (mode === 'exact' ? of('pbx-upgrade') : 0);
  return { of, pbx };
}

export function checkDeviceLicenses(input: RuleInput): Violation[] {
  const { device, version, mode, installed, added } = input;
  const out: Violation[] = [];
  const v = (code: ErrorCode, message: string, details: Record<string, unknown> = {}) =>
    out.push({ code, message, details });
  if (!catalog.runs(device, version)) {
    v(
      'VERSION_NOT_FOR_DEVICE',
      device.firmware
        ? `${device.name} runs V${device.firmware.from} to V${device.firmware.to}, not V${version}.`
        : `${device.name} takes no licenses but warranty extensions.`,
      {
        deviceType: device.name,
        version,
      },
    );
    return out;
  }
  const types: LicenseType[] = added.map((l) => catalog.licenseType(l.type));
  added.forEach((l, i) => {
    const t = types[i]!;
    if (input.source === 'balance' && SELF_SERVICE.includes(t.family)) {
      v(
        'LICENSE_TYPE_NOT_OFFERED',
        `${t.name} is not added from balance here: ${t.family === 'ssc' ? 'SSC stays in the balance' : t.family === 'warranty' ? 'use the warranty extension' : 'use the V7 floating license'}.`,
        { licenseType: t.name },
      );
    } else if (!catalog.accepts(device, t)) {
      v('LICENSE_TYPE_NOT_FOR_DEVICE', `${device.name} does not take ${t.name} licenses.`, {
        licenseType: t.name,
        deviceType: device.name,
      });
    } else if (input.source !== 'free' && t.version !== null && t.version !== version) {
      v(
        'LICENSE_VERSION_MISMATCH',
        `${t.name} is a V${t.version} license; the selection is for V${version}.`,
        { licenseType: t.name, version },
      );
    } else if (input.source === 'free' && l.version !== null && !downloadableVersions(l).includes(version)) {
      v(
        'FREE_LICENSE_NOT_FOR_VERSION',
        `This ${t.name} license can be used as V${downloadableVersions(l).join(', V')} only, not as V${version}.`,
        { licenseType: t.name, version },
      );
    }
  });
  if (out.length) return out;

  const before = amounts(installed, version, mode);
  const after = amounts([...installed, ...added], version, mode);
  const touched = new Set(types.map((t) => t.kind));

  // V7 PBX ports and a V7 floating license exclude each other (seed: Add V7 floating license).
  const all = [...installed, ...added].map((l) => catalog.licenseType(l.type));
  const v7Ports = all.some((t) => t.kind === 'pbx-port' && t.version === 7);
  if (
    all.some((t) => t.kind === 'floating') &&
    v7Ports &&
    (touched.has('floating') || types.some((t) => t.kind === 'pbx-port' && t.version === 7))
  ) {
    v(
      'FLOATING_EXCLUSIVE',
      'A device with a V7 floating license cannot have V7 PBX licenses, and a device with V7 PBX licenses cannot have a floating license.',
    );
  }

  for (const kind of touched) {
    const max = catalog.maximum(device, kind);
    const amount = kind === 'pbx-port' || kind === 'pbx-upgrade' ? after.pbx : after.of(kind);
    if (amount > max) {
      v(
        'LICENSE_MAXIMUM_EXCEEDED',
        `${device.name} takes at most ${max} ${kind} licenses; with this selection it would have ${amount} (installed ${kind === 'pbx-port' || kind === 'pbx-upgrade' ? before.pbx : before.of(kind)}).`,
        {
          kind,
          maximum: max,
          installed: kind === 'pbx-port' || kind === 'pbx-upgrade' ? before.pbx : before.of(kind),
          amount,
        },
      );
    }
  }

  if (touched.has('pbx-upgrade')) {
    const base = [...installed, ...added]
      .filter((l) => l.version === version - 1 && catalog.licenseType(l.type).kind === 'pbx-port')
      .reduce((s, l) => s + amountOf(l), 0);
    const upgrades = [...installed, ...added]
      .filter((l) => l.version === version && catalog.licenseType(l.type).kind === 'pbx-upgrade')
      .reduce((s, l) => s + amountOf(l), 0);
    if (upgrades > base) {
      v(
        'LICENSE_UPGRADE_WITHOUT_BASE',
        `${upgrades} V${version} upgrade(s) need as many V${version - 1} PBX ports on the device; it has ${base}.`,
        { upgrades, base, fromVersion: version - 1 },
      );
    }
  }

  const pbxTouched = touched.has('pbx-port') || touched.has('pbx-upgrade');
  for (const t of catalog.licenseTypes) {
    if (t.dependsOnPbx === null || t.version !== version || !catalog.accepts(device, t)) continue;
    if (!pbxTouched && !touched.has(t.kind)) continue;
    const amount = after.of(t.kind);
    if (t.dependsOnPbx === 'equal' && amount !== 0 && amount !== after.pbx) {
      v(
        'LICENSE_AMOUNT_NOT_EQUAL_PBX',
        `${t.kind} licenses must have the same amount as the PBX licenses: ${amount} ${t.kind} for ${after.pbx} PBX ports (add ${after.pbx - amount > 0 ? `${after.pbx - amount} ${t.name}` : `${amount - after.pbx} PBX ports`}).`,
        {
          kind: t.kind,
          amount,
          pbx: after.pbx,
        },
      );
    }
    if (t.dependsOnPbx === 'at-most' && amount > after.pbx) {
      v(
        'LICENSE_AMOUNT_ABOVE_PBX',
        `At most as many ${t.kind} licenses as PBX ports: ${amount} ${t.kind} for ${after.pbx} PBX ports.`,
        { kind: t.kind, amount, pbx: after.pbx },
      );
    }
  }
  return out;
}

/** Throws the first violation, with all of them in the details. */
export function assertDeviceLicenses(input: RuleInput): void {
  const violations = checkDeviceLicenses(input);
  const first = violations[0];
  if (first)
    throw new MylicError(first.code, first.message, {
      ...first.details,
      violations: violations.map((x) => ({ code: x.code, message: x.message })),
    });
}

export const toHeld = (l: {
  license_type: string;
  units: number;
  version: number | null;
  ssa_end: string | null;
}): HeldLicense => ({
  type: l.license_type,
  units: l.units,
  version: l.version,
  ssaEnd: l.ssa_end,
});

// ---------------------------------------------------------------------------------------------
// the offer (seed: Add licenses from balance, the page after "Next")

export interface OfferQuery {
  version: number;
  summate: boolean;
  /** The wished amount of V8+ PBX ports: the cheapest pack combination is filled in. */
  ports?: number | undefined;
  /** Own projects the user chose to draw from besides the device's project. */
  drawFrom?: readonly number[] | undefined;
}

export async function licenseOffer(
  core: Core,
  actor: Actor,
  deviceId: number,
  q: OfferQuery,
): Promise<LicenseOffer> {
  if (!catalog.isVersion(q.version)) throw new MylicError('VERSION_INVALID');
  const tx = core.store.db;
  const { device, type: deviceType, placement, access } = await deviceForActor(tx, actor, deviceId);
  if (!catalog.runs(deviceType, q.version)) {
    throw new MylicError(
      'VERSION_NOT_FOR_DEVICE',
      deviceType.firmware
        ? `${deviceType.name} runs V${deviceType.firmware.from} to V${deviceType.firmware.to}.`
        : `${deviceType.name} takes no licenses but warranty extensions.`,
    );
  }
  const drawFrom = await drawProjects(tx, access, q.drawFrom ?? []);
  const installed = (await boundLicenses(tx, device.id)).map(toHeld);
  const mode: CountMode = q.summate ? 'summate' : 'exact';
  const have = amounts(installed, q.version, mode);

  // Balances: the device's project, and (own projects only) every project of the company.
  const own = access.external
    ? []
    : await tx
        .selectFrom('projects')
        .select(['id', 'name'])
        .where('company_id', '=', placement.companyId)
        .orderBy('id')
        .execute();
  const ids = [placement.projectId, ...own.map((p) => p.id)];
  const balances = await tx
    .selectFrom('balances')
    .select(['project_id', 'license_type', 'units'])
    .where('project_id', 'in', ids)
    .where('units', '>', 0)
    .execute();
  const bal = (projectId: number, type: string) =>
    balances.find((b) => b.project_id === projectId && b.license_type === type)?.units ?? 0;

  const types = catalog.licenseTypes.filter(
    (t) =>
      catalog.accepts(deviceType, t) &&
      !SELF_SERVICE.includes(t.family) &&
      (t.version === null || t.version === q.version),
  );
  const rows = types.map((t) => ({
    type: t.name,
    family: t.family,
    kind: t.kind,
    version: t.version,
    packSize: t.packSize,
    price: t.price,
    sscPerUnitYear: t.sscPerUnitYear,
    returnable: t.returnable,
    dependsOnPbx: t.dependsOnPbx,
    upgradeFrom: t.upgradeFrom,
    projectBalance: bal(placement.projectId, t.name),
    allProjectsBalance: access.external ? null : own.reduce((s, p) => s + bal(p.id, t.name), 0),
    installedUnits: installed.filter((l) => l.type === t.name).reduce((s, l) => s + l.units, 0),
    otherProjects: own
      .filter((p) => p.id !== placement.projectId && bal(p.id, t.name) > 0)
      .map((p) => ({ projectId: p.id, projectName: p.name, units: bal(p.id, t.name) })),
  }));
  const kinds = [...new Set(types.map((t) => t.kind))].map((kind) => ({
    kind,
    installed: kind === 'pbx-port' || kind === 'pbx-upgrade' ? have.pbx : have.of(kind),
    maximum: catalog.maximum(deviceType, kind),
  }));

  let packPlan: LicenseOffer['packPlan'] = null;
  const packs = catalog.portPacks(q.version);
  if (q.ports !== undefined && packs.length) {
    const sources = [placement.projectId, ...drawFrom];
    const options = (available: (t: string) => number) =>
      packs.map((t) => ({
        type: t.name,
        packSize: t.packSize,
        unitPrice: t.price,
        available: available(t.name),
      }));
    const plan = cheapestPacks(
      q.ports,
      options((t) => sources.reduce((s, id) => s + bal(id, t), 0)),
    );
    const company =
      plan || access.external
        ? null
        : cheapestPacks(
            q.ports,
            options((t) => own.reduce((s, p) => s + bal(p.id, t), 0)),
          );
    packPlan = {
      ports: q.ports,
      fromProjects: sources,
      choice: plan ? plan.choice : null,
      price: plan ? plan.cost : null,
      // Not enough in the chosen projects: what the company's own projects together could make.
      companyChoice: company ? company.choice : null,
    };
  }
  return {
    deviceId: device.id,
    hardwareId: device.hardware_id,
    deviceType: deviceType.name,
    projectId: placement.projectId,
    projectName: placement.projectName,
    external: access.external,
    version: q.version,
    summate: q.summate,
    pbxInstalled: have.pbx,
    floating: installed.some((l) => catalog.licenseType(l.type).kind === 'floating'),
    licenses: rows,
    kinds,
    packPlan,
  };
}

/**
 * The projects a selection may also draw from: own projects of the device's company (seed: "a dropdown
 * box with a list of all projects containing the needed licenses"); never for a project reached
 * through rights (seed: "Sharing the balance over several projects is not possible in external projects").
 */
export async function drawProjects(
  tx: Tx,
  access: { external: boolean; project: { id: number; company_id: number } },
  ids: readonly number[],
): Promise<number[]> {
  const wanted = [...new Set(ids)].filter((id) => id !== access.project.id);
  if (!wanted.length) return [];
  if (access.external)
    throw new MylicError(
      'FORBIDDEN',
      'Balance cannot be shared with a project your company only has rights on.',
    );
  const rows = await tx
    .selectFrom('projects')
    .select('id')
    .where('company_id', '=', access.project.company_id)
    .where('id', 'in', wanted)
    .execute();
  for (const id of wanted)
    if (!rows.some((r) => r.id === id))
      throw new MylicError('PROJECT_NOT_FOUND', `Project ${id} is not a project of the device's company.`);
  return wanted;
}
