import { formatMac } from '../format-mac.js';
import { openDevice } from '../flows/device-context.js';
import type { CommandInput } from './types.js';

export default async ({ dir }: CommandInput) => {
  const { store, state } = await openDevice(dir);
  const pending = await store.pending();
  return {
    hardwareId: state.hardwareId,
    mac: formatMac(state.hardwareId),
    deviceType: state.deviceType,
    firmware: state.firmware,
    portal: state.config.portalUrl,
    loggedInAs: state.session?.email ?? null,
    installed: await store.installed(),
    pendingInvalidation: pending
      ? { documentId: pending.documentId, serials: pending.serials, state: pending.state }
      : null,
    resetRequired: state.resetRequired,
  };
};
