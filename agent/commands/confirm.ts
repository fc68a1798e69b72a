import { confirmFromFile } from '../flows/confirm.js';
import type { CommandInput } from './types.js';

export default ({ positionals, dir, arg }: CommandInput) => confirmFromFile(dir, arg('FILE', positionals[1]));
