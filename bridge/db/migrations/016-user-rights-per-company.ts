import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * User rights per company (issue 15 item 12; seed L272 "the users rights, company admin and locked
 * status can be different for all companies, where this user is in"). `user_rights` gets a
 * `company_id`: a right is held by a membership, and its key becomes (user, company, right). A right
 * held before this migration is given to every company the user belonged to then, so nobody loses what
 * they could do; the operator takes it back where it does not belong (`mylic-bridge ops right revoke
 * --company`). No foreign key on the company, like `rma_requests`: a company join moves the rows itself
 * (bridge/core/organisation/company-join.ts). Portable SQL: a new table, the rows copied, the old one
 * dropped and the new one renamed.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('user_rights_016')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('user_right', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_rights_company_pk', ['user_id', 'company_id', 'user_right'])
    .execute();
  // biome-ignore lint/suspicious/noExplicitAny: a migration reads rows of the schema as it stands at this step
  const d = db as Kysely<any>;
  const held = await d
    .selectFrom('user_rights')
    .innerJoin('memberships', 'memberships.user_id', 'user_rights.user_id')
    .select([
      'user_rights.user_id',
      'memberships.company_id',
      'user_rights.user_right',
      'user_rights.granted_at',
    ])
    .execute();
  for (const r of held) await d.insertInto('user_rights_016').values(r).execute();
  await db.schema.dropTable('user_rights').execute();
  await db.schema.alterTable('user_rights_016').renameTo('user_rights').execute();
  await db.schema
    .createIndex('user_rights_company')
    .on('user_rights')
    .columns(['company_id', 'user_id'])
    .execute();
}
