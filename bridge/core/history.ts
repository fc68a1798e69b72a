import type { Tx } from '../db/store.js';
import { insertHistory } from '../db/device-path-queries.js';

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

// Compiled once (access.ts, precompiled): every state change writes one of these.

export async function recordHistory(tx: Tx, at: string, e: HistoryEvent): Promise<void> {
  await insertHistory(tx, {
    created_at: at,
    event: e.event,
    company_id: e.companyId ?? null,
    project_id: e.projectId ?? null,
    user_id: e.userId ?? null,
    device_id: e.deviceId ?? null,
    detail: JSON.stringify(e.detail ?? {}),
  });
}
