import { sql, type Kysely, type ColumnDefinitionBuilder } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * The foundation tables: accounts, companies, projects, the balance ledger, devices, licenses and the
 * invalidation log. Portable SQL: the only dialect difference is how an auto-increment key is spelled.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();

  await db.schema
    .createTable('users')
    .addColumn('id', idType, id)
    .addColumn('email', 'text', (c) => c.notNull().unique())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('language', 'text', (c) => c.notNull().defaultTo('en'))
    .addColumn('active', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('companies')
    .addColumn('id', idType, id)
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('memberships')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('is_admin', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('is_locked', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('memberships_pk', ['user_id', 'company_id'])
    .execute();

  await db.schema
    .createTable('projects')
    .addColumn('id', idType, id)
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('description', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('ssa_end', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('projects_company_name', ['company_id', 'name'])
    .execute();

  await db.schema
    .createTable('balances')
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull().check(sql`units >= 0`))
    .addPrimaryKeyConstraint('balances_pk', ['project_id', 'license_type'])
    .execute();

  await db.schema
    .createTable('ledger_entries')
    .addColumn('id', idType, id)
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('delta', 'integer', (c) => c.notNull())
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('ref', 'text')
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('ledger_project_type')
    .on('ledger_entries')
    .columns(['project_id', 'license_type'])
    .execute();

  await db.schema
    .createTable('devices')
    .addColumn('id', idType, id)
    .addColumn('hardware_id', 'text', (c) => c.notNull().unique())
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('cert_pem', 'text')
    .addColumn('invalidation_counter', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('device_projects')
    .addColumn('device_id', 'integer', (c) => c.notNull().references('devices.id'))
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('name', 'text')
    .addColumn('comment', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('added_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_projects_pk', ['device_id', 'company_id'])
    .execute();
  await db.schema.createIndex('device_projects_project').on('device_projects').column('project_id').execute();

  await db.schema
    .createTable('licenses')
    .addColumn('id', idType, id)
    .addColumn('serial', 'text', (c) => c.notNull().unique())
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull().check(sql`units > 0`))
    .addColumn('version', 'integer')
    .addColumn('state', 'text', (c) => c.notNull().check(sql`state in ('bound', 'free')`))
    .addColumn('device_id', 'integer', (c) => c.references('devices.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('bind_date', 'text', (c) => c.notNull())
    .addColumn('ssa_end', 'text')
    .addColumn('external_key', 'text')
    .addColumn('returnable', 'integer', (c) => c.notNull())
    .addColumn('downloaded_unencrypted', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('updated_at', 'text', (c) => c.notNull())
    // A bound license has a device, a free one has none: the two states cannot be mixed up.
    .addCheckConstraint(
      'licenses_state_device',
      sql`(state = 'bound' and device_id is not null) or (state = 'free' and device_id is null)`,
    )
    .execute();
  await db.schema.createIndex('licenses_device').on('licenses').column('device_id').execute();
  await db.schema
    .createIndex('licenses_project_state')
    .on('licenses')
    .columns(['project_id', 'state'])
    .execute();

  await db.schema
    .createTable('invalidations')
    .addColumn('document_id', 'text', (c) => c.primaryKey())
    .addColumn('device_id', 'integer', (c) => c.notNull().references('devices.id'))
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('device_counter', 'integer', (c) => c.notNull())
    .addColumn('document_sha256', 'text', (c) => c.notNull())
    .addColumn('document', 'text', (c) => c.notNull())
    .addColumn('confirmation', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addUniqueConstraint('invalidations_device_counter', ['device_id', 'device_counter'])
    .execute();

  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('device_id', 'integer', (c) => c.references('devices.id'))
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('device_challenges')
    .addColumn('challenge', 'text', (c) => c.primaryKey())
    .addColumn('hardware_id', 'text', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .addColumn('used', 'integer', (c) => c.notNull().defaultTo(0))
    .execute();

  await db.schema
    .createTable('history')
    .addColumn('id', idType, id)
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addColumn('event', 'text', (c) => c.notNull())
    .addColumn('company_id', 'integer')
    .addColumn('project_id', 'integer')
    .addColumn('user_id', 'integer')
    .addColumn('device_id', 'integer')
    .addColumn('detail', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('history_company')
    .on('history')
    .columns(['company_id', 'created_at'])
    .execute();
  await db.schema.createIndex('history_device').on('history').columns(['device_id', 'created_at']).execute();
}
