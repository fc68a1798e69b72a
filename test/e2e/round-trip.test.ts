import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bridgeCli } from '../support/cli.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { tempDir } from '../support/tmp.js';
import { annWorldCommands } from '../support/ann-world.js';

/**
 * The whole device license round trip, as the README's Tour does it: through the real `mylic-bridge`
 * and `mylic` bundles against a real bridge process over TLS, with a fresh SQLite file and dev PKI.
 */
describe('the device license round trip through the real CLIs and a real bridge', () => {
  let bridge: BridgeProcess;
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let ops: (args: string[]) => ReturnType<typeof bridgeCli>;
  let dev: (args: string[]) => ReturnType<typeof agent>;
  const MAC = '00-90-33-0A-0B-0C';

  const counts = async () => {
    const r = await ops(['ops', 'counts', '--company', '1', '--json']);
    expect(r.code, r.stderr).toBe(0);
    return Object.fromEntries((r.json.result as { type: string }[]).map((row) => [row.type, row]));
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-e2e-');
    bridge = await startBridgeProcess(`${tmp.dir}/data`);
    ops = (args) => bridgeCli(args, bridge.env);
    dev = (args) => agent([...args, '--dir', `${tmp.dir}/device`]);
  });
  afterAll(async () => {
    await bridge?.stop();
    await tmp?.cleanup();
  });

  it('answers /healthz over TLS with the dev CA the bridge created', async () => {
    const { Agent, request } = await import('undici');
    const ca = await readFile(bridge.caFile, 'utf8');
    const res = await request(`${bridge.url}healthz`, { dispatcher: new Agent({ connect: { ca } }) });
    expect(res.statusCode).toBe(200);
    expect(await res.body.json()).toEqual({ status: 'ok' });
  });

  it('lets the operator create a user, a company, balance, a device and bound licenses', async () => {
    for (const args of annWorldCommands(MAC)) {
      const r = await ops([...args, '--json']);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
      expect(r.json.ok).toBe(true);
    }
    const c = await counts();
    expect(c['PBX-Port13']).toMatchObject({ activated: 20, balance: 12, bound: 8, free: 0 });
    expect(c['GW-Channel']).toMatchObject({ activated: 4, balance: 2, bound: 2, free: 0 });
  });

  it('makes a device the way the factory does, with a certificate from the device CA', async () => {
    const r = await dev([
      'device',
      'init',
      '--mac',
      MAC,
      '--firmware',
      '13.1',
      '--portal',
      bridge.url,
      '--pki',
      bridge.pkiDir,
      '--json',
    ]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.result).toMatchObject({ hardwareId: '0090330A0B0C', mac: '00-90-33-0A-0B-0C' });
  });

  it('refuses a wrong password with exit code 3 and LOGIN_FAILED', async () => {
    const r = await dev(['login', '--email', 'ann@example.com', '--password', 'wrong', '--json']);
    expect(r.code).toBe(3);
    expect(r.json.error.code).toBe('LOGIN_FAILED');
  });

  it('logs the device in with the portal account', async () => {
    const r = await dev(['login', '--email', 'ann@example.com', '--password', 'correct horse', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result.project.name).toBe('DEFAULT');
  });

  it('shows the licenses the portal holds and the versions that can be downloaded', async () => {
    const r = await dev(['licenses', '--json']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.json.result.licenses.map((l: { type: string }) => l.type).sort()).toEqual([
      'GW-Channel',
      'PBX-Port13',
    ]);
    const versions = r.json.result.versions.map((v: { version: number }) => v.version);
    expect(versions).toContain(13);
    expect(versions).not.toContain(14);
    expect(r.json.result.versions.find((v: { version: number }) => v.version === 7).encrypted).toBe(false);
  });

  it('downloads the encrypted V13 license file, checks it and asks for a reset', async () => {
    const r = await dev(['download', '--version', '13', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result).toMatchObject({ version: 13, encrypted: true, resetRequired: true });
    expect(r.json.result.licenses).toHaveLength(2);
    const file = await readFile(`${tmp.dir}/device/license.xml`, 'utf8');
    expect(file).toContain('<encrypted alg="RSA-OAEP-SHA256+A256GCM"');
    expect(file).not.toContain('PBX-Port13');
  });

  it('invalidates and transfers online: returnable licenses reach the free pool, gateway licenses stay bound', async () => {
    const r = await dev(['invalidate', '--transfer', '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result.returned).toHaveLength(1);
    expect(r.json.result.resetRequired).toBe(true);
    const c = await counts();
    expect(c['PBX-Port13']).toMatchObject({ activated: 20, balance: 12, bound: 0, free: 8 });
    expect(c['GW-Channel']).toMatchObject({ bound: 2, free: 0 });
    const status = await dev(['status', '--json']);
    expect(status.json.result.installed.licenses.map((l: { type: string }) => l.type)).toEqual([
      'GW-Channel',
    ]);
    expect(status.json.result.pendingInvalidation).toBeNull();
  });

  it('returns licenses by backup file: upload on the portal, apply the confirmation on the device', async () => {
    expect(
      (
        await ops([
          'ops',
          'license',
          'bind',
          '--company',
          '1',
          '--mac',
          MAC,
          '--type',
          'PBX-Port13',
          '--units',
          '5',
        ])
      ).code,
    ).toBe(0);
    expect((await dev(['download', '--json'])).code).toBe(0);
    const backup = `${tmp.dir}/invalidation.xml`;
    const inv = await dev(['invalidate', '--backup', backup, '--json']);
    expect(inv.code, inv.stdout + inv.stderr).toBe(0);
    // Until the confirmation is applied, the device refuses to install licenses again.
    const blocked = await dev(['download', '--json']);
    expect(blocked.code).toBe(5);
    expect(blocked.json.error.code).toBe('INVALIDATION_PENDING');

    const conf = `${tmp.dir}/confirmation.xml`;
    const up = await ops([
      'invalidation',
      'upload',
      '--user',
      'ann@example.com',
      '--file',
      backup,
      '--out',
      conf,
      '--json',
    ]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.json.result).toMatchObject({ accepted: [expect.any(String)], replay: false });
    expect((await counts())['PBX-Port13']).toMatchObject({ balance: 7, bound: 0, free: 13 });

    const again = `${tmp.dir}/confirmation-again.xml`;
    const dl = await ops([
      'invalidation',
      'confirmation',
      '--user',
      'ann@example.com',
      '--document',
      inv.json.result.documentId,
      '--out',
      again,
      '--json',
    ]);
    expect(dl.code, dl.stderr).toBe(0);
    expect(await readFile(again, 'utf8')).toBe(await readFile(conf, 'utf8'));

    const applied = await dev(['confirm', conf, '--json']);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    expect(applied.json.result).toMatchObject({ returned: up.json.result.accepted, resetRequired: true });
    const status = await dev(['status', '--json']);
    expect(status.json.result.pendingInvalidation).toBeNull();
    expect(status.json.result.installed.licenses.map((l: { type: string }) => l.type)).toEqual([
      'GW-Channel',
    ]);
  });

  it('credits a backup document once even when it is uploaded twice', async () => {
    const before = await counts();
    const again = await ops([
      'invalidation',
      'upload',
      '--user',
      'ann@example.com',
      '--file',
      `${tmp.dir}/invalidation.xml`,
      '--out',
      `${tmp.dir}/c2.xml`,
      '--json',
    ]);
    expect(again.code).toBe(0);
    expect(again.json.result.replay).toBe(true);
    expect(await readFile(`${tmp.dir}/c2.xml`, 'utf8')).toBe(
      await readFile(`${tmp.dir}/confirmation.xml`, 'utf8'),
    );
    expect(await counts()).toEqual(before);
  });
});
