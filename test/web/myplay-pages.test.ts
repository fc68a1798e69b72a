import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOwnKey } from '../../bridge/core/keys/index.js';
import { LANGUAGES, MESSAGES } from '../../bridge/web/i18n.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { logInThroughPage, PAGE_ORIGIN } from '../support/page-session.js';
import { openPlayBeside } from '../support/play.js';
import { tempDir } from '../support/tmp.js';
import { GW_TYPE, makeTenant, type Tenant } from '../bridge/fixtures.js';

/**
 * myplay's pages (issue 15 item 2; seed L330–350): the banner that tells the sandbox from the live
 * portal, the self-service balance, a device's licenses with D / B / F and its RMA status. Plain forms
 * with the session's CSRF token; the live portal has none of these pages.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let live: TestCore;
let play: Awaited<ReturnType<typeof openPlayBeside>>;
let ann: Tenant;
let bob: Tenant;
let annPlay: { cookie: string; csrf: string };

type App = { request: (url: string, init?: RequestInit) => Response | Promise<Response> };
const get = (app: App, path: string, cookie?: string, lang = 'en') =>
  app.request(`${PAGE_ORIGIN}${path}`, {
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': lang,
      ...(cookie ? { cookie } : {}),
    },
  });
const post = (
  app: App,
  path: string,
  cookie: string,
  form: Record<string, string | string[]>,
  origin = PAGE_ORIGIN,
) => {
  const body = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) body.append(k, x);
  return app.request(`${PAGE_ORIGIN}${path}`, {
    method: 'POST',
    body: body.toString(),
    headers: {
      host: 'portal.test',
      origin,
      accept: 'text/html',
      cookie,
      'content-type': 'application/x-www-form-urlencoded',
    },
  });
};
const balanceOf = async (projectId: number, type: string) =>
  (
    await play.core.store.db
      .selectFrom('balances')
      .select('units')
      .where('project_id', '=', projectId)
      .where('license_type', '=', type)
      .executeTakeFirst()
  )?.units ?? 0;
const license = (serial: string) =>
  play.core.store.db.selectFrom('licenses').selectAll().where('serial', '=', serial).executeTakeFirst();

beforeAll(async () => {
  root = await tempDir('mylic-web-myplay-');
  live = await makeTestCore(root.dir);
  ann = await makeTenant(live, { name: 'ann', mac: '00-90-33-71-00-01' });
  bob = await makeTenant(live, { name: 'bob', mac: '00-90-33-71-00-02' });
  play = await openPlayBeside(root.dir);
  annPlay = await logInThroughPage(play.app, ann.user);
});
afterAll(async () => {
  await play?.close();
  await live?.close();
  await root?.cleanup();
});

describe('the myplay banner (seed L331)', () => {
  it('"[myplay] offers a platform to test all my.innovaphone related content": every sandbox page says it is myplay, in all five languages; the live portal never does', async () => {
    const liveAnn = await logInThroughPage(live.app, ann.user);
    for (const lang of LANGUAGES) {
      const html = await (await get(play.app, '/projects', annPlay.cookie, lang)).text();
      expect(html, lang).toContain('class="play-banner"');
      expect(html, lang).toContain(MESSAGES[lang].playBanner);
      const login = await (await get(play.app, '/login', undefined, lang)).text();
      expect(login, lang).toContain(MESSAGES[lang].playBanner);
      const liveHtml = await (await get(live.app, '/projects', liveAnn.cookie, lang)).text();
      expect(liveHtml, lang).not.toContain('play-banner');
      expect(liveHtml, lang).not.toContain(MESSAGES[lang].playBanner);
    }
    // On a device page, the banner leads to the device's myplay editing (seed L340 "After having selected a device").
    const devicePage = await (
      await get(play.app, `/devices/${ann.device.hardwareId}`, annPlay.cookie)
    ).text();
    expect(devicePage).toContain(`href="/play/devices/${ann.device.hardwareId}"`);
    expect(devicePage).toContain('href="/play/balance"');
    const intro = await (await get(play.app, '/play', annPlay.cookie, 'de')).text();
    expect(intro).toContain(MESSAGES.de.playIntro);
  });
});

describe('the self-service balance page (seed L336)', () => {
  it('"Simply select the license type in the dropdown box on the balance page, enter the desired amount and your balance will be increased by this type"', async () => {
    const page = await (await get(play.app, '/play/balance', annPlay.cookie)).text();
    expect(page).toContain('<select id="type" name="type">');
    expect(page).toContain(`<option value="${GW_TYPE}">`);
    const before = await balanceOf(ann.projectId, GW_TYPE);
    const res = await post(play.app, '/play/balance', annPlay.cookie, {
      csrf: annPlay.csrf,
      projectId: String(ann.projectId),
      type: GW_TYPE,
      units: '40',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/play/balance?done=balance');
    expect(await balanceOf(ann.projectId, GW_TYPE)).toBe(before + 40);
    const done = await (await get(play.app, '/play/balance?done=balance', annPlay.cookie, 'nl')).text();
    expect(done).toContain(MESSAGES.nl.playDoneBalance);
  });

  it('does nothing without the form token or from another site, or for an amount that is no whole number', async () => {
    const before = await balanceOf(ann.projectId, GW_TYPE);
    const form = { projectId: String(ann.projectId), type: GW_TYPE, units: '5' };
    expect((await post(play.app, '/play/balance', annPlay.cookie, { ...form, csrf: 'x' })).status).toBe(403);
    expect(
      (
        await post(
          play.app,
          '/play/balance',
          annPlay.cookie,
          { ...form, csrf: annPlay.csrf },
          'https://evil.test',
        )
      ).status,
    ).toBe(403);
    const bad = await post(play.app, '/play/balance', annPlay.cookie, {
      ...form,
      units: '2.5',
      csrf: annPlay.csrf,
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain(MESSAGES.en.playEnterUnits.replace('{max}', '100000'));
    expect(await balanceOf(ann.projectId, GW_TYPE)).toBe(before);
  });

  it("answers another company's project like a missing one", async () => {
    const before = await balanceOf(bob.projectId, GW_TYPE);
    const res = await post(play.app, '/play/balance', annPlay.cookie, {
      csrf: annPlay.csrf,
      projectId: String(bob.projectId),
      type: GW_TYPE,
      units: '5',
    });
    expect(res.status).toBe(404);
    expect(await balanceOf(bob.projectId, GW_TYPE)).toBe(before);
  });
});

describe("a device's licenses and RMA status (seed L340, L346–348, L350)", () => {
  const path = () => `/play/devices/${ann.device.hardwareId}`;

  it('"After having selected a device under Licenses->Devices, you can add/change licenses as you want by selecting new ones in the dropdown box"', async () => {
    const page = await (await get(play.app, path(), annPlay.cookie, 'it')).text();
    expect(page).toContain(ann.port.serial);
    expect(page).toContain(MESSAGES.it.playEditD);
    expect(page).toContain('<select id="add-type" name="type">');
    const res = await post(play.app, `${path()}/licenses/add`, annPlay.cookie, {
      csrf: annPlay.csrf,
      type: 'PBX-Port14',
      units: '2',
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${path()}?done=added`);
    const rows = await play.core.store.db
      .selectFrom('licenses')
      .select(['license_type', 'units'])
      .where('device_id', '=', ann.device.deviceId)
      .where('license_type', '=', 'PBX-Port14')
      .execute();
    expect(rows).toEqual([{ license_type: 'PBX-Port14', units: 2 }]);
  });

  it('"\'F\' Puts the license into the pool of free licenses": the ticked license goes free', async () => {
    const res = await post(play.app, `${path()}/licenses/edit`, annPlay.cookie, {
      csrf: annPlay.csrf,
      serial: [ann.gw.serial],
      action: 'F',
    });
    expect(res.status).toBe(303);
    expect(await license(ann.gw.serial)).toMatchObject({ state: 'free', device_id: null });
    // Nothing ticked, or no letter: the page says what to do, nothing changes.
    const none = await post(play.app, `${path()}/licenses/edit`, annPlay.cookie, {
      csrf: annPlay.csrf,
      action: 'D',
    });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain(MESSAGES.en.playChooseLicenses);
  });

  it('"You can put a device under RMA to test this scenario … You can also remove the RMA status here."', async () => {
    const set = await post(play.app, `${path()}/rma`, annPlay.cookie, {
      csrf: annPlay.csrf,
      state: 'arrived',
      reason: 'test',
    });
    expect(set.status).toBe(303);
    const page = await (await get(play.app, path(), annPlay.cookie, 'fr')).text();
    expect(page).toContain(MESSAGES.fr.playRmaNow.replace('{state}', MESSAGES.fr.playRmaArrived));
    const removed = await post(play.app, `${path()}/rma/remove`, annPlay.cookie, { csrf: annPlay.csrf });
    expect(removed.status).toBe(303);
    const device = await play.core.store.db
      .selectFrom('devices')
      .select('rma_state')
      .where('id', '=', ann.device.deviceId)
      .executeTakeFirstOrThrow();
    expect(device.rma_state).toBeNull();
  });

  it("answers another company's device like a missing one, and changes none of its licenses", async () => {
    const bobPath = `/play/devices/${bob.device.hardwareId}`;
    expect((await get(play.app, bobPath, annPlay.cookie)).status).toBe(404);
    expect((await get(play.app, '/play/devices/00-90-33-71-FF-FF', annPlay.cookie)).status).toBe(404);
    const res = await post(play.app, `${bobPath}/licenses/edit`, annPlay.cookie, {
      csrf: annPlay.csrf,
      serial: [bob.port.serial],
      action: 'D',
    });
    expect(res.status).toBe(404);
    expect(await license(bob.port.serial)).toMatchObject({ state: 'bound', device_id: bob.device.deviceId });
  });
});

describe('the live portal', () => {
  it('has none of these pages: its /play paths answer "not found" and change nothing', async () => {
    const liveAnn = await logInThroughPage(live.app, ann.user);
    for (const p of ['/play', '/play/balance', `/play/devices/${ann.device.hardwareId}`])
      expect((await get(live.app, p, liveAnn.cookie)).status, p).toBe(404);
    const res = await post(live.app, '/play/balance', liveAnn.cookie, {
      csrf: liveAnn.csrf,
      projectId: String(ann.projectId),
      type: GW_TYPE,
      units: '5',
    });
    expect(res.status).toBe(404);
    const edit = await post(
      live.app,
      `/play/devices/${ann.device.hardwareId}/licenses/edit`,
      liveAnn.cookie,
      {
        csrf: liveAnn.csrf,
        serial: [ann.port.serial],
        action: 'D',
      },
    );
    expect(edit.status).toBe(404);
    const l = await live.core.store.db
      .selectFrom('licenses')
      .selectAll()
      .where('serial', '=', ann.port.serial)
      .executeTakeFirstOrThrow();
    expect(l).toMatchObject({ state: 'bound', device_id: ann.device.deviceId });
  });

  it('"You won\'t be able to upload them on my.innovaphone.com" (seed L338): the Activations page refuses a PLAY- key with its sentence, in the reader\'s language', async () => {
    const key = await createOwnKey(
      play.core,
      { userId: ann.user.id, companyId: ann.companyId },
      {
        projectId: ann.projectId,
        licenses: [{ type: GW_TYPE, units: 1 }],
      },
    );
    const liveBob = await logInThroughPage(live.app, bob.user);
    for (const action of ['/activations/preview', '/activations/redeem']) {
      const res = await post(live.app, `${action}?lang=de`, liveBob.cookie, {
        csrf: liveBob.csrf,
        key: key.key,
        projectId: String(bob.projectId),
      });
      expect(res.status, action).toBe(400);
      const html = await res.text();
      expect(html).toContain(MESSAGES.de.playKeyNotLive);
    }
  });
});
