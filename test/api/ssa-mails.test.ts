import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { createCompany } from '../../bridge/core/companies.js';
import type { CoreMail } from '../../bridge/core/context.js';
import { claimPendingMails, currentReminder, recordDueMails, reminderSchedule, runSsaMails } from '../../bridge/core/ssa-mails.js';
import { startSsaScheduler } from '../../bridge/core/ssa-scheduler.js';
import { smtpMailer } from '../../bridge/mail/mailer.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { tempDir } from '../support/tmp.js';
import { call, ok } from './keys-fixtures.js';
import { loginPortal, makeUser, type FixtureUser } from '../bridge/fixtures.js';

/**
 * SSA expiry mails (seed: Projects → SSA): every user of the company, 7 weeks before the project's SSA
 * ends and then every week, in the user's language, over real SMTP to a local sink; none when the
 * project's "Send SSA expiry mails" is off or the user turned mails off. Runs are driven with explicit
 * times; a crash is a core closed between the steps and a new core opened on the same database.
 */
const END = '2026-06-30';
const DUE = ['2026-05-12', '2026-05-19', '2026-05-26', '2026-06-02', '2026-06-09', '2026-06-16', '2026-06-23'];
const DAY = 86_400_000;
const time = (iso: string, hour = 8) => new Date(`${iso}T${String(hour).padStart(2, '0')}:00:00Z`);
const addDays = (iso: string, n: number) => new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

let tmp: Awaited<ReturnType<typeof tempDir>>;
let pki: Pki;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let mail: CoreMail;
let dirs = 0;
let seq = 0;

beforeAll(async () => {
  tmp = await tempDir('mylic-ssa-mails-');
  pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
  smtp = await startSmtpSink();
  mail = { mailer: smtpMailer(smtp.url, 'portal@example.com'), publicUrl: 'https://portal.example.test' };
});
afterAll(async () => {
  await smtp?.close();
  await tmp?.cleanup();
});

const newDir = () => `${tmp.dir}/core-${++dirs}`;

/** The Subject header unfolded, its RFC 2047 encoded words decoded (nodemailer encodes quotes). */
function subjectOf(raw: string): string {
  const head = (raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' ');
  const value = /^Subject: (.*)$/im.exec(head)?.[1] ?? '';
  return value.replace(/=\?UTF-8\?([QB])\?([^?]*)\?=(?:\s+(?==\?))?/gi, (_m, enc: string, text: string) =>
    enc.toUpperCase() === 'B'
      ? Buffer.from(text, 'base64').toString('utf8')
      : Buffer.from(text.replace(/_/g, ' ').replace(/=([0-9A-F]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))), 'latin1').toString('utf8'),
  );
}
const mailsTo = (email: string) => smtp.mails.filter((m) => m.to.includes(email)).map((m) => ({ ...m, subject: subjectOf(m.raw) }));

interface Setup {
  companyId: number;
  projectId: number;
  users: Record<string, FixtureUser>;
}

/** A company whose DEFAULT project's SSA ends on END, with users in each language and three who get no mail. */
async function setup(tc: TestCore, opts: { extraProject?: boolean } = {}): Promise<Setup> {
  const n = ++seq;
  const users: Record<string, FixtureUser> = {};
  for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo', 'quiet', 'locked', 'inactive']) {
    users[name] = await makeUser(tc, `${name}-${n}@example.test`, { active: name !== 'inactive' });
  }
  const { companyId, defaultProjectId } = await createCompany(tc.core, users.anna!.id, `Mail company ${n}`);
  const db = tc.core.store.db;
  for (const [name, language] of [['bert', 'de'], ['chiara', 'it'], ['nora', 'nl'], ['flo', 'fr']] as const) {
    await db.updateTable('users').set({ language }).where('id', '=', users[name]!.id).execute();
  }
  await db.updateTable('users').set({ mail_opt_in: 0 }).where('id', '=', users.quiet!.id).execute();
  for (const name of ['bert', 'chiara', 'nora', 'flo', 'quiet', 'locked', 'inactive']) {
    await db.insertInto('memberships').values({ user_id: users[name]!.id, company_id: companyId, is_admin: 0, is_locked: name === 'locked' ? 1 : 0, created_at: new Date().toISOString() }).execute();
  }
  await db.updateTable('projects').set({ ssa_end: END }).where('id', '=', defaultProjectId).execute();
  if (opts.extraProject) {
    await db.insertInto('projects').values({ company_id: companyId, name: 'NO MAILS', description: '', ssa_end: END, created_at: new Date().toISOString(), send_ssa_mails: 0 }).execute();
  }
  return { companyId, projectId: defaultProjectId, users };
}

const logRows = (tc: TestCore, projectId: number) => tc.core.store.db.selectFrom('ssa_mail_log').selectAll().where('for_project', '=', projectId).execute();

describe('the schedule', () => {
  it('is seven reminders, 7 weeks to 1 week before the end; each week runs until the next is due', () => {
    expect(reminderSchedule(END)).toEqual(DUE.map((dueDate, i) => ({ dueDate, weeksLeft: 7 - i })));
    expect(currentReminder(END, '2026-05-11')).toBeNull();
    expect(currentReminder(END, '2026-05-12')).toEqual({ dueDate: '2026-05-12', weeksLeft: 7 });
    expect(currentReminder(END, '2026-05-18')).toEqual({ dueDate: '2026-05-12', weeksLeft: 7 });
    expect(currentReminder(END, '2026-06-29')).toEqual({ dueDate: '2026-06-23', weeksLeft: 1 });
    expect(currentReminder(END, END)).toBeNull();
  });
});

describe('SSA expiry mails over SMTP', () => {
  let tc: TestCore;
  let s: Setup;
  beforeAll(async () => {
    tc = await makeTestCore(newDir(), pki, mail);
    tc.clock.set(time('2026-04-20'));
    s = await setup(tc, { extraProject: true });
  });
  afterAll(async () => tc?.close());

  it('arrive in the right weeks, once each, in each user\'s language; none to users without mails, none for a project with the flag off', async () => {
    const anna = s.users.anna!.email;
    const days: string[] = [];
    for (let day = '2026-04-20'; day <= '2026-07-10'; day = addDays(day, 1)) {
      // Two runs a day (the scheduler runs hourly): the second never sends again.
      for (const hour of [8, 20]) {
        const before = mailsTo(anna).length;
        await runSsaMails(tc.core, time(day, hour));
        if (mailsTo(anna).length > before) days.push(`${day}T${hour}`);
      }
      // Halfway, Bert turns mails off in his account settings.
      if (day === '2026-05-26') {
        tc.clock.set(time(day, 21));
        const token = await loginPortal(tc.app, s.users.bert!);
        await ok(call(tc.app, 'PATCH', '/account', token, { currentPassword: s.users.bert!.password, mailOptIn: false }));
      }
    }
    expect(days).toEqual(DUE.map((d) => `${d}T8`));
    const annas = mailsTo(anna);
    expect(annas.map((m) => m.subject)).toEqual(DUE.map(() => 'SSA of project "DEFAULT" ends on 30 June 2026'));
    expect(annas.map((m) => /in (\d) weeks?\./.exec(m.body)?.[1])).toEqual(['7', '6', '5', '4', '3', '2', '1']);
    expect(annas[0]!.body).toContain(`https://portal.example.test/projects/${s.projectId}/ssa`);
    expect(annas[0]!.from).toBe('portal@example.com');

    expect(mailsTo(s.users.bert!.email).map((m) => m.subject)).toEqual(DUE.slice(0, 3).map(() => 'SSA des Projekts "DEFAULT" endet am 30. Juni 2026'));
    expect(mailsTo(s.users.chiara!.email).map((m) => m.subject)).toEqual(DUE.map(() => 'L\'SSA del progetto "DEFAULT" scade il 30 giugno 2026'));
    expect(mailsTo(s.users.nora!.email).map((m) => m.subject)).toEqual(DUE.map(() => 'SSA van project "DEFAULT" loopt af op 30 juni 2026'));
    expect(mailsTo(s.users.flo!.email).map((m) => m.subject)).toEqual(DUE.map(() => 'Le SSA du projet "DEFAULT" se termine le 30 juin 2026'));
    for (const name of ['quiet', 'locked', 'inactive']) expect(mailsTo(s.users[name]!.email), name).toEqual([]);
    // The project with the flag off sent nothing: every mail names DEFAULT.
    expect(smtp.mails.filter((m) => m.to.some((t) => t.endsWith(`-${seq}@example.test`))).every((m) => subjectOf(m.raw).includes('"DEFAULT"'))).toBe(true);
    const log = await logRows(tc, s.projectId);
    expect(log.every((r) => r.state === 'sent')).toBe(true);
    expect(log).toHaveLength(4 * 7 + 3);
  });

  it('stop when the project\'s flag is turned off, and the log keeps what was sent', async () => {
    const t = await setup(tc);
    const token = await loginPortal(tc.app, t.users.anna!);
    await runSsaMails(tc.core, time(DUE[0]!));
    expect(mailsTo(t.users.anna!.email)).toHaveLength(1);
    await ok(call(tc.app, 'PATCH', `/projects/${t.projectId}/ssa`, token, { sendMails: false }));
    for (const d of DUE.slice(1)) await runSsaMails(tc.core, time(d));
    expect(mailsTo(t.users.anna!.email)).toHaveLength(1);
  });

  it('never keep a project from being deleted or joined', async () => {
    const t = await setup(tc);
    const db = tc.core.store.db;
    const extra = async (name: string) =>
      (await db.insertInto('projects').values({ company_id: t.companyId, name, description: '', ssa_end: END, created_at: new Date().toISOString() }).returning('id').executeTakeFirstOrThrow()).id;
    const gone = await extra('GONE');
    const joined = await extra('JOINED');
    await runSsaMails(tc.core, time(DUE[0]!));
    expect((await logRows(tc, gone)).length).toBe(5);
    expect((await logRows(tc, joined)).length).toBe(5);
    tc.clock.set(time(DUE[0]!, 9));
    const token = await loginPortal(tc.app, t.users.anna!);
    expect((await call(tc.app, 'DELETE', `/projects/${gone}`, token)).status).toBe(204);
    await ok(call(tc.app, 'POST', `/projects/${joined}/join`, token, { intoProjectId: t.projectId }));
    // The joined project's users already had this week's mail for DEFAULT: nothing more this week.
    const before = smtp.mails.length;
    expect(await runSsaMails(tc.core, time(DUE[0]!, 10))).toMatchObject({ recorded: 0, sent: 0 });
    expect(smtp.mails.length).toBe(before);
  });
});

describe('a run is idempotent across crashes and restarts', () => {
  it('a crash between recording and sending: the restarted bridge sends each mail once', async () => {
    const dir = newDir();
    const first = await makeTestCore(dir, pki, mail);
    const s = await setup(first);
    expect(await recordDueMails(first.core, time(DUE[2]!))).toBe(5);
    await first.close(); // the crash: recorded, nothing sent
    expect(mailsTo(s.users.anna!.email)).toHaveLength(0);
    const second = await makeTestCore(dir, pki, mail);
    try {
      expect(await runSsaMails(second.core, time(DUE[2]!, 9))).toMatchObject({ recorded: 0, sent: 5, failed: 0, dropped: 0 });
      expect(await runSsaMails(second.core, time(DUE[2]!, 10))).toMatchObject({ recorded: 0, sent: 0 });
      for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo']) expect(mailsTo(s.users[name]!.email), name).toHaveLength(1);
      expect(mailsTo(s.users.anna!.email)[0]!.body).toMatch(/in 5 weeks\./);
    } finally {
      await second.close();
    }
  });

  it('a crash after claiming: another run takes the claim over after the lease, and sends once', async () => {
    const dir = newDir();
    const first = await makeTestCore(dir, pki, mail);
    const s = await setup(first);
    await recordDueMails(first.core, time(DUE[0]!));
    expect((await claimPendingMails(first.core, time(DUE[0]!))).rows).toHaveLength(5);
    await first.close(); // the crash: claimed, not sent
    const second = await makeTestCore(dir, pki, mail);
    try {
      // Within the lease the claim may still be sending: left alone.
      expect(await runSsaMails(second.core, new Date(time(DUE[0]!).getTime() + 5 * 60_000))).toMatchObject({ sent: 0 });
      expect(await runSsaMails(second.core, new Date(time(DUE[0]!).getTime() + 16 * 60_000))).toMatchObject({ sent: 5 });
      expect(await runSsaMails(second.core, new Date(time(DUE[0]!).getTime() + 60 * 60_000))).toMatchObject({ sent: 0 });
      for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo']) expect(mailsTo(s.users[name]!.email), name).toHaveLength(1);
      const log = await logRows(second, s.projectId);
      expect(log.map((r) => [r.state, r.attempts])).toEqual(log.map(() => ['sent', 2]));
    } finally {
      await second.close();
    }
  });

  it('an SMTP failure leaves the mail pending; the next run sends it', async () => {
    let failures = 2;
    const flaky: CoreMail = {
      publicUrl: mail.publicUrl,
      mailer: {
        async send(m) {
          if (failures-- > 0) throw new Error('421 try again later');
          await mail.mailer.send(m);
        },
      },
    };
    const tc = await makeTestCore(newDir(), pki, flaky);
    try {
      const s = await setup(tc);
      expect(await runSsaMails(tc.core, time(DUE[3]!))).toMatchObject({ recorded: 5, sent: 3, failed: 2 });
      const pending = (await logRows(tc, s.projectId)).filter((r) => r.state === 'pending');
      expect(pending).toHaveLength(2);
      expect(pending[0]!.last_error).toContain('421');
      expect(await runSsaMails(tc.core, time(DUE[3]!, 9))).toMatchObject({ recorded: 0, sent: 2, failed: 0 });
      for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo']) expect(mailsTo(s.users[name]!.email), name).toHaveLength(1);
    } finally {
      await tc.close();
    }
  });

  it('two runs at the same time send each mail once', async () => {
    const tc = await makeTestCore(newDir(), pki, mail);
    try {
      const s = await setup(tc);
      const runs = await Promise.all([runSsaMails(tc.core, time(DUE[1]!)), runSsaMails(tc.core, time(DUE[1]!)), runSsaMails(tc.core, time(DUE[1]!))]);
      expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(5);
      expect(runs.reduce((n, r) => n + r.recorded, 0)).toBe(5);
      for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo']) expect(mailsTo(s.users[name]!.email), name).toHaveLength(1);
    } finally {
      await tc.close();
    }
  });

  it('a week with no run at all is superseded by the current week, not sent late; an extension starts a new schedule', async () => {
    const tc = await makeTestCore(newDir(), pki, mail);
    try {
      const s = await setup(tc);
      const anna = s.users.anna!.email;
      await runSsaMails(tc.core, time(DUE[0]!));
      // A pending mail of week 7 whose week passes before it goes out is dropped.
      await recordDueMails(tc.core, time(DUE[0]!)); // nothing new
      await tc.core.store.db.updateTable('ssa_mail_log').set({ state: 'pending' }).where('for_project', '=', s.projectId).where('user_id', '=', s.users.bert!.id).execute();
      // The bridge was down for weeks 6 and 5.
      const r = await runSsaMails(tc.core, time(addDays(DUE[3]!, 2)));
      expect(r).toMatchObject({ recorded: 5, sent: 5, dropped: 1 });
      expect(mailsTo(anna).map((m) => /in (\d) weeks?\./.exec(m.body)?.[1])).toEqual(['7', '4']);
      // The SSA is extended by a year: no mail until 7 weeks before the new end.
      await tc.core.store.db.updateTable('projects').set({ ssa_end: '2027-06-30' }).where('id', '=', s.projectId).execute();
      for (const d of DUE.slice(4)) await runSsaMails(tc.core, time(d));
      expect(mailsTo(anna)).toHaveLength(2);
      await runSsaMails(tc.core, time('2027-05-12'));
      expect(mailsTo(anna).map((m) => m.subject).at(-1)).toBe('SSA of project "DEFAULT" ends on 30 June 2027');
    } finally {
      await tc.close();
    }
  });
});

describe('the scheduler in the bridge process', () => {
  it('runs on its own with the injected clock and sends nothing after stop', async () => {
    const tc = await makeTestCore(newDir(), pki, mail);
    const lines: string[] = [];
    let now = time('2026-01-05');
    const scheduler = startSsaScheduler(tc.core, { clock: { now: () => now }, intervalMs: 20, firstRunMs: 0, log: (l) => lines.push(l) });
    try {
      const s = await setup(tc);
      await new Promise((r) => setTimeout(r, 100));
      expect(mailsTo(s.users.anna!.email)).toHaveLength(0);
      now = time(DUE[6]!);
      await smtp.mailTo(s.users.anna!.email);
      await scheduler.stop();
      const sent = smtp.mails.length;
      now = time('2027-06-01');
      await tc.core.store.db.updateTable('projects').set({ ssa_end: '2027-06-30' }).where('id', '=', s.projectId).execute();
      await new Promise((r) => setTimeout(r, 100));
      expect(smtp.mails.length).toBe(sent);
      expect(mailsTo(s.users.anna!.email)).toHaveLength(1);
      expect(lines.some((l) => /event=ssa\.mails .*sent=5/.test(l))).toBe(true);
    } finally {
      await scheduler.stop();
      await tc.close();
    }
  });
});
