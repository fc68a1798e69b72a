import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevicePageApp } from '../../agent/page/server.js';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { agent } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * The device page's CSRF token is one per page session (the HttpOnly, SameSite=Strict cookie), not one
 * per render: every page and every form of a session carries the same token, so a second tab or the
 * Back button keeps working; a token is only good together with its own session's cookie, and a new
 * session gets a new token. Driven in-process with `app.request` against a real device folder.
 */
describe('the CSRF token of the device page', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let app: ReturnType<typeof createDevicePageApp>;
  const HOST = '127.0.0.1:8080';
  const dir = () => `${tmp.dir}/device`;

  beforeAll(async () => {
    tmp = await tempDir('mylic-csrf-');
    await loadOrCreateDevPki(`${tmp.dir}/pki`);
    const init = await agent([
      'device',
      'init',
      '--mac',
      '00-90-33-55-00-01',
      '--dir',
      dir(),
      '--pki',
      `${tmp.dir}/pki`,
      '--portal',
      'https://127.0.0.1:9/',
      '--json',
    ]);
    expect(init.code, init.stderr).toBe(0);
    app = createDevicePageApp({ dir: dir(), hosts: () => new Set([HOST]) });
  });
  afterAll(async () => tmp?.cleanup());

  /** GET / as a browser with (or without) a session cookie: the cookie to keep and every token in the page. */
  async function render(cookie?: string) {
    const res = await app.request('/', { headers: { host: HOST, ...(cookie ? { cookie } : {}) } });
    expect(res.status).toBe(200);
    const set = res.headers.get('set-cookie');
    const html = await res.text();
    const tokens = [...html.matchAll(/name="_csrf" value="([^"]+)"/g)].map((m) => m[1]!);
    return { cookie: set ? set.split(';')[0]! : cookie!, setCookie: set, tokens };
  }
  const post = (path: string, body: string, cookie?: string) =>
    app.request(path, {
      method: 'POST',
      headers: {
        host: HOST,
        'content-type': 'application/x-www-form-urlencoded',
        ...(cookie ? { cookie } : {}),
      },
      body,
    });
  const resetRequired = async () =>
    JSON.parse(await readFile(`${dir()}/device.json`, 'utf8')).resetRequired as boolean;

  it('carries one token in every form of every render of a page session, and that token still works after a POST', async () => {
    const first = await render();
    expect(first.setCookie).toMatch(/HttpOnly/i);
    expect(first.setCookie).toMatch(/SameSite=Strict/i);
    expect(first.tokens.length).toBeGreaterThan(3);
    expect(new Set(first.tokens).size).toBe(1);
    const token = first.tokens[0]!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);

    const second = await render(first.cookie);
    expect(second.setCookie).toBeNull();
    expect(new Set(second.tokens)).toEqual(new Set([token]));

    // A form from the first render (an older tab) is still accepted, and again after that POST.
    expect((await post('/reset', `_csrf=${token}`, first.cookie)).status).toBe(303);
    expect((await post('/reset', `_csrf=${token}`, first.cookie)).status).toBe(303);
    expect(new Set((await render(first.cookie)).tokens)).toEqual(new Set([token]));
  });

  it("gives a new page session its own token and refuses one session's token with another session's cookie or without a cookie", async () => {
    const a = await render();
    const b = await render();
    expect(a.cookie).not.toBe(b.cookie);
    expect(a.tokens[0]).not.toBe(b.tokens[0]);
    // Something to undo, so that a refused POST visibly does nothing.
    const state = JSON.parse(await readFile(`${dir()}/device.json`, 'utf8'));
    state.resetRequired = true;
    await writeFile(`${dir()}/device.json`, JSON.stringify(state));

    const crossed = await post('/reset', `_csrf=${a.tokens[0]}`, b.cookie);
    expect(crossed.status).toBe(403);
    expect(await crossed.text()).toContain('no valid security token (CSRF)');
    expect((await post('/reset', `_csrf=${a.tokens[0]}`)).status).toBe(403);
    expect((await post('/reset', `_csrf=${a.tokens[0]}`, 'mylic_page=forged-session-id')).status).toBe(403);
    expect(await resetRequired()).toBe(true);
    expect((await post('/reset', `_csrf=${b.tokens[0]}`, b.cookie)).status).toBe(303);
    expect(await resetRequired()).toBe(false);
  });
});
