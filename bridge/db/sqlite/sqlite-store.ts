import { existsSync, mkdirSync, renameSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, resolve } from 'node:path';
import { Worker } from 'node:worker_threads';
import BetterSqlite3 from 'better-sqlite3';
import { CompiledQuery, Kysely, SqliteDialect } from 'kysely';
import type { Database } from '../schema.js';
import type { Store, Tx } from '../store.js';
import { migrateToLatest } from '../migrate.js';
import { errorText, eventLog } from '../../ops/event-log.js';

// Compiled once: every write transaction runs these.
const BEGIN = CompiledQuery.raw('BEGIN IMMEDIATE');
const COMMIT = CompiledQuery.raw('COMMIT');
const ROLLBACK = CompiledQuery.raw('ROLLBACK');

/**
 * The embedded default: one SQLite file in WAL mode with foreign keys on.
 *
 * Write transactions start with BEGIN IMMEDIATE: the write lock is taken up front, so two processes
 * (the server and an operator command) never both read a balance and then both spend it. Within one
 * process Kysely's SQLite driver already serialises use of its single connection.
 */
export async function openSqliteStore(file: string, options: { migrate?: boolean } = {}): Promise<Store> {
  if (file !== ':memory:') mkdirSync(dirname(file), { recursive: true });
  const raw = new BetterSqlite3(file);
  raw.pragma('journal_mode = WAL');
  raw.pragma('foreign_keys = ON');
  raw.pragma('busy_timeout = 5000');
  raw.pragma('synchronous = NORMAL');
  const db = new Kysely<Database>({ dialect: new SqliteDialect({ database: withStatementCache(raw) }) });
  // `mylic-bridge db status` opens without migrating, to show what is pending.
  if (options.migrate !== false) await migrateToLatest(db, 'sqlite');
  const checkpoints =
    file !== ':memory:' && raw.pragma('journal_mode', { simple: true }) === 'wal'
      ? checkpointer(resolve(file), raw, db)
      : undefined;

  return {
    dialect: 'sqlite',
    db,
    write<T>(fn: (tx: Tx) => Promise<T>): Promise<T> {
      return db.connection().execute(async (conn) => {
        await conn.executeQuery(BEGIN);
        try {
          const result = await fn(conn);
          await conn.executeQuery(COMMIT);
          checkpoints?.committed();
          return result;
        } catch (e) {
          await conn.executeQuery(ROLLBACK);
          throw e;
        }
      });
    },
    close: async () => {
      await checkpoints?.stop();
      await db.destroy();
    },
    backup: (target: string) => backupTo(raw, target),
  };
}

/**
 * `mylic-bridge db backup FILE`: SQLite's online backup API (better-sqlite3 `backup`), page by page
 * while the bridge keeps serving (a write by another connection between two steps starts the copy
 * over, so after a first step the rest goes in one). Written to FILE.partial and renamed when
 * complete and checked (`quick_check`), so FILE is never a half copy; an existing FILE is refused.
 */
async function backupTo(raw: BetterSqlite3.Database, target: string): Promise<{ pages: number }> {
  if (existsSync(target)) throw new Error(`${target} exists already: name a new file for the backup.`);
  mkdirSync(dirname(resolve(target)), { recursive: true });
  const partial = `${target}.partial`;
  rmSync(partial, { force: true });
  try {
    const r = await raw.backup(partial, { progress: ({ remainingPages }) => Math.max(remainingPages, 100) });
    const copy = new BetterSqlite3(partial, { fileMustExist: true });
    try {
      const check = copy.pragma('quick_check', { simple: true });
      if (check !== 'ok') throw new Error(`the backup failed its check: ${String(check)}`);
    } finally {
      copy.close();
    }
    renameSync(partial, target);
    return { pages: r.totalPages };
  } catch (e) {
    rmSync(partial, { force: true });
    throw e;
  }
}

/**
 * Checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that crosses
 * 1000 WAL pages: it copies the pages into the database file and fsyncs both files on the thread
 * that committed, which here is the event loop (better-sqlite3 is synchronous): every request in
 * flight waited for it, for seconds when the disk was busy. Once a store has seen some writes
 * (so short-lived CLI runs and most tests never start it), a worker thread with its own connection
 * takes over: a PASSIVE checkpoint at most every CHECKPOINT_EVERY_MS after a commit, which never
 * blocks a writer. Commits themselves are unchanged (WAL, synchronous=NORMAL).
 *
 * The WAL can only start over from its beginning when a checkpoint has copied every frame; under
 * steady load commits keep arriving while the worker copies, so once the WAL holds RESTART_FRAMES
 * the store holds its connection (queries wait, the event loop does not) for one more pass, which
 * copies only what came since the previous one. Should the worker fail, SQLite's automatic
 * checkpoint is switched back on.
 */
const START_AFTER_COMMITS = 200;
const CHECKPOINT_EVERY_MS = 200;
const RESTART_FRAMES = 8192;

const CHECKPOINT_WORKER = `
const { parentPort, workerData } = require('node:worker_threads');
const Database = require(workerData.driver);
let db;
try {
  db = new Database(workerData.file, { fileMustExist: true });
  db.pragma('synchronous = NORMAL');
  parentPort.postMessage({ ready: true });
} catch (e) {
  parentPort.postMessage({ error: String(e) });
}
parentPort.on('message', (m) => {
  if (m === 'stop') {
    db?.close();
    parentPort.close();
    return;
  }
  try {
    const [r] = db.pragma('wal_checkpoint(PASSIVE)');
    parentPort.postMessage({ log: r.log, checkpointed: r.checkpointed });
  } catch (e) {
    parentPort.postMessage({ error: String(e) });
  }
});
`;

type CheckpointReply = { ready?: true; error?: string; log?: number; checkpointed?: number };

function checkpointer(file: string, raw: BetterSqlite3.Database, db: Kysely<Database>) {
  let commits = 0;
  let worker: Worker | undefined;
  let state: 'idle' | 'starting' | 'ready' | 'failed' | 'stopped' = 'idle';
  let busy = false;
  let timer: NodeJS.Timeout | undefined;
  let lastPass = 0;
  let replied: ((r: CheckpointReply) => void) | undefined;

  const fail = (why: unknown) => {
    if (state === 'failed' || state === 'stopped') return;
    const wasReady = state === 'ready';
    state = 'failed';
    if (wasReady) raw.pragma('wal_autocheckpoint = 1000');
    eventLog().warn('sqlite.checkpointer_failed', { error: errorText(why) });
    void worker?.terminate();
  };

  /** One PASSIVE checkpoint in the worker; resolves with its answer. */
  const pass = () =>
    new Promise<CheckpointReply>((res) => {
      replied = res;
      worker!.postMessage('pass');
    });

  const run = async () => {
    timer = undefined;
    if (state !== 'ready' || busy) return;
    busy = true;
    try {
      const r = await pass();
      if (r.error) return fail(r.error);
      if ((r.log ?? 0) >= RESTART_FRAMES && state === 'ready') {
        // No commit of this process can land while the connection is held: this pass copies every frame.
        await db.connection().execute(async () => {
          if (state === 'ready') {
            const last = await pass();
            if (last.error) fail(last.error);
          }
        });
      }
    } finally {
      lastPass = Date.now();
      busy = false;
    }
  };

  const start = () => {
    state = 'starting';
    try {
      worker = new Worker(CHECKPOINT_WORKER, {
        eval: true,
        workerData: { file, driver: createRequire(import.meta.url).resolve('better-sqlite3') },
      });
    } catch (e) {
      return fail(e);
    }
    worker.unref();
    worker.on('message', (m: CheckpointReply) => {
      if (m.ready) {
        if (state !== 'starting') return;
        raw.pragma('wal_autocheckpoint = 0');
        state = 'ready';
        return;
      }
      if (m.error && !replied) return fail(m.error);
      const r = replied;
      replied = undefined;
      r?.(m);
    });
    worker.on('error', fail);
    worker.on('exit', (code) => {
      replied?.({ error: `checkpoint worker exited (${code})` });
      replied = undefined;
      if (state !== 'stopped') fail(`exited with ${code}`);
    });
  };

  return {
    committed() {
      if (state === 'idle') {
        if (++commits >= START_AFTER_COMMITS) start();
        return;
      }
      if (state !== 'ready' || busy || timer) return;
      timer = setTimeout(() => void run(), Math.max(0, lastPass + CHECKPOINT_EVERY_MS - Date.now()));
      timer.unref();
    },
    async stop() {
      if (timer) clearTimeout(timer);
      timer = undefined;
      const w = worker;
      const was = state;
      state = 'stopped';
      if (!w || was === 'failed') return;
      await new Promise<void>((res) => {
        const force = setTimeout(() => void w.terminate(), 5000);
        w.once('exit', () => {
          clearTimeout(force);
          res();
        });
        w.postMessage('stop');
      });
    },
  };
}

/**
 * Kysely's SQLite driver prepares every query anew; the benchmark profile showed `prepare` taking an
 * eighth of a license download. Statements are kept by their SQL text (bounded, oldest dropped first).
 * Reuse is safe because the driver runs one query at a time on its single connection.
 */
const STATEMENT_CACHE_SIZE = 500;

function withStatementCache(raw: BetterSqlite3.Database) {
  const cache = new Map<string, BetterSqlite3.Statement>();
  return {
    close: () => raw.close(),
    prepare(sql: string) {
      let stmt = cache.get(sql);
      if (!stmt) {
        stmt = raw.prepare(sql);
        if (cache.size >= STATEMENT_CACHE_SIZE) cache.delete(cache.keys().next().value as string);
        cache.set(sql, stmt);
      }
      return stmt;
    },
  };
}
