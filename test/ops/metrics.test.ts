import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { createApp } from '../../bridge/app.js';
import { createMetrics } from '../../bridge/ops/metrics.js';
import { DEVICE_API } from '../../protocol/device-protocol.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  expectOk,
  invalidationDocument,
  loginDevice,
  makeTenant,
  postJson,
  postXml,
  type Tenant,
} from '../bridge/fixtures.js';

/**
 * /metrics (issue 16 item 5): Prometheus text from prom-client, by route pattern, with the portal's own
 * counters, readable from loopback or with the operator's token only.
 */
let tmp: Awaited<ReturnType<typeof tempDir>>;
let pki: Pki;
let tc: TestCore;
let a: Tenant;
let n = 0;

beforeAll(async () => {
  tmp = await tempDir('mylic-metrics-');
  pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
});
beforeEach(async () => {
  tc = await makeTestCore(`${tmp.dir}/core-${++n}`, pki);
  a = await makeTenant(tc, { name: `m${n}`, mac: `00-90-33-0B-00-0${n}` });
});
afterEach(async () => {
  await tc?.close();
});
afterAll(async () => {
  await tmp?.cleanup();
});

const from = (ip: string) => ({
  incoming: {
    socket: { remoteAddress: ip, remotePort: 40_000, remoteFamily: ip.includes(':') ? 'IPv6' : 'IPv4' },
  },
});

function appWithMetrics(token: string | null = null) {
  const metrics = createMetrics(tc.core);
  return createApp(tc.core, { metrics, metricsToken: token });
}

async function scrape(app: ReturnType<typeof appWithMetrics>, ip = '127.0.0.1', token?: string) {
  const res = await app.request(
    '/metrics',
    token ? { headers: { authorization: `Bearer ${token}` } } : {},
    from(ip),
  );
  return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
}

/** The value of one sample line, by its name and labels as written. */
const sample = (text: string, series: string) => {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
};

describe('/metrics', () => {
  it('counts requests and their latency by route pattern and status, never by the raw path', async () => {
    const app = appWithMetrics();
    for (const id of [101, 202, 303]) expect((await app.request(`/api/v1/devices/${id}`)).status).toBe(401);
    expect((await app.request('/healthz')).status).toBe(200);
    const m = await scrape(app);
    expect(m.status).toBe(200);
    expect(m.type).toMatch(/^text\/plain; version=0\.0\.4/);
    expect(
      sample(
        m.text,
        'mylic_http_requests_total{method="GET",route="/api/v1/devices/:deviceId",status="401"}',
      ),
    ).toBe(3);
    expect(sample(m.text, 'mylic_http_requests_total{method="GET",route="/healthz",status="200"}')).toBe(1);
    expect(
      sample(
        m.text,
        'mylic_http_request_duration_seconds_count{method="GET",route="/api/v1/devices/:deviceId",status="401"}',
      ),
    ).toBe(3);
    expect(m.text).not.toMatch(/101|202|303/);
    expect(m.text).toMatch(/^mylic_process_cpu_seconds_total /m);
  });

  it('counts license downloads and invalidations of the device protocol, and ledger writes from the database', async () => {
    const app = appWithMetrics();
    const token = await loginDevice(app, a.user, a.device);
    await expectOk(await postJson(app, `${DEVICE_API}/license-file`, { version: 13 }, token));
    await expectOk(await postJson(app, `${DEVICE_API}/license-file`, { version: 13 }, token));
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    await expectOk(await postXml(app, `${DEVICE_API}/invalidations`, doc.xml, token));
    const m = await scrape(app);
    expect(sample(m.text, 'mylic_license_downloads_total{via="device"}')).toBe(2);
    expect(sample(m.text, 'mylic_invalidations_total{via="device"}')).toBe(1);
    const last = await tc.core.store.db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.max('id').as('id'))
      .executeTakeFirstOrThrow();
    // The fixture's two credits and two binds.
    expect(Number(last.id)).toBe(4);
    expect(sample(m.text, 'mylic_ledger_writes_total')).toBe(Number(last.id));
  });

  it('counts logins refused by a login limit, by limit, and the SSA mails waiting', async () => {
    const app = appWithMetrics();
    const statuses = [];
    for (let i = 0; i < 7; i++)
      statuses.push(
        (
          await app.request(
            '/api/v1/session',
            {
              method: 'POST',
              headers: { 'content-type': 'application/json' },
              body: JSON.stringify({ email: a.user.email, password: `wrong ${i}` }),
            },
            from('198.51.100.7'),
          )
        ).status,
      );
    expect(statuses).toEqual([401, 401, 401, 401, 401, 429, 429]);
    await tc.core.store.db
      .insertInto('ssa_mail_log')
      .values(
        ['2026-05-12', '2026-05-19'].map((due_date) => ({
          for_project: a.projectId,
          user_id: a.user.id,
          ssa_end: '2026-06-30',
          due_date,
          weeks_left: 7,
          state: 'pending' as const,
          claim: null,
          claimed_at: null,
          attempts: 0,
          last_error: null,
          language: null,
          created_at: new Date().toISOString(),
          done_at: null,
        })),
      )
      .execute();
    const m = await scrape(app);
    expect(sample(m.text, 'mylic_login_refusals_total{limit="account"}')).toBe(2);
    expect(
      sample(m.text, 'mylic_http_requests_total{method="POST",route="/api/v1/session",status="429"}'),
    ).toBe(2);
    expect(sample(m.text, 'mylic_mail_queue{state="pending"}')).toBe(2);
    expect(sample(m.text, 'mylic_mail_queue{state="sending"}')).toBe(0);
  });

  it('answers loopback clients only, and anyone else like a missing route', async () => {
    const app = appWithMetrics();
    expect((await scrape(app, '127.0.0.1')).status).toBe(200);
    expect((await scrape(app, '::1')).status).toBe(200);
    expect((await scrape(app, '::ffff:127.0.0.1')).status).toBe(200);
    const outside = await scrape(app, '203.0.113.9');
    expect(outside.status).toBe(404);
    expect(JSON.parse(outside.text).error.code).toBe('NOT_FOUND');
    expect(outside.text).not.toContain('mylic_');
  });

  it('with MYLIC_METRICS_TOKEN answers only the bearer of the token, from anywhere, loopback included', async () => {
    const token = 'an operator token for scrapes';
    const app = appWithMetrics(token);
    expect((await scrape(app, '203.0.113.9', token)).status).toBe(200);
    expect((await scrape(app, '127.0.0.1', token)).status).toBe(200);
    expect((await scrape(app, '127.0.0.1')).status).toBe(404);
    expect((await scrape(app, '203.0.113.9', `${token}x`)).status).toBe(404);
    expect((await scrape(app, '203.0.113.9', 'an operator token for scrape')).status).toBe(404);
  });
});

describe('an app without metrics', () => {
  it('has no /metrics route, but still a request id on every answer', async () => {
    const res = await tc.app.request('/metrics', {}, from('127.0.0.1'));
    expect(res.status).toBe(404);
    expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const given = await tc.app.request('/healthz', { headers: { 'x-request-id': 'trace-42' } });
    expect(given.headers.get('x-request-id')).toBe('trace-42');
  });
});
