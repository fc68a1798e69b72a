import { configure } from '../flows/config.js';
import type { CommandInput } from './types.js';

export default ({ values: v, dir }: CommandInput) =>
  configure(dir, { ntp: v.ntp, dns: v.dns, portal: v.portal, tolerance: v.tolerance });
