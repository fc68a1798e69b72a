import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { updateDevice } from '../../bridge/core/devices/index.js';
import { addKnownDevice } from '../support/vendor-devices.js';
import { createOwnKey } from '../../bridge/core/keys/index.js';
import { createProject } from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { DEVICE_TYPE, makeTenant, PORT_TYPE, type Tenant } from '../bridge/fixtures.js';

/**
 * The Search page (seed: Search, L35-41): the top field's GET /search?q=… finds the selected company's
 * devices, projects and own activation keys, grouped and linked to their pages; at least 3 characters,
 * 5 before keys are searched; never anything of another company — of a device both companies hold, each
 * finds it only by its own name and comment and sees only its own.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
let annProject: number;
let bobProject: number;
let annKey: number;
let bobKey: number;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-search-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-66-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-66-00-02' });
  const annActor = { ...ann.actor, companyId: ann.companyId };
  const bobActor = { ...bob.actor, companyId: bob.companyId };
  await updateDevice(tc.core, annActor, ann.device.deviceId, { name: 'Reception', comment: 'ground floor' });
  annProject = (await createProject(tc.core, annActor, { name: 'Vienna Office', description: 'Graz branch' }))
    .id;
  annKey = (
    await createOwnKey(tc.core, annActor, {
      projectId: ann.projectId,
      licenses: [{ type: PORT_TYPE, units: 1 }],
      comment: 'for the Graz reseller',
    })
  ).keyId;
  // Bob's company holds Ann's device too, under its own name and comment.
  await addKnownDevice(tc.core, bob.actor, bob.projectId, ann.device.hardwareId, DEVICE_TYPE);
  await updateDevice(tc.core, bobActor, ann.device.deviceId, { name: 'Bob lobby', comment: 'Linz secret' });
  bobProject = (await createProject(tc.core, bobActor, { name: 'Graz Bob', description: 'bobs only' })).id;
  bobKey = (
    await createOwnKey(tc.core, bobActor, {
      projectId: bob.projectId,
      licenses: [{ type: PORT_TYPE, units: 1 }],
      comment: 'for the Graz reseller',
    })
  ).keyId;
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const page = (path: string, cookie?: string, lang = 'en') =>
  tc.app.request(`${ORIGIN}${path}`, {
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': lang,
      ...(cookie ? { cookie } : {}),
    },
  });
async function logIn(user: { email: string; password: string }) {
  const res = await tc.app.request(`${ORIGIN}/login`, {
    method: 'POST',
    body: new URLSearchParams(user).toString(),
    headers: { host: 'portal.test', origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
  });
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '')![1]!;
  return `${SESSION_COOKIE}=${token}`;
}
const search = async (q: string, cookie: string, lang = 'en') => {
  const res = await page(`/search?q=${encodeURIComponent(q)}`, cookie, lang);
  return { status: res.status, html: await res.text() };
};
/** The part of the page under one group's heading. */
const group = (html: string, id: string) => {
  const start = html.indexOf(`<h3 id="${id}">`);
  if (start < 0) return '';
  const end = html.indexOf('</section>', start);
  return html.slice(start, end);
};

describe('the Search page', () => {
  it('sends a visitor without a session to the log-in and back', async () => {
    const res = await page('/search?q=Reception');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/search')}`);
  });

  it('finds devices, projects and own keys, grouped and linked to their pages, in the reader’s language', async () => {
    const cookie = await logIn(ann.user);
    const { status, html } = await search('Reception', cookie, 'de');
    expect(status).toBe(200);
    expect(html).toContain('Ergebnisse für „Reception“');
    const devices = group(html, 'search-devices');
    expect(devices).toContain('href="/devices/009033660001"');
    expect(devices).toContain('00-90-33-66-00-01');
    expect(devices).toContain('ground floor');
    expect(group(html, 'search-projects')).toContain(MESSAGES.de.searchNoProjects);

    const graz = await search('Graz branch', cookie, 'fr');
    expect(group(graz.html, 'search-projects')).toContain(`href="/projects/${annProject}"`);
    expect(group(graz.html, 'search-projects')).toContain('Vienna Office');

    const keys = group((await search('Graz reseller', cookie)).html, 'search-keys');
    expect(keys).toContain(`href="/keys/${annKey}/certificate"`);
    expect(keys).toContain('for the Graz reseller');
    expect(keys).toContain(MESSAGES.en.searchOpen);
  });

  it('answers fewer than 3 characters with a sentence, keeping the input, and searches keys from 5 on', async () => {
    const cookie = await logIn(ann.user);
    for (const q of ['ab', '  ab  ', 'a']) {
      const { status, html } = await search(q, cookie, 'nl');
      expect(status, q).toBe(400);
      expect(html).toContain('Voer minstens 3 tekens in om te zoeken.');
      expect(html).toContain(`value="${q}"`);
      expect(html).not.toContain('<table');
    }
    const four = await search('Graz', cookie);
    expect(four.status).toBe(200);
    expect(group(four.html, 'search-projects')).toContain('Vienna Office');
    const keys = group(four.html, 'search-keys');
    expect(keys).toContain('Own activation keys are searched from 5 characters on.');
    expect(keys).not.toContain('/certificate');
    const five = group((await search('Graz ', cookie)).html, 'search-keys');
    expect(five).toContain('Own activation keys are searched from 5 characters on.');
    expect(group((await search('Graz r', cookie)).html, 'search-keys')).toContain(
      `/keys/${annKey}/certificate`,
    );
    // Without a query: the form alone.
    const empty = await page('/search', cookie);
    expect(empty.status).toBe(200);
    const html = await empty.text();
    expect(html).toContain('id="search-q"');
    expect(html).not.toContain('search-results');
  });

  it("never finds another company's device, project or key", async () => {
    const cookie = await logIn(ann.user);
    const { html } = await search('Graz', cookie);
    expect(html).not.toContain('Graz Bob');
    expect(html).not.toContain(`/projects/${bobProject}`);
    const keys = await search('Graz reseller', cookie);
    expect(keys.html).not.toContain(`/keys/${bobKey}/`);
    expect((await search('00-90-33-66-00-02', cookie)).html).not.toContain('009033660002');
    // A device both hold: Ann does not find it by Bob's comment or name.
    for (const q of ['Linz secret', 'Bob lobby']) {
      const r = await search(q, cookie);
      expect(group(r.html, 'search-devices'), q).toContain(MESSAGES.en.searchNoDevices);
      expect(r.html).not.toContain('href="/devices/');
    }
    const licenses = await search(PORT_TYPE, cookie);
    expect(group(licenses.html, 'search-licenses')).toContain('href="/devices/009033660001"');
    expect(licenses.html).not.toContain('009033660002');
  });

  it('shows a company that holds the same device only its own name, comment and project for it', async () => {
    const cookie = await logIn(bob.user);
    const own = await search('Linz secret', cookie);
    const devices = group(own.html, 'search-devices');
    expect(devices).toContain('href="/devices/009033660001"');
    expect(devices).toContain('Bob lobby');
    expect(devices).not.toContain('Reception');
    expect(devices).not.toContain('ground floor');
    expect(devices).not.toContain('Vienna Office');
    // Ann's name and comment find nothing for Bob.
    for (const q of ['Reception', 'ground floor']) {
      const r = await search(q, cookie);
      expect(group(r.html, 'search-devices'), q).toContain(MESSAGES.en.searchNoDevices);
      expect(r.html).not.toContain('href="/devices/');
    }
    const keys = await search('Graz reseller', cookie);
    expect(group(keys.html, 'search-keys')).toContain(`/keys/${bobKey}/certificate`);
    expect(keys.html).not.toContain(`/keys/${annKey}/`);
  });

  it('shows a locked member the locked sentence and no result', async () => {
    const carl = await makeTenant(tc, { name: 'carl', mac: '00-90-33-66-00-03' });
    const cookie = await logIn(carl.user);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', carl.user.id)
      .execute();
    const { status, html } = await search('00-90-33-66-00-03', cookie);
    expect(status).toBe(403);
    expect(html).toContain(MESSAGES.en.locked);
    expect(html).not.toContain('href="/devices/');
    expect(html).not.toContain('<table');
  });

  it('sends the search to the log-in after log-out', async () => {
    const cookie = await logIn(ann.user);
    const csrf = /name="csrf" value="([^"]+)"/.exec((await search('Reception', cookie)).html)![1]!;
    await tc.app.request(`${ORIGIN}/logout`, {
      method: 'POST',
      body: new URLSearchParams({ csrf }).toString(),
      headers: {
        host: 'portal.test',
        origin: ORIGIN,
        cookie,
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    const res = await page('/search?q=Reception', cookie);
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toContain('/login');
  });
});
