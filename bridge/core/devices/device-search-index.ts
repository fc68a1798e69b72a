import { sql, type Expression, type ExpressionBuilder, type SqlBool } from 'kysely';
import type { Database } from '../../db/schema.js';
import type { Tx } from '../../db/store.js';

/**
 * The search index of placements (`device_search`, migration 007) and the one device-matching rule that
 * the list filter and the search share.
 *
 * A placement (device in a company) is matched by a part of its name, its comment or its hardware id.
 * The hardware id is matched in its compact form: "08-20-2", "08:20:2" and "08202" all find
 * 00-90-33-08-20-20; an IPEI typed with spaces finds the IPEI. Case does not matter for A–Z (SQLite's
 * lower() knows no other letters, see asciiLower). `%` and `_` are plain characters.
 *
 * The index holds the lower-case name, comment and hardware id of each placement. Its rows are written
 * here only, by key (`rowid` = company_id * 2^31 + device_id, migration 022), whenever a placement is
 * created, changes its name or comment, or goes. The company comes first so that a company's rows are one
 * range of row ids: a search reads only its tenants' ranges of each trigram's posting list (tenantRange). It is only ever a pre-filter: every hit is checked with `devicePredicate`
 * against the device's placements in the scope (joined by device), so a stale row (e.g. left behind
 * when a company join moves a placement to another company, and so to another key) costs a little
 * time and never shows a wrong device.
 */

export const searchRowId = (deviceId: number, companyId: number): bigint =>
  (BigInt(companyId) << 31n) + BigInt(deviceId);

/** The row ids of one company's placements in the index: [first, last]. */
export const tenantRange = (companyId: number): [bigint, bigint] => [
  BigInt(companyId) << 31n,
  (BigInt(companyId) << 31n) + 2147483647n,
];

/** (Re)writes the index row of a placement from the stored data. */
export async function indexPlacement(tx: Tx, deviceId: number, companyId: number): Promise<void> {
  const rowid = searchRowId(deviceId, companyId);
  await tx.deleteFrom('device_search').where('rowid', '=', rowid).execute();
  const row = await tx
    .selectFrom('device_projects as dp')
    .innerJoin('devices as d', 'd.id', 'dp.device_id')
    .select(['dp.name', 'dp.comment', 'd.hardware_id'])
    .where('dp.device_id', '=', deviceId)
    .where('dp.company_id', '=', companyId)
    .executeTakeFirst();
  if (!row) return;
  const terms = [row.name ?? '', row.comment, row.hardware_id].map(asciiLower).join('\n');
  await tx.insertInto('device_search').values({ rowid, terms, device_id: deviceId }).execute();
}

export async function unindexPlacement(tx: Tx, deviceId: number, companyId: number): Promise<void> {
  await tx.deleteFrom('device_search').where('rowid', '=', searchRowId(deviceId, companyId)).execute();
}

// ---------------------------------------------------------------------------------------------
// matching

const escapeLike = (s: string) => s.replace(/[\\%_]/g, (c) => `\\${c}`);

/**
 * Lower case for A–Z only: what SQLite's lower() does, so the query and the column agree (PostgreSQL's
 * lower() folds more, which only finds more). "Ärger" finds "Ärger", "ärger" does not.
 */
export const asciiLower = (s: string) => s.replace(/[A-Z]/g, (c) => c.toLowerCase());

/** The compact hardware-id form of a query ("08-20-2" → "08202"), or null when it cannot be part of one. */
export function hardwareIdPart(q: string): string | null {
  const compact = q.replace(/[\s:.-]/g, '').toUpperCase();
  return compact.length > 0 && /^[0-9A-F*]+$/.test(compact) ? compact : null;
}

export interface DeviceMatch {
  /** Lower-case text pattern for name and comment (escaped, for LIKE … ESCAPE '\'). */
  text: string;
  /** Upper-case pattern for the hardware id, or null. */
  hardwareId: string | null;
  /** Patterns for the trigram index (`terms LIKE`), lower case; wildcard characters of the query widened to `_`. */
  indexPatterns: string[];
}

export function deviceMatch(query: string): DeviceMatch {
  const q = query.trim();
  const hw = hardwareIdPart(q);
  const lower = asciiLower(q);
  const indexPatterns = [`%${lower.replace(/[%_]/g, '_')}%`];
  // The compact form only when it differs and has a trigram (the index cannot answer shorter parts).
  if (hw !== null && hw.toLowerCase() !== lower && hw.length >= 3)
    indexPatterns.push(`%${hw.toLowerCase()}%`);
  return {
    text: `%${escapeLike(lower)}%`,
    hardwareId: hw === null ? null : `%${escapeLike(hw)}%`,
    indexPatterns,
  };
}

/**
 * The exact rule, on a query that joins device_projects as `dp` and devices as `d`. Portable SQL:
 * lower(), coalesce() and LIKE … ESCAPE mean the same in SQLite and PostgreSQL.
 */
export function devicePredicate(m: DeviceMatch): Expression<SqlBool> {
  const parts = [
    sql<SqlBool>`lower(coalesce(${sql.ref('dp.name')}, '')) like ${m.text} escape '\\'`,
    sql<SqlBool>`lower(${sql.ref('dp.comment')}) like ${m.text} escape '\\'`,
  ];
  if (m.hardwareId !== null)
    parts.push(sql<SqlBool>`${sql.ref('d.hardware_id')} like ${m.hardwareId} escape '\\'`);
  return sql<SqlBool>`(${sql.join(parts, sql` or `)})`;
}

// ---------------------------------------------------------------------------------------------
// scopes

/**
 * Tuning of the device search and list (tests and the benchmark change it): a scope of at most
 * `scanLimit` placements is read whole; larger ones ask the trigram index first. `resultLimit` hits
 * per search list; `licenseScanBudget` placements are tried scope-first by a license search before
 * it turns to the licenses of the type (search.ts).
 */
export const searchTuning = { scanLimit: 5000, resultLimit: 50, licenseScanBudget: 20_000 };

/** The placements a query covers: one project, or the selected company's and the projects granted to it. */
export interface Scope {
  companyId: number;
  external: number[];
  projectId?: number | null | undefined;
}

type PlacementTables = Database & { dp: Database['device_projects']; d: Database['devices'] };

export function inScope(s: Scope) {
  return (eb: ExpressionBuilder<PlacementTables, 'dp'>): Expression<SqlBool> => {
    if (s.projectId !== undefined && s.projectId !== null) return eb('dp.project_id', '=', s.projectId);
    return s.external.length
      ? eb.or([eb('dp.company_id', '=', s.companyId), eb('dp.project_id', 'in', s.external)])
      : eb('dp.company_id', '=', s.companyId);
  };
}

/** Placements in the scope, counted up to `limit + 1` (a bounded walk of the company and project indexes). */
export async function scopeCount(tx: Tx, s: Scope, limit: number): Promise<number> {
  const bounded = async (where: { column: 'company_id' | 'project_id'; ids: number[] }) =>
    Number(
      (
        await tx
          .selectFrom((eb) =>
            eb
              .selectFrom('device_projects')
              .select('device_id')
              .where(where.column, 'in', where.ids)
              .limit(limit + 1)
              .as('x'),
          )
          .select((eb) => eb.fn.countAll<number>().as('n'))
          .executeTakeFirstOrThrow()
      ).n,
    );
  if (s.projectId !== undefined && s.projectId !== null)
    return bounded({ column: 'project_id', ids: [s.projectId] });
  let n = await bounded({ column: 'company_id', ids: [s.companyId] });
  if (n <= limit && s.external.length) n += await bounded({ column: 'project_id', ids: s.external });
  return n;
}

/** Whether the scope is small enough to be read whole. */
export const scopeAtMost = async (tx: Tx, s: Scope, limit: number) =>
  (await scopeCount(tx, s, limit)) <= limit;

/**
 * The companies whose placements a scope can hold: the selected company and the owners of the projects
 * granted to it, or the owner of the one project. Each is a range of the index (tenantRange).
 */
export async function scopeCompanies(tx: Tx, s: Scope): Promise<number[]> {
  const one = s.projectId !== undefined && s.projectId !== null;
  const projects = one ? [s.projectId as number] : s.external;
  const owners = projects.length
    ? (await tx.selectFrom('projects').select('company_id').where('id', 'in', projects).execute()).map(
        (r) => r.company_id,
      )
    : [];
  return [...new Set([...(one ? [] : [s.companyId]), ...owners])];
}

/**
 * The devices whose index rows match in the scope's companies (each pattern answered by the trigram
 * index within one company's range of row ids, united): a pre-filter for `dp.device_id in (…)`, always
 * followed by `devicePredicate`.
 */
export function indexCandidates(tx: Tx, m: DeviceMatch, companies: readonly number[]) {
  const parts = (companies.length ? companies : [0]).flatMap((c) => {
    const [first, last] = tenantRange(c);
    return m.indexPatterns.map((p) =>
      tx
        .selectFrom('device_search')
        .select('device_id')
        .where('terms', 'like', p)
        .where('rowid', '>=', first)
        .where('rowid', '<=', last),
    );
  });
  let q = parts[0]!;
  for (const p of parts.slice(1)) q = q.union(p);
  return q;
}
