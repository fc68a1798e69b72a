import { createCsr } from '../../certs/csr.js';
import { generateKeyPair } from '../../certs/keys.js';
import { keyMatchesCertificate } from '../../certs/inspect.js';
import { assertDeviceCertificate } from '../../certs/verify.js';
import { MylicError } from '../../protocol/errors.js';
import { faultPoint, openDevice, sessionToken, withClient } from './device-context.js';
import { login } from './login.js';

/**
 * Request certificate (seed: "you can request a new device certificate for your device"). A new key
 * and a CSR for the hardware id; the portal's device CA signs it. The old key and certificate stay in
 * place until the new certificate has been verified: chain, hardware id, validity, and that it is for
 * the new key. Then both are replaced together (DeviceStore.replaceIdentity).
 *
 * The portal does not use the new certificate until the device proves the new key in a login, so a
 * refused answer or a crash before the install leaves both sides on the old certificate. With the
 * portal password (`--password` or MYLIC_PASSWORD, the page's password field) the agent logs in again
 * right after installing, and the portal encrypts to the new key from then on. Without it, or when that
 * login fails, the device keeps its previous key (`device-previous.key`) to open files the portal still
 * encrypts to the old certificate, until the next `mylic login`.
 */
export async function requestCertificate(dir: string, opts: { password?: string } = {}) {
  const { store, state } = await openDevice(dir);
  const token = sessionToken(state, new Date());
  const email = state.session!.email;
  const keys = generateKeyPair();
  const csr = createCsr({ commonName: state.hardwareId, privateKeyPem: keys.privateKeyPem });
  const answer = await withClient(store, state, (c) => c.requestCertificate(token, csr));
  faultPoint('after-certificate-answer');
  const deviceCa = await store.readText('trust', 'device-ca.pem');
  assertDeviceCertificate(answer.certificate, {
    deviceCa,
    root: await store.readText('trust', 'root-ca.pem'),
    at: new Date(),
    hardwareId: state.hardwareId,
  });
  if (!keyMatchesCertificate(keys.privateKeyPem, answer.certificate)) {
    throw new MylicError(
      'CERT_KEY_MISMATCH',
      'The portal returned a certificate for another key; the old certificate stays.',
    );
  }
  await store.replaceIdentity(keys.privateKeyPem, answer.certificate);
  faultPoint('after-certificate-install');

  let portalUsesNewCertificate = false;
  let loginError: { code: string; message: string } | null = null;
  if (opts.password) {
    try {
      await login(dir, email, opts.password);
      portalUsesNewCertificate = true;
    } catch (e) {
      const err =
        e instanceof MylicError ? e : new MylicError('INTERNAL', String((e as Error)?.message ?? e));
      loginError = { code: err.code, message: err.message };
    }
  }
  return {
    hardwareId: state.hardwareId,
    installed: true,
    portalUsesNewCertificate,
    loginError,
    next: portalUsesNewCertificate
      ? null
      : 'Log in again (`mylic login`) so that the portal encrypts license files to the new key; until then the device keeps its previous key to open them.',
  };
}
