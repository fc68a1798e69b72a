import type { Clock, Core } from '../context.js';
import { errorText, eventLog } from '../../ops/event-log.js';
import { runSsaMails, type SsaMailRun } from './ssa-mails.js';

/**
 * Runs the SSA expiry mails (ssa-mails.ts) in the bridge process: shortly after start (so a restart
 * delivers what a crash left pending, and the reminders of weeks the bridge was down, late) and then
 * every `intervalMs` (default hourly). Runs never overlap;
 * a failed run is logged and the next one tries again. The clock is injectable for tests.
 */
export interface SsaSchedulerOptions {
  intervalMs?: number;
  /** Delay of the first run after start; default 1 s. */
  firstRunMs?: number;
  clock?: Clock;
  /** key=value lines instead of the process's event log (tests read them). */
  log?: (line: string) => void;
  leaseMs?: number;
}

export interface SsaScheduler {
  /** Runs now (or waits for the run in progress and runs after it). */
  runNow(): Promise<SsaMailRun>;
  /** Stops the timer and waits for a run in progress. */
  stop(): Promise<void>;
}

export function startSsaScheduler(core: Core, opts: SsaSchedulerOptions = {}): SsaScheduler {
  const clock = opts.clock ?? core.clock;
  const report = (level: 'info' | 'warn' | 'error', event: string, fields: Record<string, unknown>) =>
    opts.log
      ? opts.log(
          [
            `level=${level}`,
            `event=${event}`,
            ...Object.entries(fields).map(
              ([k, v]) => `${k}=${typeof v === 'string' && /[\s"]/.test(v) ? JSON.stringify(v) : v}`,
            ),
          ].join(' '),
        )
      : eventLog()[level](event, fields);
  let running: Promise<SsaMailRun> | null = null;
  let stopped = false;

  const run = async (): Promise<SsaMailRun> => {
    while (running) await running.catch(() => undefined);
    const p = runSsaMails(core, clock.now(), opts.leaseMs !== undefined ? { leaseMs: opts.leaseMs } : {});
    running = p;
    try {
      const r = await p;
      if (r.recorded || r.sent || r.failed || r.dropped) {
        report(r.failed ? 'warn' : 'info', 'ssa.mails', {
          at: r.at,
          recorded: r.recorded,
          sent: r.sent,
          failed: r.failed,
          dropped: r.dropped,
        });
      }
      return r;
    } finally {
      if (running === p) running = null;
    }
  };
  const tick = () => {
    if (stopped || running) return;
    run().catch((e: unknown) => report('error', 'ssa.mails.failed', { error: errorText(e) }));
  };

  const first = setTimeout(tick, opts.firstRunMs ?? 1000);
  const timer = setInterval(tick, opts.intervalMs ?? 3_600_000);
  first.unref();
  timer.unref();
  return {
    runNow: run,
    async stop() {
      stopped = true;
      clearTimeout(first);
      clearInterval(timer);
      if (running) await running.catch(() => undefined);
    },
  };
}
