import { download } from '../flows/licenses.js';
import type { CommandInput } from './types.js';
import { licenseVersion } from './version-arg.js';

export default ({ values: v, dir }: CommandInput) => download(dir, licenseVersion(v.version));
