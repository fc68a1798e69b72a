import { logout } from '../flows/login.js';
import type { CommandInput } from './types.js';

export default ({ dir }: CommandInput) => logout(dir);
