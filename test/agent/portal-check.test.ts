import { createServer as createHttpsServer, type Server as HttpsServer } from 'node:https';
import { createServer as createTcpServer, type Server as TcpServer, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { checkPortal } from '../../agent/checks/portal.js';
import { EXIT } from '../../protocol/errors.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { agent } from '../support/cli.js';
import { startDnsResponder, type DnsResponder } from '../support/dns-responder.js';
import { startNtpResponder, type NtpResponder } from '../support/ntp-responder.js';
import { tempDir } from '../support/tmp.js';

/**
 * The portal check: TLS with the pinned CA, then /healthz, within the timeout. Set up for real: a
 * real bridge process the device does not trust, a TLS server that answers 200 with another status,
 * and a TCP server that accepts and never says a word.
 */
describe('the portal check', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let bridge: BridgeProcess;
  let otherPki: Pki;
  let ntp: NtpResponder;
  let dns: DnsResponder;
  const closers: (() => Promise<void>)[] = [];

  beforeAll(async () => {
    tmp = await tempDir('mylic-portal-check-');
    bridge = await startBridgeProcess(`${tmp.dir}/data`);
    // Another dev PKI: its own root, device CA and TLS certificate, unrelated to the bridge's.
    otherPki = await loadOrCreateDevPki(`${tmp.dir}/other-pki`);
    ntp = await startNtpResponder();
    dns = await startDnsResponder({ records: { localhost: ['127.0.0.1'] } });
  });
  afterAll(async () => {
    for (const close of closers) await close();
    await ntp?.close();
    await dns?.close();
    await bridge?.stop();
    await tmp?.cleanup();
  });

  /** A device whose other checks (certificate, NTP, DNS, clock) pass, so the portal decides the exit code. */
  async function device(name: string, pkiDir: string) {
    const dir = `${tmp.dir}/${name}`;
    const dev = (args: string[]) => agent([...args, '--dir', dir, '--json']);
    const init = await dev([
      'device',
      'init',
      '--mac',
      '00-90-33-22-00-01',
      '--portal',
      bridge.url,
      '--pki',
      pkiDir,
    ]);
    expect(init.code, init.stderr).toBe(0);
    expect((await dev(['config', '--ntp', ntp.address, '--dns', dns.address])).code).toBe(0);
    return dev;
  }

  it('passes against the real bridge when the device trusts its root', async () => {
    const dev = await device('trusting', bridge.pkiDir);
    const r = await dev(['check']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.json.result.results.find((c: { name: string }) => c.name === 'portal')).toMatchObject({
      ok: true,
    });
  });

  it("reports PORTAL_TLS with exit code 7 when the device trusts another dev PKI's root", async () => {
    const dev = await device('foreign-trust', otherPki.dir);
    const r = await dev(['check']);
    const results = r.json.result.results as {
      name: string;
      ok: boolean;
      code: string | null;
      fix: string;
    }[];
    expect(results.filter((c) => !c.ok).map((c) => c.code)).toEqual(['PORTAL_TLS']);
    expect(r.code).toBe(EXIT.NETWORK);
    expect(r.code).toBe(7);
    expect(r.json.error.code).toBe('PORTAL_TLS');
    expect(results.find((c) => c.name === 'portal')!.fix).toMatch(/CA/);
    // A flow that talks to the portal stops the same way.
    const login = await dev(['login', '--email', 'x@example.com', '--password', 'whatever']);
    expect(login.code).toBe(7);
    expect(login.json.error.code).toBe('PORTAL_TLS');
  });

  it('reports PORTAL_PROTOCOL for a portal that answers 200 with a status other than "ok", or no JSON', async () => {
    let body = JSON.stringify({ status: 'maintenance' });
    const server: HttpsServer = createHttpsServer(
      { key: otherPki.tlsServer.keyPem, cert: otherPki.tlsServer.certPem },
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json' }).end(body);
      },
    );
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    closers.push(() => new Promise<void>((resolve) => server.close(() => resolve())));
    const url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;

    const maintenance = await checkPortal(url, otherPki.root.certPem, 2000);
    expect(maintenance).toMatchObject({
      name: 'portal',
      ok: false,
      code: 'PORTAL_PROTOCOL',
      details: { status: 'maintenance' },
    });
    expect(maintenance.message).toContain('maintenance');
    body = '<html>hello</html>';
    expect(await checkPortal(url, otherPki.root.certPem, 2000)).toMatchObject({
      ok: false,
      code: 'PORTAL_PROTOCOL',
    });
    body = JSON.stringify({ status: 'ok' });
    expect(await checkPortal(url, otherPki.root.certPem, 2000)).toMatchObject({ ok: true, code: null });
  });

  it('reports PORTAL_UNREACHABLE within about the timeout for a TCP server that accepts and never answers', async () => {
    const sockets = new Set<Socket>();
    const silent: TcpServer = createTcpServer((s) => {
      sockets.add(s); // accepted, never a byte back: no TLS handshake, no HTTP answer
      s.on('close', () => sockets.delete(s));
    });
    await new Promise<void>((resolve) => silent.listen(0, '127.0.0.1', resolve));
    closers.push(
      () =>
        new Promise<void>((resolve) => {
          for (const s of sockets) s.destroy();
          silent.close(() => resolve());
        }),
    );
    const url = `https://127.0.0.1:${(silent.address() as AddressInfo).port}/`;
    const started = performance.now();
    const r = await checkPortal(url, otherPki.root.certPem, 300);
    const took = performance.now() - started;
    expect(r).toMatchObject({ ok: false, code: 'PORTAL_UNREACHABLE' });
    expect(r.message).toMatch(/300 ms/);
    expect(took).toBeGreaterThanOrEqual(290);
    expect(took).toBeLessThan(800);
  });
});
