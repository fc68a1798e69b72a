import { installFromFile } from '../flows/licenses.js';
import type { CommandInput } from './types.js';

export default ({ positionals, dir, arg }: CommandInput) => installFromFile(dir, arg('FILE', positionals[1]));
