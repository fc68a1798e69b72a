import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { encodeConfirmation, encodeLicenseFile } from '../../protocol/documents/index.js';
import type { ConfirmationPayload, LicenseFilePayload } from '../../protocol/documents/payloads.js';
import { agent } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * What the device refuses, through the real `mylic` CLI: license files and confirmations that are
 * not exactly for this device, this version, this invalidation, from the license authority. Every
 * refusal leaves the device as it was.
 */
describe('the agent refuses documents that are not for it', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let devicePublicKey: string;
  const HW = '009033AABB01';
  const dev = (args: string[]) => agent([...args, '--dir', `${tmp.dir}/device`, '--json']);
  const snapshot = async () => ({
    installed: await readFile(`${tmp.dir}/device/installed.json`, 'utf8').catch(() => null),
    pending: await readFile(`${tmp.dir}/device/pending-invalidation.json`, 'utf8').catch(() => null),
  });

  const licenseFile = (over: Partial<LicenseFilePayload> = {}): LicenseFilePayload => ({
    kind: 'license',
    hardwareId: HW,
    version: 13,
    fileId: randomUUID(),
    issuedAt: new Date().toISOString(),
    deviceCounter: 0,
    encrypted: true,
    licenses: [
      {
        serial: 'L-0000000000000001',
        type: 'PBX-Port13',
        units: 8,
        returnable: true,
        bindDate: '2026-01-01',
        ssaEnd: null,
        externalKey: null,
      },
      {
        serial: 'L-0000000000000002',
        type: 'GW-Channel',
        units: 2,
        returnable: false,
        bindDate: '2026-01-01',
        ssaEnd: null,
        externalKey: null,
      },
    ],
    ...over,
  });
  async function install(
    payload: LicenseFilePayload,
    opts: { signer?: string; encryptTo?: string; mutate?: (xml: string) => string } = {},
  ) {
    let xml = encodeLicenseFile(
      payload,
      opts.signer ?? pki.licenseAuthority.keyPem,
      payload.encrypted ? (opts.encryptTo ?? devicePublicKey) : undefined,
    );
    if (opts.mutate) xml = opts.mutate(xml);
    const file = `${tmp.dir}/lic-${randomUUID()}.xml`;
    await writeFile(file, xml);
    return dev(['install', file]);
  }

  beforeAll(async () => {
    tmp = await tempDir('mylic-agent-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    const init = await agent([
      'device',
      'init',
      '--mac',
      HW,
      '--dir',
      `${tmp.dir}/device`,
      '--pki',
      `${tmp.dir}/pki`,
      '--firmware',
      '13.2',
      '--json',
    ]);
    expect(init.code, init.stderr).toBe(0);
    devicePublicKey = await readFile(`${tmp.dir}/device/device.crt`, 'utf8');
  });
  afterAll(async () => tmp?.cleanup());

  it('installs a file signed by the license authority and encrypted to its key', async () => {
    const r = await install(licenseFile());
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result.licenses).toHaveLength(2);
  });

  it('refuses a file for another hardware id and keeps what is installed', async () => {
    const before = await snapshot();
    const r = await install(licenseFile({ hardwareId: '009033AABB02' }));
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('DOC_HARDWARE_MISMATCH');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a file altered by one byte', async () => {
    const before = await snapshot();
    const r = await install(licenseFile(), {
      mutate: (xml) => xml.replace(/<data>(.)/, (_m, c: string) => `<data>${c === 'A' ? 'B' : 'A'}`),
    });
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('DOC_DECRYPT_FAILED');
    expect(await snapshot()).toEqual(before);
  });

  it('refuses a file signed by another key', async () => {
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 })
      .privateKey.export({ type: 'pkcs8', format: 'pem' })
      .toString();
    const r = await install(licenseFile(), { signer: other });
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('DOC_SIGNATURE_INVALID');
  });

  it('refuses a file of a version the firmware does not run', async () => {
    const r = await install(licenseFile({ version: 12 }));
    expect(r.code).toBe(6);
    expect(r.json.error.code).toBe('DOC_VERSION_MISMATCH');
  });

  it('refuses a file issued later than the device clock as a clock problem', async () => {
    const r = await install(licenseFile({ issuedAt: new Date(Date.now() + 3600_000).toISOString() }));
    expect(r.code).toBe(8);
    expect(r.json.error.code).toBe('DOC_NOT_YET_VALID');
    expect(r.json.error.message).toMatch(/NTP/);
  });

  it('refuses a DTD and malformed XML', async () => {
    const file = `${tmp.dir}/dtd.xml`;
    await writeFile(
      file,
      '<?xml version="1.0"?><!DOCTYPE x [<!ENTITY a "aaaa">]><mylic-document kind="license">&a;</mylic-document>',
    );
    const dtd = await dev(['install', file]);
    expect(dtd.json.error.code).toBe('XML_DTD_REFUSED');
    await writeFile(file, '<mylic-document kind="license"><payload>');
    const broken = await dev(['install', file]);
    expect(broken.json.error.code).toBe('XML_MALFORMED');
    expect(broken.code).toBe(6);
  });

  describe('confirmations', () => {
    let documentId: string;
    const confirmation = (over: Partial<ConfirmationPayload> = {}): ConfirmationPayload => ({
      kind: 'confirmation',
      hardwareId: HW,
      documentId,
      deviceCounter: 1,
      issuedAt: new Date().toISOString(),
      accepted: ['L-0000000000000001'],
      rejected: [],
      ...over,
    });
    async function confirm(payload: ConfirmationPayload, signer = pki.licenseAuthority.keyPem) {
      const file = `${tmp.dir}/conf-${randomUUID()}.xml`;
      await writeFile(file, encodeConfirmation(payload, signer));
      return dev(['confirm', file]);
    }

    beforeAll(async () => {
      const r = await dev(['invalidate', '--backup', `${tmp.dir}/backup.xml`]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      documentId = r.json.result.documentId;
      expect(r.json.result.serials).toEqual(['L-0000000000000001']);
    });

    it('refuses a confirmation for another device and removes nothing', async () => {
      const before = await snapshot();
      const r = await confirm(confirmation({ hardwareId: '009033AABB02' }));
      expect(r.code).toBe(6);
      expect(r.json.error.code).toBe('CONFIRMATION_MISMATCH');
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a confirmation of another document and removes nothing', async () => {
      const before = await snapshot();
      const r = await confirm(confirmation({ documentId: randomUUID() }));
      expect(r.json.error.code).toBe('CONFIRMATION_MISMATCH');
      expect(await snapshot()).toEqual(before);
    });

    it('refuses a confirmation not signed by the license authority', async () => {
      const r = await confirm(confirmation(), pki.deviceCa.keyPem);
      expect(r.json.error.code).toBe('DOC_SIGNATURE_INVALID');
    });

    it('applies the right confirmation, then refuses the license file issued before the return', async () => {
      const stale = licenseFile({ deviceCounter: 0 });
      const ok = await confirm(confirmation());
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect(ok.json.result.returned).toEqual(['L-0000000000000001']);
      const status = await dev(['status']);
      expect(status.json.result.installed.licenses.map((l: { serial: string }) => l.serial)).toEqual([
        'L-0000000000000002',
      ]);
      const r = await install(stale);
      expect(r.json.error.code).toBe('DOC_STALE');
    });
  });
});
