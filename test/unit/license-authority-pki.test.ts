import { X509Certificate } from 'node:crypto';
import { cp, readdir, readFile, rm, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  ED25519_AUTHORITY_FOLDER,
  generateEd25519KeyPair,
  generateKeyPair,
  issueCertificate,
  loadOrCreateDevPki,
  loadPki,
  type Pki,
  verifyCertificate,
} from '../../certs/index.js';
import { keyUsageOf } from '../../certs/x509.js';
import { tempDir } from '../support/tmp.js';

/**
 * The Ed25519 license authority (issue 16): issued by the dev root with node-forge's structure and
 * node:crypto's signature, checked by node's own X509Certificate; added to a PKI made before it.
 */
describe('the Ed25519 license authority of the dev PKI', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  beforeAll(async () => {
    tmp = await tempDir('mylic-la-');
    pki = await loadOrCreateDevPki(join(tmp.dir, 'pki'));
  });
  afterAll(async () => tmp?.cleanup());

  it('is an Ed25519 signing certificate that node verifies against the root', () => {
    const la = new X509Certificate(pki.licenseAuthority.certPem);
    const root = new X509Certificate(pki.root.certPem);
    expect(la.publicKey.asymmetricKeyType).toBe('ed25519');
    expect(la.checkIssued(root)).toBe(true);
    expect(la.verify(root.publicKey)).toBe(true);
    expect(la.ca).toBe(false);
    expect([...(keyUsageOf(la) ?? [])].sort()).toEqual(['digitalSignature', 'nonRepudiation']);
    expect(
      verifyCertificate(pki.licenseAuthority.certPem, { issuers: [pki.root.certPem], at: new Date() }),
    ).toEqual({ ok: true, commonName: 'mylic License Authority' });
    // The RSA authority stays beside it, with the same name.
    expect(new X509Certificate(pki.rsaLicenseAuthority.certPem).publicKey.asymmetricKeyType).toBe('rsa');
  });

  it('fails node verification against another root', async () => {
    const other = await loadOrCreateDevPki(join(tmp.dir, 'other-pki'));
    const la = new X509Certificate(pki.licenseAuthority.certPem);
    expect(la.verify(new X509Certificate(other.root.certPem).publicKey)).toBe(false);
    expect(
      verifyCertificate(pki.licenseAuthority.certPem, { issuers: [other.root.certPem], at: new Date() }).ok,
    ).toBe(false);
  });

  it('is only issued for signing: an Ed25519 key cannot get a CA, server or client certificate', () => {
    const { publicKeyPem } = generateEd25519KeyPair();
    for (const usage of ['ca', 'server', 'client'] as const)
      expect(() =>
        issueCertificate({
          issuer: pki.root,
          subjectPublicKeyPem: publicKeyPem,
          commonName: 'x',
          usage,
          validDays: 1,
        }),
      ).toThrow(/only signs/);
    // An RSA subject is issued as before.
    const rsa = issueCertificate({
      issuer: pki.root,
      subjectPublicKeyPem: generateKeyPair().publicKeyPem,
      commonName: 'rsa signer',
      usage: 'signing',
      validDays: 1,
    });
    expect(new X509Certificate(rsa).verify(new X509Certificate(pki.root.certPem).publicKey)).toBe(true);
    expect(keyUsageOf(new X509Certificate(rsa))?.has('digitalSignature')).toBe(true);
  });

  describe('a PKI made before the Ed25519 authority existed', () => {
    let old: string;
    let before: Record<string, string>;
    const OLD_FILES = [
      'root-ca.pem',
      'root-ca.key',
      'device-ca.pem',
      'device-ca.key',
      'license-authority.pem',
      'license-authority.key',
      'tls-server.pem',
      'tls-server.key',
    ];
    beforeAll(async () => {
      old = join(tmp.dir, 'old-pki');
      await cp(join(tmp.dir, 'pki'), old, { recursive: true });
      await rm(join(old, ED25519_AUTHORITY_FOLDER), { recursive: true });
      before = Object.fromEntries(
        await Promise.all(OLD_FILES.map(async (f) => [f, await readFile(join(old, f), 'utf8')] as const)),
      );
    });

    it('is refused by the read-only loader with the way to add it', async () => {
      await expect(loadPki(old)).rejects.toThrow(
        expect.objectContaining({
          code: 'NOT_FOUND',
          message: expect.stringContaining('start the bridge once'),
        }),
      );
    });

    it('gains it on start, once even when two starts race, keeping the root, the device CA and the RSA authority', async () => {
      const [a, b] = await Promise.all([loadOrCreateDevPki(old), loadOrCreateDevPki(old)]);
      expect(b.licenseAuthority.keyPem).toBe(a.licenseAuthority.keyPem);
      expect(a.licenseAuthority.certPem).not.toBe(pki.licenseAuthority.certPem);
      for (const f of OLD_FILES) expect(await readFile(join(old, f), 'utf8')).toBe(before[f]);
      expect(a.root.certPem).toBe(before['root-ca.pem']);
      expect(a.deviceCa.certPem).toBe(before['device-ca.pem']);
      expect(a.rsaLicenseAuthority.keyPem).toBe(before['license-authority.key']);

      const la = new X509Certificate(a.licenseAuthority.certPem);
      expect(la.publicKey.asymmetricKeyType).toBe('ed25519');
      expect(la.verify(new X509Certificate(before['root-ca.pem']!).publicKey)).toBe(true);
      expect(
        (await stat(join(old, ED25519_AUTHORITY_FOLDER, 'license-authority-ed25519.key'))).mode & 0o777,
      ).toBe(0o600);
      // No temporary folder is left behind, and the next start loads what is there.
      expect((await readdir(old)).filter((f) => f.includes('.tmp-'))).toEqual([]);
      expect((await loadOrCreateDevPki(old)).licenseAuthority.keyPem).toBe(a.licenseAuthority.keyPem);
      expect((await loadPki(old)).licenseAuthority.certPem).toBe(a.licenseAuthority.certPem);
    });
  });
});
