import {
  buildSignedEnvelope,
  checkPayloadForEncoding,
  decodePayload,
  encodePayload,
  readEnvelope,
} from './envelope.js';
import { MylicError } from '../errors.js';
import { ConfirmationPayload } from './payloads.js';
import { loadPrivateKey, loadPublicKey, signPayload, verifyPayload } from './signature.js';

/** Confirmations of an invalidation: signed by the license authority. */

export function encodeConfirmation(payload: ConfirmationPayload, signerKeyPem: string): string {
  const checked = checkPayloadForEncoding(payload, 'confirmation', ConfirmationPayload);
  const payloadBytes = encodePayload(checked);
  const signature = signPayload(
    'confirmation',
    payloadBytes,
    loadPrivateKey(signerKeyPem, 'license signing key'),
  );
  return buildSignedEnvelope('confirmation', payloadBytes, signature);
}

export function openConfirmation(xml: string | Uint8Array, signerPublicKeyPem: string): ConfirmationPayload {
  const env = readEnvelope(xml, 'confirmation');
  if (env.form !== 'signed')
    throw new MylicError('DOC_MALFORMED', 'The confirmation is not a signed document.');
  verifyPayload(
    'confirmation',
    env.payloadBytes,
    env.signature,
    loadPublicKey(signerPublicKeyPem, 'license authority public key'),
  );
  return decodePayload(env.payloadBytes, 'confirmation', ConfirmationPayload);
}
