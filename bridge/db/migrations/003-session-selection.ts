import type { Kysely } from 'kysely';

/**
 * The company and project a session has selected (seed: Company selection; Projects, "This selection
 * is then true for all other pages"), and labels for API tokens.
 */
export async function up(db: Kysely<unknown>): Promise<void> {
  await db.schema.alterTable('sessions').addColumn('company_id', 'integer').execute();
  await db.schema.alterTable('sessions').addColumn('project_id', 'integer').execute();
  await db.schema.alterTable('sessions').addColumn('label', 'text').execute();
  await db.schema.alterTable('sessions').addColumn('last_used_at', 'text').execute();
  await db.schema.createIndex('sessions_user').on('sessions').column('user_id').execute();
}
