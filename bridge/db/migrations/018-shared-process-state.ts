import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * State several bridge processes must share (issue 16 item 3: `serve --workers N`). Failed logins,
 * sessions, activation and reset tokens and the SSA mail claims were rows already (migrations 001, 004,
 * 009, 013); what one process kept in memory was the queue that lets only one password check of an
 * account run at a time (bridge/core/accounts/password-checks.ts). `password_checks` holds that claim:
 * one row per account being checked, the claiming run's id and when its claim lapses (a process killed
 * while checking leaves a row that the next check takes over after the lease). Portable SQL: text only.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('password_checks')
    .addColumn('subject', 'text', (c) => c.primaryKey())
    .addColumn('holder', 'text', (c) => c.notNull())
    .addColumn('lapses_at', 'text', (c) => c.notNull())
    .execute();
}
