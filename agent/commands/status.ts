import { formatMac } from '../format-mac.js';
import { openDevice } from '../flows/device-context.js';
import type { CommandInput } from './types.js';

export default async ({ dir }: CommandInput) => {
  const { store, state } = await openDevice(dir);
  // The two files are independent: read side by side.
  const [pending, installed] = await Promise.all([store.pending(), store.installed()]);
  return {
    hardwareId: state.hardwareId,
    mac: formatMac(state.hardwareId),
    deviceType: state.deviceType,
    firmware: state.firmware,
    portal: state.config.portalUrl,
    loggedInAs: state.session?.email ?? null,
    installed,
    pendingInvalidation: pending
      ? { documentId: pending.documentId, serials: pending.serials, state: pending.state }
      : null,
    resetRequired: state.resetRequired,
  };
};
