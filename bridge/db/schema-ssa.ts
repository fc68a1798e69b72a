/**
 * Tables of the SSA area (migrations 009, 011). The project's "Send SSA expiry mails" flag is a column of
 * `projects` (schema.ts).
 */
export interface SsaTables {
  ssa_mail_log: SsaMailLogTable;
  ssa_mail_weeks: SsaMailWeeksTable;
}

/**
 * A reminder week of a project's SSA end that a mail run handled (recorded its mails, or found the
 * project's mail flag off). A past week without a row had no run: its reminder is sent late.
 */
export interface SsaMailWeeksTable {
  for_project: number;
  ssa_end: string;
  due_date: string;
  weeks_left: number;
  /** 1: handled after its week had passed. */
  late: number;
  handled_at: string;
}

/**
 * One expiry reminder: for a project (`for_project`, see the migration for why it is not `project_id`),
 * a user, the SSA end date it is about and the due date of its week. Key: all four.
 * - `pending`: recorded, not sent (yet, or the last attempt failed);
 * - `sending`: claimed by one run (`claim`, `claimed_at`); a claim older than the lease is taken over;
 * - `sent`: the SMTP relay accepted it;
 * - `dropped`: no longer due when its turn came (SSA extended, flag or mails turned off, week over).
 */
export type SsaMailState = 'pending' | 'sending' | 'sent' | 'dropped';

export interface SsaMailLogTable {
  for_project: number;
  user_id: number;
  ssa_end: string;
  due_date: string;
  weeks_left: number;
  state: SsaMailState;
  claim: string | null;
  claimed_at: string | null;
  attempts: number;
  last_error: string | null;
  /** The language the mail was written in (set when sent). */
  language: string | null;
  created_at: string;
  done_at: string | null;
}
