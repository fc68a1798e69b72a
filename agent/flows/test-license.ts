import { MylicError } from '../../protocol/errors.js';
import { firmwareMajor } from '../device/state.js';
import { preflight } from './checks.js';
import { openDevice, sessionToken, withClient } from './device-context.js';
import { installLicenseFile } from './install.js';

/** Download test licenses (seed): which version, slave or how many PBX licenses; installed like a license file. */
export async function testLicense(dir: string, req: { version?: number; slave: boolean; pbx?: number }) {
  const { store, state } = await openDevice(dir);
  const token = sessionToken(state, new Date());
  const runs = firmwareMajor(state.firmware);
  const version = req.version ?? runs;
  if (version !== runs)
    throw new MylicError(
      'DOC_VERSION_MISMATCH',
      `This device runs V${runs} (firmware ${state.firmware}); it cannot use V${version} test licenses.`,
    );
  if (!req.slave && req.pbx === undefined)
    throw new MylicError('USAGE', 'Give --pbx N (number of PBX test licenses) or --slave.');
  if (await store.pending()) throw new MylicError('INVALIDATION_PENDING');
  await preflight(store, state, false);
  const xml = await withClient(store, state, (c) =>
    c.testLicenseFile(token, { version, slave: req.slave, ...(req.slave ? {} : { pbx: req.pbx }) }),
  );
  const installed = await installLicenseFile(store, state, xml);
  const test = installed.licenses.find((l) => l.testEnd);
  return { ...installed, testLicense: test ?? null };
}
