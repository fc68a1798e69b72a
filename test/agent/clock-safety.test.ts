import { randomUUID } from 'node:crypto';
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { issueCertificate } from '../../certs/issue.js';
import { encodeConfirmation, encodeLicenseFile } from '../../protocol/documents/index.js';
import type { ConfirmationPayload, LicenseFilePayload } from '../../protocol/documents/payloads.js';
import { agent } from '../support/cli.js';
import { startNtpResponder, type NtpResponder } from '../support/ntp-responder.js';
import { tempDir } from '../support/tmp.js';

/**
 * The clock the device trusts, through the real `mylic` CLI: the certificate is judged by the NTP
 * time, not the device clock; documents issued ahead of the device clock are refused and change
 * nothing; the latest trusted time moves forward with accepted documents and passing NTP checks.
 */
const DAY = 86_400_000;

describe('clock safety of the agent', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let ntp: NtpResponder;
  let n = 0;

  beforeAll(async () => {
    tmp = await tempDir('mylic-clock-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    ntp = await startNtpResponder();
  });
  afterEach(() => ntp.set({ skewMs: 0 }));
  afterAll(async () => {
    await ntp?.close();
    await tmp?.cleanup();
  });

  async function device(hw: string) {
    const dir = `${tmp.dir}/device-${++n}`;
    const dev = (args: string[]) => agent([...args, '--dir', dir, '--json']);
    const init = await dev([
      'device',
      'init',
      '--mac',
      hw,
      '--pki',
      `${tmp.dir}/pki`,
      '--portal',
      'https://127.0.0.1:9/',
      '--firmware',
      '13.2',
    ]);
    expect(init.code, init.stderr).toBe(0);
    const state = async () => JSON.parse(await readFile(`${dir}/device.json`, 'utf8'));
    /** Every file of the device folder with its bytes. */
    const files = async () => {
      const out: Record<string, string> = {};
      const walk = async (sub: string) => {
        for (const e of await readdir(`${dir}${sub}`, { withFileTypes: true })) {
          if (e.isDirectory()) await walk(`${sub}/${e.name}`);
          else out[`${sub}/${e.name}`] = await readFile(`${dir}${sub}/${e.name}`, 'utf8');
        }
      };
      await walk('');
      return out;
    };
    const install = async (payload: Partial<LicenseFilePayload>) => {
      const full: LicenseFilePayload = {
        kind: 'license',
        hardwareId: hw,
        version: 13,
        fileId: randomUUID(),
        issuedAt: new Date().toISOString(),
        deviceCounter: 0,
        encrypted: true,
        licenses: [
          {
            serial: `L-${hw}01`,
            type: 'PBX-Port13',
            units: 4,
            returnable: true,
            bindDate: '2026-01-01',
            ssaEnd: null,
            externalKey: null,
          },
        ],
        ...payload,
      };
      const file = `${tmp.dir}/lic-${randomUUID()}.xml`;
      await writeFile(
        file,
        encodeLicenseFile(full, pki.licenseAuthority.keyPem, await readFile(`${dir}/device.crt`, 'utf8')),
      );
      return dev(['install', file]);
    };
    const confirm = async (payload: Omit<ConfirmationPayload, 'kind' | 'hardwareId'>) => {
      const file = `${tmp.dir}/conf-${randomUUID()}.xml`;
      await writeFile(
        file,
        encodeConfirmation({ kind: 'confirmation', hardwareId: hw, ...payload }, pki.licenseAuthority.keyPem),
      );
      return dev(['confirm', file]);
    };
    const certificate = async (notBefore: Date, validDays: number) => {
      const key = await readFile(`${dir}/device.key`, 'utf8');
      const { createPublicKey } = await import('node:crypto');
      const publicKeyPem = createPublicKey(key).export({ type: 'spki', format: 'pem' }).toString();
      await writeFile(
        `${dir}/device.crt`,
        issueCertificate({
          issuer: pki.deviceCa,
          subjectPublicKeyPem: publicKeyPem,
          commonName: hw,
          organization: 'mylic device',
          validDays,
          notBefore,
          usage: 'client',
        }),
      );
    };
    const certResult = async () => {
      const r = await dev(['check']);
      expect(r.json, r.stderr).toBeTruthy();
      return { r, cert: r.json.result.results.find((c: { name: string }) => c.name === 'certificate') };
    };
    return { dir, dev, state, files, install, confirm, certificate, certResult };
  }

  describe('the certificate check', () => {
    it('reports a certificate that is not valid yet as CERT_NOT_YET_VALID with exit code 8', async () => {
      const d = await device('009033C10001');
      await d.certificate(new Date(Date.now() + 2 * DAY), 30);
      const { r, cert } = await d.certResult();
      expect(cert).toMatchObject({ ok: false, code: 'CERT_NOT_YET_VALID' });
      expect(cert.fix).toMatch(/time/);
      expect(r.code).toBe(8);
      // A flow refuses it before anything is sent.
      const login = await d.dev(['login', '--email', 'x@example.com', '--password', 'pw']);
      expect(login.code).toBe(8);
      expect(login.json.error.code).toBe('CERT_NOT_YET_VALID');
    });

    it('judges the certificate by the NTP time: a 30-day certificate is expired when NTP says it is 40 days later', async () => {
      const d = await device('009033C10002');
      await d.certificate(new Date(Date.now() - DAY), 30);
      expect((await d.dev(['config', '--ntp', ntp.address])).code).toBe(0);
      // By the device clock the certificate is good (NTP agrees with it).
      expect((await d.certResult()).cert).toMatchObject({ ok: true });
      ntp.set({ skewMs: 40 * DAY });
      const { r, cert } = await d.certResult();
      const results = r.json.result.results as { name: string; code: string | null }[];
      expect(results.find((c) => c.name === 'ntp')!.code).toBe('NTP_CLOCK_OFF');
      expect(cert).toMatchObject({ ok: false, code: 'CERT_EXPIRED' });
      expect(Date.parse(r.json.result.checkedAt) - Date.now()).toBeGreaterThan(39 * DAY);
      expect(r.code).toBe(8);
    });

    it('judges the certificate by the NTP time the other way round: not yet valid when NTP says it is earlier', async () => {
      const d = await device('009033C10003');
      // Valid from an hour ago by the device clock; NTP says the device clock is a day ahead.
      await d.certificate(new Date(Date.now() - 3600_000), 30);
      expect((await d.dev(['config', '--ntp', ntp.address])).code).toBe(0);
      ntp.set({ skewMs: -DAY });
      expect((await d.certResult()).cert).toMatchObject({ ok: false, code: 'CERT_NOT_YET_VALID' });
    });
  });

  describe('documents issued ahead of the device clock', () => {
    it('refuses a confirmation issued later than device clock + tolerance with exit 8 DOC_NOT_YET_VALID and changes no device file', async () => {
      const d = await device('009033C10004');
      expect((await d.install({})).code).toBe(0);
      const inv = await d.dev(['invalidate', '--backup', `${tmp.dir}/inv-c4.xml`]);
      expect(inv.code, inv.stdout + inv.stderr).toBe(0);
      const before = await d.files();
      const future = await d.confirm({
        documentId: inv.json.result.documentId,
        deviceCounter: 1,
        issuedAt: new Date(Date.now() + 10 * 60_000).toISOString(), // tolerance is 5 minutes
        accepted: inv.json.result.serials,
        rejected: [],
      });
      expect(future.code).toBe(8);
      expect(future.json.error.code).toBe('DOC_NOT_YET_VALID');
      expect(future.json.error.message).toMatch(/clock is behind/);
      expect(await d.files()).toEqual(before);
      // The same confirmation issued now is applied.
      const now = await d.confirm({
        documentId: inv.json.result.documentId,
        deviceCounter: 1,
        issuedAt: new Date().toISOString(),
        accepted: inv.json.result.serials,
        rejected: [],
      });
      expect(now.code, now.stdout + now.stderr).toBe(0);
    });
  });

  describe('the latest trusted time', () => {
    it('moves forward to the issue time of an accepted license file and of an accepted confirmation, never back', async () => {
      const d = await device('009033C10005');
      expect((await d.state()).latestTrustedTime).toBeNull();
      const fileTime = new Date(Date.now() + 2 * 60_000).toISOString(); // ahead, but within the tolerance
      expect((await d.install({ issuedAt: fileTime })).code).toBe(0);
      expect((await d.state()).latestTrustedTime).toBe(fileTime);

      const inv = await d.dev(['invalidate', '--backup', `${tmp.dir}/inv-c5.xml`]);
      expect(inv.code).toBe(0);
      const confTime = new Date(Date.now() + 4 * 60_000).toISOString();
      expect(
        (
          await d.confirm({
            documentId: inv.json.result.documentId,
            deviceCounter: 1,
            issuedAt: confTime,
            accepted: inv.json.result.serials,
            rejected: [],
          })
        ).code,
      ).toBe(0);
      expect((await d.state()).latestTrustedTime).toBe(confTime);

      // An older file is accepted, but the trusted time does not go back.
      expect(
        (
          await d.install({
            issuedAt: new Date(Date.now() - 60_000).toISOString(),
            deviceCounter: 1,
            licenses: [],
          })
        ).code,
      ).toBe(0);
      expect((await d.state()).latestTrustedTime).toBe(confTime);
    });

    it('moves forward to the NTP time when the NTP check passes, and not when it fails', async () => {
      const d = await device('009033C10006');
      expect((await d.dev(['config', '--ntp', ntp.address])).code).toBe(0);
      ntp.set({ skewMs: 120_000 }); // two minutes: within the tolerance
      const started = Date.now();
      const ok = await d.dev(['check']);
      expect(ok.json.result.results.find((c: { name: string }) => c.name === 'ntp')).toMatchObject({
        ok: true,
      });
      const trusted = Date.parse((await d.state()).latestTrustedTime);
      expect(trusted).toBeGreaterThanOrEqual(started + 115_000);
      expect(trusted).toBeLessThanOrEqual(Date.now() + 125_000);

      ntp.set({ skewMs: 30 * DAY }); // fails: the device clock is off by a month
      const bad = await d.dev(['check']);
      expect(bad.json.result.results.find((c: { name: string }) => c.name === 'ntp')).toMatchObject({
        ok: false,
        code: 'NTP_CLOCK_OFF',
      });
      expect(Date.parse((await d.state()).latestTrustedTime)).toBe(trusted);
    });

    it('reports CLOCK_SET_BACK once the device clock is behind a time it trusted from a document', async () => {
      const d = await device('009033C10007');
      // Accepted with the 5-minute tolerance: the device now trusts a time 4 minutes ahead of its clock.
      expect((await d.install({ issuedAt: new Date(Date.now() + 4 * 60_000).toISOString() })).code).toBe(0);
      expect(
        (await d.dev(['check'])).json.result.results.find((c: { name: string }) => c.name === 'clock'),
      ).toMatchObject({ ok: true });
      // With a 1-minute tolerance the device clock is now too far behind that time.
      expect((await d.dev(['config', '--tolerance', '60'])).code).toBe(0);
      const r = await d.dev(['check']);
      expect(r.json.result.results.find((c: { name: string }) => c.name === 'clock')).toMatchObject({
        ok: false,
        code: 'CLOCK_SET_BACK',
      });
    });
  });
});
