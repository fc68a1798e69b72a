import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { encodeLicenseFile } from '../../protocol/documents/index.js';
import type { LicenseFilePayload } from '../../protocol/documents/payloads.js';
import { agent } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * Issue 16 on the device, through the real `mylic` CLI: license files from the Ed25519 license
 * authority install, files the RSA authority issued before still install, and the device trusts only
 * its own authorities, each chained to its root. A refusal leaves the device as it was.
 */
describe('the agent and the two license authorities', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let otherPki: Pki;
  let serial = 0;

  const licenseFile = (hardwareId: string, over: Partial<LicenseFilePayload> = {}): LicenseFilePayload => ({
    kind: 'license',
    hardwareId,
    version: 13,
    fileId: randomUUID(),
    issuedAt: new Date().toISOString(),
    deviceCounter: 0,
    encrypted: true,
    licenses: [
      {
        serial: `L-${String(++serial).padStart(16, '0')}`,
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

  async function makeDevice(name: string, hardwareId: string) {
    const dir = `${tmp.dir}/${name}`;
    const dev = (args: string[]) => agent([...args, '--dir', dir, '--json']);
    const init = await dev([
      'device',
      'init',
      '--mac',
      hardwareId,
      '--pki',
      `${tmp.dir}/pki`,
      '--firmware',
      '13.2',
    ]);
    expect(init.code, init.stderr).toBe(0);
    const certPem = await readFile(`${dir}/device.crt`, 'utf8');
    const installed = () => readFile(`${dir}/installed.json`, 'utf8').catch(() => null);
    /** Writes the file and runs `mylic install` on it. */
    const install = async (xml: string) => {
      const file = `${tmp.dir}/lic-${randomUUID()}.xml`;
      await writeFile(file, xml);
      return dev(['install', file]);
    };
    return { dir, hardwareId, certPem, installed, install };
  }
  type Device = Awaited<ReturnType<typeof makeDevice>>;
  const signed = (d: Device, signer: string, over: Partial<LicenseFilePayload> = {}) => {
    const payload = licenseFile(d.hardwareId, over);
    return encodeLicenseFile(payload, signer, payload.encrypted ? d.certPem : undefined);
  };

  let fresh: Device;
  let older: Device;
  beforeAll(async () => {
    tmp = await tempDir('mylic-authorities-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    otherPki = await loadOrCreateDevPki(`${tmp.dir}/other-pki`);
    fresh = await makeDevice('fresh', '009033AACC01');
    older = await makeDevice('older', '009033AACC02');
    // A device made before issue 16 trusts only the RSA license authority.
    await rm(`${older.dir}/trust/license-authority-ed25519.pem`);
  });
  afterAll(async () => tmp?.cleanup());

  it('is given both authorities by the factory: the RSA one and the Ed25519 one', async () => {
    expect(await readFile(`${fresh.dir}/trust/license-authority.pem`, 'utf8')).toBe(
      pki.rsaLicenseAuthority.certPem,
    );
    expect(await readFile(`${fresh.dir}/trust/license-authority-ed25519.pem`, 'utf8')).toBe(
      pki.licenseAuthority.certPem,
    );
  });

  it('installs a file signed with Ed25519 by the license authority', async () => {
    const xml = signed(fresh, pki.licenseAuthority.keyPem);
    const r = await fresh.install(xml);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result.licenses).toHaveLength(1);
    expect(await readFile(`${fresh.dir}/license.xml`, 'utf8')).toBe(xml);
  });

  it('still installs a file the RSA authority signed (RSA-PSS) before the switch, on new and old devices', async () => {
    for (const d of [fresh, older]) {
      const payload = licenseFile(d.hardwareId, { encrypted: false });
      const xml = encodeLicenseFile(payload, pki.rsaLicenseAuthority.keyPem);
      expect(xml).toContain('<signature alg="RSA-PSS-SHA256">');
      const r = await d.install(xml);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect(r.json.result.licenses.map((l: { serial: string }) => l.serial)).toEqual([
        payload.licenses[0]!.serial,
      ]);
    }
  });

  it('refuses an Ed25519 file on a device that does not trust an Ed25519 authority, and keeps what it has', async () => {
    const before = await older.installed();
    const r = await older.install(signed(older, pki.licenseAuthority.keyPem));
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('DOC_ALGORITHM_UNSUPPORTED');
    expect(await older.installed()).toBe(before);
  });

  it('refuses an Ed25519 file signed by a key that is not its authority', async () => {
    const before = await fresh.installed();
    const stranger = generateKeyPairSync('ed25519')
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    for (const xml of [signed(fresh, stranger), signed(fresh, otherPki.licenseAuthority.keyPem)]) {
      const r = await fresh.install(xml);
      expect(r.code).toBe(6);
      expect(r.json.error.code).toBe('DOC_SIGNATURE_INVALID');
    }
    expect(await fresh.installed()).toBe(before);
  });

  it('refuses an RSA-PSS signature in an envelope that claims Ed25519, and an unknown algorithm', async () => {
    const before = await fresh.installed();
    const rsaSigned = signed(fresh, pki.rsaLicenseAuthority.keyPem, { encrypted: false });
    const claimsEd = rsaSigned.replace('<signature alg="RSA-PSS-SHA256">', '<signature alg="Ed25519">');
    expect(claimsEd).not.toBe(rsaSigned);
    const r = await fresh.install(claimsEd);
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('DOC_SIGNATURE_INVALID');
    const unknown = await fresh.install(rsaSigned.replace('alg="RSA-PSS-SHA256"', 'alg="EdDSA"'));
    expect(unknown.code).toBe(6);
    expect(unknown.json.error.code).toBe('DOC_ALGORITHM_UNSUPPORTED');
    expect(await fresh.installed()).toBe(before);
  });

  it('refuses to install while an authority certificate it holds does not chain to its root', async () => {
    const d = await makeDevice('swapped', '009033AACC03');
    // Another PKI's Ed25519 authority put in place of this device's: signatures by it must not count.
    await writeFile(`${d.dir}/trust/license-authority-ed25519.pem`, otherPki.licenseAuthority.certPem);
    for (const signer of [otherPki.licenseAuthority.keyPem, pki.licenseAuthority.keyPem]) {
      const r = await d.install(signed(d, signer));
      expect(r.code).toBe(8); // a failed check of the device's own setup
      expect(r.json.error.code).toBe('CERT_CHAIN');
      expect(r.json.error.message).toContain('was not issued by "mylic Dev Root CA"');
    }
    expect(await d.installed()).toBe(null);
  });
});
