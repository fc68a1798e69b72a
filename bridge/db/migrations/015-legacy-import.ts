import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * The old license manager's data (issue 15, item 1; seed: Projects → Import, L76–81, L305–321). There
 * is no old system to ask, so its export (docs/legacy-import.md, protocol/legacy-export.ts) is loaded
 * by `mylic-bridge legacy load FILE` into these tables, and the Import of a project reads them
 * (bridge/core/legacy). Nothing here is the portal's own state until imported: an import writes the
 * live tables (devices, licenses, balances through the ledger) and marks the legacy rows imported.
 *
 * - `legacy_groups`: a group of the old license manager (a user with no group is a group of one).
 *   `company_id` is the company its first import went into: the rest of it goes only there.
 * - `legacy_users`: its users (e-mail lower case), the password hash as exported, `locked_at` once
 *   the group was imported (seed L78: "all users of your group will be locked").
 * - `legacy_balances`: each user's old balance by license type; `imported_at` once moved.
 * - `legacy_devices`: the old license manager's devices (hardware id canonical), `imported_*` once imported.
 * - `legacy_licenses`: each device's licenses, with the old user who created them.
 * - `legacy_logins`: a successful log-in to an old account on the Import page, for 30 minutes, so the
 *   password is not sent again with the import (token stored as its SHA-256). Portable SQL.
 */
export async function up(db: Kysely<unknown>, _dialect: DialectName): Promise<void> {
  await db.schema
    .createTable('legacy_groups')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('loaded_at', 'text', (c) => c.notNull())
    .addColumn('company_id', 'integer')
    .addColumn('imported_at', 'text')
    .execute();
  await db.schema
    .createTable('legacy_users')
    .addColumn('email', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull().references('legacy_groups.id'))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('locked_at', 'text')
    .execute();
  await db.schema.createIndex('legacy_users_group').on('legacy_users').column('group_id').execute();
  await db.schema
    .createTable('legacy_balances')
    .addColumn('user_email', 'text', (c) => c.notNull().references('legacy_users.email'))
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull())
    .addColumn('imported_at', 'text')
    .addColumn('imported_project_id', 'integer')
    .addPrimaryKeyConstraint('legacy_balances_pk', ['user_email', 'license_type'])
    .execute();
  await db.schema
    .createTable('legacy_devices')
    .addColumn('hardware_id', 'text', (c) => c.primaryKey())
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('owner_email', 'text')
    .addColumn('imported_at', 'text')
    .addColumn('imported_company_id', 'integer')
    .addColumn('imported_project_id', 'integer')
    .addColumn('imported_by', 'integer')
    .execute();
  await db.schema
    .createTable('legacy_licenses')
    .addColumn('serial', 'text', (c) => c.primaryKey())
    .addColumn('hardware_id', 'text', (c) => c.notNull().references('legacy_devices.hardware_id'))
    .addColumn('user_email', 'text', (c) => c.notNull())
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull())
    .addColumn('bind_date', 'text', (c) => c.notNull())
    .addColumn('imported_serial', 'text')
    .execute();
  await db.schema.createIndex('legacy_licenses_device').on('legacy_licenses').column('hardware_id').execute();
  await db.schema.createIndex('legacy_licenses_user').on('legacy_licenses').column('user_email').execute();
  await db.schema
    .createTable('legacy_logins')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('group_id', 'text', (c) => c.notNull())
    .addColumn('user_email', 'text', (c) => c.notNull())
    .addColumn('user_id', 'integer', (c) => c.notNull())
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('expires_at', 'text', (c) => c.notNull())
    .execute();
}
