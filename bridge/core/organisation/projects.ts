import { sql, type Kysely } from 'kysely';
import { MylicError } from '../../../protocol/errors.js';
import type { Tx } from '../../db/store.js';
import { externalProjectIds, ownProjectAccess, projectAccess, selectedCompany } from '../access.js';
import { setSelection } from './companies.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { applySsaForJoin, type SsaConfirmation } from '../ssa/index.js';

/**
 * Projects (seed: Licenses → Projects: Properties, Rights, Join, Delete). Names are unique within a
 * company. The selected project is part of the session and applies to the other pages; none selected
 * means all projects of the company. Users of a company with rights on a project see it as external:
 * they may not edit, join or delete it.
 */
export interface ProjectSummary {
  id: number;
  name: string;
  description: string;
  ssaEnd: string | null;
  companyId: number;
  companyName: string;
  external: boolean;
  selected: boolean;
}

export function projectName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 100)
    throw new MylicError('VALIDATION_FAILED', 'A project needs a name of 1 to 100 characters.');
  return trimmed;
}

function projectDescription(description: string): string {
  if (description.length > 2000)
    throw new MylicError('VALIDATION_FAILED', 'A project description has at most 2000 characters.');
  return description.trim();
}

async function assertNameFree(tx: Tx, companyId: number, name: string, exceptId?: number) {
  let q = tx
    .selectFrom('projects')
    .select('id')
    .where('company_id', '=', companyId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null);
  if (exceptId !== undefined) q = q.where('id', '!=', exceptId);
  if (await q.executeTakeFirst())
    throw new MylicError('PROJECT_NAME_TAKEN', `The company already has a project named "${name}".`);
}

async function summaries(
  tx: Tx,
  ids: number[],
  external: boolean,
  selectedId: number | null,
): Promise<ProjectSummary[]> {
  if (!ids.length) return [];
  const rows = await tx
    .selectFrom('projects')
    .innerJoin('companies', 'companies.id', 'projects.company_id')
    .select([
      'projects.id',
      'projects.name',
      'projects.description',
      'projects.ssa_end',
      'projects.company_id',
      'companies.name as company_name',
    ])
    .where('projects.id', 'in', ids)
    .orderBy('projects.name')
    .orderBy('projects.id')
    .execute();
  return rows.map((r) => ({
    id: r.id,
    name: r.name,
    description: r.description,
    ssaEnd: r.ssa_end,
    companyId: r.company_id,
    companyName: r.company_name,
    external,
    selected: r.id === selectedId,
  }));
}

/** The selected company's projects, then the projects other companies granted it rights on. */
export async function listProjects(core: Core, actor: Actor) {
  const tx = core.store.db;
  const { companyId } = await selectedCompany(tx, actor);
  const selectedId = actor.projectId ?? null;
  const own = await tx
    .selectFrom('projects')
    .select('id')
    .where('company_id', '=', companyId)
    .where('deleted_at', 'is', null)
    .execute();
  return {
    selectedProjectId: selectedId,
    projects: [
      ...(await summaries(
        tx,
        own.map((r) => r.id),
        false,
        selectedId,
      )),
      ...(await summaries(tx, await externalProjectIds(tx, actor.userId, companyId), true, selectedId)),
    ],
  };
}

export async function getProject(core: Core, actor: Actor, projectId: number): Promise<ProjectSummary> {
  const tx = core.store.db;
  const access = await projectAccess(tx, actor, projectId);
  return (await summaries(tx, [projectId], access.external, actor.projectId ?? null))[0]!;
}

export async function createProject(core: Core, actor: Actor, input: { name: string; description?: string }) {
  const name = projectName(input.name);
  const description = projectDescription(input.description ?? '');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { companyId } = await selectedCompany(tx, actor);
    await assertNameFree(tx, companyId, name);
    const row = await tx
      .insertInto('projects')
      .values({ company_id: companyId, name, description, ssa_end: null, created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordHistory(tx, at, {
      event: 'project.created',
      companyId,
      projectId: row.id,
      userId: actor.userId,
      detail: { name },
    });
    return (await summaries(tx, [row.id], false, actor.projectId ?? null))[0]!;
  });
}

/** Rename and describe (seed: Projects → Properties); not for users of a company with rights. */
export async function updateProject(
  core: Core,
  actor: Actor,
  projectId: number,
  patch: { name?: string; description?: string },
) {
  const name = patch.name === undefined ? undefined : projectName(patch.name);
  const description = patch.description === undefined ? undefined : projectDescription(patch.description);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { project } = await ownProjectAccess(tx, actor, projectId, 'edit the project');
    if (name !== undefined) await assertNameFree(tx, project.company_id, name, project.id);
    const set = {
      ...(name !== undefined ? { name } : {}),
      ...(description !== undefined ? { description } : {}),
    };
    const changed =
      (name !== undefined && name !== project.name) ||
      (description !== undefined && description !== project.description);
    if (changed) {
      await tx.updateTable('projects').set(set).where('id', '=', project.id).execute();
      await recordHistory(tx, at, {
        event: 'project.updated',
        companyId: project.company_id,
        projectId: project.id,
        userId: actor.userId,
        detail: {
          before: { name: project.name, description: project.description },
          after: { name: name ?? project.name, description: description ?? project.description },
        },
      });
    }
    return (await summaries(tx, [project.id], false, actor.projectId ?? null))[0]!;
  });
}

/** Select a project for the session, or none (null: all projects). Only a project of the selected company or one granted to it. */
export async function selectProject(core: Core, actor: Actor, projectId: number | null) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { companyId } = await selectedCompany(tx, actor);
    if (projectId !== null) {
      const access = await projectAccess(tx, actor, projectId);
      if (!access.external && access.project.company_id !== companyId) {
        throw new MylicError(
          'PROJECT_NOT_FOUND',
          'This project is not one of the selected company: switch the company first.',
        );
      }
    }
    await setSelection(tx, actor, companyId, projectId);
    await recordHistory(tx, at, {
      event: 'user.project_selected',
      companyId,
      projectId,
      userId: actor.userId,
    });
    return { companyId, projectId };
  });
}

// ---------------------------------------------------------------------------------------------
// rows that belong to a project or a company, found in the schema

export interface OwnedColumn {
  table: string;
  column: string;
}

/**
 * Columns named `<what>_id` or `…_<what>_id` in tables other than `handled`: rows of other areas (for
 * example activation keys) that belong to a project or company. Join and delete treat them without
 * knowing those tables. Kysely's introspection is the same for SQLite and PostgreSQL.
 */
export async function ownedColumns(
  tx: Tx,
  what: 'project' | 'company',
  handled: ReadonlySet<string>,
): Promise<OwnedColumn[]> {
  const suffix = `${what}_id`;
  const tables = await tx.introspection.getTables();
  return tables
    .filter((t) => !t.isView && !handled.has(t.name))
    .flatMap((t) =>
      t.columns
        .filter((c) => c.name === suffix || c.name.endsWith(`_${suffix}`))
        .map((c) => ({ table: t.name, column: c.name })),
    )
    .sort((a, b) => a.table.localeCompare(b.table) || a.column.localeCompare(b.column));
}

/** The dynamic-table escape hatch: table and column names come from the schema, never from input. */
// biome-ignore lint/suspicious/noExplicitAny: tables found by introspection have no static type
const anyDb = (tx: Tx) => tx as unknown as Kysely<any>;

export async function countRows(tx: Tx, c: OwnedColumn, id: number): Promise<number> {
  const row = await anyDb(tx)
    .selectFrom(c.table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .where(c.column, '=', id)
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

export async function repoint(tx: Tx, c: OwnedColumn, from: number, to: number): Promise<number> {
  const r = await anyDb(tx)
    .updateTable(c.table)
    .set({ [c.column]: to })
    .where(c.column, '=', from)
    .executeTakeFirst();
  return Number(r.numUpdatedRows);
}

/**
 * Rows of other areas keyed by project: when the joined project and the target both have a row with the
 * same other key columns, the two merge by adding `sum` (re-pointing would break the key). Only
 * applied where the table exists; every other project column is simply re-pointed.
 */
const MERGE_ON_JOIN: Record<string, { key: string[]; sum: string }> = {
  // An own activation key paid from both projects (bridge/db/migrations/005).
  activation_key_sources: { key: ['key_id', 'license_type'], sum: 'units' },
};

async function mergeOrRepoint(tx: Tx, c: OwnedColumn, from: number, to: number): Promise<number> {
  const rule = MERGE_ON_JOIN[c.table];
  if (!rule) return repoint(tx, c, from, to);
  const db = anyDb(tx);
  const rows = (await db.selectFrom(c.table).selectAll().where(c.column, '=', from).execute()) as Record<
    string,
    unknown
  >[];
  for (const row of rows) {
    let sameKey = db.selectFrom(c.table).select(rule.sum).where(c.column, '=', to);
    let thisRow = db.deleteFrom(c.table).where(c.column, '=', from);
    for (const k of rule.key) {
      sameKey = sameKey.where(k, '=', row[k]);
      thisRow = thisRow.where(k, '=', row[k]);
    }
    const existing = await sameKey.executeTakeFirst();
    if (!existing) continue;
    let merge = db
      .updateTable(c.table)
      .set({ [rule.sum]: Number(existing[rule.sum]) + Number(row[rule.sum]) })
      .where(c.column, '=', to);
    for (const k of rule.key) merge = merge.where(k, '=', row[k]);
    await merge.execute();
    await thisRow.execute();
  }
  // The rows without a twin in the target move as they are.
  await repoint(tx, c, from, to);
  return rows.length;
}

/** Tables whose project columns this file handles itself. */
const PROJECT_TABLES = new Set([
  'projects',
  'balances',
  'ledger_entries',
  'device_projects',
  'licenses',
  'invalidations',
  'sessions',
  'history',
  'project_rights',
]);

// ---------------------------------------------------------------------------------------------
// delete

export interface NotEmptyReason {
  reason: string;
  count: number;
  message: string;
}

/**
 * Delete a project (seed L87: "Delete the project. Only possible if it has no activation keys, project
 * rights, devices or user rights."; issue 15 item 11). Refused for those (user rights: ours are held per
 * company, none belongs to a project, so none blocks) and — our decision, not the seed's (README) — while
 * its balance or its licenses (free pool, or bound) are not empty: deleting would throw paid licenses
 * away; join the project instead. Past bookings (ledger, credit purchases), invalidation documents,
 * licenses no longer in use and history never block and keep pointing at the deleted project: its row
 * stays as a tombstone (`deleted_at`, migration 017) while any row names it, and is deleted for good
 * otherwise.
 */
export async function deleteProject(core: Core, actor: Actor, projectId: number) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { project } = await ownProjectAccess(tx, actor, projectId, 'delete the project');
    const reasons: NotEmptyReason[] = [];
    const count = (table: 'device_projects' | 'project_rights') =>
      countRows(tx, { table, column: 'project_id' }, project.id);

    const devices = await count('device_projects');
    if (devices)
      reasons.push({
        reason: 'devices',
        count: devices,
        message: `It has ${devices} device(s): remove them or move them to another project.`,
      });
    const rights = await count('project_rights');
    if (rights)
      reasons.push({
        reason: 'rights',
        count: rights,
        message: `It grants rights to ${rights} other company(ies): revoke them first.`,
      });
    // Activation keys: redeemed into, paid from, or booked against the project (the key tables).
    const keyTables: string[] = [];
    let keyRows = 0;
    for (const c of await ownedColumns(tx, 'project', PROJECT_TABLES)) {
      if (!/key/i.test(c.table)) continue;
      const n = await countRows(tx, c, project.id);
      if (!n) continue;
      keyRows += n;
      if (!keyTables.includes(c.table)) keyTables.push(c.table);
    }
    if (keyRows)
      reasons.push({
        reason: 'activation-keys',
        count: keyRows,
        message: `It has activation keys (${keyRows} record(s) in ${keyTables.join(', ')}).`,
      });
    // Ours (README): paid licenses are never thrown away with a project.
    const balance = await tx
      .selectFrom('balances')
      .select(['license_type', 'units'])
      .where('project_id', '=', project.id)
      .where('units', '>', 0)
      .orderBy('license_type')
      .execute();
    const units = balance.reduce((s, b) => s + b.units, 0);
    if (units)
      reasons.push({
        reason: 'balance',
        count: units,
        message: `Its balance holds ${balance.map((b) => `${b.units} ${b.license_type}`).join(', ')} (mylic's rule, not the seed's: a balance is never deleted).`,
      });
    const inUse = await tx
      .selectFrom('licenses')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('project_id', '=', project.id)
      .where('state', 'in', ['bound', 'free'])
      .executeTakeFirstOrThrow();
    const licenses = Number(inUse.n);
    if (licenses)
      reasons.push({
        reason: 'licenses',
        count: licenses,
        message: `${licenses} license(s) belong to it (bound to devices or in its free pool; mylic's rule, not the seed's: licenses are never deleted).`,
      });
    if (reasons.length) {
      throw new MylicError(
        'PROJECT_NOT_EMPTY',
        `Project "${project.name}" cannot be deleted: ${reasons.map((r) => r.message).join(' ')} You may join it into another project instead.`,
        { reasons },
      );
    }
    await tx.deleteFrom('balances').where('project_id', '=', project.id).execute();
    await tx.updateTable('sessions').set({ project_id: null }).where('project_id', '=', project.id).execute();
    // Rows that keep pointing at it (ledger, licenses of the past, invalidations, credit purchases, …).
    let named = 0;
    for (const c of await ownedColumns(
      tx,
      'project',
      new Set(['projects', 'balances', 'sessions', 'history']),
    ))
      named += await countRows(tx, c, project.id);
    // The tombstone gives its name back (names are unique per company): "NAME (deleted ID)".
    if (named)
      await tx
        .updateTable('projects')
        .set({ deleted_at: at, name: `${project.name} (deleted ${project.id})` })
        .where('id', '=', project.id)
        .execute();
    else await tx.deleteFrom('projects').where('id', '=', project.id).execute();
    await recordHistory(tx, at, {
      event: 'project.deleted',
      companyId: project.company_id,
      projectId: project.id,
      userId: actor.userId,
      detail: { name: project.name, ...(named ? { keptFor: named } : {}) },
    });
    return { projectId: project.id };
  });
}

// ---------------------------------------------------------------------------------------------
// join

/**
 * Join a project into another of the same company (seed: Projects → Join): devices, licenses (bound and
 * free), balance with its ledger, invalidation documents, sessions and history move to the target, and
 * so do rows of other areas that name the project; then the project is deleted. Refused while it grants
 * rights to another company.
 */
export async function joinProject(
  core: Core,
  actor: Actor,
  projectId: number,
  intoProjectId: number,
  ssaConfirmation?: SsaConfirmation,
) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { project: source } = await ownProjectAccess(tx, actor, projectId, 'join the project into another');
    if (intoProjectId === source.id) throw new MylicError('PROJECT_JOIN_SELF');
    const target = await projectAccess(tx, actor, intoProjectId);
    if (target.external || target.project.company_id !== source.company_id) {
      throw new MylicError(
        'PROJECT_NOT_FOUND',
        'A project can only be joined into another project of the same company.',
      );
    }
    const rights = await tx
      .selectFrom('project_rights')
      .select('grantee_company_id')
      .where('project_id', '=', source.id)
      .execute();
    if (rights.length) {
      throw new MylicError(
        'PROJECT_HAS_RIGHTS',
        `Project "${source.name}" grants rights to company ${rights.map((r) => r.grantee_company_id).join(', ')}: revoke them before joining it.`,
        {
          companies: rights.map((r) => r.grantee_company_id),
        },
      );
    }
    const into = target.project.id;

    // SSA (seed: Join, "If the other project has SSA ... licenses, which might be updated to the ssa end
    // date"): the licenses moved below get the target's SSA end date here; SSC to pay needs the user's
    // confirmation of the summary (SSA_CONFIRMATION_REQUIRED otherwise, bridge/core/ssa.ts).
    const ssa = await applySsaForJoin(tx, at, {
      userId: actor.userId,
      fromProjectId: source.id,
      intoProjectId: into,
      confirm: ssaConfirmation,
    });

    // Balance: the ledger entries move with their units, so the target's balance stays the sum of its
    // entries. No transfer pair is written: a credit entry counts as activated units (ledger-report.ts).
    const balance = await tx
      .selectFrom('balances')
      .select(['license_type', 'units'])
      .where('project_id', '=', source.id)
      .orderBy('license_type')
      .execute();
    for (const b of balance) {
      if (b.units <= 0) continue;
      await tx
        .insertInto('balances')
        .values({ project_id: into, license_type: b.license_type, units: b.units })
        .onConflict((oc) =>
          oc.columns(['project_id', 'license_type']).doUpdateSet({ units: sql`balances.units + ${b.units}` }),
        )
        .execute();
    }
    await tx.deleteFrom('balances').where('project_id', '=', source.id).execute();
    const ledger = await repoint(tx, { table: 'ledger_entries', column: 'project_id' }, source.id, into);

    const licenses = await tx
      .selectFrom('licenses')
      .select(['state', (eb) => eb.fn.countAll<number>().as('n')])
      .where('project_id', '=', source.id)
      .groupBy('state')
      .execute();
    await repoint(tx, { table: 'licenses', column: 'project_id' }, source.id, into);
    const devices = await repoint(tx, { table: 'device_projects', column: 'project_id' }, source.id, into);
    const invalidations = await repoint(
      tx,
      { table: 'invalidations', column: 'project_id' },
      source.id,
      into,
    );
    const other: (OwnedColumn & { rows: number })[] = [];
    for (const c of await ownedColumns(tx, 'project', PROJECT_TABLES)) {
      const rows = await mergeOrRepoint(tx, c, source.id, into);
      if (rows) other.push({ ...c, rows });
    }
    await tx.updateTable('sessions').set({ project_id: into }).where('project_id', '=', source.id).execute();
    await repoint(tx, { table: 'history', column: 'project_id' }, source.id, into);
    await tx.deleteFrom('projects').where('id', '=', source.id).execute();

    const result = {
      projectId: source.id,
      intoProjectId: into,
      devices,
      licenses: {
        bound: Number(licenses.find((l) => l.state === 'bound')?.n ?? 0),
        free: Number(licenses.find((l) => l.state === 'free')?.n ?? 0),
      },
      balance: balance.filter((b) => b.units > 0).map((b) => ({ type: b.license_type, units: b.units })),
      ledgerEntries: ledger,
      invalidations,
      moved: other,
      ssa,
    };
    await recordHistory(tx, at, {
      event: 'project.joined',
      companyId: source.company_id,
      projectId: into,
      userId: actor.userId,
      detail: { from: { id: source.id, name: source.name }, ...result },
    });
    return result;
  });
}
