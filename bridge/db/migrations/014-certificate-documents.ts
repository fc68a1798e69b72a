import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * Certificate confirmations (issue 15 item 4; seed L245–248: "If you created a new certificate … you
 * can later download the confirmation file"). One row per certificate requested on the portal: the
 * document as it was issued (the new key inside is encrypted to the device's previous certificate, so
 * it cannot be made again), downloadable again later by the company whose project the device was in. Portable SQL.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();
  await db.schema
    .createTable('certificate_documents')
    .addColumn('id', idType, id)
    .addColumn('document_id', 'text', (c) => c.notNull().unique())
    .addColumn('device_id', 'integer', (c) => c.notNull().references('devices.id'))
    // The project the device was placed in for the requesting user: the confirmation is shown to that
    // project's company (as invalidations are), and follows the project through a company join.
    .addColumn('project_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('issued_at', 'text', (c) => c.notNull())
    .addColumn('certificate', 'text', (c) => c.notNull())
    .addColumn('xml', 'text', (c) => c.notNull())
    .execute();
  await db.schema
    .createIndex('certificate_documents_device')
    .on('certificate_documents')
    .columns(['device_id', 'issued_at'])
    .execute();
}
