/** The PKI of mylic: keys, issuing, CSRs, inspection, chain verification and the dev PKI. */
export {
  generateKeyPair,
  generateEd25519KeyPair,
  publicKeyOf,
  writeSecretFile,
  writePublicFile,
  type KeyPair,
} from './keys.js';
export {
  createRootCa,
  issueCertificate,
  issueDeviceCertificate,
  DEVICE_CERT_DAYS,
  DEVICE_ORGANIZATION,
  type CertAndKey,
  type CertUsage,
  type IssueOptions,
} from './issue.js';
export { createCsr, parseCsr, MAX_CSR_PEM_BYTES, type ParsedCsr } from './csr.js';
export { certInfo, keyMatchesCertificate, type CertInfo } from './inspect.js';
export {
  verifyCertificate,
  assertCertificate,
  verifyDeviceCertificate,
  assertDeviceCertificate,
  type ChainResult,
  type ChainErrorCode,
  type VerifyOptions,
  type DeviceCertificateOptions,
} from './verify.js';
export {
  loadOrCreateDevPki,
  loadPki,
  PKI_FILES,
  ED25519_AUTHORITY_FOLDER,
  ED25519_AUTHORITY_STEM,
  DEV_ROOT_CN,
  DEV_DEVICE_CA_CN,
  DEV_LICENSE_AUTHORITY_CN,
  DEV_TLS_SERVER_CN,
  type Pki,
} from './dev-pki.js';
