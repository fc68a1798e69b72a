import type { Context } from 'hono';
import { ZodError } from 'zod';
import { MylicError, ERROR_CODES, type ErrorBody } from '../../protocol/errors.js';

/**
 * The one place where failures become HTTP answers. Domain errors carry their code; schema failures
 * become VALIDATION_FAILED with the paths that failed; anything else is logged and answered INTERNAL
 * without internals.
 */
export function toErrorResponse(err: unknown, c: Context): Response {
  if (err instanceof MylicError) {
    if (err.code === 'RATE_LIMITED' && typeof err.details?.retryAfter === 'number') c.header('Retry-After', String(err.details.retryAfter));
    return c.json(err.toBody(), err.status as 400);
  }
  if (err instanceof ZodError) {
    const issues = err.issues.map((i) => ({ path: i.path.join('.'), message: i.message }));
    const body: ErrorBody = {
      error: { code: 'VALIDATION_FAILED', message: `${ERROR_CODES.VALIDATION_FAILED.message} ${issues.map((i) => `${i.path || '(body)'}: ${i.message}`).join('; ')}`, details: { issues } },
    };
    return c.json(body, 400);
  }
  console.error(`level=error event=http.unhandled path=${c.req.path} error=${JSON.stringify(String((err as Error)?.stack ?? err))}`);
  return c.json(new MylicError('INTERNAL').toBody(), 500);
}
