import { X509Certificate } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database, Device } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';
import { type Core, isoNow } from '../context.js';
import { assertPlay } from './play-mode.js';

/**
 * Seed L334: after the copy "the databases won't be synchronised any more (despite of the device
 * table)". myplay takes from the live database the device table only: devices the vendor's device
 * database knows (new ones are added, by hardware id) and their certificates (a newer one on record
 * replaces the sandbox's). Never licenses, balances, accounts, placements or RMA: those are the
 * sandbox's own from the copy on. Reads the live database only; writes the sandbox's, one transaction
 * per page of devices.
 */
export interface DeviceSyncResult {
  /** Live devices read. */
  seen: number;
  /** New in the sandbox. */
  added: number;
  /** Known devices whose certificate changed. */
  certificates: number;
  syncedAt: string;
}

const PAGE = 500;

export async function syncDevicesFromLive(play: Core, live: Kysely<Database>): Promise<DeviceSyncResult> {
  assertPlay(play);
  const result: DeviceSyncResult = { seen: 0, added: 0, certificates: 0, syncedAt: isoNow(play) };
  let after = 0;
  for (;;) {
    const rows = await live
      .selectFrom('devices')
      .select(['id', 'hardware_id', 'device_type', 'cert_pem', 'created_at', 'shipped_on'])
      .where('id', '>', after)
      .orderBy('id')
      .limit(PAGE)
      .execute();
    if (!rows.length) break;
    after = rows[rows.length - 1]!.id;
    result.seen += rows.length;
    // Read first; a write transaction only for a page with something new (the sandbox's writers wait
    // for none otherwise). The write judges again what it reads, so two syncs at once add a device once.
    const changes = (tx: Tx) => pending(tx, rows);
    if (!(await changes(play.store.db)).length) continue;
    await play.store.write(async (tx) => {
      for (const c of await changes(tx)) {
        if (c.kind === 'new') {
          await tx
            .insertInto('devices')
            .values({
              hardware_id: c.row.hardware_id,
              device_type: c.row.device_type,
              cert_pem: c.row.cert_pem,
              invalidation_counter: 0,
              created_at: c.row.created_at,
              shipped_on: c.row.shipped_on,
            })
            .execute();
          result.added++;
        } else {
          await tx.updateTable('devices').set({ cert_pem: c.row.cert_pem }).where('id', '=', c.id).execute();
          result.certificates++;
        }
      }
    });
    if (rows.length < PAGE) break;
  }
  return result;
}

type LiveDevice = Pick<
  Device,
  'id' | 'hardware_id' | 'device_type' | 'cert_pem' | 'created_at' | 'shipped_on'
>;
type Change = { kind: 'new'; row: LiveDevice } | { kind: 'certificate'; id: number; row: LiveDevice };

/** What a page of live devices changes in the sandbox: devices it lacks, certificates newer than its own. */
async function pending(tx: Tx, rows: readonly LiveDevice[]): Promise<Change[]> {
  const known = new Map(
    (
      await tx
        .selectFrom('devices')
        .select(['id', 'hardware_id', 'cert_pem'])
        .where(
          'hardware_id',
          'in',
          rows.map((r) => r.hardware_id),
        )
        .execute()
    ).map((d) => [d.hardware_id, d]),
  );
  const out: Change[] = [];
  for (const row of rows) {
    const mine = known.get(row.hardware_id);
    if (!mine) out.push({ kind: 'new', row });
    else if (row.cert_pem !== null && newer(row.cert_pem, mine.cert_pem))
      out.push({ kind: 'certificate', id: mine.id, row });
  }
  return out;
}

/** Whether the live certificate is newer than the sandbox's (issued later), or the sandbox has none. */
function newer(live: string, mine: string | null): boolean {
  if (mine === null) return true;
  if (live === mine) return false;
  return Date.parse(new X509Certificate(live).validFrom) > Date.parse(new X509Certificate(mine).validFrom);
}
