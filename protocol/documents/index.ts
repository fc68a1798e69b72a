/**
 * The document layer (ARCHITECTURE §4): license files, invalidation documents and confirmations,
 * as XML envelopes around a base64 payload with a detached, domain-separated signature.
 * Pure functions: no I/O; crypto from node:crypto.
 */
export { MAX_DOCUMENT_BYTES, MAX_INVALIDATION_BYTES, peekKind } from './envelope.js';
export { encodeLicenseFile, openLicenseFile, type OpenLicenseFileOptions } from './license-file.js';
export { encodeInvalidation, openInvalidation, type OpenedInvalidation } from './invalidation.js';
export { encodeConfirmation, openConfirmation } from './confirmation.js';
export {
  encodeCertificateDocument,
  openCertificateDocument,
  openCertificateKey,
  type CertificateDocumentInput,
} from './certificate.js';
export {
  ED25519,
  RSA_PSS_SHA256,
  SIGNATURE_ALGS,
  type SignatureAlg,
  type TrustedSigners,
} from './signature.js';
