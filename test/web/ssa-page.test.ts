import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor, SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, type Tenant } from '../bridge/fixtures.js';

/**
 * A project's SSA page (issue 13; the SSA expiry mail links to /projects/{id}/ssa): the seed's table per
 * license, leaving licenses out, the confirmation that pays the total the user saw, and the walls.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-ssa-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-62-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-62-00-02' });
  await operatorCredit(tc.core, ann.companyId, 'DEFAULT', 'SSC', 500, 'fixture-ssc');
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const page = (
  path: string,
  init: { method?: string; body?: string; cookie?: string; lang?: string; origin?: string } = {},
) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: init.method ?? 'GET',
    ...(init.body !== undefined ? { body: init.body } : {}),
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      ...(init.cookie ? { cookie: init.cookie } : {}),
      'accept-language': init.lang ?? 'en',
      ...(init.method === 'POST'
        ? { origin: init.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
    },
  });

async function logIn(user: { email: string; password: string }) {
  const res = await page('/login', { method: 'POST', body: new URLSearchParams(user).toString() });
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '')![1]!;
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfFor(token) };
}

const nextYear = () => {
  const d = new Date();
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
};
const ssaEndOf = async (projectId: number) =>
  (
    await tc.core.store.db
      .selectFrom('projects')
      .select('ssa_end')
      .where('id', '=', projectId)
      .executeTakeFirstOrThrow()
  ).ssa_end;

describe('the SSA page of a project', () => {
  it('sends a visitor without a session to the log-in and back to this page', async () => {
    const res = await page(`/projects/${ann.projectId}/ssa`);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent(`/projects/${ann.projectId}/ssa`)}`,
    );
  });

  it('shows the summary per license as the seed’s table, in the user’s language, and leaves licenses out on request', async () => {
    const { cookie } = await logIn(ann.user);
    const end = nextYear();
    const html = await (
      await page(`/projects/${ann.projectId}/ssa?endDate=${end}`, { cookie, lang: 'de' })
    ).text();
    expect(html).toContain('SSA des Projekts DEFAULT');
    for (const head of ['Bindungsdatum', 'Tage ×2', 'Faktor']) expect(html).toContain(head);
    expect(html).toContain(ann.port.serial);
    expect(html).toMatch(/Summe: \d+ SSC/);
    const total = Number(/Summe: (\d+) SSC/.exec(html)![1]);
    expect(total).toBeGreaterThan(0);
    const without = await (
      await page(`/projects/${ann.projectId}/ssa?endDate=${end}&optOut=${ann.port.serial}`, {
        cookie,
        lang: 'de',
      })
    ).text();
    expect(Number(/Summe: (\d+) SSC/.exec(without)![1])).toBeLessThan(total);
  });

  it('puts the project under SSA for the total the user saw, and refuses a total that changed', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const end = nextYear();
    const html = await (await page(`/projects/${ann.projectId}/ssa?endDate=${end}`, { cookie })).text();
    const total = /name="expectedTotal" value="(\d+)"/.exec(html)![1]!;
    const stale = await page(`/projects/${ann.projectId}/ssa`, {
      method: 'POST',
      cookie,
      body: new URLSearchParams({ csrf, endDate: end, expectedTotal: String(Number(total) + 1) }).toString(),
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain(MESSAGES.en.ssaChanged);
    expect(await ssaEndOf(ann.projectId)).toBeNull();
    // Without the session's CSRF token, or from another site: nothing is paid.
    for (const [body, origin] of [
      [new URLSearchParams({ endDate: end, expectedTotal: total }), ORIGIN],
      [new URLSearchParams({ csrf, endDate: end, expectedTotal: total }), 'https://evil.example'],
    ] as const) {
      expect(
        (
          await page(`/projects/${ann.projectId}/ssa`, {
            method: 'POST',
            cookie,
            body: body.toString(),
            origin,
          })
        ).status,
      ).toBe(403);
    }
    expect(await ssaEndOf(ann.projectId)).toBeNull();
    // A form without the total it showed pays nothing; a made-up notice date is no crash.
    const blind = await page(`/projects/${ann.projectId}/ssa`, {
      method: 'POST',
      cookie,
      body: new URLSearchParams({ csrf, endDate: end }).toString(),
    });
    expect(blind.status).toBe(409);
    expect(await ssaEndOf(ann.projectId)).toBeNull();
    expect((await page(`/projects/${ann.projectId}/ssa?done=x`, { cookie })).status).toBe(200);
    const ok = await page(`/projects/${ann.projectId}/ssa`, {
      method: 'POST',
      cookie,
      body: new URLSearchParams({ csrf, endDate: end, expectedTotal: total }).toString(),
    });
    expect(ok.status).toBe(303);
    expect(await ssaEndOf(ann.projectId)).toBe(end);
    const after = await (await page(ok.headers.get('location')!, { cookie })).text();
    expect(after).toContain('The project is now under SSA until');
  });

  it("answers another company's project exactly like one that does not exist, and pays nothing", async () => {
    const { cookie, csrf } = await logIn(bob.user);
    const theirs = await page(`/projects/${ann.projectId}/ssa`, { cookie });
    const none = await page('/projects/999999/ssa', { cookie });
    expect([theirs.status, none.status]).toEqual([404, 404]);
    expect(await theirs.text()).toBe(await none.text());
    const post = await page(`/projects/${ann.projectId}/ssa`, {
      method: 'POST',
      cookie,
      body: new URLSearchParams({ csrf, endDate: nextYear(), expectedTotal: '1' }).toString(),
    });
    expect(post.status).toBe(404);
    expect((await page('/projects/abc/ssa', { cookie })).status).toBe(404);
  });
});
