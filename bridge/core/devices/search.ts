import { sql, type SqlBool } from 'kysely';
import { MylicError } from '../../../protocol/errors.js';
import { formatKeyCode } from '../../../protocol/keys-api.js';
import { SEARCH_KEYS_MIN, SEARCH_MIN, type SearchResult } from '../../../protocol/devices-api.js';
import type { Tx } from '../../db/store.js';
import { externalProjectIds, selectedCompany } from '../access.js';
import { catalog } from '../catalog.js';
import type { Actor, Core } from '../context.js';
import { hydratePlacements, type PlacementKey } from './device-list.js';
import {
  asciiLower,
  deviceMatch,
  devicePredicate,
  inScope,
  scopeAtMost,
  scopeCompanies,
  searchTuning,
  tenantRange,
  type Scope,
} from './device-search-index.js';

export { searchTuning } from './device-search-index.js';

/**
 * The search field (seed: Search): devices (part of the name, comment or MAC/IPEI), projects (part of
 * the name or description), own activation keys (part of the key or its comment); at least 3
 * characters, 5 for keys. `PBX-Port8` finds the devices with bound V8 port licenses (PORT8, PORT8*5,
 * PORT8*20: catalog.searchTypes), `PBX-Port8=100` those with at least 100 ports of them, summed per
 * device as units × pack size (seed L41). Only within the selected
 * company and the projects other companies granted it; the selected project does not narrow it.
 *
 * Each list shows at most `resultLimit` hits and says when there were more (refine the query).
 *
 * Devices at scale (a million placements): a company with few placements (≤ `scanLimit`) is searched
 * by reading its placements (index device_projects(company_id, device_id)) — cheap, whatever the query.
 * A larger scope asks the trigram index first (`device_search.terms LIKE`, FTS5 on SQLite / pg_trgm on
 * PostgreSQL), so the cost follows the matches, not the company's size; every hit is then checked
 * with the exact rule against the placement (device-search-index.ts). Both paths give the same
 * devices (tested).
 */
/** Device hits as placement keys, by device id; `path` says which way was taken (for tests and the benchmark). */
export async function searchDeviceKeys(
  tx: Tx,
  s: Scope,
  query: string,
): Promise<{ keys: PlacementKey[]; truncated: boolean; path: 'scan' | 'index' }> {
  const m = deviceMatch(query);
  const limit = searchTuning.resultLimit + 1;
  const cut = (rows: { device_id: number; company_id: number }[]) => {
    const seen = new Set<string>();
    const keys: PlacementKey[] = [];
    for (const r of [...rows].sort((a, b) => a.device_id - b.device_id || a.company_id - b.company_id)) {
      const k = `${r.device_id}/${r.company_id}`;
      if (seen.has(k)) continue;
      seen.add(k);
      keys.push({ deviceId: r.device_id, companyId: r.company_id });
    }
    return {
      keys: keys.slice(0, searchTuning.resultLimit),
      truncated: keys.length > searchTuning.resultLimit,
    };
  };

  if (await scopeAtMost(tx, s, searchTuning.scanLimit)) {
    const rows = await tx
      .selectFrom('device_projects as dp')
      .innerJoin('devices as d', 'd.id', 'dp.device_id')
      .select(['dp.device_id', 'dp.company_id'])
      .where(inScope(s))
      .where(devicePredicate(m))
      .orderBy('dp.device_id')
      .limit(limit)
      .execute();
    return { ...cut(rows), path: 'scan' };
  }

  const rows: { device_id: number; company_id: number }[] = [];
  let full = false;
  for (const companyId of await scopeCompanies(tx, s))
    for (const pattern of m.indexPatterns) {
      const hits = await indexQuery(tx, s, pattern, m, companyId).limit(limit).execute();
      if (hits.length >= limit) full = true;
      rows.push(...hits);
    }
  const out = cut(rows);
  return { ...out, truncated: out.truncated || full, path: 'index' };
}

/**
 * The trigram-index query within one company's range of the index (its placements; tenantRange), or
 * over the whole index when no company is named: exported so the benchmark and tests can EXPLAIN it.
 */
export function indexQuery(
  tx: Tx,
  s: Scope,
  pattern: string,
  m: ReturnType<typeof deviceMatch>,
  companyId?: number,
) {
  let q = tx
    .selectFrom('device_search as s')
    .innerJoin('device_projects as dp', 'dp.device_id', 's.device_id')
    .innerJoin('devices as d', 'd.id', 'dp.device_id')
    .select(['dp.device_id', 'dp.company_id'])
    .where('s.terms', 'like', pattern);
  if (companyId !== undefined) {
    const [first, last] = tenantRange(companyId);
    q = q.where('s.rowid', '>=', first).where('s.rowid', '<=', last).where('dp.company_id', '=', companyId);
  }
  return q.where(inScope(s)).where(devicePredicate(m));
}

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * `PBX-Port8` or `PBX-Port8=100` (seed L41), or null: `type` is the name searched for — a catalog type,
 * or a user's name for several (`PBX-Port8`: PORT8, PORT8*5, PORT8*20; catalog.searchTypes) — and
 * `minUnits` the least amount, ports summed over the packs (units × pack size).
 */
export function licenseQuery(query: string): { type: string; minUnits: number } | null {
  const m = /^(.+?)(?:\s*=\s*(\d{1,9}))?$/.exec(query.trim());
  if (!m) return null;
  const found = catalog.searchTypes(m[1]!);
  if (!found) return null;
  return { type: found.name, minUnits: m[2] === undefined ? 1 : Math.max(1, Number(m[2])) };
}

/** The catalog types a searched name stands for, with their pack sizes. */
function typesOf(name: string) {
  const found = catalog.searchTypes(name);
  if (!found) throw new MylicError('LICENSE_TYPE_UNKNOWN', `There is no license type "${name}".`);
  return found.types;
}

/**
 * The amount of a licenses row: units × pack size of its type (seed L41 "Port8 licenses >= 100":
 * 5 × PORT8*20 are 100 Port8 licenses). Portable SQL: a CASE over the (few) pack types searched.
 */
function amountOf(types: readonly { name: string; packSize: number }[]) {
  const packs = types.filter((t) => t.packSize !== 1);
  if (!packs.length) return sql<number>`${sql.ref('l.units')}`;
  return sql<number>`${sql.ref('l.units')} * case ${sql.join(
    packs.map((t) => sql`when ${sql.ref('l.license_type')} = ${t.name} then ${sql.lit(t.packSize)}`),
    sql` `,
  )} else 1 end`;
}

/**
 * Devices of the scope with at least `minUnits` bound units of `type`, by device id, in one of two
 * shapes (both portable SQL):
 * - 'scan': the scope's placements in device order (index (company_id, device_id)), at most `budget` of
 *   them, each asking the covering index licenses(license_type, state, device_id, units) for its sum;
 *   ends as soon as a page is full.
 * - 'index': the licenses of the type summed per device in device order (same index), then each such
 *   device looked up among the placements by key. CROSS JOIN keeps that order on SQLite (it takes the
 *   tables in the order written); on PostgreSQL it is an inner join like any other.
 */
export function licenseDevicesQuery(
  tx: Tx,
  s: Scope,
  type: string,
  minUnits: number,
  path: 'scan' | 'index',
  budget = Number.MAX_SAFE_INTEGER,
) {
  const types = typesOf(type);
  const names = types.map((t) => t.name);
  const amount = amountOf(types);
  if (path === 'scan') {
    return tx
      .selectFrom((eb) =>
        eb
          .selectFrom('device_projects as dp')
          .select((e) => [
            'dp.device_id',
            'dp.company_id',
            e
              .selectFrom('licenses as l')
              .select(sql<number>`sum(${amount})`.as('u'))
              .where('l.license_type', 'in', names)
              .where('l.state', '=', 'bound')
              .whereRef('l.device_id', '=', 'dp.device_id')
              .as('units'),
          ])
          .where(inScope(s))
          .orderBy('dp.device_id')
          .orderBy('dp.company_id')
          .limit(budget)
          .as('x'),
      )
      .select(['x.device_id', 'x.company_id', 'x.units'])
      .where('x.units', '>=', minUnits)
      .orderBy('x.device_id')
      .orderBy('x.company_id')
      .limit(searchTuning.resultLimit + 1);
  }
  return tx
    .selectFrom((eb) =>
      eb
        .selectFrom('licenses as l')
        .select(['l.device_id', sql<number>`sum(${amount})`.as('units')])
        .where('l.license_type', 'in', names)
        .where('l.state', '=', 'bound')
        .groupBy('l.device_id')
        .having(sql<number>`sum(${amount})`, '>=', minUnits)
        .as('x'),
    )
    .crossJoin('device_projects as dp')
    .whereRef('dp.device_id', '=', 'x.device_id')
    .select(['dp.device_id', 'dp.company_id', 'x.units'])
    .where(inScope(s))
    .orderBy('dp.device_id')
    .orderBy('dp.company_id')
    .limit(searchTuning.resultLimit + 1);
}

/**
 * The devices of a license search: first the scope-first shape over at most `licenseScanBudget`
 * placements; when that fills a page, or the scope has no more placements, it is the answer (dense
 * matches, small companies). Otherwise (sparse matches in a large scope) the type-first shape, whose
 * cost follows the number of licenses of the type.
 */
export async function licenseDevices(tx: Tx, s: Scope, type: string, minUnits: number) {
  const budget = searchTuning.licenseScanBudget;
  const first = await licenseDevicesQuery(tx, s, type, minUnits, 'scan', budget).execute();
  if (first.length > searchTuning.resultLimit || (await scopeAtMost(tx, s, budget)))
    return { rows: first, path: 'scan' as const };
  return {
    rows: await licenseDevicesQuery(tx, s, type, minUnits, 'index').execute(),
    path: 'index' as const,
  };
}

export async function search(core: Core, actor: Actor, rawQuery: string): Promise<SearchResult> {
  const query = rawQuery.trim();
  if (query.length < SEARCH_MIN)
    throw new MylicError(
      'SEARCH_TOO_SHORT',
      `Enter at least ${SEARCH_MIN} characters to search (${SEARCH_KEYS_MIN} for activation keys).`,
    );
  const tx = core.store.db;
  const { companyId } = await selectedCompany(tx, actor);
  const s: Scope = { companyId, external: await externalProjectIds(tx, actor.userId, companyId) };
  const text = `%${escapeLike(asciiLower(query))}%`;
  const limit = searchTuning.resultLimit;

  const found = await searchDeviceKeys(tx, s, query);
  const devices = await hydratePlacements(tx, found.keys, companyId);

  const projects = await tx
    .selectFrom('projects as p')
    .select(['p.id', 'p.name', 'p.description', 'p.company_id'])
    .where('p.deleted_at', 'is', null)
    .where((eb) =>
      s.external.length
        ? eb.or([eb('p.company_id', '=', companyId), eb('p.id', 'in', s.external)])
        : eb('p.company_id', '=', companyId),
    )
    .where(
      sql<SqlBool>`(lower(${sql.ref('p.name')}) like ${text} escape '\\' or lower(${sql.ref('p.description')}) like ${text} escape '\\')`,
    )
    .orderBy('p.name')
    .orderBy('p.id')
    .limit(limit + 1)
    .execute();

  let keys: SearchResult['keys'] = null;
  if (query.length >= SEARCH_KEYS_MIN) {
    const code = query.replace(/[\s-]/g, '').toUpperCase();
    const byCode = code.length >= SEARCH_KEYS_MIN && /^[A-Z0-9]+$/.test(code);
    const rows = await tx
      .selectFrom('activation_keys as k')
      .select(['k.id', 'k.code', 'k.comment', 'k.order_number', 'k.redeemed_at'])
      .where('k.company_id', '=', companyId)
      .where('k.kind', '=', 'own')
      .where('k.deleted_at', 'is', null)
      .where((eb) => {
        const comment = sql<SqlBool>`lower(${sql.ref('k.comment')}) like ${text} escape '\\'`;
        return byCode ? eb.or([eb('k.code', 'like', `%${code}%`), comment]) : comment;
      })
      .orderBy('k.id')
      .limit(limit)
      .execute();
    keys = rows.map((k) => ({
      keyId: k.id,
      key: formatKeyCode(k.code),
      comment: k.comment,
      orderNumber: k.order_number,
      redeemed: k.redeemed_at !== null,
    }));
  }

  let licenses: SearchResult['licenses'] = null;
  const lq = licenseQuery(query);
  if (lq) {
    const { rows } = await licenseDevices(tx, s, lq.type, lq.minUnits);
    const shown = rows.slice(0, limit);
    const units = new Map(shown.map((r) => [`${r.device_id}/${r.company_id}`, Number(r.units)]));
    const hydrated = await hydratePlacements(
      tx,
      shown.map((r) => ({ deviceId: r.device_id, companyId: r.company_id })),
      companyId,
    );
    licenses = {
      type: lq.type,
      minUnits: lq.minUnits,
      devices: hydrated.map((d) => ({ ...d, units: units.get(`${d.id}/${d.companyId}`) ?? 0 })),
      truncated: rows.length > limit,
    };
  }

  return {
    query,
    devices,
    devicesTruncated: found.truncated,
    projects: projects.slice(0, limit).map((p) => ({
      id: p.id,
      name: p.name,
      description: p.description,
      companyId: p.company_id,
      external: p.company_id !== companyId,
    })),
    projectsTruncated: projects.length > limit,
    keys,
    licenses,
  };
}
