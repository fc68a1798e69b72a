import type { Tx } from '../db/store.js';
import { insertHistory } from '../db/device-path-queries.js';

/**
 * Every history event name the core writes: one closed list, so a write names a member (tsc checks it)
 * and the history filters derive from it. Names are stored as they are: never rename one, existing
 * databases hold them. A new event is added here, in its area's group.
 */
export const HISTORY_EVENTS = [
  // accounts: registration, log-in, profile, password reset, API tokens
  'user.registered',
  'user.registration_attempted',
  'user.activated',
  'user.activation_resent',
  'user.created',
  'user.logged_in',
  'user.logged_out',
  'user.updated',
  'user.email_change_requested',
  'user.email_changed',
  'user.email_change_failed',
  'user.password_reset_requested',
  'user.password_reset',
  'user.api_token_created',
  'user.api_token_revoked',
  // operator rights of a user (kernel: rights.ts)
  'user.right_granted',
  'user.right_revoked',
  // organisation: companies, memberships, joins, projects, project rights, vendor accounts
  'company.created',
  'company.updated',
  'company.joined',
  'company.user_added',
  'company.user_changed',
  'company.user_removed',
  'user.company_selected',
  'project.created',
  'project.updated',
  'project.deleted',
  'project.joined',
  'user.project_selected',
  'project.right_granted',
  'project.right_revoked',
  'vendor_account.created',
  'vendor_account.updated',
  // balance: the operator's credit
  'balance.credited',
  // keys: vendor keys and own keys
  'key.issued',
  'key.redeemed',
  'key.created',
  'key.updated',
  'key.deleted',
  // devices: orders, devices, moves, certificates, device log-in, RMA
  'order.registered',
  'device.added',
  'device.updated',
  'device.removed',
  'device.moved',
  'device.certificate_issued',
  'device.logged_in',
  'device.rma_requested',
  'device.rma_withdrawn',
  'device.rma_arrived',
  'device.rma_reshipped',
  // licenses: new, bound, downloaded, test, free, moved, floating, invalidated, warranty
  'licenses.added',
  'license.bound',
  'license.downloaded',
  'license.test_issued',
  'licenses.assigned',
  'licenses.converted',
  'licenses.moved',
  'license.floating_added',
  'license.floating_deleted',
  'license.invalidated',
  'warranty.extended',
  // ssa: a summary applied on its own, a project's SSA end, its reminder mails
  'ssa.applied',
  'project.ssa_set',
  'project.ssa_extended',
  'project.ssa_mails_changed',
  // myplay, the sandbox portal (play/): its copy of the live database, self-service balance, free editing
  'play.copied',
  'play.balance_added',
  'play.licenses_edited',
] as const;
export type HistoryEventName = (typeof HISTORY_EVENTS)[number];

/** The events that give a project its SSA end (read by the SSA reminder mails, ssa/ssa-mails.ts). */
export const SSA_END_SET_EVENTS = [
  'project.ssa_set',
  'project.ssa_extended',
] as const satisfies readonly HistoryEventName[];

/**
 * The history (seed: History): every state change of the core writes one event in the same
 * transaction. Event names are dotted (`license.bound`), one of HISTORY_EVENTS; the detail is a small
 * JSON object.
 */
export interface HistoryEvent {
  event: HistoryEventName;
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
