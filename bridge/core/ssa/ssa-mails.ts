import { randomUUID } from 'node:crypto';
import { sql } from 'kysely';
import { Language, type Language as Lang } from '../../i18n/languages.js';
import { ssaReminderMail } from '../../i18n/ssa-mail-texts.js';
import type { Tx } from '../../db/store.js';
import type { Core } from '../context.js';
import { SSA_END_SET_EVENTS } from '../history.js';

/**
 * SSA expiry reminders (seed: Projects → SSA, "If project SSA will expire, each company user will
 * receive a reminder mail 7 weeks before and then every week one mail. You can disable these mails with
 * the checkbox 'Send SSA expiry mails'. Note that every user can configure, if he wants to receive
 * mails or not in his account settings.").
 *
 * Schedule: for an SSA end E the reminders are due on E − 7 weeks, E − 6 weeks, …, E − 1 week (seven
 * mails); the reminder of a week is recorded by the first run on or after its due date. Every run marks
 * the weeks it handled in `ssa_mail_weeks` (also when the project's flag is off, so turning it on later
 * sends no back mail). A week of the schedule that has passed without any run (the bridge was down all
 * week) is missed, and the next run still records its reminder (issue 6: "never skips one"), while the
 * SSA has not ended; a late mail says which week it was due and tells the weeks really left. Missed are only weeks after the project
 * got this end date (its `project.ssa_set`/`project.ssa_extended` history event; without one — an end
 * written outside the portal — weeks after the first week a run saw), so a project put under SSA four
 * weeks before its end gets no mails for the weeks before that.
 * Recipients: every unlocked member of the project's company whose account is active and has mails on,
 * in the user's language, when the week is recorded. Extending the SSA starts a new schedule (the end
 * date is part of the key).
 *
 * Idempotency: record, claim, send, mark — every step a committed transaction.
 * 1. record: one `ssa_mail_log` row per (project, user, SSA end, due date) as `pending`; the key is
 *    unique, so any number of runs (or processes) record a reminder once.
 * 2. claim: a run takes pending rows (and `sending` rows whose claim is older than the lease) by a
 *    conditional update in one write transaction, so two runs never send the same row.
 * 3. send over SMTP, then mark `sent`; an SMTP error puts the row back to `pending` (tried again next run).
 * A crash before 3 leaves the row `pending` or `sending`: the next run (after the lease) sends it, late if
 * its week has passed, so no week is skipped. Sending first and recording after would lose nothing either
 * but would mail twice whenever two runs overlap, and recording `sent` before sending would skip a week
 * on every crash in between. What no design can close over SMTP is a crash after the relay accepted a
 * mail and before `sent` is committed: that one mail is sent again after the lease. Every reminder
 * therefore carries a stable Message-ID per (project, user, SSA end, due week) (`reminderMessageId`), the
 * same on every attempt, so a relay or mail store that drops duplicate Message-IDs delivers it once; one
 * that does not shows the same mail twice — a reminder more, never a reminder less.
 */
export const REMINDER_WEEKS = 7;
/** A claim older than this is taken over by another run (longer than nodemailer's socket timeout). */
export const CLAIM_LEASE_MS = 15 * 60_000;

const DAY = 86_400_000;
const addDays = (iso: string, n: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);
const daysBetween = (from: string, to: string) =>
  Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY);

/** The reminders of an SSA end date: due dates 7 … 1 weeks before it. */
export function reminderSchedule(ssaEnd: string): { dueDate: string; weeksLeft: number }[] {
  return Array.from({ length: REMINDER_WEEKS }, (_, i) => REMINDER_WEEKS - i).map((w) => ({
    dueDate: addDays(ssaEnd, -7 * w),
    weeksLeft: w,
  }));
}

/**
 * The Message-ID of a reminder: the same for every attempt at it, different for every other reminder —
 * one per (project, user, SSA end, due week) — so a relay can drop the copy a crash between its
 * acceptance and our `sent` commit makes us send again.
 */
export function reminderMessageId(
  row: { for_project: number; user_id: number; ssa_end: string; due_date: string },
  publicUrl: string,
): string {
  let host = 'mylic.invalid';
  try {
    host = new URL(publicUrl).hostname || host;
  } catch {
    // keep the fallback
  }
  return `<ssa-reminder.${row.for_project}.${row.user_id}.${row.ssa_end}.${row.due_date}@${host}>`;
}

/** The reminder whose week `day` is in, or null (more than 7 weeks before the end, or the SSA is over). */
export function currentReminder(ssaEnd: string, day: string): { dueDate: string; weeksLeft: number } | null {
  const left = daysBetween(day, ssaEnd);
  if (left <= 0) return null;
  const weeksLeft = Math.ceil(left / 7);
  if (weeksLeft > REMINDER_WEEKS) return null;
  return { dueDate: addDays(ssaEnd, -7 * weeksLeft), weeksLeft };
}

export interface SsaMailRun {
  at: string;
  recorded: number;
  sent: number;
  failed: number;
  dropped: number;
}

/** One run at `now`: record what is due, then deliver every pending reminder (this run's and earlier). */
export async function runSsaMails(
  core: Core,
  now: Date = core.clock.now(),
  opts: { leaseMs?: number } = {},
): Promise<SsaMailRun> {
  const recorded = await recordDueMails(core, now);
  return { ...(await deliverPendingMails(core, now, opts)), recorded };
}

/** Unlocked, active members of the company who take mails. */
const recipients = (tx: Tx, companyId: number) =>
  tx
    .selectFrom('memberships')
    .innerJoin('users', 'users.id', 'memberships.user_id')
    .select(['users.id', 'users.email', 'users.name', 'users.language'])
    .where('memberships.company_id', '=', companyId)
    .where('memberships.is_locked', '=', 0)
    .where('users.active', '=', 1)
    .where('users.mail_opt_in', '=', 1);

/**
 * The day the project got the SSA end `end` (the earliest history event that set it; an end never
 * shrinks, so later events with the same end only confirm it again), or null when no event says so.
 */
async function endSetOn(
  tx: Tx,
  project: { id: number; company_id: number },
  end: string,
): Promise<string | null> {
  const events = await tx
    .selectFrom('history')
    .select(['created_at', 'detail'])
    .where('company_id', '=', project.company_id)
    .where('project_id', '=', project.id)
    .where('event', 'in', [...SSA_END_SET_EVENTS])
    .orderBy('id')
    .execute();
  const set = events.find((e) => {
    try {
      return (JSON.parse(e.detail) as { endDate?: unknown }).endDate === end;
    } catch {
      return false;
    }
  });
  return set ? set.created_at.slice(0, 10) : null;
}

/**
 * The reminder weeks of `end` a run at `day` must record: the current week, and every earlier week of the
 * schedule that no run handled (`handled`: due dates) and that lies after the schedule started (`since`:
 * the day the project got the end; null: unknown, then after the first week a run handled).
 */
export function weeksToRecord(
  end: string,
  day: string,
  handled: ReadonlySet<string>,
  since: string | null,
): { dueDate: string; weeksLeft: number; late: boolean }[] {
  const current = currentReminder(end, day);
  if (!current) return [];
  const firstHandled = [...handled].sort()[0] ?? null;
  return reminderSchedule(end)
    .filter((w) => w.dueDate <= current.dueDate)
    .filter((w) => {
      if (w.dueDate === current.dueDate) return true;
      if (handled.has(w.dueDate)) return false;
      // The week runs until the next reminder is due (the last one until the end).
      const weekEnd = w.weeksLeft === 1 ? end : addDays(w.dueDate, 7);
      return since !== null ? weekEnd > since : firstHandled !== null && w.dueDate > firstHandled;
    })
    .map((w) => ({ ...w, late: w.dueDate !== current.dueDate }));
}

/**
 * Step 1: a `pending` row for every reminder due at `now` that is not recorded yet — this week's, and
 * those of weeks no run handled — and the weeks marked as handled. Returns how many rows were recorded.
 */
export async function recordDueMails(core: Core, now: Date): Promise<number> {
  const day = now.toISOString().slice(0, 10);
  const at = now.toISOString();
  return core.store.write(async (tx) => {
    // Every project in its reminder window, mails on or off: a week with the flag off is handled too.
    const projects = await tx
      .selectFrom('projects')
      .select(['id', 'company_id', 'ssa_end', 'send_ssa_mails'])
      .where('ssa_end', '>', day)
      .where('ssa_end', '<=', addDays(day, 7 * REMINDER_WEEKS))
      .where('deleted_at', 'is', null)
      .execute();
    let recorded = 0;
    for (const p of projects) {
      const end = p.ssa_end!;
      const marked = await tx
        .selectFrom('ssa_mail_weeks')
        .select('due_date')
        .where('for_project', '=', p.id)
        .where('ssa_end', '=', end)
        .execute();
      // Weeks recorded before ssa_mail_weeks existed count as handled too.
      const logged = await tx
        .selectFrom('ssa_mail_log')
        .select('due_date')
        .distinct()
        .where('for_project', '=', p.id)
        .where('ssa_end', '=', end)
        .execute();
      const handled = new Set([...marked, ...logged].map((r) => r.due_date));
      const weeks = weeksToRecord(end, day, handled, await endSetOn(tx, p, end));
      if (!weeks.length) continue;
      const users = p.send_ssa_mails === 1 ? await recipients(tx, p.company_id).execute() : [];
      for (const w of weeks) {
        for (const u of users) {
          const r = await tx
            .insertInto('ssa_mail_log')
            .values({
              for_project: p.id,
              user_id: u.id,
              ssa_end: end,
              due_date: w.dueDate,
              weeks_left: w.weeksLeft,
              state: 'pending',
              claim: null,
              claimed_at: null,
              attempts: 0,
              last_error: null,
              language: null,
              created_at: at,
              done_at: null,
            })
            .onConflict((oc) => oc.doNothing())
            .executeTakeFirst();
          recorded += Number(r.numInsertedOrUpdatedRows ?? 0);
        }
        await tx
          .insertInto('ssa_mail_weeks')
          .values({
            for_project: p.id,
            ssa_end: end,
            due_date: w.dueDate,
            weeks_left: w.weeksLeft,
            late: w.late ? 1 : 0,
            handled_at: at,
          })
          .onConflict((oc) => oc.doNothing())
          .execute();
      }
    }
    return recorded;
  });
}

/** Step 2: claim pending rows (and stale claims) for this run. */
export async function claimPendingMails(core: Core, now: Date, opts: { leaseMs?: number } = {}) {
  const claim = randomUUID();
  const at = now.toISOString();
  const stale = new Date(now.getTime() - (opts.leaseMs ?? CLAIM_LEASE_MS)).toISOString();
  return core.store.write(async (tx) => {
    await tx
      .updateTable('ssa_mail_log')
      .set({ state: 'sending', claim, claimed_at: at, attempts: sql`attempts + 1` })
      .where((eb) =>
        eb.or([
          eb('state', '=', 'pending'),
          eb.and([eb('state', '=', 'sending'), eb('claimed_at', '<', stale)]),
        ]),
      )
      .execute();
    const rows = await tx
      .selectFrom('ssa_mail_log')
      .selectAll()
      .where('claim', '=', claim)
      .where('state', '=', 'sending')
      .execute();
    return { claim, rows };
  });
}

type Row = Awaited<ReturnType<typeof claimPendingMails>>['rows'][number];

/**
 * Whether the claimed reminder is still due at `day`, and to whom in which words: the project still has
 * this SSA end and it has not ended, its mails are on, the user still takes them. A reminder whose week
 * has passed (a crash, an SMTP error, a run that came late) is still sent, marked late.
 */
async function stillDue(tx: Tx, row: Row, day: string) {
  const project = await tx
    .selectFrom('projects')
    .innerJoin('companies', 'companies.id', 'projects.company_id')
    .select([
      'projects.id',
      'projects.name',
      'projects.company_id',
      'projects.ssa_end',
      'projects.send_ssa_mails',
      'companies.name as company_name',
    ])
    .where('projects.id', '=', row.for_project)
    .where('projects.deleted_at', 'is', null)
    .executeTakeFirst();
  if (project?.send_ssa_mails !== 1 || project.ssa_end !== row.ssa_end) return null;
  if (row.ssa_end <= day || row.due_date > day) return null;
  const user = await recipients(tx, project.company_id)
    .where('users.id', '=', row.user_id)
    .executeTakeFirst();
  return user ? { project, user } : null;
}

/** Steps 2 and 3: claim, send each claimed reminder that is still due, mark it. */
export async function deliverPendingMails(
  core: Core,
  now: Date,
  opts: { leaseMs?: number } = {},
): Promise<Omit<SsaMailRun, 'recorded'>> {
  const day = now.toISOString().slice(0, 10);
  const { claim, rows } = await claimPendingMails(core, now, opts);
  const result = { at: now.toISOString(), sent: 0, failed: 0, dropped: 0 };
  const mark = (
    row: Row,
    set: { state: 'pending' | 'sent' | 'dropped'; last_error?: string | null; language?: string | null },
  ) =>
    core.store.write((tx) =>
      tx
        .updateTable('ssa_mail_log')
        .set({ ...set, ...(set.state === 'pending' ? {} : { done_at: core.clock.now().toISOString() }) })
        .where('for_project', '=', row.for_project)
        .where('user_id', '=', row.user_id)
        .where('ssa_end', '=', row.ssa_end)
        .where('due_date', '=', row.due_date)
        .where('claim', '=', claim)
        .where('state', '=', 'sending')
        .execute(),
    );
  for (const row of rows) {
    const due = await stillDue(core.store.db, row, day);
    if (!due) {
      await mark(row, { state: 'dropped' });
      result.dropped++;
      continue;
    }
    const language: Lang = Language.safeParse(due.user.language).data ?? 'en';
    const mail = ssaReminderMail(language, {
      name: due.user.name,
      project: due.project.name,
      company: due.project.company_name,
      end: row.ssa_end,
      // What is left on the day it is sent: a late reminder must not promise weeks that are gone, and
      // says which week's reminder it is.
      weeks: currentReminder(row.ssa_end, day)?.weeksLeft ?? row.weeks_left,
      lateFor: currentReminder(row.ssa_end, day)?.dueDate === row.due_date ? undefined : row.due_date,
      link: `${core.mail.publicUrl}/projects/${due.project.id}/ssa`,
    });
    try {
      await core.mail.mailer.send({
        to: due.user.email,
        ...mail,
        messageId: reminderMessageId(row, core.mail.publicUrl),
      });
    } catch (e) {
      await mark(row, { state: 'pending', last_error: String((e as Error)?.message ?? e).slice(0, 500) });
      result.failed++;
      continue;
    }
    await mark(row, { state: 'sent', language, last_error: null });
    result.sent++;
  }
  return result;
}
