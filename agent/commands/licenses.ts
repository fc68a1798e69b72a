import { portalLicenses } from '../flows/portal-licenses.js';
import type { CommandInput } from './types.js';

export default ({ dir }: CommandInput) => portalLicenses(dir);
