import { requestCertificate } from '../flows/request-certificate.js';
import type { CommandInput } from './types.js';

export default ({ values: v, dir }: CommandInput) =>
  requestCertificate(dir, { password: v.password ?? process.env.MYLIC_PASSWORD });
