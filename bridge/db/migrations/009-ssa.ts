import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * SSA (seed: Projects → SSA, "You can disable these mails with the checkbox 'Send SSA expiry mails'"):
 * the project's mail flag and the log that makes expiry mail runs idempotent.
 *
 * `ssa_mail_log` has one row per (project, user, SSA end, due date): the unique key is what stops a
 * second run — or a second process — from mailing the same week twice. The project column is named
 * `for_project` and has no foreign key on purpose: columns named `project_id` are moved by project join
 * and block project delete (bridge/core/projects.ts ownedColumns), and the log of a joined or deleted
 * project must do neither. Portable SQL, no auto-increment keys.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .alterTable('projects')
    .addColumn('send_ssa_mails', 'integer', (c) => c.notNull().defaultTo(1))
    .execute();

  await db.schema
    .createTable('ssa_mail_log')
    .addColumn('for_project', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('ssa_end', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('weeks_left', 'integer', (c) => c.notNull())
    .addColumn('state', 'text', (c) =>
      c.notNull().check(sql`state in ('pending', 'sending', 'sent', 'dropped')`),
    )
    .addColumn('claim', 'text')
    .addColumn('claimed_at', 'text')
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('language', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('done_at', 'text')
    .addPrimaryKeyConstraint('ssa_mail_log_pk', ['for_project', 'user_id', 'ssa_end', 'due_date'])
    .execute();
  await db.schema
    .createIndex('ssa_mail_log_state')
    .on('ssa_mail_log')
    .columns(['state', 'claimed_at'])
    .execute();
}
