import cluster, { type Worker } from 'node:cluster';
import { availableParallelism } from 'node:os';
import * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';
import { openCore } from '../bootstrap.js';
import type { BridgeConfig } from '../config.js';
import { eventLog } from './event-log.js';
import { answerClusterMetrics } from './metrics.js';

/**
 * `mylic-bridge serve --workers N` (issue 16 item 3): N bridge processes sharing the port (node:cluster,
 * the primary hands connections out round-robin). Everything the processes must share is in the
 * database (sessions, tokens, login failures and password-check claims, SSA mail claims), so any
 * worker answers any request. Default: one per core on PostgreSQL; on SQLite one, and more are
 * refused: one SQLite file has one writer at a time, and a process waiting for the write lock waits
 * with its event loop blocked (better-sqlite3 is synchronous), so more processes would queue on the
 * lock instead of serving (see README "Operations").
 */
export function workerCount(config: Pick<BridgeConfig, 'databaseUrl'>, flag: string | undefined): number {
  const postgres = config.databaseUrl !== null;
  if (flag === undefined) return postgres ? availableParallelism() : 1;
  const n = z.coerce.number().int().min(1).max(256).safeParse(flag);
  if (!n.success) throw new MylicError('USAGE', '--workers must be a whole number from 1 to 256.');
  if (n.data > 1 && !postgres)
    throw new MylicError(
      'USAGE',
      `--workers ${n.data}: a SQLite portal runs one bridge process (one writer at a time); set MYLIC_DATABASE_URL to a PostgreSQL database for more, or use --workers 1.`,
    );
  return n.data;
}

/**
 * The primary: does the one-time things (the PKI on first start, the migrations) before forking,
 * forks N workers, replaces a worker that dies, answers the workers' metrics requests, and on SIGTERM
 * or SIGINT asks every worker to drain (each finishes its requests in flight and closes its
 * database) and exits when all have: 0 when every worker stopped cleanly.
 * `started(port)` is called once every worker listens.
 */
export async function runPrimary(config: BridgeConfig, n: number, started: (port: number) => void) {
  const log = eventLog();
  const { core } = await openCore(config);
  await core.store.close();
  answerClusterMetrics();

  let stopping = false;
  let failed = false;
  const listening = new Set<number>();
  let announced = false;
  const fork = (): Worker => cluster.fork();

  cluster.on('listening', (worker, address) => {
    listening.add(worker.id);
    log.info('worker.listening', { worker: worker.id, workerPid: worker.process.pid, port: address.port });
    if (!announced && listening.size >= n) {
      announced = true;
      started(address.port);
    }
  });
  cluster.on('exit', (worker, code, signal) => {
    listening.delete(worker.id);
    if (stopping) {
      if (code !== 0) failed = true;
      log.info('worker.stopped', { worker: worker.id, code, signal });
      if (Object.keys(cluster.workers ?? {}).length === 0) {
        log.info('bridge.stopped', { workers: n, clean: !failed });
        process.exit(failed ? 1 : 0);
      }
      return;
    }
    log.error('worker.died', { worker: worker.id, code, signal });
    // A replacement after a short pause (a worker failing at start must not spin the machine).
    setTimeout(() => {
      if (!stopping) fork();
    }, 1000).unref();
  });

  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('bridge.stopping', { signal, workers: Object.keys(cluster.workers ?? {}).length });
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => !!w);
    if (workers.length === 0) process.exit(0);
    for (const w of workers) w.process.kill('SIGTERM');
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));

  for (let i = 0; i < n; i++) fork();
}
