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
  page: number;
  pageSize: number;
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
