import { assertCertificate } from '../../certs/verify.js';
import type { DeviceStore } from '../device/store.js';

/** The RSA license authority (every device has it) and the Ed25519 one (devices made since issue 16). */
export const RSA_AUTHORITY_FILE = 'license-authority.pem';
export const ED25519_AUTHORITY_FILE = 'license-authority-ed25519.pem';

/**
 * The license authorities this device trusts, each checked to chain to the device's root at `at`
 * (a certificate that does not is CERT_CHAIN, and nothing is verified with it). The documents name
 * their algorithm; openLicenseFile and openConfirmation pick the authority of that algorithm among
 * these, so an Ed25519 document on a device without the Ed25519 authority is DOC_ALGORITHM_UNSUPPORTED.
 */
export async function trustedAuthorities(store: DeviceStore, at: Date): Promise<string[]> {
  const root = await store.readText('trust', 'root-ca.pem');
  const pems = [await store.readText('trust', RSA_AUTHORITY_FILE)];
  const ed25519 = await store.readOptionalText('trust', ED25519_AUTHORITY_FILE);
  if (ed25519 !== null) pems.push(ed25519);
  for (const pem of pems) assertCertificate(pem, { issuers: [root], at });
  return pems;
}
