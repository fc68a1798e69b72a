import { createSocket } from 'node:dgram';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { checkDns, resolveA } from '../../agent/checks/dns.js';
import { MylicError } from '../../protocol/errors.js';
import { startDnsResponder, type DnsResponder } from '../support/dns-responder.js';

/**
 * The DNS check against a real DNS responder on loopback: each fault is set up on the server and
 * travels as real UDP packets.
 */
describe('the DNS check', () => {
  const PORTAL = 'https://portal.mylic.test/';
  const SHORT = 300;
  let dns: DnsResponder;
  beforeAll(async () => {
    dns = await startDnsResponder({
      records: {
        'portal.mylic.test': ['192.0.2.10', '192.0.2.11'],
        'edge.cdn.test': ['198.51.100.7'],
        'noaddress.mylic.test': [],
      },
      cnames: { 'www.mylic.test': 'front.mylic.test', 'front.mylic.test': 'edge.cdn.test' },
    });
  });
  afterAll(async () => {
    await dns.close();
  });
  beforeEach(() => dns.set({ fault: null }));

  const check = (over: { portalUrl?: string; server?: string | null; timeoutMs?: number } = {}) =>
    checkDns({ server: dns.address, portalUrl: PORTAL, timeoutMs: SHORT, ...over });
  const codeOf = (p: Promise<unknown>) =>
    p.then(
      () => 'resolved',
      (e: unknown) => (e instanceof MylicError ? e.code : e),
    );

  it('passes with the addresses the server gives for the portal host name', async () => {
    const r = await check();
    expect(r).toMatchObject({ name: 'dns', ok: true, code: null, fix: '' });
    expect(r.details).toMatchObject({
      server: dns.address,
      host: 'portal.mylic.test',
      addresses: ['192.0.2.10', '192.0.2.11'],
    });
    expect(r.message).toContain('192.0.2.10, 192.0.2.11');
  });

  it('follows a CNAME chain inside the answer to the addresses', async () => {
    expect(await resolveA('www.mylic.test', dns, SHORT)).toEqual(['198.51.100.7']);
    expect(await resolveA('WWW.Mylic.Test.', dns, SHORT)).toEqual(['198.51.100.7']);
  });

  it('reports NXDOMAIN when the portal host name does not exist', async () => {
    const unknown = await check({ portalUrl: 'https://typo.mylic.test/' });
    expect(unknown).toMatchObject({ ok: false, code: 'DNS_NXDOMAIN' });
    expect(unknown.message).toMatch(/typo\.mylic\.test does not exist/);
    expect(unknown.fix).toMatch(/portal URL/);
    dns.set({ fault: 'nxdomain' });
    expect(await check()).toMatchObject({ ok: false, code: 'DNS_NXDOMAIN', details: { rcode: 'NXDOMAIN' } });
  });

  it('reports a portal host name that cannot exist in DNS without asking the server', async () => {
    const before = dns.queries;
    const r = await check({ portalUrl: `https://${'a'.repeat(64)}.mylic.test/` });
    expect(r).toMatchObject({ ok: false, code: 'DNS_NXDOMAIN' });
    expect(r.message).toMatch(/cannot exist in DNS/);
    expect(dns.queries).toBe(before);
  });

  it('reports SERVFAIL when the server fails to answer the question', async () => {
    dns.set({ fault: 'servfail' });
    const r = await check();
    expect(r).toMatchObject({ ok: false, code: 'DNS_SERVFAIL', details: { rcode: 'SERVFAIL' } });
    expect(r.fix).not.toBe('');
  });

  it('reports a timeout when the server does not answer', async () => {
    dns.set({ fault: 'silent' });
    const before = dns.queries;
    const r = await check();
    expect(r).toMatchObject({ ok: false, code: 'DNS_TIMEOUT' });
    expect(r.message).toMatch(/did not answer .* within 300 ms/);
    expect(dns.queries).toBe(before + 1);
  });

  it('reports a timeout at once when nothing listens on the port', async () => {
    const probe = createSocket('udp4');
    await new Promise<void>((resolve) => probe.bind(0, '127.0.0.1', resolve));
    const freePort = probe.address().port;
    await new Promise<void>((resolve) => probe.close(() => resolve()));
    const started = Date.now();
    const r = await check({ server: `127.0.0.1:${freePort}`, timeoutMs: 5_000 });
    expect(r).toMatchObject({ ok: false, code: 'DNS_TIMEOUT' });
    expect(r.message).toMatch(/nothing listens on UDP port/);
    expect(Date.now() - started).toBeLessThan(2_000);
  });

  it('reports a truncated answer', async () => {
    dns.set({ fault: 'truncated' });
    expect(await check()).toMatchObject({ ok: false, code: 'DNS_TRUNCATED' });
  });

  it('reports a mismatched id when only answers with another id arrive', async () => {
    dns.set({ fault: 'wrongId' });
    const r = await check();
    expect(r).toMatchObject({ ok: false, code: 'DNS_ID_MISMATCH', details: { wrongId: 1 } });
    expect(r.fix).toMatch(/forges/);
  });

  it('ignores an answer with another id and takes the right one that follows', async () => {
    dns.set({ fault: 'wrongIdThenRight' });
    expect(await resolveA('portal.mylic.test', dns, 1_000)).toEqual(['192.0.2.10', '192.0.2.11']);
  });

  it('ignores an answer that comes from another port than the server', async () => {
    dns.set({ fault: 'otherPort' });
    expect(await codeOf(resolveA('portal.mylic.test', dns, SHORT))).toBe('DNS_TIMEOUT');
  });

  it('reports an answer that cannot be read', async () => {
    dns.set({ fault: 'garbage' });
    const r = await check();
    expect(r).toMatchObject({ ok: false, code: 'DNS_MALFORMED' });
    expect(r.message).toMatch(/cannot be read/);
  });

  it('reports a name that exists but has no address', async () => {
    expect(await check({ portalUrl: 'https://noaddress.mylic.test/' })).toMatchObject({
      ok: false,
      code: 'DNS_NO_ADDRESS',
    });
  });

  it('passes without a lookup when the portal URL has an IP address', async () => {
    dns.set({ fault: 'silent' });
    const before = dns.queries;
    const v4 = await check({ portalUrl: 'https://192.0.2.1:8443/', server: null });
    expect(v4).toMatchObject({ ok: true, details: { host: '192.0.2.1', addresses: ['192.0.2.1'] } });
    expect(v4.message).toMatch(/no DNS lookup is needed/);
    expect(await check({ portalUrl: 'https://[2001:db8::1]/' })).toMatchObject({
      ok: true,
      details: { host: '2001:db8::1' },
    });
    expect(dns.queries).toBe(before);
  });

  it('says so when no DNS server is configured, or it is not an IP address', async () => {
    expect(await check({ server: null })).toMatchObject({ ok: false, code: 'DNS_NOT_CONFIGURED' });
    const named = await check({ server: 'resolver.example.com' });
    expect(named).toMatchObject({ ok: false, code: 'DNS_NOT_CONFIGURED' });
    expect(named.message).toMatch(/must be given as an IP address/);
  });
});
