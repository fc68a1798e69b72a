/**
 * When a PostgreSQL write transaction is run again: the two SQLSTATEs with which the server aborts a
 * transaction only because of concurrent ones — 40001 serialization_failure (SERIALIZABLE could not
 * order it) and 40P01 deadlock_detected. Anything else (a CHECK, a unique key, a refusal of the core)
 * is an answer, not a collision, and goes to the caller at once.
 */
export const RETRYABLE_SQLSTATES = new Set(['40001', '40P01']);

/** Attempts of one write before the collision goes to the caller (as an internal error, nothing written). */
export const WRITE_ATTEMPTS = 30;

export function isRetryable(e: unknown): boolean {
  const code = (e as { code?: unknown } | null)?.code;
  return typeof code === 'string' && RETRYABLE_SQLSTATES.has(code);
}

/** A growing pause with full jitter (1 ms … 2^min(attempt, 7) ms), so colliding writers spread out. */
export const retryDelayMs = (attempt: number) => 1 + Math.floor(Math.random() * 2 ** Math.min(attempt, 7));
