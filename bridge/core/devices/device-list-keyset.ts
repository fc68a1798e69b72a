import type { DeviceSummary } from '../../../protocol/devices-api.js';
import { externalProjectIds, selectedCompany } from '../access.js';
import type { Actor, Core } from '../context.js';
import { hydratePlacements, listProject } from './device-list.js';
import {
  deviceMatch,
  devicePredicate,
  indexCandidates,
  scopeCompanies,
  inScope,
  scopeAtMost,
  searchTuning,
  type Scope,
} from './device-search-index.js';

/**
 * Devices → List with keyset paging (issue 14: "fast at 100k devices in one company"): a page is the
 * rows after the last row of the page before, in the chosen order, read from an index walk that starts
 * at that row — no OFFSET (which reads and drops every earlier row) and no COUNT(*) of the scope per
 * page. One row more than asked tells whether there is a next page.
 *
 * Orders: by the time devices came into the portal (device id, the order of the (company_id,
 * device_id) and (project_id, device_id) indexes), either way, or by MAC/IPEI (the unique index on
 * devices.hardware_id), either way. The key is the sort value plus the company of the placement (a
 * device can be listed twice: in the selected company and in a project another company granted).
 * The cursor is that key as text, `<value>.<companyId>`; one that does not parse starts at the top.
 */

export const DEVICE_SORTS = ['added', 'added-desc', 'mac', 'mac-desc'] as const;
export type DeviceSort = (typeof DEVICE_SORTS)[number];

export interface KeysetListQuery {
  filter?: string | undefined;
  /** A project; null: all projects of the scope; undefined: the session's selected project, else all. */
  projectId?: number | null | undefined;
  sort?: DeviceSort | undefined;
  /** The cursor of the previous page's last row (`next` of that page). */
  after?: string | undefined;
  limit?: number | undefined;
}

export interface DeviceListRow extends DeviceSummary {
  /** The device is placed in another company too (seed: Warnings, "Several Companies"). */
  otherCompanies: boolean;
}

export interface DeviceListPage {
  projectId: number | null;
  filter: string;
  sort: DeviceSort;
  devices: DeviceListRow[];
  /** The cursor of the next page, or null: this is the last one. */
  next: string | null;
}

type Cursor = { value: number | string; companyId: number };

function parseCursor(sort: DeviceSort, after: string | undefined): Cursor | null {
  if (!after) return null;
  const m = sort.startsWith('mac')
    ? /^([0-9A-F]{12}|[0-9]{12}[0-9*])\.([0-9]{1,10})$/.exec(after)
    : /^([0-9]{1,10})\.([0-9]{1,10})$/.exec(after);
  if (!m) return null;
  return { value: sort.startsWith('mac') ? m[1]! : Number(m[1]), companyId: Number(m[2]) };
}

export async function listDevicesKeyset(
  core: Core,
  actor: Actor,
  q: KeysetListQuery,
): Promise<DeviceListPage> {
  const tx = core.store.db;
  const { companyId } = await selectedCompany(tx, actor);
  const projectId = q.projectId === null ? null : await listProject(tx, actor, companyId, q.projectId);
  const s: Scope = {
    companyId,
    external: projectId === null ? await externalProjectIds(tx, actor.userId, companyId) : [],
    projectId,
  };
  const sort: DeviceSort = q.sort ?? 'added';
  const limit = Math.min(Math.max(q.limit ?? 50, 1), 500);
  const filter = (q.filter ?? '').trim();
  const cursor = parseCursor(sort, q.after);
  const desc = sort.endsWith('-desc');
  const byMac = sort.startsWith('mac');

  const small = await scopeAtMost(tx, s, searchTuning.scanLimit);
  const m = filter ? deviceMatch(filter) : null;
  const dir = desc ? 'desc' : 'asc';
  const companies = m && !small ? await scopeCompanies(tx, s) : [];
  const placements = () => {
    let q = tx
      .selectFrom('device_projects as dp')
      .innerJoin('devices as d', 'd.id', 'dp.device_id')
      .where(inScope(s));
    if (m) {
      q = q.where(devicePredicate(m));
      if (!small) q = q.where('dp.device_id', 'in', indexCandidates(tx, m, companies));
    }
    return q;
  };

  let keys: { device_id: number; company_id: number; hardware_id: string }[];
  let more: boolean;
  if (byMac && !small && !m) {
    // A large scope in MAC order: walk the devices' hardware-id index from the cursor and keep the
    // devices with a placement in the scope (joining from the placements would sort the whole scope).
    // The page is whole devices: a device listed twice (own and granted placement) is never split.
    let q = tx
      .selectFrom('devices as d')
      .select(['d.id', 'd.hardware_id'])
      .where((eb) =>
        eb.exists(
          eb
            .selectFrom('device_projects as dp')
            .select('dp.device_id')
            .whereRef('dp.device_id', '=', 'd.id')
            .where(inScope(s) as never),
        ),
      );
    if (cursor) q = q.where('d.hardware_id', desc ? '<' : '>', String(cursor.value));
    const devices = await q
      .orderBy('d.hardware_id', dir)
      .limit(limit + 1)
      .execute();
    more = devices.length > limit;
    const ids = devices.slice(0, limit).map((d) => d.id);
    keys = ids.length
      ? await placements()
          .select(['dp.device_id', 'dp.company_id', 'd.hardware_id'])
          .where('dp.device_id', 'in', ids)
          .orderBy('d.hardware_id', dir)
          .orderBy('dp.company_id', dir)
          .execute()
      : [];
  } else {
    let base = placements();
    if (cursor) {
      // `>=` on the sort column alone keeps the index range usable; the tie on the company comes after.
      const col = byMac ? 'd.hardware_id' : 'dp.device_id';
      const v = byMac ? String(cursor.value) : Number(cursor.value);
      base = base.where((eb) =>
        eb.and([
          eb(col, desc ? '<=' : '>=', v),
          eb.or([eb(col, desc ? '<' : '>', v), eb('dp.company_id', desc ? '<' : '>', cursor.companyId)]),
        ]),
      );
    }
    const rows = await base
      .select(['dp.device_id', 'dp.company_id', 'd.hardware_id'])
      .orderBy(byMac ? 'd.hardware_id' : 'dp.device_id', dir)
      .orderBy('dp.company_id', dir)
      .limit(limit + 1)
      .execute();
    more = rows.length > limit;
    keys = more ? rows.slice(0, limit) : rows;
  }
  const page = keys;
  const summaries = await hydratePlacements(
    tx,
    page.map((k) => ({ deviceId: k.device_id, companyId: k.company_id })),
    companyId,
  );
  const holders = page.length
    ? await tx
        .selectFrom('device_projects')
        .select(['device_id', 'company_id'])
        .where(
          'device_id',
          'in',
          page.map((k) => k.device_id),
        )
        .execute()
    : [];
  const devices = summaries.map((d) => ({
    ...d,
    otherCompanies: holders.some((h) => h.device_id === d.id && h.company_id !== d.companyId),
  }));
  const last = page[page.length - 1];
  const next = more && last ? `${byMac ? last.hardware_id : last.device_id}.${last.company_id}` : null;
  return { projectId, filter, sort, devices, next };
}
