import { formatHardwareId } from '../../protocol/hardware-id.js';
import type { Actor, Core } from './context.js';
import { type HistoryQueryInput, queryHistory } from './history-query.js';

/**
 * The history as the portal page shows it (seed: History): one page of queryHistory (the same walls as
 * GET /api/v1/history), plus the names its events point at — who acted, in which project, on which
 * device, and the companies a rights event names — so every row can be written as a sentence. Names are
 * looked up only for ids in the company's own events (queryHistory has already checked the context), so
 * nothing of another company is read that its own history did not already name.
 */
export interface HistoryNames {
  users: Record<number, { name: string; email: string }>;
  projects: Record<number, string>;
  /** Device id → hardware id as shown (00-90-33-01-23-45). */
  devices: Record<number, string>;
  companies: Record<number, string>;
}

export async function historyView(core: Core, actor: Actor, q: HistoryQueryInput) {
  const page = await queryHistory(core, actor, q);
  const db = core.store.db;
  const ids = (pick: (e: (typeof page.events)[number]) => unknown) => [
    ...new Set(page.events.map(pick).filter((v): v is number => typeof v === 'number' && v > 0)),
  ];
  const userIds = ids((e) => e.userId);
  if (q.context === 'user' && q.userId) userIds.push(q.userId);
  const projectIds = ids((e) => e.projectId);
  const deviceIds = ids((e) => e.deviceId);
  const companyIds = ids((e) =>
    e.event === 'project.right_granted' || e.event === 'project.right_revoked' ? e.detail.company : null,
  );
  const names: HistoryNames = { users: {}, projects: {}, devices: {}, companies: {} };
  if (userIds.length)
    for (const u of await db
      .selectFrom('users')
      .select(['id', 'name', 'email'])
      .where('id', 'in', userIds)
      .execute())
      names.users[u.id] = { name: u.name, email: u.email };
  if (projectIds.length)
    for (const p of await db
      .selectFrom('projects')
      .select(['id', 'name'])
      .where('id', 'in', projectIds)
      .execute())
      names.projects[p.id] = p.name;
  if (deviceIds.length)
    for (const d of await db
      .selectFrom('devices')
      .select(['id', 'hardware_id'])
      .where('id', 'in', deviceIds)
      .execute())
      names.devices[d.id] = formatHardwareId(d.hardware_id);
  if (companyIds.length)
    for (const c of await db
      .selectFrom('companies')
      .select(['id', 'name'])
      .where('id', 'in', companyIds)
      .execute())
      names.companies[c.id] = c.name;
  return { ...page, names };
}
