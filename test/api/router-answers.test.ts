import { Hono } from 'hono';
import * as z from 'zod';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { ApiRouter } from '../../bridge/http/api/router.js';
import type { AuthEnv } from '../../bridge/http/auth.js';
import { toErrorResponse } from '../../bridge/http/errors.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';

/**
 * The route registry checks every answer against the route's own schema. An answer that breaks it is
 * the server's fault: 500 INTERNAL with nothing of the answer in it, never a 400 VALIDATION_FAILED that
 * would tell the caller their request was wrong.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
beforeAll(async () => {
  root = await tempDir('mylic-router-answers-');
  tc = await makeTestCore(root.dir);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

describe('answers that break their own schema', () => {
  it('are 500 INTERNAL, while a bad request stays 400 VALIDATION_FAILED', async () => {
    const app = new Hono<AuthEnv>();
    app.onError(toErrorResponse);
    const api = new ApiRouter(app, tc.core);
    const Answer = z.object({ count: z.number().int() });
    api.route(
      {
        method: 'post',
        path: '/broken',
        tag: 'Test',
        summary: 'answers a string where a number belongs',
        auth: 'none',
        body: z.strictObject({ n: z.number() }),
        response: Answer,
      },
      async () => ({
        count: 'secret internal value' as unknown as number,
      }),
    );
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const broken = await app.request('/broken', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: 1 }),
      });
      expect(broken.status).toBe(500);
      const text = await broken.text();
      expect(JSON.parse(text).error.code).toBe('INTERNAL');
      expect(text).not.toContain('secret internal value');
      const bad = await app.request('/broken', {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ n: 'x' }),
      });
      expect([bad.status, ((await bad.json()) as { error: { code: string } }).error.code]).toEqual([
        400,
        'VALIDATION_FAILED',
      ]);
    } finally {
      quiet.mockRestore();
    }
  });
});
