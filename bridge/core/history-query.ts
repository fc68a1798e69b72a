import { MylicError } from '../../protocol/errors.js';
import { parseHardwareId } from '../../protocol/hardware-id.js';
import { selectedCompany } from './access.js';
import type { Actor, Core } from './context.js';

/**
 * History (seed: History): events of the selected company in the context of the company, one user or
 * one device; for the selected project, or all projects when none is selected; over the last day,
 * week, month, year or always; newest first, paged.
 */
export interface HistoryQueryInput {
  context: 'company' | 'user' | 'device';
  userId?: number;
  hardwareId?: string;
  period: 'day' | 'week' | 'month' | 'year' | 'always';
  /** Optional dates (YYYY-MM-DD, UTC, both days included) that narrow the period further (portal page). */
  from?: string;
  to?: string;
  page: number;
  pageSize: number;
}

/** A calendar day as written in the query, or VALIDATION_FAILED. */
function isoDay(day: string): string {
  const d = /^\d{4}-\d{2}-\d{2}$/.test(day) ? new Date(`${day}T00:00:00.000Z`) : null;
  if (!d || Number.isNaN(d.getTime()) || d.toISOString().slice(0, 10) !== day)
    throw new MylicError('VALIDATION_FAILED', 'A date is written like 2026-12-31.');
  return day;
}

const PERIOD_DAYS = { day: 1, week: 7, month: 31, year: 366 } as const;

export async function queryHistory(core: Core, actor: Actor, q: HistoryQueryInput) {
  const db = core.store.db;
  const { companyId } = await selectedCompany(db, actor);
  let query = db.selectFrom('history').selectAll().where('company_id', '=', companyId);
  if (actor.projectId) query = query.where('project_id', '=', actor.projectId);
  if (q.context === 'user') {
    if (!q.userId) throw new MylicError('VALIDATION_FAILED', 'The user context needs userId.');
    // Removed users stay in the history (seed: Users), so any user who acted in the company counts.
    const known = await db
      .selectFrom('history')
      .select('id')
      .where('company_id', '=', companyId)
      .where('user_id', '=', q.userId)
      .executeTakeFirst();
    const member = await db
      .selectFrom('memberships')
      .select('user_id')
      .where('company_id', '=', companyId)
      .where('user_id', '=', q.userId)
      .executeTakeFirst();
    if (!known && !member) throw new MylicError('USER_NOT_FOUND');
    query = query.where('user_id', '=', q.userId);
  }
  if (q.context === 'device') {
    if (!q.hardwareId) throw new MylicError('VALIDATION_FAILED', 'The device context needs hardwareId.');
    const device = await db
      .selectFrom('devices')
      .select('id')
      .where('hardware_id', '=', parseHardwareId(q.hardwareId).hardwareId)
      .executeTakeFirst();
    const seen =
      device &&
      (await db
        .selectFrom('history')
        .select('id')
        .where('company_id', '=', companyId)
        .where('device_id', '=', device.id)
        .executeTakeFirst());
    if (!device || !seen) throw new MylicError('DEVICE_NOT_FOUND');
    query = query.where('device_id', '=', device.id);
  }
  if (q.period !== 'always') {
    const since = new Date(core.clock.now().getTime() - PERIOD_DAYS[q.period] * 86_400_000).toISOString();
    query = query.where('created_at', '>=', since);
  }
  if (q.from !== undefined) query = query.where('created_at', '>=', `${isoDay(q.from)}T00:00:00.000Z`);
  if (q.to !== undefined) {
    const next = new Date(`${isoDay(q.to)}T00:00:00.000Z`);
    next.setUTCDate(next.getUTCDate() + 1);
    query = query.where('created_at', '<', next.toISOString());
  }
  const rows = await query
    .orderBy('id', 'desc')
    .limit(q.pageSize + 1)
    .offset((q.page - 1) * q.pageSize)
    .execute();
  return {
    companyId,
    projectId: actor.projectId ?? null,
    page: q.page,
    pageSize: q.pageSize,
    hasMore: rows.length > q.pageSize,
    events: rows.slice(0, q.pageSize).map((r) => ({
      id: r.id,
      at: r.created_at,
      event: r.event,
      userId: r.user_id,
      projectId: r.project_id,
      deviceId: r.device_id,
      detail: JSON.parse(r.detail) as Record<string, unknown>,
    })),
  };
}
