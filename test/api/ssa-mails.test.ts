import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { createCompany } from '../../bridge/core/organisation/index.js';
import type { CoreMail } from '../../bridge/core/context.js';
import { recordHistory } from '../../bridge/core/history.js';
import {
  claimPendingMails,
  currentReminder,
  recordDueMails,
  reminderMessageId,
  reminderSchedule,
  runSsaMails,
} from '../../bridge/core/ssa/index.js';
import { startSsaScheduler } from '../../bridge/core/ssa/index.js';
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
const DUE = [
  '2026-05-12',
  '2026-05-19',
  '2026-05-26',
  '2026-06-02',
  '2026-06-09',
  '2026-06-16',
  '2026-06-23',
];
const DAY = 86_400_000;
const time = (iso: string, hour = 8) => new Date(`${iso}T${String(hour).padStart(2, '0')}:00:00Z`);
const addDays = (iso: string, n: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

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
      : Buffer.from(
          text
            .replace(/_/g, ' ')
            .replace(/=([0-9A-F]{2})/gi, (_h, hex: string) => String.fromCharCode(parseInt(hex, 16))),
          'latin1',
        ).toString('utf8'),
  );
}
const messageIdOf = (raw: string) =>
  /^Message-ID: *(.*)$/im
    .exec((raw.split(/\r?\n\r?\n/)[0] ?? '').replace(/\r?\n[ \t]+/g, ' '))?.[1]
    ?.trim() ?? '';
const dueOf = (raw: string) => /\.(\d{4}-\d{2}-\d{2})@/.exec(messageIdOf(raw))![1]!;
const longDate = (iso: string) =>
  new Intl.DateTimeFormat('en-GB', { dateStyle: 'long', timeZone: 'UTC' }).format(
    new Date(`${iso}T00:00:00Z`),
  );
const mailsTo = (email: string) =>
  smtp.mails.filter((m) => m.to.includes(email)).map((m) => ({ ...m, subject: subjectOf(m.raw) }));

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
  for (const [name, language] of [
    ['bert', 'de'],
    ['chiara', 'it'],
    ['nora', 'nl'],
    ['flo', 'fr'],
  ] as const) {
    await db.updateTable('users').set({ language }).where('id', '=', users[name]!.id).execute();
  }
  await db.updateTable('users').set({ mail_opt_in: 0 }).where('id', '=', users.quiet!.id).execute();
  for (const name of ['bert', 'chiara', 'nora', 'flo', 'quiet', 'locked', 'inactive']) {
    await db
      .insertInto('memberships')
      .values({
        user_id: users[name]!.id,
        company_id: companyId,
        is_admin: 0,
        is_locked: name === 'locked' ? 1 : 0,
        created_at: new Date().toISOString(),
      })
      .execute();
  }
  await db.updateTable('projects').set({ ssa_end: END }).where('id', '=', defaultProjectId).execute();
  if (opts.extraProject) {
    await db
      .insertInto('projects')
      .values({
        company_id: companyId,
        name: 'NO MAILS',
        description: '',
        ssa_end: END,
        created_at: new Date().toISOString(),
        send_ssa_mails: 0,
      })
      .execute();
  }
  return { companyId, projectId: defaultProjectId, users };
}

const logRows = (tc: TestCore, projectId: number) =>
  tc.core.store.db.selectFrom('ssa_mail_log').selectAll().where('for_project', '=', projectId).execute();

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

  it("arrive in the right weeks, once each, in each user's language; none to users without mails, none for a project with the flag off", async () => {
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
        await ok(
          call(tc.app, 'PATCH', '/account', token, {
            currentPassword: s.users.bert!.password,
            mailOptIn: false,
          }),
        );
      }
    }
    expect(days).toEqual(DUE.map((d) => `${d}T8`));
    const annas = mailsTo(anna);
    expect(annas.map((m) => m.subject)).toEqual(
      DUE.map(() => 'SSA of project "DEFAULT" ends on 30 June 2026'),
    );
    expect(annas.map((m) => /in (\d) weeks?\./.exec(m.body)?.[1])).toEqual([
      '7',
      '6',
      '5',
      '4',
      '3',
      '2',
      '1',
    ]);
    expect(annas[0]!.body).toContain(`https://portal.example.test/projects/${s.projectId}/ssa`);
    expect(annas[0]!.from).toBe('portal@example.com');

    expect(mailsTo(s.users.bert!.email).map((m) => m.subject)).toEqual(
      DUE.slice(0, 3).map(() => 'SSA des Projekts "DEFAULT" endet am 30. Juni 2026'),
    );
    expect(mailsTo(s.users.chiara!.email).map((m) => m.subject)).toEqual(
      DUE.map(() => 'L\'SSA del progetto "DEFAULT" scade il 30 giugno 2026'),
    );
    expect(mailsTo(s.users.nora!.email).map((m) => m.subject)).toEqual(
      DUE.map(() => 'SSA van project "DEFAULT" loopt af op 30 juni 2026'),
    );
    expect(mailsTo(s.users.flo!.email).map((m) => m.subject)).toEqual(
      DUE.map(() => 'Le SSA du projet "DEFAULT" se termine le 30 juin 2026'),
    );
    for (const name of ['quiet', 'locked', 'inactive'])
      expect(mailsTo(s.users[name]!.email), name).toEqual([]);
    // The project with the flag off sent nothing: every mail names DEFAULT.
    expect(
      smtp.mails
        .filter((m) => m.to.some((t) => t.endsWith(`-${seq}@example.test`)))
        .every((m) => subjectOf(m.raw).includes('"DEFAULT"')),
    ).toBe(true);
    const log = await logRows(tc, s.projectId);
    expect(log.every((r) => r.state === 'sent')).toBe(true);
    expect(log).toHaveLength(4 * 7 + 3);
  });

  it("stop when the project's flag is turned off, and the log keeps what was sent", async () => {
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
      (
        await db
          .insertInto('projects')
          .values({
            company_id: t.companyId,
            name,
            description: '',
            ssa_end: END,
            created_at: new Date().toISOString(),
          })
          .returning('id')
          .executeTakeFirstOrThrow()
      ).id;
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
      expect(await runSsaMails(second.core, time(DUE[2]!, 9))).toMatchObject({
        recorded: 0,
        sent: 5,
        failed: 0,
        dropped: 0,
      });
      expect(await runSsaMails(second.core, time(DUE[2]!, 10))).toMatchObject({ recorded: 0, sent: 0 });
      for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo'])
        expect(mailsTo(s.users[name]!.email), name).toHaveLength(1);
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
      expect(await runSsaMails(second.core, new Date(time(DUE[0]!).getTime() + 5 * 60_000))).toMatchObject({
        sent: 0,
      });
      expect(await runSsaMails(second.core, new Date(time(DUE[0]!).getTime() + 16 * 60_000))).toMatchObject({
        sent: 5,
      });
      expect(await runSsaMails(second.core, new Date(time(DUE[0]!).getTime() + 60 * 60_000))).toMatchObject({
        sent: 0,
      });
      for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo'])
        expect(mailsTo(s.users[name]!.email), name).toHaveLength(1);
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
      for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo'])
        expect(mailsTo(s.users[name]!.email), name).toHaveLength(1);
    } finally {
      await tc.close();
    }
  });

  it('two runs at the same time send each mail once', async () => {
    const tc = await makeTestCore(newDir(), pki, mail);
    try {
      const s = await setup(tc);
      const runs = await Promise.all([
        runSsaMails(tc.core, time(DUE[1]!)),
        runSsaMails(tc.core, time(DUE[1]!)),
        runSsaMails(tc.core, time(DUE[1]!)),
      ]);
      expect(runs.reduce((n, r) => n + r.sent, 0)).toBe(5);
      expect(runs.reduce((n, r) => n + r.recorded, 0)).toBe(5);
      for (const name of ['anna', 'bert', 'chiara', 'nora', 'flo'])
        expect(mailsTo(s.users[name]!.email), name).toHaveLength(1);
    } finally {
      await tc.close();
    }
  });

  it('a week with no run at all is still sent when the bridge runs again, saying which week it was due and the weeks really left; an extension starts a new schedule', async () => {
    const tc = await makeTestCore(newDir(), pki, mail);
    try {
      const s = await setup(tc);
      const anna = s.users.anna!.email;
      await runSsaMails(tc.core, time(DUE[0]!));
      await recordDueMails(tc.core, time(DUE[0]!)); // nothing new
      // A crash between the relay's acceptance and the `sent` commit: Bert's week-7 reminder is pending again.
      await tc.core.store.db
        .updateTable('ssa_mail_log')
        .set({ state: 'pending' })
        .where('for_project', '=', s.projectId)
        .where('user_id', '=', s.users.bert!.id)
        .execute();
      // The bridge was down for weeks 6 and 5: their reminders go out now, with 6 and 5 weeks, and week 4's.
      const r = await runSsaMails(tc.core, time(addDays(DUE[3]!, 2)));
      expect(r).toMatchObject({ recorded: 15, sent: 16, dropped: 0 });
      // Each mail is one due week's (its Message-ID says which); the late ones say so and tell the weeks
      // that are really left on the day they go out, not the weeks of the day they were due.
      const annas = mailsTo(anna).map((m) => ({
        due: dueOf(m.raw),
        weeks: /in (\d) weeks?\./.exec(m.body)?.[1],
        late: /was due on ([^;]+);/.exec(m.body)?.[1] ?? null,
      }));
      expect(annas.sort((a, b) => a.due.localeCompare(b.due))).toEqual([
        { due: DUE[0], weeks: '7', late: null },
        { due: DUE[1], weeks: '4', late: longDate(DUE[1]!) },
        { due: DUE[2], weeks: '4', late: longDate(DUE[2]!) },
        { due: DUE[3], weeks: '4', late: null },
      ]);
      // Bert (German mails) got week 7 again, then 6, 5 and 4: one mail per due week, week 7 twice.
      const bertIds = mailsTo(s.users.bert!.email).map((m) => messageIdOf(m.raw));
      expect(bertIds.map((id) => /\.(\d{4}-\d{2}-\d{2})@/.exec(id)?.[1]).sort()).toEqual([
        DUE[0],
        DUE[0],
        DUE[1],
        DUE[2],
        DUE[3],
      ]);
      const log = await logRows(tc, s.projectId);
      expect(
        log.filter((l) => l.user_id === s.users.anna!.id).map((l) => [l.due_date, l.weeks_left, l.state]),
      ).toEqual(DUE.slice(0, 4).map((d, i) => [d, 7 - i, 'sent']));
      // Sent again with the same Message-ID: a relay that drops duplicates delivers Bert's week 7 once.
      const bertWeek7 = bertIds.filter((id) => id.endsWith(`.${DUE[0]}@portal.example.test>`));
      expect(bertWeek7).toHaveLength(2);
      expect(bertWeek7[0]).toBe(bertWeek7[1]);
      expect(bertWeek7[0]).toBe(
        reminderMessageId(
          { for_project: s.projectId, user_id: s.users.bert!.id, ssa_end: END, due_date: DUE[0]! },
          mail.publicUrl,
        ),
      );
      // The next run sends nothing more.
      expect(await runSsaMails(tc.core, time(addDays(DUE[3]!, 3)))).toMatchObject({ recorded: 0, sent: 0 });
      // The SSA is extended by a year: no mail until 7 weeks before the new end.
      await tc.core.store.db
        .updateTable('projects')
        .set({ ssa_end: '2027-06-30' })
        .where('id', '=', s.projectId)
        .execute();
      for (const d of DUE.slice(4)) await runSsaMails(tc.core, time(d));
      expect(mailsTo(anna)).toHaveLength(4);
      await runSsaMails(tc.core, time('2027-05-12'));
      expect(
        mailsTo(anna)
          .map((m) => m.subject)
          .at(-1),
      ).toBe('SSA of project "DEFAULT" ends on 30 June 2027');
      expect(mailsTo(anna)).toHaveLength(5);
    } finally {
      await tc.close();
    }
  });

  it('gives every reminder a Message-ID of its own, the same on every attempt (project, user, SSA end, due week)', async () => {
    // The relay accepts, then the bridge dies before `sent` is committed (here: the send answers an error after delivering).
    let crashes = 1;
    const crashy: CoreMail = {
      publicUrl: mail.publicUrl,
      mailer: {
        async send(m) {
          await mail.mailer.send(m);
          if (crashes-- > 0) throw new Error('connection lost after the relay accepted');
        },
      },
    };
    const tc = await makeTestCore(newDir(), pki, crashy);
    try {
      const s = await setup(tc);
      await runSsaMails(tc.core, time(DUE[4]!));
      await runSsaMails(tc.core, time(DUE[4]!, 9));
      await runSsaMails(tc.core, time(DUE[5]!));
      const mine = Object.values(s.users).flatMap((u) => mailsTo(u.email));
      // 5 users × 2 weeks, and one mail twice.
      expect(mine).toHaveLength(11);
      const ids = mine.map((m) => messageIdOf(m.raw));
      expect(
        ids.every((id) =>
          /^<ssa-reminder\.\d+\.\d+\.2026-06-30\.2026-06-(09|16)@portal\.example\.test>$/.test(id),
        ),
      ).toBe(true);
      expect(new Set(ids).size).toBe(10);
      const log = await logRows(tc, s.projectId);
      for (const row of log) expect(ids).toContain(reminderMessageId(row, mail.publicUrl));
    } finally {
      await tc.close();
    }
  });

  it('sends no back mails for weeks before the project got its SSA end, nor for weeks a run handled with the mails off', async () => {
    const tc = await makeTestCore(newDir(), pki, mail);
    try {
      const s = await setup(tc);
      const anna = s.users.anna!.email;
      // The project got this end in week 4 (its history says so); the bridge first runs in week 2.
      await tc.core.store.write((tx) =>
        recordHistory(tx, `${addDays(DUE[3]!, 1)}T09:00:00.000Z`, {
          event: 'project.ssa_set',
          companyId: s.companyId,
          projectId: s.projectId,
          userId: s.users.anna!.id,
          detail: { before: null, endDate: END },
        }),
      );
      expect(await runSsaMails(tc.core, time(addDays(DUE[5]!, 1)))).toMatchObject({ recorded: 15, sent: 15 });
      // Weeks 4 and 3 go out late (their Message-IDs), week 2 on time; none before the end was set.
      expect(
        mailsTo(anna)
          .map((m) => dueOf(m.raw))
          .sort(),
      ).toEqual([DUE[3], DUE[4], DUE[5]]);
      expect(mailsTo(anna).filter((m) => /was due on/.test(m.body))).toHaveLength(2);

      const t = await setup(tc);
      const ada = t.users.anna!.email;
      await runSsaMails(tc.core, time(DUE[0]!));
      // "Send SSA expiry mails" off in week 6 (a run handles the week and sends nothing), on again in week 5.
      await tc.core.store.db
        .updateTable('projects')
        .set({ send_ssa_mails: 0 })
        .where('id', '=', t.projectId)
        .execute();
      await runSsaMails(tc.core, time(DUE[1]!));
      await tc.core.store.db
        .updateTable('projects')
        .set({ send_ssa_mails: 1 })
        .where('id', '=', t.projectId)
        .execute();
      await runSsaMails(tc.core, time(DUE[2]!));
      expect(mailsTo(ada).map((m) => /in (\d) weeks?\./.exec(m.body)?.[1])).toEqual(['7', '5']);
    } finally {
      await tc.close();
    }
  });

  it('sends a late reminder only while the SSA has not ended', async () => {
    const tc = await makeTestCore(newDir(), pki, mail);
    try {
      const s = await setup(tc);
      expect(await runSsaMails(tc.core, time(DUE[6]!))).toMatchObject({ recorded: 5, sent: 5 });
      // Anna's reminder is pending again (a crash) and the bridge comes back on the day the SSA ends.
      await tc.core.store.db
        .updateTable('ssa_mail_log')
        .set({ state: 'pending' })
        .where('for_project', '=', s.projectId)
        .where('user_id', '=', s.users.anna!.id)
        .execute();
      expect(await runSsaMails(tc.core, time(END))).toMatchObject({ recorded: 0, sent: 0, dropped: 1 });
      expect(mailsTo(s.users.anna!.email)).toHaveLength(1);
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
    const scheduler = startSsaScheduler(tc.core, {
      clock: { now: () => now },
      intervalMs: 20,
      firstRunMs: 0,
      log: (l) => lines.push(l),
    });
    try {
      const s = await setup(tc);
      await new Promise((r) => setTimeout(r, 100));
      expect(mailsTo(s.users.anna!.email)).toHaveLength(0);
      now = time(DUE[6]!);
      await smtp.mailTo(s.users.anna!.email);
      await scheduler.stop();
      const sent = smtp.mails.length;
      now = time('2027-06-01');
      await tc.core.store.db
        .updateTable('projects')
        .set({ ssa_end: '2027-06-30' })
        .where('id', '=', s.projectId)
        .execute();
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
