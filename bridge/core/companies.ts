import { MylicError } from '../../protocol/errors.js';
import type { Tx } from '../db/store.js';
import { type Core, isoNow } from './context.js';
import { recordHistory } from './history.js';

/**
 * Companies and their projects (seed: First steps, Licenses → Projects). A new company gets a project
 * named DEFAULT, and its creator is its admin.
 */
export const DEFAULT_PROJECT = 'DEFAULT';

export async function createCompany(core: Core, creatorUserId: number, name: string) {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200) throw new MylicError('VALIDATION_FAILED', 'A company needs a name of 1 to 200 characters.');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const user = await tx.selectFrom('users').select('id').where('id', '=', creatorUserId).executeTakeFirst();
    if (!user) throw new MylicError('USER_NOT_FOUND');
    const company = await tx.insertInto('companies').values({ name: trimmed, created_at: at }).returning('id').executeTakeFirstOrThrow();
    await tx.insertInto('memberships').values({ user_id: creatorUserId, company_id: company.id, is_admin: 1, is_locked: 0, created_at: at }).execute();
    const project = await tx
      .insertInto('projects')
      .values({ company_id: company.id, name: DEFAULT_PROJECT, description: '', ssa_end: null, created_at: at })
      .returning('id')
      .executeTakeFirstOrThrow();
    await recordHistory(tx, at, { event: 'company.created', companyId: company.id, projectId: project.id, userId: creatorUserId, detail: { name: trimmed } });
    return { companyId: company.id, defaultProjectId: project.id };
  });
}

export async function findProjectByName(tx: Tx, companyId: number, name: string) {
  const project = await tx.selectFrom('projects').selectAll().where('company_id', '=', companyId).where('name', '=', name).executeTakeFirst();
  if (!project) throw new MylicError('PROJECT_NOT_FOUND', `Company ${companyId} has no project "${name}".`);
  return project;
}

export async function adminOf(tx: Tx, companyId: number): Promise<number> {
  const row = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('company_id', '=', companyId)
    .where('is_admin', '=', 1)
    .where('is_locked', '=', 0)
    .orderBy('created_at')
    .executeTakeFirst();
  if (!row) throw new MylicError('COMPANY_NOT_FOUND', `Company ${companyId} does not exist or has no admin.`);
  return row.user_id;
}
