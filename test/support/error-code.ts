import { MylicError } from '../../protocol/errors.js';

/** The code of the MylicError `fn` throws; fails the test when it throws nothing or something else. */
export function codeOf(fn: () => unknown): string {
  try {
    fn();
  } catch (e) {
    if (e instanceof MylicError) return e.code;
    throw e;
  }
  throw new Error('expected a MylicError, nothing was thrown');
}
