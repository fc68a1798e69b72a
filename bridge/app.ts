import { Hono, type MiddlewareHandler } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { secureHeaders } from 'hono/secure-headers';
import { MylicError } from '../protocol/errors.js';
import { DEVICE_API } from '../protocol/device-protocol.js';
import { PORTAL_API } from '../protocol/portal-api.js';
import { MAX_DOCUMENT_BYTES } from '../protocol/documents/index.js';
import type { Core } from './core/context.js';
import { clipEcho, toErrorResponse } from './http/errors.js';
import { deviceRoutes } from './http/device-protocol-routes.js';
import { portalRoutes } from './http/portal-routes.js';
import { notFoundPage, portalPages } from './web/pages.js';
import { metricsRoute, observeRequests } from './ops/http-observe.js';
import type { BridgeMetrics } from './ops/metrics.js';

/** What the server adds to the app: metrics (and who may read them) and request logging. */
export interface AppOptions {
  metrics?: BridgeMetrics;
  /** MYLIC_METRICS_TOKEN, or null: /metrics for loopback clients only. */
  metricsToken?: string | null;
  /** One `http.request` log line per request (the server; not the apps tests make in-process). */
  logRequests?: boolean;
}

/** The bridge's HTTP face; testable in-process with `app.request`. */
export function createApp(core: Core, options: AppOptions = {}) {
  const app = new Hono();
  // First: a request id for every answer, its log line and metrics (bridge/ops/http-observe.ts).
  for (const m of observeRequests(options.metrics ?? null, options.logRequests ?? false)) app.use('*', m);
  app.onError(toErrorResponse);
  // The APIs answer JSON; any other path is a page that does not exist (bridge/web).
  app.notFound((c) =>
    c.req.path.startsWith(`${PORTAL_API}/`) ||
    c.req.path.startsWith(`${DEVICE_API}/`) ||
    !(c.req.header('accept') ?? '').includes('text/html')
      ? c.json(new MylicError('NOT_FOUND', `No route ${c.req.method} ${clipEcho(c.req.path)}.`).toBody(), 404)
      : notFoundPage(c),
  );
  // Security headers on every answer, errors included (issue 11). The bridge serves HTTPS only, so HSTS
  // (two years, subdomains); answers are JSON or document files, never pages: nothing may be framed,
  // loaded or run from them (CSP default-src 'none', frame-ancestors 'none', X-Frame-Options DENY), and
  // nothing is sniffed as another type. Referrer and cross-origin policies are hono's defaults.
  app.use(
    '*',
    secureHeaders({
      strictTransportSecurity: 'max-age=63072000; includeSubDomains',
      xFrameOptions: 'DENY',
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
        formAction: ["'none'"],
      },
      // The portal pages (bridge/web) set their own CSP (their stylesheet, forms to this origin); a header
      // a route set stays, every other answer gets these.
      overwrite: false,
    }),
  );
  // The APIs answer tokens, license files, personal and tenant data: no cache, shared or private, keeps
  // any of it (no-store on every /api/v1 and /device/v1 answer, errors included). /openapi.json and
  // /healthz are public and the same for everyone.
  const noStore: MiddlewareHandler = async (c, next) => {
    await next();
    // On the answer's own headers: c.header() after the handler rebuilds the response from its body,
    // which turns a string body into a stream that is then pumped chunk by chunk (issue 16's profile).
    c.res.headers.set('Cache-Control', 'no-store');
  };
  app.use(`${PORTAL_API}/*`, noStore);
  app.use(`${DEVICE_API}/*`, noStore);
  // Refuse large bodies before anything reads them whole. A body with Content-Length (and no
  // Transfer-Encoding) is judged by the header: Node's parser never delivers more bytes than it says,
  // and reading `c.req.raw.body` only to count would build a web Request and stream for every request
  // (a fifth of a license download's time, measured). Chunked bodies are counted as they stream in.
  const tooLarge = () => {
    throw new MylicError('PAYLOAD_TOO_LARGE', `Uploads are limited to ${MAX_DOCUMENT_BYTES} bytes.`);
  };
  const streamedLimit = bodyLimit({ maxSize: MAX_DOCUMENT_BYTES, onError: tooLarge });
  app.use('*', async (c, next) => {
    const length = c.req.header('content-length');
    if (length !== undefined && c.req.header('transfer-encoding') === undefined) {
      if (!/^\d+$/.test(length) || Number(length) > MAX_DOCUMENT_BYTES) return tooLarge();
      return next();
    }
    return streamedLimit(c, next);
  });
  app.get('/healthz', (c) => c.json({ status: 'ok' }));
  if (options.metrics) metricsRoute(app, options.metrics, options.metricsToken ?? null);
  app.route(DEVICE_API, deviceRoutes(core));
  const portal = portalRoutes(core);
  app.route(PORTAL_API, portal.app);
  app.get('/openapi.json', (c) => c.json(portal.openApi()));
  app.route('/', portalPages(core));
  return app;
}
