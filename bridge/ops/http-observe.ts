import { getConnInfo } from '@hono/node-server/conninfo';
import type { Hono, MiddlewareHandler } from 'hono';
import { requestId } from 'hono/request-id';
import { routePath } from 'hono/route';
import { MylicError } from '../../protocol/errors.js';
import { eventLog } from './event-log.js';
import { type BridgeMetrics, metricsAllowed } from './metrics.js';

/**
 * What the bridge sees of every request: a request id (the client's `X-Request-Id` when it is a short
 * plain token, else a new UUID; sent back in the `X-Request-Id` header and named in every log line
 * of the request), one `http.request` log line (method, route pattern, status, milliseconds; debug for
 * /healthz and /metrics; the server's app only, not apps made in-process by tests) and the request
 * metrics.
 */
export function observeRequests(metrics: BridgeMetrics | null, logRequests: boolean): MiddlewareHandler[] {
  const observe: MiddlewareHandler = async (c, next) => {
    const start = performance.now();
    try {
      await next();
    } finally {
      const ms = performance.now() - start;
      // The pattern of the handler that answered (a middleware's `/*` when none matched): never the raw path.
      const route = routePath(c);
      metrics?.observe(c, route, ms / 1000);
      const quiet = route === '/healthz' || route === '/metrics';
      if (logRequests)
        eventLog()[quiet ? 'debug' : 'info']('http.request', {
          requestId: c.get('requestId'),
          method: c.req.method,
          route,
          status: c.res.status,
          ms: Math.round(ms * 10) / 10,
        });
    }
  };
  return [requestId({ limitLength: 64 }), observe];
}

/** Serves /metrics to whom `metricsAllowed` lets in; anyone else gets the answer of a missing route. */
export function metricsRoute(app: Hono, metrics: BridgeMetrics, token: string | null): void {
  app.get('/metrics', async (c) => {
    let peer: string | null = null;
    try {
      peer = getConnInfo(c).remote.address ?? null;
    } catch {
      peer = null;
    }
    if (!metricsAllowed(token, c.req.header('authorization'), peer))
      return c.json(new MylicError('NOT_FOUND', `No route ${c.req.method} /metrics.`).toBody(), 404);
    const { contentType, body } = await metrics.text();
    c.header('Cache-Control', 'no-store');
    return c.body(body, 200, { 'Content-Type': contentType });
  });
}
