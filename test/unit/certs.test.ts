import { copyFile, mkdir, mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as tls from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import forge from 'node-forge';
import { MylicError } from '../../protocol/errors.js';
import {
  assertCertificate,
  certInfo,
  createCsr,
  createRootCa,
  generateKeyPair,
  issueCertificate,
  issueDeviceCertificate,
  keyMatchesCertificate,
  loadOrCreateDevPki,
  loadPki,
  parseCsr,
  publicKeyOf,
  verifyCertificate,
  verifyDeviceCertificate,
  assertDeviceCertificate,
  writePublicFile,
  writeSecretFile,
  type CertAndKey,
  type ChainResult,
  type Pki,
} from '../../certs/index.js';

const HW = '009033ABCDEF';
const DAY = 24 * 60 * 60 * 1000;

/** One root, one device CA and one device key for the whole file: RSA key generation is the slow part. */
let root: CertAndKey;
let deviceCa: CertAndKey;
let device: { privateKeyPem: string; publicKeyPem: string };
let tmp: string;

beforeAll(async () => {
  root = createRootCa({ commonName: 'Test Root CA', validDays: 3650 });
  const caKey = generateKeyPair();
  deviceCa = {
    keyPem: caKey.privateKeyPem,
    certPem: issueCertificate({
      issuer: root,
      subjectPublicKeyPem: caKey.publicKeyPem,
      commonName: 'Device CA',
      usage: 'ca',
      pathLen: 0,
      validDays: 3650,
    }),
  };
  device = generateKeyPair();
  tmp = await mkdtemp(join(tmpdir(), 'mylic-certs-'));
});

afterAll(async () => {
  await rm(tmp, { recursive: true, force: true });
});

const failure = (r: ChainResult) => {
  if (r.ok) throw new Error(`expected a failure, got ok for ${r.commonName}`);
  return r;
};

describe('device certificates', () => {
  it('chain to the device CA and the root, and carry the hardware id as common name', () => {
    const cert = issueDeviceCertificate(deviceCa, device.publicKeyPem, HW);
    const result = verifyCertificate(cert, {
      issuers: [deviceCa.certPem, root.certPem],
      at: new Date(),
      expectedCommonName: HW,
    });
    expect(result).toEqual({ ok: true, commonName: HW });

    const info = certInfo(cert);
    expect(info.commonName).toBe(HW);
    expect(info.issuerCommonName).toBe('Device CA');
    expect(info.publicKeyPem).toBe(device.publicKeyPem);
    // factory certificate: about 20 years
    expect((info.notAfter.getTime() - info.notBefore.getTime()) / DAY).toBeCloseTo(20 * 365, 0);
    // random, positive, 16 bytes
    expect(info.serialNumber).toMatch(/^[0-7][0-9A-F]{31}$/);
    expect(certInfo(issueDeviceCertificate(deviceCa, device.publicKeyPem, HW)).serialNumber).not.toBe(
      info.serialNumber,
    );
  });

  it('do not verify against the root alone when the device CA is left out', () => {
    const cert = issueDeviceCertificate(deviceCa, device.publicKeyPem, HW);
    expect(failure(verifyCertificate(cert, { issuers: [root.certPem], at: new Date() })).code).toBe(
      'CERT_CHAIN',
    );
  });

  it('from another root are refused with CERT_CHAIN', () => {
    const otherRoot = createRootCa({ commonName: 'Test Root CA', validDays: 3650 }); // same name, other key
    const forged = issueCertificate({
      issuer: otherRoot,
      subjectPublicKeyPem: device.publicKeyPem,
      commonName: HW,
      usage: 'client',
      validDays: 30,
    });
    const result = failure(
      verifyCertificate(forged, { issuers: [deviceCa.certPem, root.certPem], at: new Date() }),
    );
    expect(result.code).toBe('CERT_CHAIN');
    expect(result.message).toContain('not issued by "Test Root CA"');
  });

  it('report expired and not-yet-valid apart, with the dates in the message', () => {
    const cert = issueDeviceCertificate(deviceCa, device.publicKeyPem, HW, {
      notBefore: new Date('2030-01-01T00:00:00Z'),
      validDays: 365,
    });
    const opts = { issuers: [deviceCa.certPem, root.certPem], expectedCommonName: HW };

    const early = failure(verifyCertificate(cert, { ...opts, at: new Date('2029-12-31T23:59:59Z') }));
    expect(early.code).toBe('CERT_NOT_YET_VALID');
    expect(early.message).toContain('2030-01-01 00:00:00 UTC');

    const late = failure(verifyCertificate(cert, { ...opts, at: new Date('2031-06-01T00:00:00Z') }));
    expect(late.code).toBe('CERT_EXPIRED');
    expect(late.message).toMatch(/expired on 2031-01-01 00:00:00 UTC \(checked at 2031-06-01 00:00:00 UTC\)/);

    expect(verifyCertificate(cert, { ...opts, at: new Date('2030-07-01T00:00:00Z') }).ok).toBe(true);
  });

  it('are refused when an issuer in the chain has expired, naming that issuer', () => {
    const shortKey = generateKeyPair();
    const shortCa: CertAndKey = {
      keyPem: shortKey.privateKeyPem,
      certPem: issueCertificate({
        issuer: root,
        subjectPublicKeyPem: shortKey.publicKeyPem,
        commonName: 'Short-lived CA',
        usage: 'ca',
        validDays: 1,
      }),
    };
    const cert = issueDeviceCertificate(shortCa, device.publicKeyPem, HW);
    const result = failure(
      verifyCertificate(cert, {
        issuers: [shortCa.certPem, root.certPem],
        at: new Date(Date.now() + 3 * DAY),
      }),
    );
    expect(result.code).toBe('CERT_EXPIRED');
    expect(result.message).toContain('"Short-lived CA"');
  });

  it('for another hardware id give CERT_HW_MISMATCH, and assertCertificate throws it', () => {
    const cert = issueDeviceCertificate(deviceCa, device.publicKeyPem, HW);
    const opts = {
      issuers: [deviceCa.certPem, root.certPem],
      at: new Date(),
      expectedCommonName: '009033000001',
    };
    expect(failure(verifyCertificate(cert, opts)).code).toBe('CERT_HW_MISMATCH');
    expect(() => assertCertificate(cert, opts)).toThrow(
      expect.objectContaining({ name: 'MylicError', code: 'CERT_HW_MISMATCH' }),
    );
  });

  it('refuse a hardware id that is not 12 upper-case hex digits', () => {
    expect(() => issueDeviceCertificate(deviceCa, device.publicKeyPem, '009033abcdef')).toThrow(
      expect.objectContaining({ code: 'MAC_INVALID' }),
    );
  });

  it('cannot be issued by a certificate that is not a CA', () => {
    const leaf: CertAndKey = {
      certPem: issueDeviceCertificate(deviceCa, device.publicKeyPem, HW),
      keyPem: device.privateKeyPem,
    };
    expect(() =>
      issueCertificate({
        issuer: leaf,
        subjectPublicKeyPem: device.publicKeyPem,
        commonName: 'x',
        usage: 'client',
        validDays: 1,
      }),
    ).toThrow(expect.objectContaining({ code: 'CERT_CHAIN' }));
  });
});

describe('device certificates as the portal and the agent check them (issue 11)', () => {
  const deviceOpts = () => ({
    deviceCa: deviceCa.certPem,
    root: root.certPem,
    at: new Date(),
    hardwareId: HW,
  });
  /** A certificate for the device's key and hardware id, as `issuer` would make it for `usage`. */
  const issuedBy = (issuer: CertAndKey, usage: 'ca' | 'server' | 'client' | 'signing') =>
    issueCertificate({
      issuer,
      subjectPublicKeyPem: device.publicKeyPem,
      commonName: HW,
      usage,
      validDays: 30,
    });

  it('pass when the Device Certification Authority issued them for the hardware id', () => {
    expect(
      verifyDeviceCertificate(issueDeviceCertificate(deviceCa, device.publicKeyPem, HW), deviceOpts()),
    ).toEqual({ ok: true, commonName: HW });
  });

  it('are refused with CERT_CHAIN when the root signed them directly, though the plain chain check takes them', () => {
    // The license authority's and the TLS server's certificates are such certificates: with the
    // hardware id as CN they passed the device login, since only the CN told them apart.
    for (const usage of ['signing', 'server', 'client'] as const) {
      const cert = issuedBy(root, usage);
      expect(
        verifyCertificate(cert, {
          issuers: [deviceCa.certPem, root.certPem],
          at: new Date(),
          expectedCommonName: HW,
        }).ok,
        usage,
      ).toBe(true);
      const r = failure(verifyDeviceCertificate(cert, deviceOpts()));
      expect(r.code, usage).toBe('CERT_CHAIN');
      expect(r.message).toContain('not issued by "Device CA"');
      expect(() => assertDeviceCertificate(cert, deviceOpts())).toThrow(
        expect.objectContaining({ name: 'MylicError', code: 'CERT_CHAIN' }),
      );
    }
  });

  it("are refused with CERT_CHAIN when an authority with the device CA's name but another key issued them", () => {
    const keys = generateKeyPair();
    const lookalike: CertAndKey = {
      keyPem: keys.privateKeyPem,
      certPem: issueCertificate({
        issuer: root,
        subjectPublicKeyPem: keys.publicKeyPem,
        commonName: 'Device CA',
        usage: 'ca',
        pathLen: 0,
        validDays: 3650,
      }),
    };
    expect(
      failure(
        verifyDeviceCertificate(issueDeviceCertificate(lookalike, device.publicKeyPem, HW), deviceOpts()),
      ).code,
    ).toBe('CERT_CHAIN');
  });

  it("are refused with CERT_CHAIN when the device CA given is not the root's", () => {
    const otherRoot = createRootCa({ commonName: 'Test Root CA', validDays: 3650 });
    const cert = issueDeviceCertificate(deviceCa, device.publicKeyPem, HW);
    expect(failure(verifyDeviceCertificate(cert, { ...deviceOpts(), root: otherRoot.certPem })).code).toBe(
      'CERT_CHAIN',
    );
  });

  it('are refused with CERT_USAGE when the device CA issued them for another use', () => {
    for (const usage of ['server', 'signing', 'ca'] as const) {
      const r = failure(verifyDeviceCertificate(issuedBy(deviceCa, usage), deviceOpts()));
      expect(r.code, usage).toBe('CERT_USAGE');
      expect(r.message).toMatch(/device certificate/);
    }
  });

  it('still report expiry and another hardware id with their own codes', () => {
    const old = issueDeviceCertificate(deviceCa, device.publicKeyPem, HW, {
      notBefore: new Date('2020-01-01T00:00:00Z'),
      validDays: 365,
    });
    expect(failure(verifyDeviceCertificate(old, deviceOpts())).code).toBe('CERT_EXPIRED');
    const other = issueDeviceCertificate(deviceCa, device.publicKeyPem, '009033000001');
    expect(failure(verifyDeviceCertificate(other, deviceOpts())).code).toBe('CERT_HW_MISMATCH');
    expect(failure(verifyDeviceCertificate('garbage', deviceOpts())).code).toBe('CERT_MALFORMED');
  });
});

describe('certificate input', () => {
  it('that is garbage is CERT_MALFORMED, both in certInfo and in verification', () => {
    expect(() => certInfo('hello')).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED' }));
    const broken = '-----BEGIN CERTIFICATE-----\nAAAA\n-----END CERTIFICATE-----\n';
    expect(() => certInfo(broken)).toThrow(MylicError);
    expect(failure(verifyCertificate(broken, { issuers: [root.certPem], at: new Date() })).code).toBe(
      'CERT_MALFORMED',
    );
    expect(() => assertCertificate('x'.repeat(100_000), { issuers: [root.certPem], at: new Date() })).toThrow(
      expect.objectContaining({ code: 'CERT_MALFORMED' }),
    );
  });

  it('keeps non-ASCII names intact through issuing and chain checks', () => {
    const umlautRoot = createRootCa({
      commonName: 'Gerätehersteller Wurzel-CA',
      organization: 'Müller & Söhne',
      validDays: 30,
    });
    const cert = issueCertificate({
      issuer: umlautRoot,
      subjectPublicKeyPem: device.publicKeyPem,
      commonName: 'Gerät №1',
      usage: 'client',
      validDays: 30,
    });
    expect(
      verifyCertificate(cert, {
        issuers: [umlautRoot.certPem],
        at: new Date(),
        expectedCommonName: 'Gerät №1',
      }).ok,
    ).toBe(true);
    expect(certInfo(cert).issuerCommonName).toBe('Gerätehersteller Wurzel-CA');
  });
});

describe('keys', () => {
  it('match the certificate issued for them and no other', () => {
    const cert = issueDeviceCertificate(deviceCa, device.publicKeyPem, HW);
    expect(keyMatchesCertificate(device.privateKeyPem, cert)).toBe(true);
    expect(keyMatchesCertificate(deviceCa.keyPem, cert)).toBe(false);
    expect(publicKeyOf(device.privateKeyPem)).toBe(device.publicKeyPem);
  });

  it('are written atomically with mode 0600 for secrets and 0644 for public files', async () => {
    const secret = join(tmp, 'secret.key');
    await writeSecretFile(secret, 'one');
    await writeSecretFile(secret, 'two');
    expect(await readFile(secret, 'utf8')).toBe('two');
    expect((await stat(secret)).mode & 0o777).toBe(0o600);
    const pub = join(tmp, 'public.pem');
    await writePublicFile(pub, 'cert');
    expect((await stat(pub)).mode & 0o777).toBe(0o644);
  });
});

describe('certificate signing requests', () => {
  it('round-trip the common name and the public key', () => {
    const csr = createCsr({ commonName: HW, privateKeyPem: device.privateKeyPem });
    expect(csr).toContain('-----BEGIN CERTIFICATE REQUEST-----');
    expect(parseCsr(csr)).toEqual({ commonName: HW, publicKeyPem: device.publicKeyPem });
  });

  it('are refused when a byte of the signed content was changed', () => {
    const csr = createCsr({ commonName: HW, privateKeyPem: device.privateKeyPem });
    const msg = forge.pem.decode(csr)[0]!;
    const at = msg.body.indexOf(HW);
    expect(at).toBeGreaterThan(0);
    const tampered = forge.pem.encode({
      type: 'CERTIFICATE REQUEST',
      body: `${msg.body.slice(0, at)}009033000001${msg.body.slice(at + HW.length)}`,
    });
    expect(() => parseCsr(tampered)).toThrow(
      expect.objectContaining({ code: 'CERT_MALFORMED', message: expect.stringContaining('signature') }),
    );
  });

  it('are refused when garbage, oversized or a certificate instead', () => {
    for (const bad of ['', 'garbage', 'x'.repeat(20_000), root.certPem]) {
      expect(() => parseCsr(bad)).toThrow(expect.objectContaining({ code: 'CERT_MALFORMED' }));
    }
  });
});

describe('development PKI', () => {
  // Created once for the whole block, by two starts racing for the same directory.
  let dir: string;
  let a: Pki;
  let b: Pki;
  beforeAll(async () => {
    dir = join(tmp, 'race', 'pki');
    [a, b] = await Promise.all([
      loadOrCreateDevPki(dir, { hostnames: ['bridge.test'] }),
      loadOrCreateDevPki(dir, { hostnames: ['bridge.test'] }),
    ]);
  });

  const FILES = {
    root: 'root-ca',
    deviceCa: 'device-ca',
    rsaLicenseAuthority: 'license-authority',
    tlsServer: 'tls-server',
  } as const;

  it('is created once even when two starts race, with private keys readable only by the owner', async () => {
    expect(b.root.certPem).toBe(a.root.certPem);
    expect(b.tlsServer.keyPem).toBe(a.tlsServer.keyPem);
    for (const [role, stem] of Object.entries(FILES) as [keyof typeof FILES, string][]) {
      expect((await stat(join(dir, `${stem}.key`))).mode & 0o777).toBe(0o600);
      expect((await stat(join(dir, `${stem}.pem`))).mode & 0o777).toBe(0o644);
      expect(await readFile(join(dir, `${stem}.pem`), 'utf8')).toBe(a[role].certPem);
      expect(keyMatchesCertificate(a[role].keyPem, a[role].certPem)).toBe(true);
    }
    const ed25519 = join(dir, 'license-authority-ed25519', 'license-authority-ed25519');
    expect((await stat(`${ed25519}.key`)).mode & 0o777).toBe(0o600);
    expect(await readFile(`${ed25519}.pem`, 'utf8')).toBe(a.licenseAuthority.certPem);
    expect(b.licenseAuthority.keyPem).toBe(a.licenseAuthority.keyPem);
    expect((await stat(dir)).mode & 0o777).toBe(0o700);
    expect(await readdir(join(tmp, 'race'))).toEqual(['pki']); // the losing temp directory is gone
  });

  it('is loaded, not recreated, on the next start', async () => {
    const again = await loadOrCreateDevPki(dir);
    expect(again.root.certPem).toBe(a.root.certPem);
    expect(again.deviceCa.certPem).toBe(a.deviceCa.certPem);
    expect((await loadPki(dir)).licenseAuthority.keyPem).toBe(a.licenseAuthority.keyPem);
  });

  it('has authorities with the agreed names that chain to its root', () => {
    const at = new Date();
    expect(certInfo(a.root.certPem).commonName).toBe('mylic Dev Root CA');
    expect(verifyCertificate(a.deviceCa.certPem, { issuers: [a.root.certPem], at })).toEqual({
      ok: true,
      commonName: 'Device Certification Authority',
    });
    for (const authority of [a.licenseAuthority, a.rsaLicenseAuthority])
      expect(verifyCertificate(authority.certPem, { issuers: [a.root.certPem], at })).toEqual({
        ok: true,
        commonName: 'mylic License Authority',
      });
    const deviceCert = issueDeviceCertificate(a.deviceCa, device.publicKeyPem, HW);
    expect(
      verifyCertificate(deviceCert, {
        issuers: [a.deviceCa.certPem, a.root.certPem],
        at,
        expectedCommonName: HW,
      }).ok,
    ).toBe(true);
    const tlsYears = (certInfo(a.tlsServer.certPem).notAfter.getTime() - Date.now()) / (365 * DAY);
    expect(tlsYears).toBeGreaterThan(1.9);
    expect(tlsYears).toBeLessThan(2.1);
  });

  it('is not silently completed when some of its files are missing', async () => {
    const partial = join(tmp, 'partial');
    await mkdir(partial);
    for (const stem of Object.values(FILES)) {
      await copyFile(join(dir, `${stem}.pem`), join(partial, `${stem}.pem`));
      if (stem !== 'device-ca') await copyFile(join(dir, `${stem}.key`), join(partial, `${stem}.key`));
    }
    await expect(loadOrCreateDevPki(partial)).rejects.toThrow(/incomplete \(missing device-ca\.key\)/);
    expect(await readdir(partial)).not.toContain('device-ca.key');
  });

  it('is reported as NOT_FOUND by loadPki when absent, and never created there', async () => {
    const nowhere = join(tmp, 'nothing-here');
    await expect(loadPki(nowhere)).rejects.toThrow(expect.objectContaining({ code: 'NOT_FOUND' }));
    await expect(stat(nowhere)).rejects.toThrow(/ENOENT/);
    const foreign = join(tmp, 'foreign');
    await mkdir(foreign);
    await writeFile(join(foreign, 'other.txt'), 'x');
    await expect(loadOrCreateDevPki(foreign)).rejects.toThrow(
      expect.objectContaining({ code: 'NOT_FOUND', message: expect.stringContaining('no PKI') }),
    );
  });

  it('serves TLS that a client trusting only the dev root accepts for localhost, 127.0.0.1 and extra hostnames', async () => {
    const server = tls.createServer({ key: a.tlsServer.keyPem, cert: a.tlsServer.certPem }, (socket) =>
      socket.end('hello'),
    );
    await new Promise<void>((ok) => server.listen(0, '127.0.0.1', ok));
    const { port } = server.address() as AddressInfo;
    const talk = (servername?: string) =>
      new Promise<{ authorized: boolean; data: string }>((ok, ko) => {
        const socket = tls.connect(
          { host: '127.0.0.1', port, ca: a.root.certPem, ...(servername ? { servername } : {}) },
          () => {
            let data = '';
            socket.setEncoding('utf8');
            socket.on('data', (d: string) => (data += d));
            socket.on('end', () => ok({ authorized: socket.authorized, data }));
          },
        );
        socket.on('error', ko);
      });
    try {
      expect(await talk('localhost')).toEqual({ authorized: true, data: 'hello' });
      expect(await talk()).toEqual({ authorized: true, data: 'hello' }); // checked against the IP SAN 127.0.0.1
      expect(await talk('bridge.test')).toEqual({ authorized: true, data: 'hello' });
      await expect(talk('elsewhere.example')).rejects.toThrow(/Hostname\/IP does not match/);
    } finally {
      await new Promise((ok) => server.close(ok));
    }
  });
});
