import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkNtp, ntpTimeSyncSource, trustedTime } from '../../agent/checks/ntp.js';
import { startNtpResponder, type NtpResponder } from '../support/ntp-responder.js';

/**
 * The NTP check against a real NTP responder on loopback: each fault is set up on the server and
 * travels as real UDP packets through ntp-time-sync.
 */
describe('the NTP check', () => {
  let ntp: NtpResponder;
  beforeAll(async () => {
    ntp = await startNtpResponder();
  });
  afterAll(async () => {
    await ntp.close();
  });
  beforeEach(() => ntp.set({ skewMs: 0, stratum: 2, leap: 0, silent: false, kissCode: '' }));

  it('passes when the server is synchronised and the device clock agrees with it', async () => {
    const r = await checkNtp({ server: ntp.address });
    expect(r).toMatchObject({ name: 'ntp', ok: true, code: null, fix: '' });
    expect(r.details).toMatchObject({ server: ntp.address, stratum: 2 });
    expect(Math.abs(r.details!.offsetMs as number)).toBeLessThan(200);
    expect(Date.parse(r.details!.serverTime as string)).toBeGreaterThan(Date.now() - 5_000);
  });

  it('says the device clock is behind when the server is 10 minutes ahead, and by how much', async () => {
    ntp.set({ skewMs: 10 * 60_000 });
    const r = await checkNtp({ server: ntp.address });
    expect(r).toMatchObject({ ok: false, code: 'NTP_CLOCK_OFF' });
    expect(r.message).toMatch(
      new RegExp(
        `^The device clock is 600 seconds \\(10 minutes\\) behind ${ntp.address.replace(/\./g, '\\.')}`,
      ),
    );
    expect(r.fix).toMatch(/Configuration\/General\/Time/);
    expect(r.details!.offsetMs as number).toBeGreaterThan(599_000);
    expect(r.details!.offsetMs as number).toBeLessThan(601_000);
  });

  it('says the device clock is ahead when the server is 10 minutes behind', async () => {
    ntp.set({ skewMs: -10 * 60_000 });
    const r = await checkNtp({ server: ntp.address });
    expect(r).toMatchObject({ ok: false, code: 'NTP_CLOCK_OFF' });
    expect(r.message).toContain('600 seconds (10 minutes) ahead of');
  });

  it('fails with leap indicator 3 (the server itself is unsynchronised), even when its time is right', async () => {
    ntp.set({ leap: 3 });
    const r = await checkNtp({ server: ntp.address });
    expect(r).toMatchObject({ ok: false, code: 'NTP_UNSYNCHRONISED' });
    expect(r.message).toMatch(/leap indicator 3/);
    expect(r.fix).not.toBe('');
  });

  it('fails with stratum 16 (unsynchronised)', async () => {
    ntp.set({ stratum: 16 });
    const r = await checkNtp({ server: ntp.address });
    expect(r).toMatchObject({ ok: false, code: 'NTP_UNSYNCHRONISED' });
    expect(r.message).toMatch(/stratum 16/);
  });

  it('fails with stratum 0, and names the kiss code when the server refuses the device', async () => {
    ntp.set({ stratum: 0 });
    expect(await checkNtp({ server: ntp.address })).toMatchObject({ ok: false, code: 'NTP_UNSYNCHRONISED' });
    ntp.set({ stratum: 0, kissCode: 'DENY' });
    const r = await checkNtp({ server: ntp.address });
    expect(r).toMatchObject({ ok: false, code: 'NTP_UNSYNCHRONISED', details: { kissCode: 'DENY' } });
    expect(r.message).toMatch(/refuses.*DENY/);
  });

  it('says the server is unreachable when it does not answer within the timeout', async () => {
    ntp.set({ silent: true });
    const before = ntp.requests;
    const started = Date.now();
    const r = await checkNtp({ server: ntp.address, timeoutMs: 300 });
    expect(r).toMatchObject({ ok: false, code: 'NTP_UNREACHABLE' });
    expect(r.message).toMatch(/did not answer within 300 ms/);
    expect(r.fix).toMatch(new RegExp(`UDP port ${ntp.port}`));
    expect(ntp.requests).toBe(before + 1); // the request did arrive: silence, not a lost packet
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('says so when no NTP server is configured, or the setting is not an address', async () => {
    expect(await checkNtp({ server: null })).toMatchObject({ ok: false, code: 'NTP_NOT_CONFIGURED' });
    const bad = await checkNtp({ server: 'ntp.example.com:99999' });
    expect(bad).toMatchObject({ ok: false, code: 'NTP_NOT_CONFIGURED' });
    expect(bad.message).toContain('ntp.example.com:99999');
  });

  it('takes the tolerance from the configuration: 2 minutes off passes by default, fails with 60 s', async () => {
    ntp.set({ skewMs: 2 * 60_000 });
    expect(await checkNtp({ server: ntp.address })).toMatchObject({ ok: true });
    const strict = await checkNtp({ server: ntp.address, toleranceMs: 60_000 });
    expect(strict).toMatchObject({ ok: false, code: 'NTP_CLOCK_OFF', details: { toleranceMs: 60_000 } });
    expect(strict.message).toContain('120 seconds (2 minutes) behind');
    expect(strict.message).toContain('at most 60 seconds are tolerated');
  });

  it('polls afresh every time: a changed server clock shows in the very next check', async () => {
    ntp.set({ skewMs: 10 * 60_000 });
    const first = await checkNtp({ server: ntp.address });
    ntp.set({ skewMs: -10 * 60_000 });
    const second = await checkNtp({ server: ntp.address });
    ntp.set({ skewMs: 0 });
    const third = await checkNtp({ server: ntp.address });
    expect(first.message).toContain('behind');
    expect(second.message).toContain('ahead of');
    expect(third.ok).toBe(true);
  });

  it('gives a sample whose time the clock safety can trust', async () => {
    ntp.set({ skewMs: 3_600_000 });
    const sample = await ntpTimeSyncSource.poll({ host: ntp.host, port: ntp.port }, 1000);
    expect(sample).toMatchObject({ stratum: 2, leapIndicator: 0 });
    expect(sample.roundTripMs).toBeGreaterThanOrEqual(0);
    expect(sample.roundTripMs).toBeLessThan(500);
    expect(Math.abs(sample.serverTime.getTime() - (Date.now() + 3_600_000))).toBeLessThan(1_000);
    expect(Math.abs(trustedTime(sample).getTime() - (Date.now() + 3_600_000))).toBeLessThan(1_000);
  });

  it('does not take a reply that does not echo the request as an answer', async () => {
    // A "server" that answers every request with a fixed mode-4 packet whose originate time is zero.
    const liar = createSocket('udp4');
    liar.on('message', (_msg, rinfo) => {
      const reply = Buffer.alloc(48);
      reply[0] = (4 << 3) | 4;
      reply[1] = 2;
      reply.writeUInt32BE(0xe000_0000, 40);
      liar.send(reply, rinfo.port, rinfo.address);
    });
    await new Promise<void>((resolve) => liar.bind(0, '127.0.0.1', resolve));
    try {
      const r = await checkNtp({ server: `127.0.0.1:${liar.address().port}`, timeoutMs: 500 });
      expect(r).toMatchObject({ ok: false, code: 'NTP_UNREACHABLE' });
      expect(r.message).toMatch(/does not belong to the request/);
    } finally {
      await new Promise<void>((resolve) => liar.close(() => resolve()));
    }
  });
});

/** ntp-time-sync opens udp4 sockets only; an IPv6 server goes through the agent's own SNTP client. */
describe('the NTP check with an IPv6 server', async () => {
  const ipv6 = await new Promise<boolean>((resolve) => {
    const s = createSocket('udp6');
    s.once('error', () => resolve(false));
    s.bind(0, '::1', () => s.close(() => resolve(true)));
  });
  it.skipIf(!ipv6)(
    'works the same over [::1] (skipped only where the machine has no IPv6 loopback)',
    async () => {
      const ntp6 = await startNtpResponder({ skewMs: -10 * 60_000 }, '::1');
      try {
        const off = await checkNtp({ server: ntp6.address });
        expect(off).toMatchObject({ ok: false, code: 'NTP_CLOCK_OFF' });
        expect(off.message).toContain(`600 seconds (10 minutes) ahead of [::1]:${ntp6.port}`);
        ntp6.set({ skewMs: 0, leap: 3 });
        expect(await checkNtp({ server: ntp6.address })).toMatchObject({
          ok: false,
          code: 'NTP_UNSYNCHRONISED',
        });
        ntp6.set({ leap: 0 });
        expect(await checkNtp({ server: ntp6.address })).toMatchObject({ ok: true });
        ntp6.set({ silent: true });
        expect(await checkNtp({ server: ntp6.address, timeoutMs: 300 })).toMatchObject({
          ok: false,
          code: 'NTP_UNREACHABLE',
        });
      } finally {
        await ntp6.close();
      }
    },
  );
});
