import { constants, sign } from 'node:crypto';
import { deviceProofBytes } from '../../protocol/device-protocol.js';
import { preflight } from './checks.js';
import { openDevice, withClient } from './device-context.js';

/** The portal login from the device (seed: Invalidation → Process, "enter your my.innovaphone account"). */
export async function login(dir: string, email: string, password: string) {
  const { store, state } = await openDevice(dir);
  await preflight(store, state, false);
  const certificate = await store.readText('device.crt');
  const key = await store.readText('device.key');
  const session = await withClient(store, state, async (client) => {
    const { challenge } = await client.challenge(state.hardwareId);
    const signature = sign('sha256', deviceProofBytes(challenge, state.hardwareId), {
      key,
      padding: constants.RSA_PKCS1_PSS_PADDING,
      saltLength: 32,
    }).toString('base64');
    return client.login({ email, password, hardwareId: state.hardwareId, certificate, challenge, signature });
  });
  await store.update((s) => {
    s.session = {
      token: session.token,
      email,
      expiresAt: session.expiresAt,
      company: session.company,
      project: session.project,
    };
  });
  // The portal now encrypts to the certificate this login showed: a key kept from before a
  // certificate request is not needed any more.
  await store.forgetPreviousKey();
  return { email, company: session.company, project: session.project, expiresAt: session.expiresAt };
}

export async function logout(dir: string) {
  const { store } = await openDevice(dir);
  await store.update((s) => {
    s.session = null;
  });
  return { loggedOut: true };
}
