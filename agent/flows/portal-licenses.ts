import { firmwareMajor } from '../device/state.js';
import { openDevice, sessionToken, withClient } from './device-context.js';

/** What the portal holds for this device, and what is installed on it. */
export async function portalLicenses(dir: string) {
  const { store, state } = await openDevice(dir);
  const token = sessionToken(state, new Date());
  const portal = await withClient(store, state, (c) => c.licenses(token));
  const installed = await store.installed();
  const pending = await store.pending();
  return {
    ...portal,
    runsVersion: firmwareMajor(state.firmware),
    installed,
    pendingInvalidation: pending
      ? { documentId: pending.documentId, serials: pending.serials, state: pending.state }
      : null,
  };
}
