import * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';
import { testLicense } from '../flows/test-license.js';
import type { CommandInput } from './types.js';
import { licenseVersion } from './version-arg.js';

export default ({ values: v, dir }: CommandInput) => {
  const version = licenseVersion(v.version);
  if (v.slave && v.pbx !== undefined) throw new MylicError('USAGE', 'Choose --slave or --pbx N, not both.');
  const pbx = v.pbx === undefined ? undefined : z.coerce.number().int().min(1).max(1000).safeParse(v.pbx);
  if (pbx && !pbx.success)
    throw new MylicError('AMOUNT_INVALID', '--pbx must be a whole number from 1 to 1000.');
  return testLicense(dir, { version, slave: !!v.slave, pbx: pbx?.data });
};
