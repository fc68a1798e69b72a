import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { issueDeviceCertificate, loadOrCreateDevPki, type Pki } from '../../certs/index.js';
import {
  encodeCertificateDocument,
  encodeConfirmation,
  encodeInvalidation,
  encodeLicenseFile,
  openCertificateDocument,
  openConfirmation,
  openInvalidation,
  openLicenseFile,
  type TrustedSigners,
} from '../../protocol/documents/index.js';
import type { ConfirmationPayload, LicenseFilePayload } from '../../protocol/documents/payloads.js';
import { buildXml } from '../../protocol/xml.js';
import { codeOf } from '../support/error-code.js';
import { tempDir } from '../support/tmp.js';

/**
 * Issue 16: the license authority signs with Ed25519; documents it signed with RSA-PSS before keep
 * verifying. The envelope names the algorithm, the algorithm picks the trusted key of its type, and
 * nothing else is accepted: an unknown name, a signature under the other algorithm's name, or an
 * Ed25519 signature by a key that is not the trusted authority.
 */
const HW = '009033012345';

interface Pair {
  publicKey: string;
  privateKey: string;
}
const ed25519 = (): Pair =>
  generateKeyPairSync('ed25519', {
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });
const rsa = (): Pair =>
  generateKeyPairSync('rsa', {
    modulusLength: 2048,
    publicKeyEncoding: { type: 'spki', format: 'pem' },
    privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  });

const licensePayload = (over: Partial<LicenseFilePayload> = {}): LicenseFilePayload => ({
  kind: 'license',
  hardwareId: HW,
  version: 13,
  fileId: randomUUID(),
  issuedAt: '2026-12-01T10:00:00.000Z',
  deviceCounter: 0,
  encrypted: true,
  licenses: [
    {
      serial: 'L-0000000000000001',
      type: 'PBX-Port13',
      units: 4,
      returnable: true,
      bindDate: '2026-12-01',
      ssaEnd: null,
      externalKey: null,
    },
  ],
  ...over,
});
const confirmationPayload = (): ConfirmationPayload => ({
  kind: 'confirmation',
  hardwareId: HW,
  documentId: randomUUID(),
  deviceCounter: 1,
  issuedAt: '2026-12-01T10:00:00.000Z',
  accepted: ['L-0000000000000001'],
  rejected: [],
});

/** Swaps the alg attribute of the signature and nothing else. */
const relabel = (xml: string, from: string, to: string) => {
  const out = xml.replace(`<signature alg="${from}">`, `<signature alg="${to}">`);
  expect(out).not.toBe(xml);
  return out;
};
const signatureBytes = (xml: string) =>
  Buffer.from(/<signature alg="[^"]+">([^<]+)<\/signature>/.exec(xml)![1]!, 'base64');

describe('documents signed by the Ed25519 license authority', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let device: Pair;
  let deviceCert: string;
  /** What a device made since issue 16 trusts: both authorities' certificates. */
  let both: string[];
  beforeAll(async () => {
    tmp = await tempDir('mylic-ed-docs-');
    pki = await loadOrCreateDevPki(join(tmp.dir, 'pki'));
    device = rsa();
    deviceCert = issueDeviceCertificate(pki.deviceCa, device.publicKey, HW);
    both = [pki.rsaLicenseAuthority.certPem, pki.licenseAuthority.certPem];
  }, 60_000);
  afterAll(async () => tmp?.cleanup());

  const open = (xml: string, signers: TrustedSigners = both) =>
    openLicenseFile(xml, { signerPublicKeyPem: signers, devicePrivateKeyPem: device.privateKey });

  it('names Ed25519 in the envelope, carries a 64-byte signature and opens with the authorities a device trusts', () => {
    const payload = licensePayload({ encrypted: false, version: 7 });
    const xml = encodeLicenseFile(payload, pki.licenseAuthority.keyPem);
    expect(xml).toContain('<signature alg="Ed25519">');
    expect(signatureBytes(xml)).toHaveLength(64);
    expect(open(xml)).toEqual(payload);
    // The Ed25519 certificate alone, its SPKI, and the bridge's bundle (both certificates in one PEM text).
    expect(open(xml, pki.licenseAuthority.certPem)).toEqual(payload);
    expect(open(xml, `${pki.licenseAuthority.certPem}${pki.rsaLicenseAuthority.certPem}`)).toEqual(payload);
  });

  it('encrypts an Ed25519-signed V13 file to the device, which opens it', () => {
    const payload = licensePayload();
    const xml = encodeLicenseFile(payload, pki.licenseAuthority.keyPem, deviceCert);
    expect(xml).toContain('<encrypted alg="RSA-OAEP-SHA256+A256GCM"');
    expect(open(xml)).toEqual(payload);
  });

  it('keeps verifying the RSA-PSS files the RSA authority issued, next to Ed25519 ones', () => {
    const payload = licensePayload();
    const xml = encodeLicenseFile(payload, pki.rsaLicenseAuthority.keyPem, deviceCert);
    const inner = encodeLicenseFile(
      { ...payload, encrypted: false, version: 7 },
      pki.rsaLicenseAuthority.keyPem,
    );
    expect(inner).toContain('<signature alg="RSA-PSS-SHA256">');
    expect(open(xml)).toEqual(payload);
    expect(open(xml, pki.rsaLicenseAuthority.certPem)).toEqual(payload);
    expect(open(xml, `${pki.licenseAuthority.certPem}${pki.rsaLicenseAuthority.certPem}`)).toEqual(payload);
  });

  it('refuses an Ed25519 file where no Ed25519 authority is trusted (DOC_ALGORITHM_UNSUPPORTED)', () => {
    const xml = encodeLicenseFile(licensePayload(), pki.licenseAuthority.keyPem, deviceCert);
    expect(codeOf(() => open(xml, pki.rsaLicenseAuthority.certPem))).toBe('DOC_ALGORITHM_UNSUPPORTED');
    // And the other way round: an RSA file where only the Ed25519 authority is trusted.
    const old = encodeLicenseFile(licensePayload(), pki.rsaLicenseAuthority.keyPem, deviceCert);
    expect(codeOf(() => open(old, pki.licenseAuthority.certPem))).toBe('DOC_ALGORITHM_UNSUPPORTED');
  });

  it('refuses an Ed25519 signature by a key that is not the trusted authority (DOC_SIGNATURE_INVALID)', () => {
    const stranger = ed25519();
    const plain = encodeLicenseFile(licensePayload({ encrypted: false, version: 7 }), stranger.privateKey);
    expect(plain).toContain('<signature alg="Ed25519">');
    expect(codeOf(() => open(plain))).toBe('DOC_SIGNATURE_INVALID');
    const encrypted = encodeLicenseFile(licensePayload(), stranger.privateKey, deviceCert);
    expect(codeOf(() => open(encrypted))).toBe('DOC_SIGNATURE_INVALID');
    // The stranger's key verifies its own file: only the trust decides.
    expect(open(plain, stranger.publicKey).kind).toBe('license');
  });

  it('refuses an RSA-PSS signature in an envelope that claims Ed25519, and the reverse', () => {
    const rsaSigned = encodeLicenseFile(
      licensePayload({ encrypted: false, version: 7 }),
      pki.rsaLicenseAuthority.keyPem,
    );
    expect(codeOf(() => open(relabel(rsaSigned, 'RSA-PSS-SHA256', 'Ed25519')))).toBe('DOC_SIGNATURE_INVALID');
    const edSigned = encodeLicenseFile(
      licensePayload({ encrypted: false, version: 7 }),
      pki.licenseAuthority.keyPem,
    );
    expect(codeOf(() => open(relabel(edSigned, 'Ed25519', 'RSA-PSS-SHA256')))).toBe('DOC_SIGNATURE_INVALID');
    // Even when the only key trusted is of the claimed type, the bytes do not pass.
    expect(
      codeOf(() => open(relabel(rsaSigned, 'RSA-PSS-SHA256', 'Ed25519'), pki.licenseAuthority.certPem)),
    ).toBe('DOC_SIGNATURE_INVALID');
  });

  it('refuses algorithm names outside the allow-list (DOC_ALGORITHM_UNSUPPORTED)', () => {
    const xml = encodeLicenseFile(
      licensePayload({ encrypted: false, version: 7 }),
      pki.licenseAuthority.keyPem,
    );
    for (const name of ['ed25519', 'EdDSA', 'Ed448', 'ED25519', 'Ed25519ph', ''])
      expect(
        codeOf(() => open(relabel(xml, 'Ed25519', name))),
        name,
      ).toBe('DOC_ALGORITHM_UNSUPPORTED');
  });

  it('refuses a trusted key that is neither Ed25519 nor RSA of 2048 bits or more', () => {
    const xml = encodeLicenseFile(
      licensePayload({ encrypted: false, version: 7 }),
      pki.licenseAuthority.keyPem,
    );
    const ed448 = generateKeyPairSync('ed448', { publicKeyEncoding: { type: 'spki', format: 'pem' } });
    expect(codeOf(() => open(xml, [pki.licenseAuthority.certPem, ed448.publicKey]))).toBe(
      'DOC_ALGORITHM_UNSUPPORTED',
    );
  });

  it('keeps the kind in what is signed: an Ed25519 license signature does not pass as a confirmation', () => {
    const confirmation = encodeConfirmation(confirmationPayload(), pki.licenseAuthority.keyPem);
    const license = encodeLicenseFile(
      licensePayload({ encrypted: false, version: 7 }),
      pki.licenseAuthority.keyPem,
    );
    const forged = confirmation.replace(
      /<signature alg="Ed25519">[^<]+<\/signature>/,
      `<signature alg="Ed25519">${signatureBytes(license).toString('base64')}</signature>`,
    );
    expect(codeOf(() => openConfirmation(forged, both))).toBe('DOC_SIGNATURE_INVALID');
  });

  it('signs confirmations and certificate documents with Ed25519 too; RSA-PSS ones still open', () => {
    const payload = confirmationPayload();
    const ed = encodeConfirmation(payload, pki.licenseAuthority.keyPem);
    expect(ed).toContain('<signature alg="Ed25519">');
    expect(openConfirmation(ed, both)).toEqual(payload);
    const old = encodeConfirmation(payload, pki.rsaLicenseAuthority.keyPem);
    expect(openConfirmation(old, both)).toEqual(payload);
    expect(codeOf(() => openConfirmation(ed, pki.rsaLicenseAuthority.certPem))).toBe(
      'DOC_ALGORITHM_UNSUPPORTED',
    );

    const next = rsa();
    const doc = encodeCertificateDocument(
      {
        hardwareId: HW,
        documentId: randomUUID(),
        issuedAt: '2026-12-01T10:00:00.000Z',
        certificatePem: issueDeviceCertificate(pki.deviceCa, next.publicKey, HW),
        privateKeyPem: next.privateKey,
      },
      pki.licenseAuthority.keyPem,
      deviceCert,
    );
    expect(doc).toContain('<signature alg="Ed25519">');
    expect(openCertificateDocument(doc, both).hardwareId).toBe(HW);
    expect(codeOf(() => openCertificateDocument(relabel(doc, 'Ed25519', 'RSA-PSS-SHA256'), both))).toBe(
      'DOC_SIGNATURE_INVALID',
    );
  });

  it('leaves invalidations to the device key: RSA-PSS only, an invalidation claiming Ed25519 is refused', () => {
    const xml = encodeInvalidation(
      {
        kind: 'invalidation',
        hardwareId: HW,
        documentId: randomUUID(),
        deviceCounter: 1,
        createdAt: '2026-12-01T10:00:00Z',
        fileId: randomUUID(),
        version: 13,
        serials: ['L-0000000000000001'],
      },
      device.privateKey,
      deviceCert,
    );
    expect(xml).toContain('<signature alg="RSA-PSS-SHA256">');
    expect(openInvalidation(xml).payload.hardwareId).toBe(HW);
    expect(codeOf(() => openInvalidation(relabel(xml, 'RSA-PSS-SHA256', 'Ed25519')))).toBe(
      'DOC_ALGORITHM_UNSUPPORTED',
    );
  });

  // The envelope writer (a template since issue 16).
  /** The library's text for an envelope, the way the documents were written before issue 16. */
  const byLibrary = (body: Record<string, unknown>) => buildXml({ 'mylic-document': body });
  const b64 = (xml: string, tag: string) => new RegExp(`<${tag}[^>]*>([^<]*)</${tag}>`).exec(xml)![1]!;

  it('writes signed and encrypted envelopes byte for byte as the XML library wrote them', () => {
    const authority = ed25519();
    const plain = encodeLicenseFile(licensePayload({ encrypted: false, version: 7 }), authority.privateKey);
    expect(plain).toBe(
      byLibrary({
        '@_kind': 'license',
        '@_format': '1',
        payload: { '@_encoding': 'base64', '#text': b64(plain, 'payload') },
        signature: { '@_alg': 'Ed25519', '#text': b64(plain, 'signature') },
      }),
    );
    const encrypted = encodeLicenseFile(licensePayload(), authority.privateKey, deviceCert);
    expect(encrypted).toBe(
      byLibrary({
        '@_kind': 'license',
        '@_format': '1',
        encrypted: {
          '@_alg': 'RSA-OAEP-SHA256+A256GCM',
          '@_hardware-id': HW,
          key: b64(encrypted, 'key'),
          iv: b64(encrypted, 'iv'),
          tag: b64(encrypted, 'tag'),
          data: b64(encrypted, 'data'),
        },
      }),
    );
  });

  it('writes the invalidation with its certificate as the XML library did', () => {
    const xml = encodeInvalidation(
      {
        kind: 'invalidation',
        hardwareId: HW,
        documentId: randomUUID(),
        deviceCounter: 1,
        createdAt: '2026-12-01T10:00:00Z',
        fileId: randomUUID(),
        version: 13,
        serials: ['L-0000000000000001'],
      },
      device.privateKey,
      deviceCert,
    );
    expect(xml).toBe(
      byLibrary({
        '@_kind': 'invalidation',
        '@_format': '1',
        payload: { '@_encoding': 'base64', '#text': b64(xml, 'payload') },
        signature: { '@_alg': 'RSA-PSS-SHA256', '#text': b64(xml, 'signature') },
        certificate: b64(xml, 'certificate'),
      }),
    );
  });
});
