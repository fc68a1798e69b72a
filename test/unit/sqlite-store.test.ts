import { statSync } from 'node:fs';
import BetterSqlite3 from 'better-sqlite3';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openSqliteStore } from '../../bridge/db/sqlite/sqlite-store.js';
import { bridgeCli, type CliResult } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * The embedded store: WAL and foreign keys on every connection it opens, and write transactions that
 * take the lock up front (BEGIN IMMEDIATE), so two processes spending one balance at the same time
 * neither lose nor double a unit.
 */
describe('the SQLite store', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  beforeAll(async () => {
    tmp = await tempDir('mylic-sqlite-');
  });
  afterAll(async () => tmp?.cleanup());

  it('hands checkpoints to its worker after a few hundred commits, which copies the WAL into the file and keeps every row', async () => {
    const file = `${tmp.dir}/checkpoints.sqlite`;
    const store = await openSqliteStore(file);
    const autocheckpoint = async () =>
      (await sql<{ wal_autocheckpoint: number }>`PRAGMA wal_autocheckpoint`.execute(store.db)).rows[0]!
        .wal_autocheckpoint;
    const event = (i: number) => ({
      created_at: new Date().toISOString(),
      event: 'test.checkpoint',
      company_id: null,
      project_id: null,
      user_id: null,
      device_id: null,
      detail: String(i),
    });
    try {
      // Short-lived stores (CLI runs) keep SQLite's own checkpoints.
      expect(await autocheckpoint()).toBe(1000);
      for (let i = 0; i < 250; i++)
        await store.write((tx) => tx.insertInto('history').values(event(i)).execute());
      // The worker is ready: the store's own connection no longer checkpoints inside a COMMIT.
      for (let tries = 0; (await autocheckpoint()) !== 0; tries++) {
        expect(tries, 'the checkpoint worker did not start').toBeLessThan(100);
        await new Promise((r) => setTimeout(r, 50));
      }
      // From now on only the worker copies WAL frames into the database file, so the file grows only
      // when it does (a checkpoint of our own would prove nothing).
      const before = statSync(file).size;
      const big = (i: number) => ({ ...event(i), detail: `${i}:${'x'.repeat(4000)}` });
      for (let i = 250; i < 400; i++)
        await store.write((tx) => tx.insertInto('history').values(big(i)).execute());
      for (let tries = 0; statSync(file).size <= before + 150 * 4000; tries++) {
        expect(
          tries,
          `the worker did not copy the WAL into the file (${statSync(file).size} bytes, ${before} before)`,
        ).toBeLessThan(80);
        await new Promise((r) => setTimeout(r, 100));
      }
    } finally {
      await store.close();
    }
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      expect(raw.prepare("SELECT count(*) AS n FROM history WHERE event = 'test.checkpoint'").get()).toEqual({
        n: 400,
      });
    } finally {
      raw.close();
    }
  });

  it('opens with journal_mode=wal and foreign_keys=1, and refuses a row that points nowhere', async () => {
    const file = `${tmp.dir}/pragmas.sqlite`;
    const store = await openSqliteStore(file);
    try {
      const journal = await sql<{ journal_mode: string }>`PRAGMA journal_mode`.execute(store.db);
      expect(journal.rows).toEqual([{ journal_mode: 'wal' }]);
      const fk = await sql<{ foreign_keys: number }>`PRAGMA foreign_keys`.execute(store.db);
      expect(fk.rows).toEqual([{ foreign_keys: 1 }]);
      const busy = await sql<{ timeout: number }>`PRAGMA busy_timeout`.execute(store.db);
      expect(busy.rows[0]!.timeout).toBeGreaterThan(0);
      await expect(
        store.write((tx) =>
          tx
            .insertInto('projects')
            .values({
              company_id: 987_654,
              name: 'orphan',
              description: '',
              ssa_end: null,
              created_at: new Date().toISOString(),
            } as never)
            .execute(),
        ),
      ).rejects.toThrow(/FOREIGN KEY/);
      const orphans = await sql`SELECT id FROM projects WHERE company_id = 987654`.execute(store.db);
      expect(orphans.rows).toEqual([]);
    } finally {
      await store.close();
    }
    // WAL is a property of the file: another connection sees it too.
    const raw = new BetterSqlite3(file, { readonly: true });
    try {
      expect(raw.pragma('journal_mode', { simple: true })).toBe('wal');
    } finally {
      raw.close();
    }
  });

  it('conserves units when two `mylic-bridge ops license bind` processes bind from one balance at the same time', {
    timeout: 120_000,
  }, async () => {
    const env = { MYLIC_DATA: `${tmp.dir}/data` };
    const ops = (args: string[]) => bridgeCli([...args, '--json'], env);
    const must = async (args: string[]) => {
      const r = await ops(args);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      return r;
    };
    const UNITS = 12;
    const ATTEMPTS = 8; // per process: 16 binds of one unit asked for, 12 units there
    await must([
      'ops',
      'user',
      'create',
      '--email',
      'ops@example.com',
      '--password',
      'pw-ops-12345',
      '--name',
      'Ops',
    ]);
    await must(['ops', 'company', 'create', '--name', 'Ops Ltd', '--admin', 'ops@example.com']);
    await must(['ops', 'balance', 'add', '--company', '1', '--type', 'PBX-Port13', '--units', String(UNITS)]);
    await must([
      'ops',
      'device',
      'register',
      '--type',
      'IP811',
      '--mac',
      '00-90-33-66-00-01',
      '--mac',
      '00-90-33-66-00-02',
    ]);
    await must(['ops', 'device', 'add', '--company', '1', '--mac', '00-90-33-66-00-01']);
    await must(['ops', 'device', 'add', '--company', '1', '--mac', '00-90-33-66-00-02']);

    const binder = async (mac: string) => {
      const results: CliResult[] = [];
      for (let i = 0; i < ATTEMPTS; i++)
        results.push(
          await ops([
            'ops',
            'license',
            'bind',
            '--company',
            '1',
            '--mac',
            mac,
            '--type',
            'PBX-Port13',
            '--units',
            '1',
          ]),
        );
      return results;
    };
    const [a, b] = await Promise.all([binder('00-90-33-66-00-01'), binder('00-90-33-66-00-02')]);
    const all = [...a, ...b];
    const succeeded = all.filter((r) => r.code === 0);
    const refused = all.filter((r) => r.code !== 0);
    expect(succeeded).toHaveLength(UNITS);
    for (const r of refused) expect(r.json?.error?.code, r.stdout + r.stderr).toBe('BALANCE_INSUFFICIENT');
    // Both processes got some: they really ran at the same time against one balance.
    expect(a.filter((r) => r.code === 0).length).toBeGreaterThan(0);
    expect(b.filter((r) => r.code === 0).length).toBeGreaterThan(0);

    const counts = (await must(['ops', 'counts', '--company', '1'])).json.result as {
      type: string;
      activated: number;
      balance: number;
      bound: number;
      free: number;
    }[];
    expect(counts.find((c) => c.type === 'PBX-Port13')).toMatchObject({
      activated: UNITS,
      balance: 0,
      bound: UNITS,
      free: 0,
    });
    const raw = new BetterSqlite3(`${tmp.dir}/data/mylic.sqlite`, { readonly: true });
    try {
      const bound = raw
        .prepare(
          `SELECT COALESCE(SUM(units), 0) AS units FROM licenses WHERE license_type = 'PBX-Port13' AND state = 'bound'`,
        )
        .get() as { units: number };
      expect(bound.units).toBe(UNITS);
      const serials = raw
        .prepare(`SELECT COUNT(DISTINCT serial) AS n, COUNT(*) AS rows FROM licenses`)
        .get() as { n: number; rows: number };
      expect(serials.n).toBe(serials.rows);
    } finally {
      raw.close();
    }
  });
});
