import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { applyOperatorSettings, DEFAULT_SETTINGS } from '../../bridge/core/settings.js';
import { HELP_TOPICS } from '../../bridge/web/help/content.js';
import { TABS } from '../../bridge/web/layout.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, type Tenant } from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * Issue 15 item 6: the portal's own help. Seed L33 "You will see a help link at the right side of the
 * horizontal tab menu … redirects to the corresponding wiki menu": the link leads to the help page of the
 * menu you are in. Seed L14–25 "Guides: Quickstart guide … SSA guide" in their languages (English and
 * German written). Seed L294 "Configurator: Currently this is just a link to the innovaphone PBX
 * Configurator": an operator setting.
 */
const ORIGIN = 'https://portal.test';
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;

beforeAll(async () => {
  root = await tempDir('mylic-help-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'helpann', mac: '00-90-33-68-00-01' });
});
afterEach(() => {
  applyOperatorSettings(DEFAULT_SETTINGS);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const get = (path: string, opts: { lang?: string; cookie?: string } = {}) =>
  Promise.resolve(
    tc.app.request(`${ORIGIN}${path}`, {
      headers: {
        host: 'portal.test',
        accept: 'text/html',
        'accept-language': opts.lang ?? 'en',
        ...(opts.cookie ? { cookie: opts.cookie } : {}),
      },
    }),
  );
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);

describe('the help pages', () => {
  it('L33: the help link at the right of the tab menu leads to the help of the menu you are in, and that page exists', async () => {
    const { cookie } = await logIn(ann.user);
    for (const tab of TABS) {
      const page = await (await get(tab.path, { cookie })).text();
      expect(page, tab.path).toMatch(new RegExp(`<li class="help"><a href="/help/${tab.id}"[^>]*rel="help"`));
      const help = await get(`/help/${tab.id}`);
      expect(help.status, tab.id).toBe(200);
    }
    expect(await (await get('/account', { cookie })).text()).toContain('href="/help/account"');
    // Logged in, the help keeps the menu; logged out it is readable too, without one.
    expect(await (await get('/help/devices', { cookie })).text()).toContain('<nav class="tabs"');
    expect(await (await get('/help/devices')).text()).not.toContain('<nav class="tabs"');
  });

  it('L14–25: the quickstart and SSA guides are pages of their own, in English and in German, listed on /help', async () => {
    const index = await (await get('/help')).text();
    expect(index).toContain('href="/help/quickstart"');
    expect(index).toContain('href="/help/ssa"');
    for (const topic of HELP_TOPICS) expect(index).toContain(`href="/help/${topic}"`);
    const quick = await (await get('/help/quickstart')).text();
    expect(quick).toContain('<h1>Quickstart guide</h1>');
    expect(quick).toContain('Register Now');
    const ssaDe = await (await get('/help/ssa', { lang: 'de' })).text();
    expect(ssaDe).toContain('<h1>SSA-Leitfaden</h1>');
    expect(ssaDe).toContain('SSA-Enddatum');
    const quickDe = await (await get('/help/quickstart', { lang: 'de' })).text();
    expect(quickDe).toContain('<h1>Schnellstart</h1>');
  });

  it('L14–25: a page not yet written in a language shows the English text and says so, in that language', async () => {
    const fr = await (await get('/help/ssa', { lang: 'fr' })).text();
    expect(fr).toContain('Cette page n&#39;est pas encore écrite en français');
    expect(fr).toContain('<h1>SSA guide</h1>');
    expect(fr).toContain('<div lang="en">');
  });

  it('L98: the devices help says returned licenses go to the free licenses', async () => {
    expect(await (await get('/help/devices')).text()).toContain(
      'Returned licenses go to the free licenses of the device&#39;s project',
    );
  });

  it('answers an unknown topic with the not-found page', async () => {
    expect((await get('/help/nothing-here')).status).toBe(404);
  });

  it('L294: the Configurator link is an operator setting; unset there is none', async () => {
    expect(await (await get('/help')).text()).not.toContain('Configurator');
    applyOperatorSettings({ configuratorUrl: 'https://configurator.example/pbx' });
    const page = await (await get('/help', { lang: 'nl' })).text();
    expect(page).toContain('<h2>Configurator</h2>');
    expect(page).toContain('href="https://configurator.example/pbx"');
  });
});
