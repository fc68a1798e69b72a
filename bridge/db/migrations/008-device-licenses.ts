import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * Licenses on devices (seed: Devices → Licenses, Free licenses, Misc → No downgrade; issue 5).
 *
 * - `devices.legacy_download_at`: first time a V5–V7 (unencrypted) license file was issued for the
 *   device; `devices.no_downgrade_at`: when licenses were returned from a device that had V5–V7 licenses
 *   or files, after which no V5–V7 file is issued for it any more (seed: Misc, "No downgrade").
 * - `credit_purchases`: licenses bought on credit (seed: Add licenses from balance, "buy licenses on
 *   credit … an order number"): what, for which device, by whom, with the order number, so the vendor
 *   can invoice. The units themselves enter the ledger as a credit (reason `license.on-credit`, ref
 *   `on-credit:<order number>`) and leave it again as the binding's debit.
 * Portable SQL: the only dialect difference is how an auto-increment key is spelled.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();

  await db.schema.alterTable('devices').addColumn('legacy_download_at', 'text').execute();
  await db.schema.alterTable('devices').addColumn('no_downgrade_at', 'text').execute();

  await db.schema
    .createTable('credit_purchases')
    .addColumn('id', idType, id)
    .addColumn('project_id', 'integer', (c) => c.notNull().references('projects.id'))
    .addColumn('device_id', 'integer', (c) => c.notNull().references('devices.id'))
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id'))
    .addColumn('license_type', 'text', (c) => c.notNull())
    .addColumn('units', 'integer', (c) => c.notNull())
    .addColumn('order_number', 'text', (c) => c.notNull().defaultTo(''))
    .addColumn('serial', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('credit_purchases_project')
    .on('credit_purchases')
    .columns(['project_id', 'created_at'])
    .execute();
}
