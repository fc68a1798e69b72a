import { readFile, rm, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { createRootCa, issueCertificate, issueDeviceCertificate } from '../../certs/issue.js';
import { generateKeyPair } from '../../certs/keys.js';
import { agent } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * `mylic check` finds what would make a transfer fail before a user trips over it. Each certificate
 * fault is set up for real on the device's files; the check names it with its own code and a fix.
 */
describe('the certificate and clock checks of `mylic check`', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let goodKey: string;
  let goodCert: string;
  const HW = '009033C0FFEE';
  const dir = () => `${tmp.dir}/device`;
  const check = async () => {
    const r = await agent(['check', '--dir', dir(), '--json']);
    expect(r.json, r.stderr).toBeTruthy();
    return r;
  };
  const certResult = async () =>
    (await check()).json.result.results.find((c: { name: string }) => c.name === 'certificate');

  beforeAll(async () => {
    tmp = await tempDir('mylic-checks-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    const init = await agent([
      'device',
      'init',
      '--mac',
      HW,
      '--dir',
      dir(),
      '--pki',
      `${tmp.dir}/pki`,
      '--portal',
      'https://127.0.0.1:9/',
      '--json',
    ]);
    expect(init.code, init.stderr).toBe(0);
    goodKey = await readFile(`${dir()}/device.key`, 'utf8');
    goodCert = await readFile(`${dir()}/device.crt`, 'utf8');
  });
  beforeEach(async () => {
    await writeFile(`${dir()}/device.key`, goodKey, { mode: 0o600 });
    await writeFile(`${dir()}/device.crt`, goodCert);
  });
  afterAll(async () => tmp?.cleanup());

  it('passes a factory certificate and reports every check with exit code 8 when another check fails', async () => {
    const r = await check();
    expect(r.json.result.results.find((c: { name: string }) => c.name === 'certificate')).toMatchObject({
      ok: true,
    });
    // No NTP server is configured and nothing listens on 127.0.0.1:9: those checks fail. The portal
    // is an IP address, so DNS has nothing to resolve and passes.
    expect(r.code).toBe(8);
    const codes = r.json.result.results
      .filter((c: { ok: boolean }) => !c.ok)
      .map((c: { code: string }) => c.code);
    expect(codes.sort()).toEqual(['NTP_NOT_CONFIGURED', 'PORTAL_UNREACHABLE']);
    expect(r.json.result.results.find((c: { name: string }) => c.name === 'dns')).toMatchObject({ ok: true });
    for (const c of r.json.result.results.filter((x: { ok: boolean }) => !x.ok))
      expect(c.fix.length).toBeGreaterThan(10);
  });

  it('reports a missing certificate as CERT_MISSING', async () => {
    await rm(`${dir()}/device.crt`);
    expect(await certResult()).toMatchObject({ ok: false, code: 'CERT_MISSING' });
  });

  it('reports a certificate from another CA as CERT_CHAIN', async () => {
    const otherRoot = createRootCa({ commonName: 'Device Certification Authority', validDays: 365 });
    const keys = generateKeyPair();
    await writeFile(`${dir()}/device.key`, keys.privateKeyPem);
    await writeFile(`${dir()}/device.crt`, issueDeviceCertificate(otherRoot, keys.publicKeyPem, HW));
    expect(await certResult()).toMatchObject({ ok: false, code: 'CERT_CHAIN' });
  });

  it('reports a certificate the root signed directly for this hardware id as CERT_CHAIN (the device CA is pinned as issuer)', async () => {
    // Issue 11: the license authority's or the TLS server's kind of certificate, from the right root
    // and with the right CN, passed the check.
    const keys = generateKeyPair();
    await writeFile(`${dir()}/device.key`, keys.privateKeyPem);
    for (const usage of ['signing', 'server', 'client'] as const) {
      await writeFile(
        `${dir()}/device.crt`,
        issueCertificate({
          issuer: pki.root,
          subjectPublicKeyPem: keys.publicKeyPem,
          commonName: HW,
          usage,
          validDays: 30,
        }),
      );
      const r = await certResult();
      expect(r, usage).toMatchObject({ ok: false, code: 'CERT_CHAIN' });
      expect(r.message).toContain('Device Certification Authority');
    }
  });

  it('reports a certificate the device CA issued for another use than a device as CERT_USAGE', async () => {
    const keys = generateKeyPair();
    await writeFile(`${dir()}/device.key`, keys.privateKeyPem);
    for (const usage of ['server', 'signing', 'ca'] as const) {
      await writeFile(
        `${dir()}/device.crt`,
        issueCertificate({
          issuer: pki.deviceCa,
          subjectPublicKeyPem: keys.publicKeyPem,
          commonName: HW,
          usage,
          validDays: 30,
        }),
      );
      expect(await certResult(), usage).toMatchObject({ ok: false, code: 'CERT_USAGE' });
    }
  });

  it("reports another device's certificate as CERT_HW_MISMATCH", async () => {
    const keys = generateKeyPair();
    await writeFile(`${dir()}/device.key`, keys.privateKeyPem);
    await writeFile(
      `${dir()}/device.crt`,
      issueDeviceCertificate(pki.deviceCa, keys.publicKeyPem, '009033C0FFEF'),
    );
    expect(await certResult()).toMatchObject({ ok: false, code: 'CERT_HW_MISMATCH' });
  });

  it('reports an expired certificate as CERT_EXPIRED with the advice to check the time first', async () => {
    const keys = generateKeyPair();
    await writeFile(`${dir()}/device.key`, keys.privateKeyPem);
    const cert = issueCertificate({
      issuer: pki.deviceCa,
      subjectPublicKeyPem: keys.publicKeyPem,
      commonName: HW,
      organization: 'mylic device',
      validDays: 30,
      notBefore: new Date(Date.now() - 90 * 86_400_000),
      usage: 'client',
    });
    await writeFile(`${dir()}/device.crt`, cert);
    const r = await certResult();
    expect(r).toMatchObject({ ok: false, code: 'CERT_EXPIRED' });
    expect(r.fix).toMatch(/time/);
  });

  it('reports a private key that does not match the certificate as CERT_KEY_MISMATCH', async () => {
    await writeFile(`${dir()}/device.key`, generateKeyPair().privateKeyPem);
    expect(await certResult()).toMatchObject({ ok: false, code: 'CERT_KEY_MISMATCH' });
  });

  it('reports a clock set back behind the latest trusted time as CLOCK_SET_BACK', async () => {
    const state = JSON.parse(await readFile(`${dir()}/device.json`, 'utf8'));
    // As if a license file issued tomorrow had been accepted: the device has trusted that time.
    state.latestTrustedTime = new Date(Date.now() + 86_400_000).toISOString();
    await writeFile(`${dir()}/device.json`, JSON.stringify(state));
    const r = await check();
    expect(r.json.result.results.find((c: { name: string }) => c.name === 'clock')).toMatchObject({
      ok: false,
      code: 'CLOCK_SET_BACK',
    });
    state.latestTrustedTime = null;
    await writeFile(`${dir()}/device.json`, JSON.stringify(state));
  });

  it('refuses to log in with a broken certificate before anything is sent', async () => {
    await writeFile(`${dir()}/device.key`, generateKeyPair().privateKeyPem);
    const r = await agent([
      'login',
      '--email',
      'x@example.com',
      '--password',
      'pw',
      '--dir',
      dir(),
      '--json',
    ]);
    expect(r.code).toBe(8);
    expect(r.json.error.code).toBe('CERT_KEY_MISMATCH');
  });

  it('changes the network settings with `mylic config` and refuses bad ones', async () => {
    const ok = await agent([
      'config',
      '--ntp',
      '127.0.0.1:12300',
      '--dns',
      'none',
      '--tolerance',
      '60',
      '--dir',
      dir(),
      '--json',
    ]);
    expect(ok.code, ok.stderr).toBe(0);
    expect(ok.json.result).toMatchObject({
      ntpServer: '127.0.0.1:12300',
      dnsServer: null,
      toleranceSeconds: 60,
    });
    const bad = await agent(['config', '--ntp', 'bad host!', '--dir', dir(), '--json']);
    expect(bad.code).toBe(2);
    expect(bad.json.error.code).toBe('VALIDATION_FAILED');
    const http = await agent(['config', '--portal', 'http://example.com', '--dir', dir(), '--json']);
    expect(http.json.error.code).toBe('VALIDATION_FAILED');
  });
});
