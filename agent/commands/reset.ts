import { acknowledgeReset } from '../flows/reset.js';
import type { CommandInput } from './types.js';

export default ({ dir }: CommandInput) => acknowledgeReset(dir);
