import { sql, type Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * Devices (seed: Devices, RMA, Search; issue 5).
 *
 * - `devices` gains the RMA state of the physical device (`rma_state`: null, 'requested', 'arrived',
 *   'reshipped') with its dates and reason, and `shipped_on`, the date the vendor shipped it (set when
 *   an order registers it; the warranty starts there, else on the day it was first added).
 * - `device_orders` / `device_order_lines`: the vendor's orders and the devices shipped with them,
 *   registered by the operator (`mylic-bridge ops order add`). An order belongs to the customer company;
 *   its lines name devices by hardware id (no foreign key: they are shipping records, the device record
 *   may be missing, which the add-by-order path reports as DEVICE_NOT_FOUND per row).
 * - `device_search`: one row per placement (device in a company) with the searchable text (name,
 *   comment, hardware id, lower case), for substring search at a million devices. On SQLite an FTS5
 *   table with the trigram tokenizer: `terms LIKE '%abc%'` is answered from the trigram index (3+
 *   characters, the seed's minimum). On PostgreSQL a plain table with a pg_trgm GIN index, which answers
 *   the same LIKE. The core only ever writes it with INSERT/DELETE by `rowid` and reads it with LIKE,
 *   so its code is the same for both; this migration is the only dialect-specific part.
 *   `rowid` = device_id * 2^31 + company_id, so a placement's row is found by key, never by a scan. The
 *   company is deliberately not a column: company join and project delete treat every `company_id`
 *   column generically, and a hit is joined to its placements by device and checked against them anyway.
 * - indexes for the device list (placements by company and by project in device order) and for the
 *   license-type search (bound licenses by type and device).
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  for (const [column, type] of [
    ['rma_state', 'text'],
    ['rma_reason', 'text'],
    ['rma_requested_at', 'text'],
    ['rma_requested_by', 'integer'],
    ['rma_arrived_at', 'text'],
    ['rma_reshipped_at', 'text'],
    ['shipped_on', 'text'],
  ] as const) {
    await db.schema.alterTable('devices').addColumn(column, type).execute();
  }

  await db.schema
    .createTable('device_orders')
    .addColumn('order_number', 'text', (c) => c.primaryKey())
    .addColumn('company_id', 'integer', (c) => c.notNull().references('companies.id'))
    .addColumn('ordered_on', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('device_orders_company').on('device_orders').column('company_id').execute();

  await db.schema
    .createTable('device_order_lines')
    .addColumn('order_number', 'text', (c) => c.notNull().references('device_orders.order_number'))
    .addColumn('hardware_id', 'text', (c) => c.notNull())
    .addColumn('device_type', 'text', (c) => c.notNull())
    .addColumn('created_at', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('device_order_lines_pk', ['order_number', 'hardware_id'])
    .execute();
  await db.schema
    .createIndex('device_order_lines_hardware')
    .on('device_order_lines')
    .column('hardware_id')
    .execute();

  if (dialect === 'sqlite') {
    await sql`create virtual table device_search using fts5(terms, device_id unindexed, tokenize = 'trigram')`.execute(
      db,
    );
  } else {
    await db.schema
      .createTable('device_search')
      .addColumn('rowid', 'bigint', (c) => c.primaryKey())
      .addColumn('terms', 'text', (c) => c.notNull())
      .addColumn('device_id', 'integer', (c) => c.notNull())
      .execute();
    await sql`create extension if not exists pg_trgm`.execute(db);
    await sql`create index device_search_terms on device_search using gin (terms gin_trgm_ops)`.execute(db);
  }

  await db.schema
    .createIndex('device_projects_company_device')
    .on('device_projects')
    .columns(['company_id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('device_projects_project_device')
    .on('device_projects')
    .columns(['project_id', 'device_id'])
    .execute();
  await db.schema
    .createIndex('licenses_type_device')
    .on('licenses')
    .columns(['license_type', 'state', 'device_id', 'units'])
    .execute();
}
