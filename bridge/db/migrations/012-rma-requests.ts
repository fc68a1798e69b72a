import type { ColumnDefinitionBuilder, Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/**
 * RMA requests per company (issue 11, "Licenses belong to the company that paid for them"). A device can
 * be placed in several companies (seed: Warnings, "Several Companies"); before this migration a request
 * by any of them set the RMA state of the physical device alone, so a second company could put the first
 * one's device in RMA without a trace in its history and nobody could take it back.
 *
 * `rma_requests`: one row per request, naming the company and user who made it. A request is active
 * while `ended_at` is null; it ends when withdrawn by its company, when that company removes the device,
 * or when the vendor reships the device (`end_reason`). `devices.rma_state` stays the vendor's view of
 * the physical device: 'requested' while any request is active, 'arrived' and 'reshipped' as the
 * operator sets them (bridge/core/rma.ts keeps the two in step). Existing requests are carried over, with
 * the company of the requesting user's placement where one can be told. Portable SQL.
 */
export async function up(db: Kysely<unknown>, dialect: DialectName): Promise<void> {
  const idType = dialect === 'postgres' ? 'serial' : 'integer';
  const id = (c: ColumnDefinitionBuilder) =>
    dialect === 'postgres' ? c.primaryKey() : c.primaryKey().autoIncrement();
  await db.schema
    .createTable('rma_requests')
    .addColumn('id', idType, id)
    .addColumn('device_id', 'integer', (c) => c.notNull().references('devices.id'))
    // No foreign key on the company: a company join repoints every `company_id` column, and a company
    // that is gone must not take the record of its request with it.
    .addColumn('company_id', 'integer', (c) => c.notNull())
    .addColumn('user_id', 'integer')
    .addColumn('reason', 'text', (c) => c.notNull())
    .addColumn('requested_at', 'text', (c) => c.notNull())
    .addColumn('ended_at', 'text')
    .addColumn('ended_by', 'integer')
    /** 'withdrawn' | 'device-removed' | 'reshipped' */
    .addColumn('end_reason', 'text')
    .execute();
  await db.schema
    .createIndex('rma_requests_device')
    .on('rma_requests')
    .columns(['device_id', 'ended_at'])
    .execute();
  await db.schema
    .createIndex('rma_requests_company')
    .on('rma_requests')
    .columns(['company_id', 'ended_at'])
    .execute();

  // Carry the requests that are active today over: the requesting user's company among the device's
  // placements (the first one placed if the user is in none, or the request had no user).
  // biome-ignore lint/suspicious/noExplicitAny: a migration reads rows of the schema as it stands at this step
  const d = db as Kysely<any>;
  const open = await d
    .selectFrom('devices')
    .select(['id', 'rma_reason', 'rma_requested_at', 'rma_requested_by'])
    .where('rma_state', '=', 'requested')
    .execute();
  for (const r of open) {
    const placements = await d
      .selectFrom('device_projects')
      .select('company_id')
      .where('device_id', '=', r.id)
      .orderBy('added_at')
      .execute();
    if (!placements.length) continue;
    const mine =
      r.rma_requested_by === null
        ? undefined
        : await d
            .selectFrom('memberships')
            .select('company_id')
            .where('user_id', '=', r.rma_requested_by)
            .where(
              'company_id',
              'in',
              placements.map((p: { company_id: number }) => p.company_id),
            )
            .executeTakeFirst();
    await d
      .insertInto('rma_requests')
      .values({
        device_id: r.id,
        company_id: mine?.company_id ?? placements[0]!.company_id,
        user_id: r.rma_requested_by,
        reason: r.rma_reason ?? '',
        requested_at: r.rma_requested_at ?? new Date(0).toISOString(),
      })
      .execute();
  }
}
