import { access, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { agent, bridgeCli } from '../support/cli.js';
import { startDnsResponder, type DnsResponder } from '../support/dns-responder.js';
import { startNtpResponder, type NtpResponder } from '../support/ntp-responder.js';
import { tempDir } from '../support/tmp.js';

/**
 * "A transfer might fail, if NTP or DNS is not configured properly" (seed): `invalidate --transfer`
 * runs the NTP and DNS checks first and, when one fails, stops before anything changes: no journal,
 * no counter, nothing sent, the portal's counts as they were. With no NTP or DNS server configured at
 * all the transfer goes ahead (the host's clock and resolver) and says so in its answer.
 */
// Each test starts a dozen CLI processes against a real bridge: allow for a loaded machine.
describe('invalidate --transfer behind the NTP and DNS checks', { timeout: 120_000 }, () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let bridge: BridgeProcess;
  let ntp: NtpResponder;
  let dns: DnsResponder;
  let n = 0;
  const ops = (args: string[]) => bridgeCli([...args, '--json'], bridge.env);
  const counts = async () => (await ops(['ops', 'counts', '--company', '1'])).json.result;
  const exists = (p: string) =>
    access(p).then(
      () => true,
      () => false,
    );

  beforeAll(async () => {
    tmp = await tempDir('mylic-transfer-');
    bridge = await startBridgeProcess(`${tmp.dir}/data`);
    ntp = await startNtpResponder();
    dns = await startDnsResponder({ records: { localhost: ['127.0.0.1'] } });
    expect(
      (
        await ops([
          'ops',
          'user',
          'create',
          '--email',
          'dee@example.com',
          '--password',
          'pw-dee-12345',
          '--name',
          'Dee',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await ops(['ops', 'company', 'create', '--name', 'Dee BV', '--admin', 'dee@example.com'])).code,
    ).toBe(0);
    expect(
      (await ops(['ops', 'balance', 'add', '--company', '1', '--type', 'PBX-Port13', '--units', '20'])).code,
    ).toBe(0);
  });
  afterAll(async () => {
    await ntp?.close();
    await dns?.close();
    await bridge?.stop();
    await tmp?.cleanup();
  });

  /** A device with downloaded, returnable licenses, NTP and DNS pointing at the responders. */
  async function device() {
    const mac = `00-90-33-33-00-0${++n}`;
    const dir = `${tmp.dir}/d${n}`;
    const dev = (args: string[]) => agent([...args, '--dir', dir, '--json']);
    expect((await ops(['ops', 'device', 'register', '--type', 'IP811', '--mac', mac])).code).toBe(0);
    expect((await ops(['ops', 'device', 'add', '--company', '1', '--mac', mac])).code).toBe(0);
    expect(
      (
        await ops([
          'ops',
          'license',
          'bind',
          '--company',
          '1',
          '--mac',
          mac,
          '--type',
          'PBX-Port13',
          '--units',
          '2',
        ])
      ).code,
    ).toBe(0);
    expect(
      (await dev(['device', 'init', '--mac', mac, '--portal', bridge.url, '--pki', bridge.pkiDir])).code,
    ).toBe(0);
    expect((await dev(['login', '--email', 'dee@example.com', '--password', 'pw-dee-12345'])).code).toBe(0);
    expect((await dev(['download'])).code).toBe(0);
    expect((await dev(['config', '--ntp', ntp.address, '--dns', dns.address])).code).toBe(0);
    return { dir, dev };
  }

  async function expectBlocked(code: string) {
    const { dir, dev } = await device();
    // A passing NTP check may move the latest trusted time forward; nothing else in device.json changes.
    const state = async () => ({
      ...JSON.parse(await readFile(`${dir}/device.json`, 'utf8')),
      latestTrustedTime: undefined,
    });
    const before = {
      portal: await counts(),
      state: await state(),
      installed: await readFile(`${dir}/installed.json`, 'utf8'),
    };
    const r = await dev(['invalidate', '--transfer']);
    expect(r.code, r.stdout + r.stderr).toBe(8);
    expect(r.json.error.code).toBe(code);
    expect(await exists(`${dir}/pending-invalidation.json`)).toBe(false);
    expect(await state()).toEqual(before.state);
    expect(before.state.counter).toBe(0);
    expect(await readFile(`${dir}/installed.json`, 'utf8')).toBe(before.installed);
    expect(await counts()).toEqual(before.portal);
    return { dir, dev };
  }

  it('is blocked before anything changes when the device clock is off by more than the tolerance (NTP_CLOCK_OFF)', async () => {
    ntp.set({ skewMs: 10 * 60_000 });
    try {
      await expectBlocked('NTP_CLOCK_OFF');
    } finally {
      ntp.set({ skewMs: 0 });
    }
  });

  it('is blocked before anything changes when the NTP server does not answer (NTP_UNREACHABLE)', async () => {
    ntp.set({ silent: true });
    try {
      await expectBlocked('NTP_UNREACHABLE');
    } finally {
      ntp.set({ silent: false });
    }
  });

  it('is blocked before anything changes when the DNS server does not know the portal (DNS_NXDOMAIN), and goes through once it does', async () => {
    dns.set({ fault: 'nxdomain' });
    // biome-ignore lint/suspicious/noImplicitAnyLet: typed by its assignment below
    let d;
    try {
      d = await expectBlocked('DNS_NXDOMAIN');
    } finally {
      dns.set({ fault: null });
    }
    const before = await counts();
    const r = await d.dev(['invalidate', '--transfer']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result).toMatchObject({ resumed: false, warnings: [] });
    const pbx = (c: { type: string; bound: number; free: number }[]) =>
      c.find((x) => x.type === 'PBX-Port13')!;
    expect(pbx(await counts())).toMatchObject({ bound: pbx(before).bound - 2, free: pbx(before).free + 2 });
  });

  it('goes ahead without NTP and DNS servers configured and says so in its answer', async () => {
    const { dev } = await device();
    expect((await dev(['config', '--ntp', 'none', '--dns', 'none'])).code).toBe(0);
    const r = await dev(['invalidate', '--transfer']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result.warnings).toEqual([
      expect.stringMatching(/^NTP_NOT_CONFIGURED: /),
      expect.stringMatching(/^DNS_NOT_CONFIGURED: /),
    ]);
    // The check itself names both, with the fix.
    const check = await dev(['check']);
    const results = check.json.result.results as { name: string; code: string | null; fix: string }[];
    expect(results.find((c) => c.name === 'ntp')).toMatchObject({
      code: 'NTP_NOT_CONFIGURED',
      fix: expect.stringMatching(/mylic config --ntp/),
    });
    expect(results.find((c) => c.name === 'dns')).toMatchObject({
      code: 'DNS_NOT_CONFIGURED',
      fix: expect.stringMatching(/mylic config --dns/),
    });
    expect(check.code).toBe(8);
    // The human output of the check names it as well.
    const text = await agent(['check', '--dir', `${tmp.dir}/d${n}`]);
    expect(text.stdout).toMatch(/NTP_NOT_CONFIGURED/);
  });
});
