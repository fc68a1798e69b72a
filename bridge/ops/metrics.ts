import cluster from 'node:cluster';
import type { Context } from 'hono';
import { AggregatorRegistry, collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import { MylicError } from '../../protocol/errors.js';
import type { Core } from '../core/context.js';

/**
 * `/metrics` in Prometheus' text format (prom-client), one registry per app:
 *
 * - `mylic_http_requests_total` and `mylic_http_request_duration_seconds` by method, route (Hono's
 *   matched route pattern, e.g. `/api/v1/devices/:deviceId`, never the raw path) and status;
 * - `mylic_license_downloads_total{via}` and `mylic_invalidations_total{via}`: license files handed out
 *   and invalidation documents accepted (answered 200), by the device protocol (`device`) or the API;
 * - `mylic_login_refusals_total{limit}`: logins refused by a login limit (account, address-account,
 *   address: bridge/core/accounts/login-limiter.ts);
 * - `mylic_ledger_writes_total`: ledger entries ever written (every balance change is one), and
 *   `mylic_mail_queue{state}`: SSA reminders waiting (`pending`) or being sent (`sending`) — both read
 *   from the database at scrape time, so every process reports the same figures;
 * - Node's process metrics (`mylic_process_…`, `mylic_nodejs_…`).
 *
 * Under `serve --workers N` a scrape reaches one worker, which asks the primary for the whole cluster:
 * counters and histograms summed over the workers, the database figures taken once.
 */
const DOWNLOADS: Record<string, string> = {
  'POST /device/v1/license-file': 'device',
  'POST /api/v1/devices/:deviceId/license-file': 'api',
};
const INVALIDATIONS: Record<string, string> = {
  'POST /device/v1/invalidations': 'device',
  'POST /api/v1/invalidations': 'api',
};
const LOGIN_LIMITS = new Set(['account', 'address-account', 'address']);

export interface BridgeMetrics {
  registry: Registry;
  /** Records one answered request. */
  observe(c: Context, route: string, seconds: number): void;
  /** The text a scrape gets: this process's, or the cluster's under `serve --workers N`. */
  text(): Promise<{ contentType: string; body: string }>;
}

export function createMetrics(core: Core): BridgeMetrics {
  const registry = new Registry();
  const registers = [registry];
  const labelNames = ['method', 'route', 'status'] as const;
  const requests = new Counter({
    name: 'mylic_http_requests_total',
    help: 'HTTP requests answered, by method, route pattern and status',
    labelNames,
    registers,
  });
  const latency = new Histogram({
    name: 'mylic_http_request_duration_seconds',
    help: 'Time from the request reaching the app to its answer, by method, route pattern and status',
    labelNames,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5],
    registers,
  });
  const downloads = new Counter({
    name: 'mylic_license_downloads_total',
    help: 'License files handed out, by device protocol or API',
    labelNames: ['via'],
    registers,
  });
  const invalidations = new Counter({
    name: 'mylic_invalidations_total',
    help: 'Invalidation documents accepted (confirmation answered), by device protocol or API',
    labelNames: ['via'],
    registers,
  });
  const refusals = new Counter({
    name: 'mylic_login_refusals_total',
    help: 'Logins refused by a login limit, by limit',
    labelNames: ['limit'],
    registers,
  });
  new Counter({
    name: 'mylic_ledger_writes_total',
    help: 'Ledger entries written since the database was created (read from the database)',
    registers,
    aggregator: 'max',
    async collect() {
      const row = await core.store.db
        .selectFrom('ledger_entries')
        .select((eb) => eb.fn.max('id').as('last'))
        .executeTakeFirst();
      this.reset();
      this.inc(Number(row?.last ?? 0));
    },
  });
  new Gauge({
    name: 'mylic_mail_queue',
    help: 'SSA reminder mails waiting (pending) or being sent (sending) (read from the database)',
    labelNames: ['state'],
    registers,
    aggregator: 'max',
    async collect() {
      const rows = await core.store.db
        .selectFrom('ssa_mail_log')
        .select(['state', (eb) => eb.fn.countAll().as('n')])
        .where('state', 'in', ['pending', 'sending'])
        .groupBy('state')
        .execute();
      for (const state of ['pending', 'sending'] as const)
        this.set({ state }, Number(rows.find((r) => r.state === state)?.n ?? 0));
    },
  });
  collectDefaultMetrics({ register: registry, prefix: 'mylic_' });
  if (cluster.isWorker) {
    // The primary's collection request is answered from this registry (the constructor adds the listener).
    AggregatorRegistry.setRegistries([registry]);
    new AggregatorRegistry();
  }

  return {
    registry,
    observe(c, route, seconds) {
      const status = c.res.status;
      const labels = { method: c.req.method, route, status: String(status) };
      requests.inc(labels);
      latency.observe(labels, seconds);
      const key = `${c.req.method} ${route}`;
      if (status === 200 && DOWNLOADS[key]) downloads.inc({ via: DOWNLOADS[key] });
      if (status === 200 && INVALIDATIONS[key]) invalidations.inc({ via: INVALIDATIONS[key] });
      const e = c.error;
      if (e instanceof MylicError && e.code === 'RATE_LIMITED' && LOGIN_LIMITS.has(String(e.details?.limit)))
        refusals.inc({ limit: String(e.details?.limit) });
    },
    text: () => (cluster.isWorker ? clusterText() : ownText(registry)),
  };
}

const ownText = async (registry: Registry) => ({
  contentType: registry.contentType,
  body: await registry.metrics(),
});

// ---------------------------------------------------------------------------------------------
// the cluster: a worker asks the primary, which collects every worker's metrics (prom-client)

const ASK = 'mylic:metrics?';
const ANSWER = 'mylic:metrics';
let asked = 0;

function clusterText(): Promise<{ contentType: string; body: string }> {
  const id = ++asked;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', onMessage);
      reject(new Error('the primary did not answer the metrics request'));
    }, 10_000);
    const onMessage = (m: {
      type?: string;
      id?: number;
      body?: string;
      contentType?: string;
      error?: string;
    }) => {
      if (m?.type !== ANSWER || m.id !== id) return;
      clearTimeout(timer);
      process.off('message', onMessage);
      if (m.error !== undefined) reject(new Error(m.error));
      else resolve({ contentType: m.contentType ?? 'text/plain', body: m.body ?? '' });
    };
    process.on('message', onMessage);
    process.send?.({ type: ASK, id });
  });
}

/** In the primary of `serve --workers N`: answers the workers' metrics requests with the cluster's metrics. */
export function answerClusterMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, m: { type?: string; id?: number }) => {
    if (m?.type !== ASK) return;
    aggregator.clusterMetrics().then(
      (body) => worker.send({ type: ANSWER, id: m.id, body, contentType: aggregator.contentType }),
      (e: unknown) => worker.send({ type: ANSWER, id: m.id, error: String((e as Error)?.message ?? e) }),
    );
  });
}

/** Whether a scrape may read /metrics: with a token set, only with it; without, only from loopback. */
export function metricsAllowed(token: string | null, authorization: string | undefined, peer: string | null) {
  if (token !== null) {
    const given = /^Bearer\s+(.+)$/i.exec(authorization ?? '')?.[1]?.trim() ?? '';
    return timingSafeEqualText(given, token);
  }
  return peer !== null && isLoopback(peer);
}

const isLoopback = (a: string) => /^127\./.test(a) || a === '::1' || /^::ffff:127\./i.test(a);

function timingSafeEqualText(a: string, b: string) {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  let diff = x.length ^ y.length;
  for (let i = 0; i < Math.max(x.length, y.length); i++) diff |= (x[i] ?? 0) ^ (y[i] ?? 0);
  return diff === 0;
}
