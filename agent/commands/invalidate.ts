import { MylicError } from '../../protocol/errors.js';
import { invalidateBackup, invalidateTransfer } from '../flows/invalidate.js';
import { USAGE } from '../usage.js';
import type { CommandInput } from './types.js';

export default ({ values: v, dir }: CommandInput) => {
  if (v.transfer && v.backup) throw new MylicError('USAGE', 'Choose --transfer or --backup FILE, not both.');
  // Seed L227: V7 licenses return only with the agreement never to downgrade below V8.
  const options = { acceptNoDowngrade: v['accept-no-downgrade'] === true };
  if (v.transfer) return invalidateTransfer(dir, options);
  if (v.backup) return invalidateBackup(dir, v.backup, options);
  throw new MylicError('USAGE', `invalidate needs --transfer or --backup FILE.\n\n${USAGE}`);
};
