import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { createUser, LIMITS } from '../../bridge/core/accounts/index.js';
import { createCompany } from '../../bridge/core/organisation/index.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { bridgeCli } from '../support/cli.js';
import { makeTestCore } from '../support/core.js';
import { startSmtpSink } from '../support/smtp-sink.js';
import { tempDir } from '../support/tmp.js';

/**
 * What several bridge processes on one database share (issue 16 item 3): the login limit and the SSA
 * reminder mails. Real processes on one SQLite file: two servers, and concurrent mail runs.
 */
let tmp: Awaited<ReturnType<typeof tempDir>>;
beforeAll(async () => {
  tmp = await tempDir('mylic-shared-state-');
});
afterAll(async () => {
  await tmp?.cleanup();
});

describe('two bridge processes on one database', () => {
  let a: BridgeProcess;
  let b: BridgeProcess;
  let dispatcher: Agent;
  const email = 'guessed@example.com';
  const PASSWORD = 'the right password';

  beforeAll(async () => {
    const data = `${tmp.dir}/servers`;
    a = await startBridgeProcess(data);
    b = await startBridgeProcess(data);
    dispatcher = new Agent({ connect: { ca: await readFile(a.caFile, 'utf8') }, connections: 32 });
    const made = await bridgeCli(
      ['ops', 'user', 'create', '--email', email, '--password', PASSWORD, '--name', 'G'],
      a.env,
    );
    expect(made.code, made.stderr).toBe(0);
  });
  afterAll(async () => {
    await a?.stop();
    await b?.stop();
    await dispatcher?.close();
  });

  const login = async (bridge: BridgeProcess, password: string) => {
    const res = await request(`${bridge.url}api/v1/session`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ email, password }),
      dispatcher,
    });
    const body = (await res.body.json()) as { error?: { details?: { limit?: string } } };
    return { status: res.statusCode, limit: body.error?.details?.limit };
  };

  it('share the per-account login limit: of guesses sent at once to both, five fail and the rest are refused, then the right password too', async () => {
    const guesses = Array.from({ length: 24 }, (_, i) => login(i % 2 ? a : b, `wrong ${i}`));
    const answers = await Promise.all(guesses);
    expect(answers.filter((x) => x.status === 401)).toHaveLength(LIMITS.account);
    const refused = answers.filter((x) => x.status === 429);
    expect(refused).toHaveLength(24 - LIMITS.account);
    expect(refused.map((x) => x.limit)).toEqual(refused.map(() => 'account'));
    expect(await login(a, PASSWORD)).toMatchObject({ status: 429, limit: 'account' });
    expect(await login(b, PASSWORD)).toMatchObject({ status: 429, limit: 'account' });
  });
});

describe('SSA reminder runs in several processes at once', () => {
  it('send each reminder once: one mail per member, the runs together report each as sent once', async () => {
    const smtp = await startSmtpSink();
    const data = `${tmp.dir}/mails`;
    try {
      // The portal's database, made with the core: a company of 40 members whose project's SSA ends on 2026-06-30.
      const tc = await makeTestCore(data, await loadOrCreateDevPki(`${data}/pki`));
      const members: string[] = [];
      try {
        for (let i = 0; i < 40; i++) {
          const u = await createUser(tc.core, {
            email: `member-${i}@example.test`,
            password: 'a member password',
            name: `Member ${i}`,
            active: true,
          });
          members.push(u.email);
        }
        const first = (await tc.core.store.db
          .selectFrom('users')
          .select('id')
          .orderBy('id')
          .executeTakeFirst())!;
        const { companyId, defaultProjectId } = await createCompany(tc.core, first.id, 'Reminded AG');
        const others = await tc.core.store.db
          .selectFrom('users')
          .select('id')
          .where('id', '!=', first.id)
          .execute();
        for (const u of others)
          await tc.core.store.db
            .insertInto('memberships')
            .values({
              user_id: u.id,
              company_id: companyId,
              is_admin: 0,
              is_locked: 0,
              created_at: new Date().toISOString(),
            })
            .execute();
        await tc.core.store.db
          .updateTable('projects')
          .set({ ssa_end: '2026-06-30', send_ssa_mails: 1 })
          .where('id', '=', defaultProjectId)
          .execute();
      } finally {
        await tc.close();
      }

      const env = { MYLIC_DATA: data, MYLIC_SQLITE: `${data}/test.sqlite`, MYLIC_SMTP_URL: smtp.url };
      const runs = await Promise.all(
        Array.from({ length: 4 }, () =>
          bridgeCli(['ops', 'ssa', 'run-mails', '--now', '2026-06-23T08:00:00Z', '--json'], env),
        ),
      );
      for (const r of runs) expect(r.code, r.stderr).toBe(0);
      const results = runs.map((r) => r.json.result as { recorded: number; sent: number; failed: number });
      expect(results.reduce((n, r) => n + r.recorded, 0)).toBe(40);
      expect(results.reduce((n, r) => n + r.sent, 0)).toBe(40);
      expect(results.reduce((n, r) => n + r.failed, 0)).toBe(0);
      expect(smtp.mails).toHaveLength(40);
      for (const m of members) expect(smtp.mails.filter((x) => x.to.includes(m))).toHaveLength(1);
    } finally {
      await smtp.close();
    }
  });
});
