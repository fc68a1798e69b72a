import type { Tx } from '../db/store.js';

/**
 * The history (seed: History): every state change of the core writes one event in the same
 * transaction. Event names are dotted (`license.bound`), the detail is a small JSON object.
 */
export interface HistoryEvent {
  event: string;
  companyId?: number | null;
  projectId?: number | null;
  userId?: number | null;
  deviceId?: number | null;
  detail?: Record<string, unknown>;
}

export async function recordHistory(tx: Tx, at: string, e: HistoryEvent): Promise<void> {
  await tx
    .insertInto('history')
    .values({
      created_at: at,
      event: e.event,
      company_id: e.companyId ?? null,
      project_id: e.projectId ?? null,
      user_id: e.userId ?? null,
      device_id: e.deviceId ?? null,
      detail: JSON.stringify(e.detail ?? {}),
    })
    .execute();
}
