import type { Context } from 'hono';
import { ZodError } from 'zod';
import { MylicError, ERROR_CODES, type ErrorBody } from '../../protocol/errors.js';
import { boundMessage as bound, clipEcho } from '../../protocol/echo.js';
import { errorText, eventLog } from '../ops/event-log.js';

export { clipEcho };

/**
 * How much of what a client sent may come back in an error answer (issue 11: a 1 MB body once came back
 * whole in the message). Sources quote at most ECHO_MAX characters of an input (`clipEcho`); here, the
 * one place errors become answers, every message is bounded again, whatever its source: each quoted run
 * ("…" or '…') longer than ECHO_MAX is clipped to ECHO_MAX characters and "…", and the whole message to
 * MESSAGE_MAX. Detail strings (ours are codes, ids and dates) are clipped to DETAIL_MAX.
 */
const MESSAGE_MAX = 1_000;
const DETAIL_MAX = 500;
const ISSUE_MAX = 200;
const boundMessage = (message: string, max = MESSAGE_MAX) => bound(message, max);

function boundDetails(value: unknown, depth = 0): unknown {
  if (typeof value === 'string') return clipEcho(value, DETAIL_MAX);
  if (value === null || typeof value !== 'object' || depth > 6) return value;
  if (Array.isArray(value)) return value.map((v) => boundDetails(v, depth + 1));
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [clipEcho(k), boundDetails(v, depth + 1)]));
}

/**
 * The one place where failures become HTTP answers. Domain errors carry their code; schema failures
 * become VALIDATION_FAILED with the paths that failed; anything else is logged and answered INTERNAL
 * without internals. Messages and details are bounded (above).
 */
export function toErrorResponse(err: unknown, c: Context): Response {
  if (err instanceof MylicError) {
    if (err.code === 'RATE_LIMITED' && typeof err.details?.retryAfter === 'number')
      c.header('Retry-After', String(err.details.retryAfter));
    const body = err.toBody();
    body.error.message = boundMessage(body.error.message);
    if (body.error.details) body.error.details = boundDetails(body.error.details) as Record<string, unknown>;
    return c.json(body, err.status as 400);
  }
  if (err instanceof ZodError) {
    // A strict object with a thousand unknown keys has as many issues: list the first 20.
    const issues = err.issues.slice(0, 20).map((i) => ({
      path: i.path.map((p) => clipEcho(String(p))).join('.'),
      message: boundMessage(i.message, ISSUE_MAX),
    }));
    const more = err.issues.length > issues.length ? ` (and ${err.issues.length - issues.length} more)` : '';
    const body: ErrorBody = {
      error: {
        code: 'VALIDATION_FAILED',
        message: boundMessage(
          `${ERROR_CODES.VALIDATION_FAILED.message} ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}${more}`,
        ),
        details: { issues },
      },
    };
    return c.json(body, 400);
  }
  eventLog().error('http.unhandled', {
    requestId: c.get('requestId'),
    path: clipEcho(c.req.path),
    error: errorText(err, true),
  });
  return c.json(new MylicError('INTERNAL').toBody(), 500);
}
