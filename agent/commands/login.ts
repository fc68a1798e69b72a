import { login } from '../flows/login.js';
import type { CommandInput } from './types.js';

export default ({ values: v, dir, arg }: CommandInput) =>
  login(
    dir,
    arg('--email', v.email),
    arg('--password (or MYLIC_PASSWORD)', v.password ?? process.env.MYLIC_PASSWORD),
  );
