import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/** User rights granted by the operator (request certificate, …) and issued test licenses. */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('user_rights')
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('user_right', 'text', (c) => c.notNull())
    .addColumn('granted_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('user_rights_pk', ['user_id', 'user_right'])
    .execute();

  await db.schema
    .createTable('test_licenses')
    .addColumn('id', dialect === 'postgres' ? 'serial' : 'integer', (c) =>
      dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement(),
    )
    .addColumn('device_id', 'integer', (c) => c.notNull().references('devices.id'))
    .addColumn('version', 'integer', (c) => c.notNull())
    .addColumn('serial', 'text', (c) => c.notNull().unique())
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull())
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('ends_on', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .execute();
  await db.schema
    .createIndex('test_licenses_device_version')
    .on('test_licenses')
    .columns(['device_id', 'version'])
    .execute();
}
