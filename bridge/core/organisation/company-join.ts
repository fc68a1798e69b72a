import { MylicError } from '../../../protocol/errors.js';
import type { Tx } from '../../db/store.js';
import { selectedCompany } from '../access.js';
import { authenticate } from '../accounts/index.js';
import { readCompany } from './companies.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { assertLoginAllowed, oneGuessAtATime, recordLoginFailure } from '../accounts/index.js';
import { ownedColumns, repoint, type OwnedColumn } from './projects.js';

/**
 * Join another company into the selected one (seed: Company → Join, admin only): "Everything like
 * projects, users, devices, balance, activations etc. will be imported! ... The joined company will be
 * deleted afterwards!" The caller names the company by id and proves the other side agrees with the
 * login of one of its admins.
 *
 * Projects move with everything that belongs to them (balance, ledger, licenses, invalidations, and any
 * other area's rows that name a project). What belongs to the company itself moves here: users
 * (memberships merge, the stronger admin flag wins, a lock in this company stays), device placements (a
 * device placed in both keeps this company's placement, reported), rights, sessions, history, and rows
 * of other areas with a company column. A project name already taken here becomes
 * `NAME (from company N)`, and the answer lists every rename.
 */
export interface JoinCompanyInput {
  companyId: number;
  email: string;
  password: string;
}

/** Tables whose company columns this file handles itself. */
const COMPANY_TABLES = new Set([
  'companies',
  'memberships',
  'projects',
  'device_projects',
  'history',
  'sessions',
  'project_rights',
  'company_details',
  'user_rights',
]);

export async function joinCompany(core: Core, actor: Actor, input: JoinCompanyInput) {
  const here = await selectedCompany(core.store.db, actor);
  if (!here.admin) throw new MylicError('FORBIDDEN', 'Only company admins can join another company.');
  if (input.companyId === here.companyId) throw new MylicError('COMPANY_JOIN_SELF');

  // The other company's admin login is a password check like a login: rate-limited the same way, and
  // every failure (unknown company, wrong password, not an admin there) answers alike.
  let joiningAdmin: number;
  try {
    joiningAdmin = await oneGuessAtATime(core, input.email, async () => {
      await assertLoginAllowed(core, input.email, null);
      try {
        return (await authenticate(core, input.email, input.password)).id;
      } catch (e) {
        if (e instanceof MylicError && e.code === 'LOGIN_FAILED')
          await recordLoginFailure(core, input.email, null);
        throw e;
      }
    });
  } catch (e) {
    if (e instanceof MylicError && e.code !== 'RATE_LIMITED') throw new MylicError('COMPANY_JOIN_REFUSED');
    throw e;
  }

  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { companyId: into, admin } = await selectedCompany(tx, actor);
    if (!admin) throw new MylicError('FORBIDDEN', 'Only company admins can join another company.');
    const from = input.companyId;
    const proof = await tx
      .selectFrom('memberships')
      .select('user_id')
      .where('company_id', '=', from)
      .where('user_id', '=', joiningAdmin)
      .where('is_admin', '=', 1)
      .where('is_locked', '=', 0)
      .executeTakeFirst();
    if (!proof) throw new MylicError('COMPANY_JOIN_REFUSED');
    const joinedName = (await readCompany(tx, from)).name;

    const renamed = await renameClashingProjects(tx, from, into);
    const rights = await mergeRights(tx, from, into);
    const placements = await mergePlacements(tx, from, into);
    const users = await mergeMemberships(tx, from, into, at);

    const projects = await tx
      .selectFrom('projects')
      .select(['id', 'name'])
      .where('company_id', '=', from)
      .orderBy('id')
      .execute();
    await tx.updateTable('projects').set({ company_id: into }).where('company_id', '=', from).execute();
    await tx.updateTable('sessions').set({ company_id: into }).where('company_id', '=', from).execute();
    const history = await repoint(tx, { table: 'history', column: 'company_id' }, from, into);
    await tx.deleteFrom('company_details').where('company_id', '=', from).execute();
    const moved: (OwnedColumn & { rows: number })[] = [];
    for (const c of await ownedColumns(tx, 'company', COMPANY_TABLES)) {
      const rows = await repoint(tx, c, from, into);
      if (rows) moved.push({ ...c, rows });
    }
    await tx.deleteFrom('companies').where('id', '=', from).execute();

    const result = {
      companyId: into,
      joinedCompanyId: from,
      joinedCompanyName: joinedName,
      projects: projects.map((p) => ({ id: p.id, name: p.name })),
      renamed,
      users,
      devicePlacements: placements,
      rights,
      historyEvents: history,
      moved,
    };
    await recordHistory(tx, at, {
      event: 'company.joined',
      companyId: into,
      userId: actor.userId,
      detail: { ...result, joinedBy: joiningAdmin },
    });
    return result;
  });
}

/** Incoming projects whose name is taken here get `NAME (from company N)` (a number after it if need be). */
async function renameClashingProjects(tx: Tx, from: number, into: number) {
  const here = await tx.selectFrom('projects').select('name').where('company_id', '=', into).execute();
  const incoming = await tx
    .selectFrom('projects')
    .select(['id', 'name'])
    .where('company_id', '=', from)
    .orderBy('id')
    .execute();
  const taken = new Set([...here.map((p) => p.name), ...incoming.map((p) => p.name)]);
  const hereNames = new Set(here.map((p) => p.name));
  const renamed: { projectId: number; from: string; to: string }[] = [];
  for (const p of incoming) {
    if (!hereNames.has(p.name)) continue;
    const base = `${p.name} (from company ${from})`;
    let to = base;
    for (let n = 2; taken.has(to); n++) to = `${base} ${n}`;
    taken.add(to);
    await tx.updateTable('projects').set({ name: to }).where('id', '=', p.id).execute();
    renamed.push({ projectId: p.id, from: p.name, to });
  }
  return renamed;
}

/**
 * Rights between the two companies become moot (the company owns both sides now) and are dropped; rights
 * the joined company held on third companies' projects pass to this company.
 */
async function mergeRights(tx: Tx, from: number, into: number) {
  const fromProjects = tx.selectFrom('projects').select('id').where('company_id', '=', from);
  const intoProjects = tx.selectFrom('projects').select('id').where('company_id', '=', into);
  const a = await tx
    .deleteFrom('project_rights')
    .where('grantee_company_id', '=', into)
    .where('project_id', 'in', fromProjects)
    .executeTakeFirst();
  const b = await tx
    .deleteFrom('project_rights')
    .where('grantee_company_id', '=', from)
    .where('project_id', 'in', intoProjects)
    .executeTakeFirst();
  const held = await tx
    .selectFrom('project_rights')
    .select('project_id')
    .where('grantee_company_id', '=', into)
    .execute();
  const c = held.length
    ? await tx
        .deleteFrom('project_rights')
        .where('grantee_company_id', '=', from)
        .where(
          'project_id',
          'in',
          held.map((r) => r.project_id),
        )
        .executeTakeFirst()
    : { numDeletedRows: 0n };
  const moved = await tx
    .updateTable('project_rights')
    .set({ grantee_company_id: into })
    .where('grantee_company_id', '=', from)
    .executeTakeFirst();
  return {
    passed: Number(moved.numUpdatedRows),
    dropped: Number(a.numDeletedRows) + Number(b.numDeletedRows) + Number(c.numDeletedRows),
  };
}

/** A device placed in both companies keeps this company's placement; the other is dropped and reported. */
async function mergePlacements(tx: Tx, from: number, into: number) {
  const incoming = await tx
    .selectFrom('device_projects')
    .innerJoin('devices', 'devices.id', 'device_projects.device_id')
    .select(['device_projects.device_id', 'device_projects.project_id', 'devices.hardware_id'])
    .where('device_projects.company_id', '=', from)
    .orderBy('device_projects.device_id')
    .execute();
  const kept: { deviceId: number; hardwareId: string; keptProjectId: number; droppedProjectId: number }[] =
    [];
  for (const p of incoming) {
    const here = await tx
      .selectFrom('device_projects')
      .select('project_id')
      .where('device_id', '=', p.device_id)
      .where('company_id', '=', into)
      .executeTakeFirst();
    if (!here) continue;
    await tx
      .deleteFrom('device_projects')
      .where('device_id', '=', p.device_id)
      .where('company_id', '=', from)
      .execute();
    kept.push({
      deviceId: p.device_id,
      hardwareId: p.hardware_id,
      keptProjectId: here.project_id,
      droppedProjectId: p.project_id,
    });
  }
  const moved = await tx
    .updateTable('device_projects')
    .set({ company_id: into })
    .where('company_id', '=', from)
    .executeTakeFirst();
  return { moved: Number(moved.numUpdatedRows), keptHere: kept };
}

/** Users of the joined company become users here with their flags; one already here keeps the stronger admin flag. */
async function mergeMemberships(tx: Tx, from: number, into: number, at: string) {
  const incoming = await tx
    .selectFrom('memberships')
    .selectAll()
    .where('company_id', '=', from)
    .orderBy('created_at')
    .orderBy('user_id')
    .execute();
  const added: number[] = [];
  const merged: number[] = [];
  for (const m of incoming) {
    const here = await tx
      .selectFrom('memberships')
      .select(['is_admin'])
      .where('company_id', '=', into)
      .where('user_id', '=', m.user_id)
      .executeTakeFirst();
    if (here) {
      if (m.is_admin && !here.is_admin)
        await tx
          .updateTable('memberships')
          .set({ is_admin: 1 })
          .where('company_id', '=', into)
          .where('user_id', '=', m.user_id)
          .execute();
      merged.push(m.user_id);
    } else {
      await tx
        .insertInto('memberships')
        .values({
          user_id: m.user_id,
          company_id: into,
          is_admin: m.is_admin,
          is_locked: m.is_locked,
          created_at: at,
        })
        .execute();
      added.push(m.user_id);
    }
  }
  await tx.deleteFrom('memberships').where('company_id', '=', from).execute();
  // User rights are held per membership (seed L272): those held in the joined company are held here now
  // (one already held here stays as it is).
  const rights = await tx.selectFrom('user_rights').selectAll().where('company_id', '=', from).execute();
  for (const r of rights)
    await tx
      .insertInto('user_rights')
      .values({ ...r, company_id: into })
      .onConflict((oc) => oc.doNothing())
      .execute();
  await tx.deleteFrom('user_rights').where('company_id', '=', from).execute();
  return { added, merged };
}
