import { MylicError } from '../../../protocol/errors.js';
import { parseHardwareId } from '../../../protocol/hardware-id.js';
import { LegacyExport } from '../../../protocol/legacy-export.js';
import { catalog } from '../catalog.js';
import { type Core, isoNow } from '../context.js';

export interface LegacyLoadResult {
  groups: number;
  users: number;
  devices: number;
  licenses: number;
  /** Rows already loaded by an earlier run (same group id, e-mail, hardware id or serial): left as they are. */
  skipped: number;
}

const invalid = (message: string): never => {
  throw new MylicError('LEGACY_EXPORT_INVALID', message);
};

/**
 * `mylic-bridge legacy load FILE` (issue 15, item 1): the old license manager's export
 * (protocol/legacy-export.ts, docs/legacy-import.md) into the legacy_* tables, in one transaction. The
 * whole file is checked first (schema, catalog names, hardware ids, every `createdBy`/`owner` a user of
 * the export, e-mails, hardware ids and serials each once); a file with any fault loads nothing. Rows an
 * earlier load brought in are left as they are (so a second run of the same file changes nothing, and
 * what was imported stays imported).
 */
export async function loadLegacyExport(core: Core, text: string): Promise<LegacyLoadResult> {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (e) {
    return invalid(`The export is not JSON: ${(e as Error).message}`);
  }
  const parsed = LegacyExport.safeParse(json);
  if (!parsed.success) {
    const first = parsed.error.issues
      .slice(0, 3)
      .map((i) => `${i.path.join('.') || '(top)'}: ${i.message}`)
      .join('; ');
    return invalid(`The export does not have the expected structure: ${first}`);
  }
  const data = parsed.data;
  const emails = new Set<string>();
  for (const g of data.groups)
    for (const u of g.users) {
      if (emails.has(u.email)) invalid(`User ${u.email} is in the export twice.`);
      emails.add(u.email);
      for (const b of u.balance) typeName(b.type, `balance of ${u.email}`);
    }
  if (new Set(data.groups.map((g) => g.id)).size !== data.groups.length)
    invalid('A group id is in the export twice.');
  const serials = new Set<string>();
  const devices = data.devices.map((d) => {
    let hardwareId: string;
    let kind: string;
    try {
      ({ hardwareId, kind } = parseHardwareId(d.hardwareId));
    } catch {
      return invalid(`Device "${d.hardwareId}" is no MAC address or IPEI.`);
    }
    const type = (() => {
      try {
        return catalog.deviceType(d.type);
      } catch {
        return invalid(`Device ${d.hardwareId} has the unknown device type "${d.type}".`);
      }
    })();
    if (type.identity !== kind)
      invalid(`Device ${d.hardwareId}: type ${type.name} does not fit its identity.`);
    if (d.owner && !emails.has(d.owner))
      invalid(`Device ${d.hardwareId}: owner ${d.owner} is no user of the export.`);
    for (const l of d.licenses) {
      if (serials.has(l.serial)) invalid(`License serial ${l.serial} is in the export twice.`);
      serials.add(l.serial);
      typeName(l.type, `license ${l.serial}`);
      if (!emails.has(l.createdBy)) invalid(`License ${l.serial}: ${l.createdBy} is no user of the export.`);
    }
    return { ...d, hardwareId, type: type.name };
  });
  if (new Set(devices.map((d) => d.hardwareId)).size !== devices.length)
    invalid('A device is in the export twice.');

  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const result: LegacyLoadResult = { groups: 0, users: 0, devices: 0, licenses: 0, skipped: 0 };
    const has = async <T>(q: Promise<T | undefined>) => (await q) !== undefined;
    for (const g of data.groups) {
      if (await has(tx.selectFrom('legacy_groups').select('id').where('id', '=', g.id).executeTakeFirst())) {
        result.skipped++;
      } else {
        await tx
          .insertInto('legacy_groups')
          .values({ id: g.id, name: g.name, loaded_at: at, company_id: null, imported_at: null })
          .execute();
        result.groups++;
      }
      for (const u of g.users) {
        if (
          await has(
            tx.selectFrom('legacy_users').select('email').where('email', '=', u.email).executeTakeFirst(),
          )
        ) {
          result.skipped++;
          continue;
        }
        await tx
          .insertInto('legacy_users')
          .values({
            email: u.email,
            group_id: g.id,
            name: u.name,
            password_hash: u.passwordHash,
            locked_at: null,
          })
          .execute();
        result.users++;
        // One row per type (a type named twice adds up).
        const byType = new Map<string, number>();
        for (const b of u.balance) byType.set(b.type, (byType.get(b.type) ?? 0) + b.units);
        for (const [type, units] of byType)
          await tx
            .insertInto('legacy_balances')
            .values({
              user_email: u.email,
              license_type: type,
              units,
              imported_at: null,
              imported_project_id: null,
            })
            .execute();
      }
    }
    for (const d of devices) {
      const known = await has(
        tx
          .selectFrom('legacy_devices')
          .select('hardware_id')
          .where('hardware_id', '=', d.hardwareId)
          .executeTakeFirst(),
      );
      if (known) result.skipped++;
      else {
        await tx
          .insertInto('legacy_devices')
          .values({
            hardware_id: d.hardwareId,
            device_type: d.type,
            owner_email: d.owner ?? null,
            imported_at: null,
            imported_company_id: null,
            imported_project_id: null,
            imported_by: null,
          })
          .execute();
        result.devices++;
      }
      for (const l of d.licenses) {
        if (
          await has(
            tx
              .selectFrom('legacy_licenses')
              .select('serial')
              .where('serial', '=', l.serial)
              .executeTakeFirst(),
          )
        ) {
          result.skipped++;
          continue;
        }
        await tx
          .insertInto('legacy_licenses')
          .values({
            serial: l.serial,
            hardware_id: d.hardwareId,
            user_email: l.createdBy,
            license_type: l.type,
            units: l.units,
            bind_date: l.bindDate,
            imported_serial: null,
          })
          .execute();
        result.licenses++;
      }
    }
    return result;
  });
}

function typeName(name: string, where: string): string {
  try {
    return catalog.licenseType(name).name;
  } catch {
    return invalid(`The ${where} names the unknown license type "${name}".`);
  }
}
