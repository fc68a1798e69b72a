import * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';

const VersionArg = z.coerce.number().int().min(5).max(14);

/** `--version V` after a command: a license version 5 to 14. */
export function licenseVersion(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const version = VersionArg.safeParse(value);
  if (!version.success) throw new MylicError('VERSION_INVALID', `--version must be 5 to 14, not "${value}".`);
  return version.data;
}
