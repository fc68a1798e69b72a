import { createHash, randomBytes } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId, parseHardwareId } from '../../../protocol/hardware-id.js';
import type { LegacyDeviceError, LegacyDeviceWarning } from '../../../protocol/legacy-export.js';
import type { Tx } from '../../db/store.js';
import { ownProjectAccess, selectedCompany } from '../access.js';
import {
  assertLoginAllowed,
  clearLoginFailures,
  recordLoginFailure,
  verifyAgainstNothing,
} from '../accounts/index.js';
import { catalog } from '../catalog.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { indexPlacement } from '../devices/index.js';
import { recordHistory } from '../history.js';
import { creditBalance, debitBalance } from '../ledger.js';
import { insertBoundLicense, newSerial } from '../licenses/index.js';
import { runningSsaEnd } from '../ssa/index.js';
import { verifyLegacyPassword } from './legacy-password.js';

/**
 * The Import of a project (issue 15, item 1; seed: Projects → Import, L76–81; Errors and Warnings,
 * L305–321; Known Issues, L352), on the old license manager's data that `mylic-bridge legacy load`
 * brought in (legacy-load.ts):
 *
 * 1. `openLegacyAccount`: the old account's e-mail and password, checked against the exported hash
 *    (legacy-password.ts) under the log-in limits (login-limiter.ts, counted apart from the live
 *    account of the same e-mail). Answers a log-in token for 30 minutes (bound to the user and the
 *    selected company) and the view: the old balance summed over the group (L77) and every device of
 *    the group, each with its error (no import) or warnings.
 * 2. `importLegacyDevices`: the chosen devices with their licenses, and the group's balance the first
 *    time, into the selected project, in ONE transaction; licenses and balance come in through the
 *    kernel's ledger (a credit `legacy.imported`, and for a license its bind `license.bound`), so the
 *    conservation report counts them as activated. Every user of the old group is locked in the old
 *    license manager (L78). The group belongs to that company from then on: the devices not chosen
 *    can be imported later into another project of it (L79), not into another company.
 * 3. `importLegacyMac`: one device by MAC with its licenses, without the old account's log-in; the
 *    old account, its balance and its users are not touched (L81).
 *
 * The SSA known issue (L45, L352: "Devices where imported into a project with SSA"): licenses that came
 * in that way had no SSA in a project under SSA. Here an import into a project whose SSA runs is
 * refused (LEGACY_IMPORT_INTO_SSA) with the seed's own advice: import into a project without SSA, then
 * move the devices into the SSA project, where the move shows the SSC summary and takes its
 * confirmation (devices/device-move.ts). So it cannot happen.
 */

const LOGIN_MINUTES = 30;
const limiterKey = (email: string) => `legacy:${email.trim().toLowerCase()}`;
const hashToken = (token: string) => createHash('sha256').update(token).digest('hex');

export interface LegacyDeviceRow {
  hardwareId: string;
  display: string;
  type: string;
  licenses: { serial: string; type: string; units: number; createdBy: string; bindDate: string }[];
  /** Seed: Errors — the device cannot be chosen. */
  error: LegacyDeviceError | null;
  /** Seed: Warnings — it can, after reading them. */
  warnings: LegacyDeviceWarning[];
}

export interface LegacyAccountView {
  groupId: string;
  groupName: string;
  email: string;
  /** Users of the old group (the balance is theirs, summed). */
  users: number;
  /** The old balance not yet imported, summed over the group, by type. */
  balance: { type: string; units: number }[];
  /** The group's balance went into a project already (its first import). */
  balanceImported: boolean;
  /** The users of the old group are locked in the old license manager. */
  locked: boolean;
  devices: LegacyDeviceRow[];
}

export interface LegacyImportResult {
  projectId: number;
  devices: { hardwareId: string; display: string; licenses: number; warnings: LegacyDeviceWarning[] }[];
  balance: { type: string; units: number }[];
  lockedUsers: number;
}

/** Log in to an old account (seed L77): the token for the import and what the account holds. */
export async function openLegacyAccount(
  core: Core,
  actor: Actor,
  creds: { email: string; password: string },
  address: string | null,
): Promise<{ token: string; view: LegacyAccountView }> {
  const email = creds.email.trim().toLowerCase();
  const { companyId } = await selectedCompany(core.store.db, actor);
  await assertLoginAllowed(core, limiterKey(email), address);
  const user = await core.store.db
    .selectFrom('legacy_users')
    .select(['email', 'group_id', 'password_hash'])
    .where('email', '=', email)
    .executeTakeFirst();
  const ok = user
    ? await verifyLegacyPassword(creds.password, user.password_hash)
    : await verifyAgainstNothing(creds.password);
  if (!user || !ok) {
    await recordLoginFailure(core, limiterKey(email), address);
    throw new MylicError('LOGIN_FAILED', 'E-mail or password of the old account is wrong.');
  }
  await clearLoginFailures(core, limiterKey(email));
  const token = randomBytes(24).toString('base64url');
  return core.store.write(async (tx) => {
    const at = core.clock.now();
    await assertGroupHere(tx, user.group_id, companyId);
    await tx.deleteFrom('legacy_logins').where('expires_at', '<', at.toISOString()).execute();
    await tx
      .insertInto('legacy_logins')
      .values({
        token_hash: hashToken(token),
        group_id: user.group_id,
        user_email: user.email,
        user_id: actor.userId,
        company_id: companyId,
        expires_at: new Date(at.getTime() + LOGIN_MINUTES * 60_000).toISOString(),
      })
      .execute();
    return { token, view: await accountView(tx, user.group_id, user.email, companyId) };
  });
}

/** The view again (after an import, or on reload) while the log-in token holds. */
export async function legacyAccountView(core: Core, actor: Actor, token: string): Promise<LegacyAccountView> {
  const tx = core.store.db;
  const login = await loginFor(tx, core, actor, token);
  return accountView(tx, login.group_id, login.user_email, login.company_id);
}

/** Seed L77–79: the chosen devices with their licenses, and the group's balance, into the project. */
export async function importLegacyDevices(
  core: Core,
  actor: Actor,
  req: { token: string; projectId: number; hardwareIds: readonly string[] },
): Promise<LegacyImportResult> {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const login = await loginFor(tx, core, actor, req.token);
    const project = await targetProject(tx, actor, req.projectId, login.company_id, at);
    await assertGroupHere(tx, login.group_id, login.company_id);
    const rows = await groupDevices(tx, login.group_id, login.company_id);
    const chosen = [...new Set(req.hardwareIds.map((h) => parseHardwareId(h).hardwareId))];
    const devices: LegacyImportResult['devices'] = [];
    for (const hardwareId of chosen) {
      const row = rows.find((r) => r.hardwareId === hardwareId);
      if (!row)
        throw new MylicError(
          'LEGACY_DEVICE_NOT_IN_ACCOUNT',
          `Device ${formatHardwareId(hardwareId)} is not in the old account.`,
          { hardwareId },
        );
      devices.push(await importDevice(tx, at, actor, project, row, { groupId: login.group_id }));
    }
    const group = await tx
      .selectFrom('legacy_groups')
      .select(['imported_at'])
      .where('id', '=', login.group_id)
      .executeTakeFirstOrThrow();
    const balance = group.imported_at === null ? await groupBalance(tx, login.group_id) : [];
    if (!devices.length && !balance.length)
      throw new MylicError('VALIDATION_FAILED', 'Choose at least one device to import.');
    for (const b of balance) {
      await creditBalance(tx, at, project.id, b.type, b.units, 'legacy.imported', `legacy:${login.group_id}`);
      await recordHistory(tx, at, {
        event: 'balance.credited',
        companyId: project.company_id,
        projectId: project.id,
        userId: actor.userId,
        detail: { units: b.units, type: b.type, source: 'legacy', legacyGroup: login.group_id },
      });
    }
    const users = tx.selectFrom('legacy_users').select('email').where('group_id', '=', login.group_id);
    await tx
      .updateTable('legacy_balances')
      .set({ imported_at: at, imported_project_id: project.id })
      .where('user_email', 'in', users)
      .where('imported_at', 'is', null)
      .execute();
    // Seed L78: "all users of your group will be locked in the old license manager".
    const locked = await tx
      .updateTable('legacy_users')
      .set({ locked_at: at })
      .where('group_id', '=', login.group_id)
      .where('locked_at', 'is', null)
      .executeTakeFirst();
    await tx
      .updateTable('legacy_groups')
      .set({ company_id: login.company_id, imported_at: at })
      .where('id', '=', login.group_id)
      .where('imported_at', 'is', null)
      .execute();
    return { projectId: project.id, devices, balance, lockedUsers: Number(locked.numUpdatedRows) };
  });
}

/** Seed L81: one MAC address with its licenses; the old account and its balance stay as they are. */
export async function importLegacyMac(core: Core, actor: Actor, req: { projectId: number; mac: string }) {
  const { hardwareId } = parseHardwareId(req.mac);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { companyId } = await selectedCompany(tx, actor);
    const project = await targetProject(tx, actor, req.projectId, companyId, at);
    const [row] = await deviceRows(tx, [hardwareId], companyId);
    if (!row)
      throw new MylicError(
        'LEGACY_DEVICE_NOT_IN_ACCOUNT',
        `Device ${formatHardwareId(hardwareId)} is not in the old license manager.`,
        { hardwareId },
      );
    return { projectId: project.id, ...(await importDevice(tx, at, actor, project, row, { single: true })) };
  });
}

/** What the old license manager still holds, summed: legacy balances and licenses not yet imported (tests, ops). */
export async function legacyRemaining(tx: Tx) {
  const balance = await tx
    .selectFrom('legacy_balances')
    .select(['license_type as type', 'units'])
    .where('imported_at', 'is', null)
    .execute();
  const licenses = await tx
    .selectFrom('legacy_licenses')
    .select(['license_type as type', 'units'])
    .where('imported_serial', 'is', null)
    .execute();
  const sum = new Map<string, number>();
  for (const r of [...balance, ...licenses]) sum.set(r.type, (sum.get(r.type) ?? 0) + r.units);
  return sum;
}

async function loginFor(tx: Tx, core: Core, actor: Actor, token: string) {
  const { companyId } = await selectedCompany(tx, actor);
  const login = await tx
    .selectFrom('legacy_logins')
    .selectAll()
    .where('token_hash', '=', hashToken(token))
    .executeTakeFirst();
  if (
    !login ||
    login.user_id !== actor.userId ||
    login.company_id !== companyId ||
    login.expires_at <= core.clock.now().toISOString()
  )
    throw new MylicError('LEGACY_LOGIN_EXPIRED');
  return login;
}

/** The group went into another company with its first import: only that company imports the rest. */
async function assertGroupHere(tx: Tx, groupId: string, companyId: number) {
  const g = await tx
    .selectFrom('legacy_groups')
    .select('company_id')
    .where('id', '=', groupId)
    .executeTakeFirst();
  if (g && g.company_id !== null && g.company_id !== companyId)
    throw new MylicError('LEGACY_GROUP_ELSEWHERE');
}

/** The selected company's own project (not one granted to it), and not under a running SSA (L45, L352). */
async function targetProject(tx: Tx, actor: Actor, projectId: number, companyId: number, at: string) {
  const { project } = await ownProjectAccess(tx, actor, projectId, 'import devices into it');
  if (project.company_id !== companyId) throw new MylicError('PROJECT_NOT_FOUND');
  if (runningSsaEnd(project, at.slice(0, 10)) !== null)
    throw new MylicError(
      'LEGACY_IMPORT_INTO_SSA',
      `Project ${project.name} is under SSA until ${project.ssa_end}: import into a project without SSA, then move the devices into this one and confirm the SSC summary there.`,
    );
  return project;
}

async function groupBalance(tx: Tx, groupId: string) {
  const rows = await tx
    .selectFrom('legacy_balances')
    .innerJoin('legacy_users', 'legacy_users.email', 'legacy_balances.user_email')
    .select(['legacy_balances.license_type as type', 'legacy_balances.units'])
    .where('legacy_users.group_id', '=', groupId)
    .where('legacy_balances.imported_at', 'is', null)
    .execute();
  const sum = new Map<string, number>();
  for (const r of rows) sum.set(r.type, (sum.get(r.type) ?? 0) + r.units);
  return [...sum]
    .filter(([, units]) => units > 0)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([type, units]) => ({ type, units }));
}

async function accountView(
  tx: Tx,
  groupId: string,
  email: string,
  companyId: number,
): Promise<LegacyAccountView> {
  const group = await tx
    .selectFrom('legacy_groups')
    .selectAll()
    .where('id', '=', groupId)
    .executeTakeFirstOrThrow();
  const users = await tx
    .selectFrom('legacy_users')
    .select(['locked_at'])
    .where('group_id', '=', groupId)
    .execute();
  return {
    groupId,
    groupName: group.name,
    email,
    users: users.length,
    balance: await groupBalance(tx, groupId),
    balanceImported: group.imported_at !== null,
    locked: users.length > 0 && users.every((u) => u.locked_at !== null),
    devices: await groupDevices(tx, groupId, companyId),
  };
}

/** The group's devices (seed L77: "all your devices"): registered by one of its users, or holding a license one of them created. */
async function groupDevices(tx: Tx, groupId: string, companyId: number) {
  const users = tx.selectFrom('legacy_users').select('email').where('group_id', '=', groupId);
  const ids = await tx
    .selectFrom('legacy_devices')
    .select('hardware_id')
    .where((eb) =>
      eb.or([
        eb('owner_email', 'in', users),
        eb(
          'hardware_id',
          'in',
          eb.selectFrom('legacy_licenses').select('hardware_id').where('user_email', 'in', users),
        ),
      ]),
    )
    .orderBy('hardware_id')
    .execute();
  return deviceRows(
    tx,
    ids.map((r) => r.hardware_id),
    companyId,
  );
}

/** Each device with its licenses, error and warnings as seen by this company (seed L305–321). */
async function deviceRows(tx: Tx, hardwareIds: string[], companyId: number): Promise<LegacyDeviceRow[]> {
  const out: LegacyDeviceRow[] = [];
  for (const hardwareId of hardwareIds) {
    const d = await tx
      .selectFrom('legacy_devices')
      .selectAll()
      .where('hardware_id', '=', hardwareId)
      .executeTakeFirst();
    if (!d) continue;
    const licenses = await tx
      .selectFrom('legacy_licenses')
      .select(['serial', 'license_type as type', 'units', 'user_email as createdBy', 'bind_date as bindDate'])
      .where('hardware_id', '=', hardwareId)
      .orderBy('serial')
      .execute();
    const live = await tx
      .selectFrom('devices')
      .select(['id', 'device_type'])
      .where('hardware_id', '=', hardwareId)
      .executeTakeFirst();
    const placements = live
      ? await tx.selectFrom('device_projects').select('company_id').where('device_id', '=', live.id).execute()
      : [];
    // Errors, in the seed's order of what stops an import first.
    const error: LegacyDeviceError | null =
      d.imported_at !== null
        ? 'ALREADY_IMPORTED'
        : !live
          ? 'NOT_FOUND'
          : placements.some((p) => p.company_id === companyId)
            ? 'ALREADY_IN_COMPANY'
            : null;
    const warnings: LegacyDeviceWarning[] = [];
    if (placements.some((p) => p.company_id !== companyId)) warnings.push('SEVERAL_COMPANIES');
    if (new Set(licenses.map((l) => l.createdBy)).size > 1) warnings.push('SEVERAL_USERS');
    out.push({
      hardwareId,
      display: formatHardwareId(hardwareId),
      // The device database's type where it knows the device (never the user's, nor the export's then).
      type: live?.device_type ?? d.device_type,
      licenses,
      error,
      warnings,
    });
  }
  return out;
}

const ERROR_CODE = {
  ALREADY_IMPORTED: 'LEGACY_ALREADY_IMPORTED',
  NOT_FOUND: 'DEVICE_UNKNOWN',
  ALREADY_IN_COMPANY: 'DEVICE_ALREADY_IN_COMPANY',
} as const;
const ERROR_TEXT = {
  ALREADY_IMPORTED: 'has been imported already: you cannot import it again.',
  NOT_FOUND: "was not found in the vendor's device database: contact the administrator.",
  ALREADY_IN_COMPANY:
    'already exists in your company: to import it anyway, delete it from its project first.',
} as const;

/** One device into the project: its placement, its licenses through the ledger, the legacy rows marked. */
async function importDevice(
  tx: Tx,
  at: string,
  actor: Actor,
  project: { id: number; company_id: number },
  row: LegacyDeviceRow,
  how: { groupId?: string; single?: boolean },
) {
  if (row.error)
    throw new MylicError(ERROR_CODE[row.error], `Device ${row.display} ${ERROR_TEXT[row.error]}`, {
      hardwareId: row.hardwareId,
      error: row.error,
    });
  const device = await tx
    .selectFrom('devices')
    .select('id')
    .where('hardware_id', '=', row.hardwareId)
    .executeTakeFirstOrThrow();
  // Marked first, on the condition it is still open: two imports of the same device cannot both pass.
  const claimed = await tx
    .updateTable('legacy_devices')
    .set({
      imported_at: at,
      imported_company_id: project.company_id,
      imported_project_id: project.id,
      imported_by: actor.userId,
    })
    .where('hardware_id', '=', row.hardwareId)
    .where('imported_at', 'is', null)
    .executeTakeFirst();
  if (Number(claimed.numUpdatedRows) !== 1)
    throw new MylicError('LEGACY_ALREADY_IMPORTED', `Device ${row.display} ${ERROR_TEXT.ALREADY_IMPORTED}`);
  await tx
    .insertInto('device_projects')
    .values({
      device_id: device.id,
      company_id: project.company_id,
      project_id: project.id,
      name: null,
      comment: '',
      added_at: at,
    })
    .execute();
  await indexPlacement(tx, device.id, project.company_id);
  await recordHistory(tx, at, {
    event: 'device.added',
    companyId: project.company_id,
    projectId: project.id,
    userId: actor.userId,
    deviceId: device.id,
    detail: {
      hardwareId: row.hardwareId,
      source: how.single ? 'legacy-mac' : 'legacy',
      ...(how.groupId ? { legacyGroup: how.groupId } : {}),
      created: false,
      warnings: row.warnings,
    },
  });
  const added: { serial: string; type: string; units: number }[] = [];
  for (const l of row.licenses) {
    const type = catalog.licenseType(l.type);
    const ref = `legacy:${l.serial}`;
    // Into the ledger as units that come from outside (activated), then bound: balance + bound = activated.
    await creditBalance(tx, at, project.id, type.name, l.units, 'legacy.imported', ref);
    await debitBalance(tx, at, project.id, type.name, l.units, 'license.bound', ref);
    const taken = await tx
      .selectFrom('licenses')
      .select('id')
      .where('serial', '=', l.serial)
      .executeTakeFirst();
    const { serial } = await insertBoundLicense(tx, at, l.bindDate, {
      type,
      units: l.units,
      deviceId: device.id,
      projectId: project.id,
      serial: taken ? newSerial() : l.serial,
    });
    await tx
      .updateTable('legacy_licenses')
      .set({ imported_serial: serial })
      .where('serial', '=', l.serial)
      .execute();
    added.push({ serial, type: type.name, units: l.units });
  }
  if (added.length)
    await recordHistory(tx, at, {
      event: 'licenses.added',
      companyId: project.company_id,
      projectId: project.id,
      userId: actor.userId,
      deviceId: device.id,
      detail: { licenses: added, source: 'legacy' },
    });
  return { hardwareId: row.hardwareId, display: row.display, licenses: added.length, warnings: row.warnings };
}
