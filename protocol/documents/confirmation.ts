import {
  buildSignedEnvelope,
  checkPayloadForEncoding,
  decodePayload,
  encodePayload,
  readEnvelope,
} from './envelope.js';
import { MylicError } from '../errors.js';
import { ConfirmationPayload } from './payloads.js';
import { loadSigningKey, signPayload, type TrustedSigners, verifyBySigners } from './signature.js';

/** Confirmations of an invalidation: signed by the license authority (Ed25519, or RSA-PSS before issue 16). */

export function encodeConfirmation(payload: ConfirmationPayload, signerKeyPem: string): string {
  const checked = checkPayloadForEncoding(payload, 'confirmation', ConfirmationPayload);
  const payloadBytes = encodePayload(checked);
  const signature = signPayload(
    'confirmation',
    payloadBytes,
    loadSigningKey(signerKeyPem, 'license signing key'),
  );
  return buildSignedEnvelope('confirmation', payloadBytes, signature);
}

/** `signers`: the trusted license authorities (see OpenLicenseFileOptions). */
export function openConfirmation(xml: string | Uint8Array, signers: TrustedSigners): ConfirmationPayload {
  const env = readEnvelope(xml, 'confirmation');
  if (env.form !== 'signed')
    throw new MylicError('DOC_MALFORMED', 'The confirmation is not a signed document.');
  verifyBySigners('confirmation', env, signers);
  return decodePayload(env.payloadBytes, 'confirmation', ConfirmationPayload);
}
