import { MylicError } from '../../protocol/errors.js';
import { openDevice } from '../flows/device-context.js';
import { runChecks } from '../flows/checks.js';
import { ReportedFailure } from '../reported-failure.js';
import type { CommandInput } from './types.js';

export default async ({ dir }: CommandInput) => {
  const { store, state } = await openDevice(dir);
  const report = await runChecks(store, state);
  const bad = report.results.find((r) => !r.ok);
  // The whole report is the answer either way; a failed check also sets the exit code.
  if (bad) throw new ReportedFailure(new MylicError(bad.code!, `${bad.message} ${bad.fix}`), report);
  return report;
};
