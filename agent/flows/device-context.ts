import { MylicError } from '../../protocol/errors.js';
import type { PortalClient } from '../client.js';
import { DeviceStore } from '../device/store.js';
import type { DeviceState } from '../device/state.js';

/** Opens the device store and, for flows that talk to the portal, a client pinned to the device's CA. */
export async function openDevice(dir: string) {
  const store = new DeviceStore(dir);
  const state = await store.state();
  return { store, state };
}

export async function withClient<T>(
  store: DeviceStore,
  state: DeviceState,
  fn: (client: PortalClient) => Promise<T>,
): Promise<T> {
  // Imported here, not at the top: the local commands open the device without loading the HTTPS client
  // and the protocol schemas it parses answers with.
  const { PortalClient } = await import('../client.js');
  const client = new PortalClient({
    portalUrl: state.config.portalUrl,
    caPem: await store.readText('trust', 'root-ca.pem'),
  });
  try {
    return await fn(client);
  } finally {
    await client.close();
  }
}

export function sessionToken(state: DeviceState, now: Date): string {
  if (!state.session) throw new MylicError('UNAUTHENTICATED', 'Log in to the portal first: `mylic login`.');
  if (new Date(state.session.expiresAt) <= now)
    throw new MylicError('SESSION_EXPIRED', 'The portal session has expired: `mylic login` again.');
  return state.session.token;
}

/**
 * A test hook for crash safety: when MYLIC_FAULT names a step, the agent kills itself with SIGKILL
 * right after that step, as a power cut would. Tests use it to prove a pending invalidation survives.
 */
export function faultPoint(
  step: 'after-invalidate' | 'after-transfer' | 'after-certificate-answer' | 'after-certificate-install',
) {
  if (process.env.MYLIC_FAULT === step) process.kill(process.pid, 'SIGKILL');
}
