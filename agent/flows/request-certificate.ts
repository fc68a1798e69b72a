import { createCsr } from '../../certs/csr.js';
import { generateKeyPair } from '../../certs/keys.js';
import { keyMatchesCertificate } from '../../certs/inspect.js';
import { assertCertificate } from '../../certs/verify.js';
import { MylicError } from '../../protocol/errors.js';
import { openDevice, sessionToken, withClient } from './device-context.js';

/**
 * Request certificate (seed: "you can request a new device certificate for your device"). A new key
 * and a CSR for the hardware id; the portal's device CA signs it. The old key and certificate stay in
 * place until the new certificate has been verified: chain, hardware id, validity, and that it is for
 * the new key. Then both are replaced together.
 */
export async function requestCertificate(dir: string) {
  const { store, state } = await openDevice(dir);
  const token = sessionToken(state, new Date());
  const keys = generateKeyPair();
  const csr = createCsr({ commonName: state.hardwareId, privateKeyPem: keys.privateKeyPem });
  const answer = await withClient(store, state, (c) => c.requestCertificate(token, csr));
  const issuers = [await store.readText('trust', 'device-ca.pem'), await store.readText('trust', 'root-ca.pem')];
  assertCertificate(answer.certificate, { issuers, at: new Date(), expectedCommonName: state.hardwareId });
  if (!keyMatchesCertificate(keys.privateKeyPem, answer.certificate)) {
    throw new MylicError('CERT_KEY_MISMATCH', 'The portal returned a certificate for another key; the old certificate stays.');
  }
  await store.replaceIdentity(keys.privateKeyPem, answer.certificate);
  return { hardwareId: state.hardwareId, installed: true };
}
