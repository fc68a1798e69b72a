import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * Organisation (seed: Company → Company, Licenses → Projects → Rights): company address data, the
 * vendor's account records a company can be created from, and rights of other companies on projects.
 * Portable SQL, no auto-increment keys.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('vendor_accounts')
    .addColumn('account_id', 'text', (c) => c.primaryKey())
    .addColumn('postal_code', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('street', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('country', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('company_details')
    .addColumn('company_id', 'integer', (c) => c.primaryKey().references('companies.id'))
    .addColumn('street', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('postal_code', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('city', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('country', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('vendor_account_id', 'text', (c) => c.references('vendor_accounts.account_id'))
    .execute();
  await db.schema
    .createIndex('company_details_vendor')
    .on('company_details')
    .column('vendor_account_id')
    .execute();

  await db.schema
    .createTable('project_rights')
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('grantee_company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addColumn('granted_by', 'integer', (c) => c.references('users.id'))
    .addPrimaryKeyConstraint('project_rights_pk', ['project_id', 'grantee_company_id'])
    .execute();
  await db.schema
    .createIndex('project_rights_grantee')
    .on('project_rights')
    .column('grantee_company_id')
    .execute();
}
