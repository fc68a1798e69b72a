import { spawn, type ChildProcess } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import { accessSync, constants } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { CheckResult } from '../../agent/checks/check-result.js';
import { checkDns } from '../../agent/checks/dns.js';
import { checkNtp } from '../../agent/checks/ntp.js';
import { tempDir } from '../support/tmp.js';

/**
 * The NTP and DNS checks against real daemons from Debian, not only against our own responders:
 * chronyd serving time (local stratum 8) and dnsmasq answering the portal's host name, each started
 * here on a free loopback port with its own configuration in a temporary folder, and stopped after.
 * The daemons must be installed (`.ci/install-system.sh`); without them this test fails, it does
 * not skip.
 */
const INSTALL =
  'run `sudo .ci/install-system.sh` (installs the Debian packages chrony and dnsmasq-base) and run the tests again';

function findBinary(name: string): string {
  const dirs = [...(process.env.PATH ?? '').split(delimiter), '/usr/sbin', '/usr/bin', '/sbin'];
  for (const dir of dirs) {
    if (!dir) continue;
    try {
      accessSync(join(dir, name), constants.X_OK);
      return join(dir, name);
    } catch {
      // not here
    }
  }
  throw new Error(
    `${name} is not installed, so the checks cannot be tested against the real daemon: ${INSTALL}.`,
  );
}

/**
 * A loopback port that is free for UDP and for TCP at the same time: dnsmasq binds both, and other
 * suites running in parallel hold TCP ports of their own. Another process may still take it before
 * the daemon binds it, so the daemons are started through `startOnFreePort`, which tries again.
 */
async function freeLoopbackPort(): Promise<number> {
  for (;;) {
    const udp = createSocket('udp4');
    await new Promise<void>((resolve) => udp.bind(0, '127.0.0.1', resolve));
    const port = udp.address().port;
    const tcp = createServer();
    const tcpFree = await new Promise<boolean>((resolve) => {
      tcp.once('error', () => resolve(false));
      tcp.listen(port, '127.0.0.1', () => resolve(true));
    });
    if (tcpFree) await new Promise<void>((resolve) => tcp.close(() => resolve()));
    await new Promise<void>((resolve) => udp.close(() => resolve()));
    if (tcpFree) return port;
  }
}

interface Daemon {
  name: string;
  child: ChildProcess;
  output: () => string;
  exited: Promise<number | null>;
}

function startDaemon(name: string, binary: string, args: string[]): Daemon {
  const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d: Buffer) => (output += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (output += d.toString()));
  const exited = new Promise<number | null>((resolve) => {
    child.once('exit', (code) => resolve(code));
    child.once('error', (err) => {
      output += String(err);
      resolve(null);
    });
  });
  return { name, child, output: () => output, exited };
}

async function stopDaemon(d: Daemon | undefined) {
  if (!d || d.child.exitCode !== null || d.child.signalCode !== null) return;
  d.child.kill('SIGTERM');
  const stopped = await Promise.race([
    d.exited.then(() => true),
    new Promise<false>((r) => setTimeout(() => r(false), 3_000)),
  ]);
  if (!stopped) {
    d.child.kill('SIGKILL');
    await d.exited;
  }
}

class PortTaken extends Error {}

/** Runs the check until the daemon answers at all (any code but "no answer"), for up to 15 s. */
async function untilAnswering(
  d: Daemon,
  run: () => Promise<CheckResult>,
  silentCode: string,
): Promise<CheckResult> {
  const deadline = Date.now() + 15_000;
  let exitCode: number | null | undefined;
  void d.exited.then((c) => (exitCode = c));
  for (;;) {
    if (exitCode !== undefined) {
      const message = `${d.name} exited (code ${exitCode}) before answering:\n${d.output()}`;
      if (/address already in use/i.test(d.output())) throw new PortTaken(message);
      throw new Error(message);
    }
    const r = await run();
    if (r.code !== silentCode) return r;
    if (Date.now() > deadline) throw new Error(`${d.name} did not answer within 15 s:\n${d.output()}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/**
 * Starts a daemon on a free port and waits until it answers. When another process took the port
 * between our probe and the daemon's bind (the daemon says "Address already in use" and exits), it
 * starts again on another port, at most five times; every other failure is reported at once.
 */
async function startOnFreePort(
  start: (port: number) => Promise<Daemon>,
  answering: (d: Daemon, port: number) => Promise<unknown>,
) {
  for (let attempt = 1; ; attempt++) {
    const port = await freeLoopbackPort();
    const d = await start(port);
    try {
      await answering(d, port);
      return { daemon: d, port };
    } catch (err) {
      await stopDaemon(d);
      if (!(err instanceof PortTaken) || attempt === 5) throw err;
    }
  }
}

describe('the checks against real daemons (chronyd, dnsmasq)', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>> | undefined;
  let chronyd: Daemon | undefined;
  let dnsmasq: Daemon | undefined;
  let ntpServer = '';
  let dnsServer = '';

  beforeAll(async () => {
    const chronydBin = findBinary('chronyd');
    const dnsmasqBin = findBinary('dnsmasq');
    tmp = await tempDir('mylic-daemons-');
    const dir = tmp.dir;
    // -d: foreground, log to stderr · -x: never touch the system clock · as root: stay root (the
    // temp folder is ours); otherwise -U lets chronyd run without root, which it can with -x.
    const isRoot = process.getuid?.() === 0;
    const ntp = await startOnFreePort(
      async (port) => {
        const conf = join(dir, 'chrony.conf');
        await writeFile(
          conf,
          [
            `port ${port}`,
            'bindaddress 127.0.0.1',
            'allow 127.0.0.1',
            // No time sources: serve this machine's clock as a stratum-8 server.
            'local stratum 8',
            // No control channel: neither a UDP command port nor the Unix socket under /run.
            'cmdport 0',
            'bindcmdaddress /',
            `pidfile ${join(dir, 'chronyd.pid')}`,
            `driftfile ${join(dir, 'chrony.drift')}`,
            '',
          ].join('\n'),
        );
        return startDaemon('chronyd', chronydBin, [
          '-d',
          '-x',
          ...(isRoot ? ['-u', 'root'] : ['-U']),
          '-f',
          conf,
        ]);
      },
      (d, port) =>
        untilAnswering(d, () => checkNtp({ server: `127.0.0.1:${port}`, timeoutMs: 300 }), 'NTP_UNREACHABLE'),
    );
    chronyd = ntp.daemon;
    ntpServer = `127.0.0.1:${ntp.port}`;
    const dns = await startOnFreePort(
      async (port) =>
        startDaemon('dnsmasq', dnsmasqBin, [
          '--no-daemon',
          '--conf-file=/dev/null',
          `--port=${port}`,
          '--listen-address=127.0.0.1',
          '--bind-interfaces',
          '--no-resolv',
          '--no-hosts',
          '--address=/portal.mylic.test/127.0.0.1',
          // Other names under mylic.test are answered here (NXDOMAIN), never forwarded.
          '--local=/mylic.test/',
          `--pid-file=${join(dir, 'dnsmasq.pid')}`,
        ]),
      (d, port) =>
        untilAnswering(
          d,
          () =>
            checkDns({
              server: `127.0.0.1:${port}`,
              portalUrl: 'https://portal.mylic.test/',
              timeoutMs: 300,
            }),
          'DNS_TIMEOUT',
        ),
    );
    dnsmasq = dns.daemon;
    dnsServer = `127.0.0.1:${dns.port}`;
  });

  afterAll(async () => {
    await stopDaemon(chronyd);
    await stopDaemon(dnsmasq);
    await tmp?.cleanup();
  });

  it('passes the NTP check against chronyd: synchronised, stratum 8, the same clock', async () => {
    const r = await checkNtp({ server: ntpServer });
    expect(r, `${r.message}\n${chronyd!.output()}`).toMatchObject({ name: 'ntp', ok: true, code: null });
    expect(r.details).toMatchObject({ server: ntpServer, stratum: 8, leapIndicator: 0 });
    // chronyd serves this machine's clock, so the device clock is (almost) exactly right.
    expect(Math.abs(r.details!.offsetMs as number)).toBeLessThan(100);
  });

  it('passes the DNS check against dnsmasq with the address it has for the portal host name', async () => {
    const r = await checkDns({ server: dnsServer, portalUrl: 'https://portal.mylic.test:8443/healthz' });
    expect(r, `${r.message}\n${dnsmasq!.output()}`).toMatchObject({ name: 'dns', ok: true, code: null });
    expect(r.details).toMatchObject({
      server: dnsServer,
      host: 'portal.mylic.test',
      addresses: ['127.0.0.1'],
    });
  });

  it('reports NXDOMAIN from dnsmasq for a portal host name it does not know', async () => {
    const r = await checkDns({ server: dnsServer, portalUrl: 'https://typo.mylic.test/' });
    expect(r).toMatchObject({ ok: false, code: 'DNS_NXDOMAIN' });
  });
});
