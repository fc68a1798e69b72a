import { factoryInit } from '../flows/factory-init.js';
import type { CommandInput } from './types.js';

export default ({ values: v, arg }: CommandInput) =>
  factoryInit({
    dir: arg('--dir', v.dir),
    mac: arg('--mac', v.mac),
    deviceType: v.type ?? 'IP811',
    firmware: v.firmware ?? '13.1',
    portalUrl: v.portal ?? process.env.MYLIC_PORTAL ?? 'https://localhost:8443/',
    pkiDir: v.pki ?? './data/pki',
  });
