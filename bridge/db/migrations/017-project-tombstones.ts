import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * Deleted projects that past rows still name (issue 15 item 11; seed L87 "Delete the project. Only
 * possible if it has no activation keys, project rights, devices or user rights."). Past bookings
 * (ledger entries, credit purchases), invalidation documents, licenses no longer in use and history
 * never block a delete and keep pointing at the deleted project; the foreign keys on `projects.id`
 * stay, so its row stays too, marked `deleted_at` and left out of every list, access check and search
 * (bridge/core/access.ts, organisation/projects.ts). A project nothing names is deleted for good, as
 * before. Portable SQL.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema.alterTable('projects').addColumn('deleted_at', 'text').execute();
}
