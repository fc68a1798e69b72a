import { sql, type ColumnDefinitionBuilder, type Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * Activation keys (seed: Activations, Own Activations, License certificate; ARCHITECTURE §5).
 *
 * - `activation_keys`: one row per key, the vendor's (issued by the operator) or a company's own
 *   (created from project balances). The code is stored normalised (25 characters, no dashes); a key
 *   is redeemed once, ever; own keys are deleted softly so that the ledger entries naming them still
 *   resolve.
 * - `activation_key_licenses`: what a key holds, per license type.
 * - `activation_key_sources`: for own keys, which project paid how many units of a type (where the
 *   units go back when the key is deleted without a selected project).
 * - `activation_key_entries`: the "in keys" ledger of own keys: +units when they leave a balance into
 *   the key, -units when they go back or are redeemed. For a live key the entries sum to its licenses,
 *   for a redeemed or deleted one to zero.
 * - `key_lookup_failures`: wrong keys entered, per user, for rate limiting.
 *
 * Portable SQL: the only dialect difference is how an auto-increment key is spelled.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();

  await db.schema
    .createTable('activation_keys')
    .addColumn('id', idType, id)
    .addColumn('code', 'text', (c) => c.notNull().unique())
    .addColumn('ref', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('vendor', 'own')`))
    .addColumn('company_id', 'integer', (c) => c.references('companies.id'))
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('order_number', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('order_reference', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('created_by', 'integer', (c) => c.references('users.id'))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    .addColumn('redeemed_project_id', 'integer', (c) => c.references('projects.id'))
    .addColumn('redeemed_by', 'integer', (c) => c.references('users.id'))
    .addColumn('redeemed_at', 'text')
    .addColumn('redeem_comment', 'text')
    .addColumn('deleted_at', 'text')
    // A vendor key belongs to no company, an own key to the company that created it.
    .addCheckConstraint(
      'activation_keys_owner',
      sql`(kind = 'vendor' and company_id is null) or (kind = 'own' and company_id is not null)`,
    )
    // Redeemed means redeemed into a project; a deleted key was never redeemed and only own keys are deleted.
    .addCheckConstraint(
      'activation_keys_redeemed',
      sql`(redeemed_at is null and redeemed_project_id is null) or (redeemed_at is not null and redeemed_project_id is not null)`,
    )
    .addCheckConstraint(
      'activation_keys_deleted',
      sql`deleted_at is null or (redeemed_at is null and kind = 'own')`,
    )
    .execute();
  await db.schema.createIndex('activation_keys_company').on('activation_keys').column('company_id').execute();
  await db.schema
    .createIndex('activation_keys_redeemed_project')
    .on('activation_keys')
    .column('redeemed_project_id')
    .execute();

  await db.schema
    .createTable('activation_key_licenses')
    .addColumn('key_id', 'integer', (c) => c.notNull().references('activation_keys.id'))
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull().check(sql`units > 0`))
    .addPrimaryKeyConstraint('activation_key_licenses_pk', ['key_id', 'license_type'])
    .execute();

  await db.schema
    .createTable('activation_key_sources')
    .addColumn('key_id', 'integer', (c) => c.notNull().references('activation_keys.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull().check(sql`units > 0`))
    .addPrimaryKeyConstraint('activation_key_sources_pk', ['key_id', 'project_id', 'license_type'])
    .execute();
  await db.schema
    .createIndex('activation_key_sources_project')
    .on('activation_key_sources')
    .column('project_id')
    .execute();

  await db.schema
    .createTable('activation_key_entries')
    .addColumn('id', idType, id)
    .addColumn('key_id', 'integer', (c) => c.notNull().references('activation_keys.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('delta', 'integer', (c) => c.notNull().check(sql`delta <> 0`))
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('activation_key_entries_key')
    .on('activation_key_entries')
    .column('key_id')
    .execute();

  await db.schema
    .createTable('key_lookup_failures')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('key_lookup_failures_user_at')
    .on('key_lookup_failures')
    .columns(['user_id', 'at'])
    .execute();
}
