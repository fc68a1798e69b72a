import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { legacyRemaining, loadLegacyExport } from '../../bridge/core/legacy/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, type Tenant } from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * A project's Import page (seed: Projects → Import, L76–81, L305–321): the old account's log-in shows
 * the balance and the devices with their errors and warnings, the import goes into the project with a
 * notice, a single MAC imports without the old account; every POST refuses a stale CSRF token, a
 * cross-origin post and a locked member, and another company's project is the "not found" page.
 * docs/legacy-export.sample.json; anna-old-pass is the password of anna.old@example.com.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-import-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-10-00-03' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-10-00-05' });
  for (const hw of ['009033100001', '009033100002', '009033100006'])
    await tc.core.store.db
      .insertInto('devices')
      .values({
        hardware_id: hw,
        device_type: 'IP811',
        cert_pem: null,
        invalidation_counter: 0,
        created_at: new Date().toISOString(),
      })
      .execute();
  await loadLegacyExport(tc.core, await readFile('docs/legacy-export.sample.json', 'utf8'));
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const request = (
  path: string,
  opts: { cookie: string; form?: Record<string, string | string[]>; lang?: string; origin?: string },
) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(opts.form ?? {}))
    for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return tc.app.request(`${ORIGIN}${path}`, {
    method: opts.form ? 'POST' : 'GET',
    ...(opts.form ? { body: body.toString() } : {}),
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': opts.lang ?? 'en',
      cookie: opts.cookie,
      ...(opts.form
        ? { origin: opts.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
    },
  });
};
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
const tokenOf = (html: string) => /name="token" value="([^"]+)"/.exec(html)?.[1] ?? '';
const placements = async (hardwareId: string) =>
  (
    await tc.core.store.db
      .selectFrom('device_projects')
      .innerJoin('devices', 'devices.id', 'device_projects.device_id')
      .select('device_projects.project_id')
      .where('devices.hardware_id', '=', hardwareId)
      .execute()
  ).map((r) => r.project_id);
const remaining = async () => Object.fromEntries(await legacyRemaining(tc.core.store.db));

describe('Import page', () => {
  it('links from the project page and shows the log-in and the single MAC forms', async () => {
    const a = await logIn(ann.user);
    const project = await (await request(`/projects/${ann.projectId}`, { cookie: a.cookie })).text();
    expect(project).toContain(`href="/projects/${ann.projectId}/import"`);
    const res = await request(`/projects/${ann.projectId}/import`, { cookie: a.cookie, lang: 'de' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Am alten Konto anmelden');
    expect(html).toContain('Eine einzelne MAC-Adresse importieren');
  });

  it('a wrong old password is a sentence beside the e-mail, which is kept; nothing changes', async () => {
    const a = await logIn(ann.user);
    const before = await remaining();
    const res = await request(`/projects/${ann.projectId}/import/login`, {
      cookie: a.cookie,
      form: { csrf: a.csrf, email: 'anna.old@example.com', password: 'wrong' },
    });
    expect(res.status).toBe(401);
    const html = await res.text();
    expect(html).toContain('E-mail or password of the old account is wrong.');
    expect(html).toContain('value="anna.old@example.com"');
    expect(await remaining()).toEqual(before);
  });

  it('refuses a stale CSRF token and a cross-origin post, nothing changed', async () => {
    const a = await logIn(ann.user);
    const before = await remaining();
    for (const [form, origin] of [
      [{ csrf: 'stale', mac: '00-90-33-10-00-06' }, ORIGIN],
      [{ csrf: a.csrf, mac: '00-90-33-10-00-06' }, 'https://evil.test'],
    ] as const) {
      const res = await request(`/projects/${ann.projectId}/import/mac`, { cookie: a.cookie, form, origin });
      expect(res.status).toBe(403);
    }
    const login = await request(`/projects/${ann.projectId}/import/login`, {
      cookie: a.cookie,
      form: { csrf: 'stale', email: 'anna.old@example.com', password: 'anna-old-pass' },
    });
    expect(login.status).toBe(403);
    expect(await login.text()).not.toContain('name="token"');
    expect(await placements('009033100006')).toEqual([]);
    expect(await remaining()).toEqual(before);
  });

  it('another company\'s project answers the "not found" page, for the page and its actions', async () => {
    const b = await logIn(bob.user);
    expect((await request(`/projects/${ann.projectId}/import`, { cookie: b.cookie })).status).toBe(404);
    const res = await request(`/projects/${ann.projectId}/import/mac`, {
      cookie: b.cookie,
      form: { csrf: b.csrf, mac: '00-90-33-10-00-06' },
    });
    expect(res.status).toBe(404);
    expect(await placements('009033100006')).toEqual([]);
  });

  it('"a list of your balance and of all your devices" with errors and warnings, then the import into the project (in Italian)', async () => {
    const a = await logIn(ann.user);
    const res = await request(`/projects/${ann.projectId}/import/login`, {
      cookie: a.cookie,
      lang: 'it',
      form: { csrf: a.csrf, email: 'anna.old@example.com', password: 'anna-old-pass' },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Vecchio saldo del tuo gruppo (2 utenti)');
    expect(html).toMatch(/PORT8<\/th>\s*<td class="num">15</);
    expect(html).toContain('Già nell’azienda');
    expect(html).toContain('Più utenti');
    expect(html).toContain('Più aziende');
    // An error row has no checkbox.
    expect(html).not.toContain('value="009033100003"');
    const token = tokenOf(html);
    expect(token).not.toBe('');
    const done = await request(`/projects/${ann.projectId}/import/confirm`, {
      cookie: a.cookie,
      lang: 'it',
      form: { csrf: a.csrf, token, device: ['009033100001', '009033100002'] },
    });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe(`/projects/${ann.projectId}/import?imported=2`);
    const after = await (
      await request(done.headers.get('location')!, { cookie: a.cookie, lang: 'it' })
    ).text();
    expect(after).toContain('2 dispositivo/i importato/i in questo progetto.');
    expect(await placements('009033100001')).toEqual([ann.projectId]);
    expect(await placements('009033100002')).toEqual([ann.projectId]);
    const users = await tc.core.store.db.selectFrom('legacy_users').select(['email', 'locked_at']).execute();
    expect(users.filter((u) => u.locked_at !== null).map((u) => u.email)).toEqual([
      'anna.old@example.com',
      'bob.old@example.com',
    ]);
  });

  it('an already imported device sent again is refused with its sentence and the list kept', async () => {
    const a = await logIn(ann.user);
    const html = await (
      await request(`/projects/${ann.projectId}/import/login`, {
        cookie: a.cookie,
        form: { csrf: a.csrf, email: 'bob.old@example.com', password: 'bob-old-pass' },
      })
    ).text();
    const before = await remaining();
    const res = await request(`/projects/${ann.projectId}/import/confirm`, {
      cookie: a.cookie,
      form: { csrf: a.csrf, token: tokenOf(html), device: ['009033100001'] },
    });
    expect(res.status).toBe(409);
    const page = await res.text();
    expect(page).toContain('Already Imported: this device has been imported already.');
    expect(page).toContain('name="token"');
    expect(await remaining()).toEqual(before);
  });

  it('imports a single MAC without the old account (L81), with a notice', async () => {
    const b = await logIn(bob.user);
    const res = await request(`/projects/${bob.projectId}/import/mac`, {
      cookie: b.cookie,
      form: { csrf: b.csrf, mac: '00:90:33:10:00:06' },
    });
    expect(res.status).toBe(303);
    const page = await (await request(res.headers.get('location')!, { cookie: b.cookie })).text();
    expect(page).toContain('Device 00-90-33-10-00-06 imported into this project.');
    expect(await placements('009033100006')).toEqual([bob.projectId]);
    const carl = await tc.core.store.db
      .selectFrom('legacy_users')
      .select('locked_at')
      .where('email', '=', 'carl.old@example.com')
      .executeTakeFirstOrThrow();
    expect(carl.locked_at).toBeNull();
    const bad = await request(`/projects/${bob.projectId}/import/mac`, {
      cookie: b.cookie,
      form: { csrf: b.csrf, mac: 'nonsense' },
    });
    expect(bad.status).toBe(400);
    const text = await bad.text();
    expect(text).toContain('This is not a valid MAC address.');
    expect(text).toContain('value="nonsense"');
  });

  it('a locked member gets the locked sentence and imports nothing', async () => {
    const b = await logIn(bob.user);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', bob.user.id)
      .where('company_id', '=', bob.companyId)
      .execute();
    const before = await remaining();
    const res = await request(`/projects/${bob.projectId}/import/login`, {
      cookie: b.cookie,
      form: { csrf: b.csrf, email: 'carl.old@example.com', password: 'carl-old-pass' },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).not.toContain('name="token"');
    expect(await remaining()).toEqual(before);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 0 })
      .where('user_id', '=', bob.user.id)
      .execute();
  });
});
