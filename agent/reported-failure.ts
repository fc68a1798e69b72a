import type { MylicError } from '../protocol/errors.js';
import type { CommandResult } from './commands/types.js';

/** A command that failed but still has a full result to show (e.g. `check`). */
export class ReportedFailure extends Error {
  constructor(
    readonly error: MylicError,
    readonly result: CommandResult,
  ) {
    super(error.message);
  }
}
