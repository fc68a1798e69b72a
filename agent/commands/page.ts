import * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';
import { openDevice } from '../flows/device-context.js';
import { startDevicePage } from '../page/server.js';
import type { CommandInput } from './types.js';

export default async ({ values: v, dir }: CommandInput) => {
  const port = z.coerce
    .number()
    .int()
    .min(0)
    .max(65535)
    .safeParse(v.port ?? '8080');
  if (!port.success) throw new MylicError('USAGE', `--port must be 0 to 65535, not "${v.port}".`);
  await openDevice(dir); // NOT_INITIALISED before listening
  const page = await startDevicePage({ dir, port: port.data });
  console.error(`device page on ${page.url} (Ctrl-C to stop)`);
  await new Promise<void>((resolve) => {
    process.once('SIGINT', () => resolve());
    process.once('SIGTERM', () => resolve());
  });
  await page.close();
  return { url: page.url, stopped: true };
};
