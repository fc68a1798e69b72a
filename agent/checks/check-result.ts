import type { ErrorCode } from '../../protocol/errors.js';

/**
 * The outcome of one device check, a value rather than an exception (the page and `mylic check` show
 * all of them at once): what was checked, whether it passed, the stable code when not, a message a
 * person understands, and how to fix it.
 */
export type CheckName = 'clock' | 'ntp' | 'certificate' | 'dns' | 'portal';

export interface CheckResult {
  name: CheckName;
  ok: boolean;
  code: ErrorCode | null;
  message: string;
  /** What to do about it; empty when ok. */
  fix: string;
  details?: Record<string, unknown>;
}

export const passed = (name: CheckName, message: string, details?: Record<string, unknown>): CheckResult => ({
  name,
  ok: true,
  code: null,
  message,
  fix: '',
  details,
});
export const failed = (
  name: CheckName,
  code: ErrorCode,
  message: string,
  fix: string,
  details?: Record<string, unknown>,
): CheckResult => ({
  name,
  ok: false,
  code,
  message,
  fix,
  details,
});
