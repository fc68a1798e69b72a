import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * SSA expiry mails (issue 6, "a crash or restart never sends a week's mail twice, never skips one"): one
 * row per reminder week of a project's SSA end that a mail run has handled — recorded its mails, or found
 * the project's "Send SSA expiry mails" off. A week of the schedule without a row had no run at all (the
 * bridge was down): the next run still sends its reminder (bridge/core/ssa-mails.ts). The project column
 * is `for_project` without a foreign key, as in `ssa_mail_log` (migration 009): project join and delete
 * move or refuse on `project_id` columns, and this log must do neither. Portable SQL.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('ssa_mail_weeks')
    .addColumn('for_project', 'integer', (c) => c.notNull())
    .addColumn('ssa_end', 'text', (c) => c.notNull())
    .addColumn('due_date', 'text', (c) => c.notNull())
    .addColumn('weeks_left', 'integer', (c) => c.notNull())
    /** 1: handled after its week had passed (the bridge was down that week). */
    .addColumn('late', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('handled_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('ssa_mail_weeks_pk', ['for_project', 'ssa_end', 'due_date'])
    .execute();
}
