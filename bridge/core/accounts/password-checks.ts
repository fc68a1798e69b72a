import { randomUUID } from 'node:crypto';
import type { Core } from '../context.js';

/**
 * One password check of an account at a time, across every bridge process on the database (issue 11
 * review, issue 16 item 3). The login limit is read before the slow, asynchronous scrypt check and the
 * failure written after it, so guesses checked side by side would all pass the same count. A check
 * therefore first claims its account: a row of `password_checks` (migration 018), taken by one
 * statement — insert, or take over a claim whose lease lapsed — so two processes never both hold it;
 * the check runs; the claim is released. Each guess sees the failures of the ones before it, whichever
 * process they reached.
 *
 * Inside one process the checks of an account also queue in memory, so they wait for one another
 * without asking the database; a check waiting for another process polls every POLL_MS. A process
 * killed while checking leaves its row: after CLAIM_LEASE_MS another check takes it over. The lease is
 * wall time (a process's liveness), not the core's clock, which tests set to other days.
 */
export const CLAIM_LEASE_MS = 15_000;
const POLL_MS = 20;

const norm = (email: string) => email.trim().toLowerCase();
const queues = new Map<string, Promise<unknown>>();

async function claim(core: Core, subject: string, holder: string): Promise<void> {
  for (;;) {
    const now = Date.now();
    const taken = await core.store.write((tx) =>
      tx
        .insertInto('password_checks')
        .values({ subject, holder, lapses_at: new Date(now + CLAIM_LEASE_MS).toISOString() })
        .onConflict((oc) =>
          oc
            .column('subject')
            .doUpdateSet({ holder, lapses_at: new Date(now + CLAIM_LEASE_MS).toISOString() })
            .where('password_checks.lapses_at', '<', new Date(now).toISOString()),
        )
        .executeTakeFirst(),
    );
    if (Number(taken.numInsertedOrUpdatedRows ?? 0) === 1) return;
    await new Promise((r) => setTimeout(r, POLL_MS));
  }
}

const release = (core: Core, subject: string, holder: string) =>
  core.store.write((tx) =>
    tx.deleteFrom('password_checks').where('subject', '=', subject).where('holder', '=', holder).execute(),
  );

/** Runs `fn` (a limit check, a password check and its recording) as the only check of this account. */
export function oneGuessAtATime<T>(core: Core, email: string, fn: () => Promise<T>): Promise<T> {
  const subject = norm(email);
  const claimed = async () => {
    const holder = randomUUID();
    await claim(core, subject, holder);
    try {
      return await fn();
    } finally {
      await release(core, subject, holder).catch(() => undefined);
    }
  };
  const before = queues.get(subject) ?? Promise.resolve();
  const run = before.then(claimed, claimed);
  const settled = run.then(
    () => undefined,
    () => undefined,
  );
  queues.set(subject, settled);
  void settled.then(() => {
    if (queues.get(subject) === settled) queues.delete(subject);
  });
  return run;
}
