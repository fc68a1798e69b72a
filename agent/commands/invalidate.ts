import { MylicError } from '../../protocol/errors.js';
import { invalidateBackup, invalidateTransfer } from '../flows/invalidate.js';
import { USAGE } from '../usage.js';
import type { CommandInput } from './types.js';

export default ({ values: v, dir }: CommandInput) => {
  if (v.transfer && v.backup) throw new MylicError('USAGE', 'Choose --transfer or --backup FILE, not both.');
  if (v.transfer) return invalidateTransfer(dir);
  if (v.backup) return invalidateBackup(dir, v.backup);
  throw new MylicError('USAGE', `invalidate needs --transfer or --backup FILE.\n\n${USAGE}`);
};
