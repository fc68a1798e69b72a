import { access, readFile, stat } from 'node:fs/promises';
import { openLicenseFile } from '../../protocol/documents/index.js';
import { codeOf } from '../support/error-code.js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bridgeCli } from '../support/cli.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { tempDir } from '../support/tmp.js';

/** Request certificate and test licenses, through the real CLIs against a real bridge. */
describe('certificate requests and test licenses', () => {
  let bridge: BridgeProcess;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const ops = (args: string[]) => bridgeCli([...args, '--json'], bridge.env);
  const counts = async () => (await ops(['ops', 'counts', '--company', '1'])).json.result;
  const exists = (p: string) =>
    access(p).then(
      () => true,
      () => false,
    );
  let laPem = '';
  const la = () => laPem;

  async function device(mac: string, firmware: string) {
    const dir = `${tmp.dir}/${mac}`;
    const dev = (args: string[], env?: Record<string, string>) =>
      agent([...args, '--dir', dir, '--json'], env);
    expect((await ops(['ops', 'device', 'register', '--type', 'IP811', '--mac', mac])).code).toBe(0);
    expect((await ops(['ops', 'device', 'add', '--company', '1', '--mac', mac])).code).toBe(0);
    expect(
      (
        await dev([
          'device',
          'init',
          '--mac',
          mac,
          '--firmware',
          firmware,
          '--portal',
          bridge.url,
          '--pki',
          bridge.pkiDir,
        ])
      ).code,
    ).toBe(0);
    expect((await dev(['login', '--email', 'cy@example.com', '--password', 'pw-cy-12345'])).code).toBe(0);
    return { dir, dev };
  }

  beforeAll(async () => {
    tmp = await tempDir('mylic-cert-');
    bridge = await startBridgeProcess(`${tmp.dir}/data`);
    // Both license authorities, as a device trusts them: the bridge signs with the Ed25519 one (issue 16).
    laPem = (
      await Promise.all(
        ['license-authority.pem', 'license-authority-ed25519/license-authority-ed25519.pem'].map((f) =>
          readFile(`${bridge.pkiDir}/${f}`, 'utf8'),
        ),
      )
    ).join('');
    expect(
      (
        await ops([
          'ops',
          'user',
          'create',
          '--email',
          'cy@example.com',
          '--password',
          'pw-cy-12345',
          '--name',
          'Cy',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await ops(['ops', 'company', 'create', '--name', 'Cy SA', '--admin', 'cy@example.com'])).code,
    ).toBe(0);
    expect(
      (await ops(['ops', 'balance', 'add', '--company', '1', '--type', 'PBX-Port13', '--units', '10'])).code,
    ).toBe(0);
  });
  afterAll(async () => {
    await bridge?.stop();
    await tmp?.cleanup();
  });

  it('refuses a certificate request without the right and keeps the old certificate', async () => {
    const { dir, dev } = await device('00-90-33-11-00-01', '13.1');
    const before = await readFile(`${dir}/device.crt`, 'utf8');
    const r = await dev(['request-certificate']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('FORBIDDEN');
    expect(await readFile(`${dir}/device.crt`, 'utf8')).toBe(before);
  });

  it('installs a new certificate for a user with the right, and licenses are then encrypted to the new key', async () => {
    expect(
      (await ops(['ops', 'right', 'grant', '--user', 'cy@example.com', '--right', 'request-certificate']))
        .code,
    ).toBe(0);
    const { dir, dev } = await device('00-90-33-11-00-02', '13.1');
    const oldCert = await readFile(`${dir}/device.crt`, 'utf8');
    const oldKey = await readFile(`${dir}/device.key`, 'utf8');
    // With the password the agent logs in again with the new key, so the portal switches at once.
    const r = await dev(['request-certificate', '--password', 'pw-cy-12345']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result).toMatchObject({
      installed: true,
      portalUsesNewCertificate: true,
      loginError: null,
    });
    expect(await readFile(`${dir}/device.crt`, 'utf8')).not.toBe(oldCert);
    const newKey = await readFile(`${dir}/device.key`, 'utf8');
    expect(newKey).not.toBe(oldKey);
    expect(await exists(`${dir}/device-previous.key`)).toBe(false);
    expect(
      (
        await ops([
          'ops',
          'license',
          'bind',
          '--company',
          '1',
          '--mac',
          '00-90-33-11-00-02',
          '--type',
          'PBX-Port13',
          '--units',
          '2',
        ])
      ).code,
    ).toBe(0);
    const dl = await dev(['download']);
    expect(dl.code, dl.stdout + dl.stderr).toBe(0);
    expect(dl.json.result.licenses).toHaveLength(1);
    const xml = await readFile(`${dir}/license.xml`, 'utf8');
    expect(
      openLicenseFile(xml, { signerPublicKeyPem: la(), devicePrivateKeyPem: newKey }).licenses,
    ).toHaveLength(1);
    expect(
      codeOf(() => openLicenseFile(xml, { signerPublicKeyPem: la(), devicePrivateKeyPem: oldKey })),
    ).toBe('DOC_DECRYPT_FAILED');
  });

  it('without the password keeps the previous key until the next login, so files the portal still encrypts to the old certificate open', async () => {
    const { dir, dev } = await device('00-90-33-11-00-06', '13.1');
    const oldKey = await readFile(`${dir}/device.key`, 'utf8');
    expect(
      (
        await ops([
          'ops',
          'license',
          'bind',
          '--company',
          '1',
          '--mac',
          '00-90-33-11-00-06',
          '--type',
          'PBX-Port13',
          '--units',
          '1',
        ])
      ).code,
    ).toBe(0);
    const r = await dev(['request-certificate'], { MYLIC_PASSWORD: '' });
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result).toMatchObject({
      installed: true,
      portalUsesNewCertificate: false,
      next: expect.stringMatching(/mylic login/),
    });
    const newKey = await readFile(`${dir}/device.key`, 'utf8');
    expect(await readFile(`${dir}/device-previous.key`, 'utf8')).toBe(oldKey);
    expect((await stat(`${dir}/device-previous.key`)).mode & 0o777).toBe(0o600);
    // The portal has not seen the new certificate: the file is for the old key, and the device opens it.
    const before = await dev(['download']);
    expect(before.code, before.stdout + before.stderr).toBe(0);
    const oldXml = await readFile(`${dir}/license.xml`, 'utf8');
    expect(
      codeOf(() => openLicenseFile(oldXml, { signerPublicKeyPem: la(), devicePrivateKeyPem: newKey })),
    ).toBe('DOC_DECRYPT_FAILED');
    // The next login proves the new key: the portal switches and the previous key goes.
    expect((await dev(['login', '--email', 'cy@example.com', '--password', 'pw-cy-12345'])).code).toBe(0);
    expect(await exists(`${dir}/device-previous.key`)).toBe(false);
    expect((await dev(['download'])).code).toBe(0);
    const newXml = await readFile(`${dir}/license.xml`, 'utf8');
    expect(
      openLicenseFile(newXml, { signerPublicKeyPem: la(), devicePrivateKeyPem: newKey }).licenses,
    ).toHaveLength(1);
  });

  it('issues a V13 test license for three months, once, without touching the balance', async () => {
    const { dev } = await device('00-90-33-11-00-03', '13.1');
    const before = await counts();
    const r = await dev(['test-license', '--pbx', '4']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    const expected = new Date();
    expected.setUTCMonth(expected.getUTCMonth() + 3);
    expect(r.json.result.testLicense).toMatchObject({
      type: 'Test-PBX',
      units: 4,
      returnable: false,
      testEnd: expected.toISOString().slice(0, 10),
    });
    const again = await dev(['test-license', '--pbx', '4']);
    expect(again.code).toBe(5);
    expect(again.json.error.code).toBe('TEST_LICENSE_USED');
    expect(await counts()).toEqual(before);
    // A test license is never returned.
    const inv = await dev(['invalidate', '--backup', `${tmp.dir}/t.xml`]);
    expect(inv.json.error.code).toBe('NOTHING_TO_INVALIDATE');
  });

  it('lets a V10 device fetch a 30-day slave test license again, and has none for V5', async () => {
    const { dev } = await device('00-90-33-11-00-04', '10.2');
    const first = await dev(['test-license', '--slave']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
    expect(first.json.result.testLicense).toMatchObject({ type: 'Test-Slave', units: 1 });
    expect((await dev(['test-license', '--slave'])).code).toBe(0);
    const v5 = await device('00-90-33-11-00-05', '5.1');
    const none = await v5.dev(['test-license', '--pbx', '1']);
    expect(none.json.error.code).toBe('VERSION_NOT_AVAILABLE');
  });
});
