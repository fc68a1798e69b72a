import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKnownDevice } from '../support/vendor-devices.js';
import { DEFAULT_PROJECT, operatorCredit } from '../../bridge/core/organisation/index.js';
import { extendProjectWarranty } from '../../bridge/core/licenses/warranty.js';
import { setRight } from '../../bridge/core/rights.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { DEVICE_TYPE, makeTenant, type Tenant } from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * Devices → Add warranty extensions (for every device of the selected project: years, overview of the
 * needed licenses, confirm) and Devices → Check licence, SSA and warranty status of a device outside
 * your projects (only with the right check-foreign-device), as pages over the same core functions as the
 * API: the confirmation moves exactly what the overview showed, a changed overview is refused, another
 * company's project or device is a 404 with nothing changed, and no form works without the session.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
let annSecond: number;
const ORIGIN = 'https://portal.test';
const W = 'Warranty-1Y';

beforeAll(async () => {
  root = await tempDir('mylic-web-device-extra-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-65-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-65-00-02' });
  annSecond = (await addKnownDevice(tc.core, ann.actor, ann.projectId, '00-90-33-65-00-11', DEVICE_TYPE))
    .deviceId;
  await operatorCredit(tc.core, ann.companyId, DEFAULT_PROJECT, W, 6, 'fixture-ann-warranty');
  await operatorCredit(tc.core, bob.companyId, DEFAULT_PROJECT, W, 6, 'fixture-bob-warranty');
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const request = (
  path: string,
  opts: { cookie: string; form?: Record<string, string>; lang?: string; origin?: string },
) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: opts.form ? 'POST' : 'GET',
    ...(opts.form ? { body: new URLSearchParams(opts.form).toString() } : {}),
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
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
async function logInSelected(t: Tenant) {
  const s = await logIn(t.user);
  const res = await request(`/projects/${t.projectId}/select`, { cookie: s.cookie, form: { csrf: s.csrf } });
  expect(res.status).toBe(303);
  return s;
}
const balanceOf = async (projectId: number, type: string) =>
  (
    await tc.core.store.db
      .selectFrom('balances')
      .select('units')
      .where('project_id', '=', projectId)
      .where('license_type', '=', type)
      .executeTakeFirst()
  )?.units ?? 0;
const warrantyYears = async (deviceId: number) =>
  (
    await tc.core.store.db
      .selectFrom('licenses')
      .select('units')
      .where('device_id', '=', deviceId)
      .where('state', '=', 'bound')
      .where('license_type', 'like', 'Warranty%')
      .execute()
  ).reduce((n, r) => n + r.units, 0);
const licenseCount = async () =>
  Number(
    (
      await tc.core.store.db
        .selectFrom('licenses')
        .select((eb) => eb.fn.countAll().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
/** The hidden fields of the confirm form in an overview page. */
const confirmFields = (html: string) => {
  const form = /<section class="confirm"[\s\S]*?<\/section>/.exec(html)?.[0] ?? '';
  return Object.fromEntries(
    [...form.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]),
  );
};

describe('add warranty extensions', () => {
  it('asks to select a project first, with a link to the projects', async () => {
    const { cookie } = await logIn(ann.user);
    const res = await request('/devices/warranty', { cookie });
    const html = await res.text();
    expect(html).toContain(MESSAGES.en.dxSelectProject);
    expect(html).toContain('href="/projects"');
    expect(html).not.toContain('00-90-33-65-00-01');
  });

  it('lists the devices with their license type, shows the overview in German, and the confirmation moves exactly the licenses shown', async () => {
    const { cookie, csrf } = await logInSelected(ann);
    const list = await (await request('/devices/warranty', { cookie, lang: 'de' })).text();
    expect(list).toContain('Garantieverlängerungen hinzufügen');
    expect(list).toContain('00-90-33-65-00-01');
    expect(list).toContain('00-90-33-65-00-11');
    expect(list).toContain(`name="y-${ann.device.deviceId}"`);
    expect(list).toContain(W);

    const before = await balanceOf(ann.projectId, W);
    const preview = await request('/devices/warranty', {
      cookie,
      lang: 'de',
      form: {
        csrf,
        projectId: String(ann.projectId),
        step: 'preview',
        [`y-${ann.device.deviceId}`]: '2',
        [`y-${annSecond}`]: '1',
      },
    });
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain('Benötigte Lizenzen');
    const fields = confirmFields(html);
    expect(fields).toMatchObject({
      projectId: String(ann.projectId),
      [`y-${ann.device.deviceId}`]: '2',
      [`y-${annSecond}`]: '1',
      [`exp-${W}`]: '3',
    });
    expect(await balanceOf(ann.projectId, W)).toBe(before);

    const done = await request('/devices/warranty', { cookie, form: { ...fields, step: 'confirm' } });
    expect(done.status).toBe(303);
    expect(done.headers.get('location')).toBe('/devices/warranty?done=3&n=2');
    expect(await balanceOf(ann.projectId, W)).toBe(before - 3);
    expect(await warrantyYears(ann.device.deviceId)).toBe(2);
    expect(await warrantyYears(annSecond)).toBe(1);
    const after = await (await request(done.headers.get('location')!, { cookie, lang: 'de' })).text();
    expect(after).toContain('Garantieverlängerungen hinzugefügt: 3 Jahr(e) auf 2 Gerät(en).');
  });

  it('fills every row from the header field without JavaScript', async () => {
    const { cookie, csrf } = await logInSelected(ann);
    const html = await (
      await request('/devices/warranty', {
        cookie,
        form: { csrf, projectId: String(ann.projectId), step: 'apply', all: '1' },
      })
    ).text();
    expect(html).toMatch(new RegExp(`name="y-${ann.device.deviceId}"[^>]*value="1"`));
    expect(html).toMatch(new RegExp(`name="y-${annSecond}"[^>]*value="1"`));
  });

  it('refuses a confirmation whose overview has changed, shows the new one and changes nothing', async () => {
    const { cookie, csrf } = await logInSelected(ann);
    const before = await balanceOf(ann.projectId, W);
    const count = await licenseCount();
    const res = await request('/devices/warranty', {
      cookie,
      form: {
        csrf,
        projectId: String(ann.projectId),
        step: 'confirm',
        [`y-${annSecond}`]: '1',
        [`exp-${W}`]: '2',
      },
    });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain(MESSAGES.en.dxChanged);
    expect(confirmFields(html)[`exp-${W}`]).toBe('1');
    expect(await balanceOf(ann.projectId, W)).toBe(before);
    expect(await licenseCount()).toBe(count);
  });

  it('judges the overview again inside the confirming transaction: a plan other than the one shown pays nothing', async () => {
    const before = await balanceOf(ann.projectId, W);
    const count = await licenseCount();
    const req = { devices: [{ deviceId: annSecond, years: 1 }] };
    for (const shown of [
      new Map([[W, 2]]),
      new Map<string, number>(),
      new Map([
        [W, 1],
        ['Other', 1],
      ]),
    ])
      await expect(
        extendProjectWarranty(tc.core, ann.actor, ann.projectId, req, null, shown),
      ).rejects.toMatchObject({ code: 'WARRANTY_OVERVIEW_CHANGED' });
    expect(await balanceOf(ann.projectId, W)).toBe(before);
    expect(await licenseCount()).toBe(count);
  });

  it('says so beside the field when the years would pass the maximum, with the input kept', async () => {
    const { cookie, csrf } = await logInSelected(ann);
    const res = await request('/devices/warranty', {
      cookie,
      form: { csrf, projectId: String(ann.projectId), step: 'preview', [`y-${ann.device.deviceId}`]: '3' },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('00-90-33-65-00-01 already has 2 year(s) of extension; the maximum is 4.');
    expect(html).toMatch(new RegExp(`name="y-${ann.device.deviceId}"[^>]*value="3"`));
    const bad = await (
      await request('/devices/warranty', {
        cookie,
        form: { csrf, projectId: String(ann.projectId), step: 'preview', [`y-${annSecond}`]: 'x' },
      })
    ).text();
    expect(bad).toContain(MESSAGES.en.dxYearsInvalid.replace('{max}', '4'));
  });

  it("answers 404 for another company's project or device in the form and changes nothing", async () => {
    const { cookie, csrf } = await logInSelected(ann);
    const count = await licenseCount();
    const bobBefore = await balanceOf(bob.projectId, W);
    for (const step of ['preview', 'confirm', 'apply']) {
      const foreignProject = await request('/devices/warranty', {
        cookie,
        form: {
          csrf,
          projectId: String(bob.projectId),
          step,
          all: '1',
          [`y-${bob.device.deviceId}`]: '1',
          [`exp-${W}`]: '1',
        },
      });
      expect(foreignProject.status).toBe(404);
      expect(await foreignProject.text()).not.toContain('00-90-33-65-00-02');
    }
    const foreignDevice = await request('/devices/warranty', {
      cookie,
      form: {
        csrf,
        projectId: String(ann.projectId),
        step: 'confirm',
        [`y-${bob.device.deviceId}`]: '1',
        [`exp-${W}`]: '1',
      },
    });
    expect(foreignDevice.status).toBe(404);
    expect(await foreignDevice.text()).not.toContain('00-90-33-65-00-02');
    expect(await licenseCount()).toBe(count);
    expect(await balanceOf(bob.projectId, W)).toBe(bobBefore);
    expect(await warrantyYears(bob.device.deviceId)).toBe(0);
  });

  it('refuses a stale CSRF token and a cross-origin post, and changes nothing', async () => {
    const { cookie, csrf } = await logInSelected(ann);
    const count = await licenseCount();
    const form = {
      projectId: String(ann.projectId),
      step: 'confirm',
      [`y-${annSecond}`]: '1',
      [`exp-${W}`]: '1',
    };
    const stale = await request('/devices/warranty', { cookie, form: { ...form, csrf: 'stale' } });
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain(MESSAGES.en.sessionExpired);
    const missing = await request('/devices/warranty', { cookie, form });
    expect(missing.status).toBe(403);
    const cross = await request('/devices/warranty', {
      cookie,
      origin: 'https://evil.test',
      form: { ...form, csrf },
    });
    expect(cross.status).toBe(403);
    expect(await licenseCount()).toBe(count);
    expect(await warrantyYears(annSecond)).toBe(1);
  });

  it('shows a locked member the locked sentence and adds nothing', async () => {
    const carl = await makeTenant(tc, { name: 'carl', mac: '00-90-33-65-00-03' });
    await operatorCredit(tc.core, carl.companyId, DEFAULT_PROJECT, W, 2, 'fixture-carl-warranty');
    const { cookie, csrf } = await logInSelected(carl);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', carl.user.id)
      .execute();
    const page = await (await request('/devices/warranty', { cookie })).text();
    expect(page).toContain(MESSAGES.en.locked);
    expect(page).not.toContain('00-90-33-65-00-03');
    const res = await request('/devices/warranty', {
      cookie,
      form: {
        csrf,
        projectId: String(carl.projectId),
        step: 'confirm',
        [`y-${carl.device.deviceId}`]: '1',
        [`exp-${W}`]: '1',
      },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(MESSAGES.en.locked);
    expect(await warrantyYears(carl.device.deviceId)).toBe(0);
    expect(await balanceOf(carl.projectId, W)).toBe(2);
  });

  it('is linked from the devices list', async () => {
    const { cookie } = await logInSelected(ann);
    const html = await (await request('/devices', { cookie })).text();
    expect(html).toContain('href="/devices/warranty"');
    expect(html).toContain('href="/devices/status"');
  });
});

describe('check the status of a device', () => {
  it('says the right is needed and shows nothing of any device without it', async () => {
    const { cookie } = await logIn(bob.user);
    for (const path of [
      '/devices/status',
      '/devices/status?hw=00-90-33-65-00-01',
      '/devices/status?hw=0F0F0F',
    ]) {
      const res = await request(path, { cookie });
      expect(res.status).toBe(403);
      const html = await res.text();
      expect(html).toContain(MESSAGES.en.dxStatusNeedsRight);
      expect(html).not.toContain('name="hw"');
      expect(html).not.toContain('Warranty-1Y');
      expect(html).not.toContain(ann.port.serial);
    }
  });

  it("shows another company's device with its licenses, SSA end and warranty end in French, never the owner", async () => {
    await setRight(tc.core, bob.user.id, 'check-foreign-device', true);
    const { cookie } = await logIn(bob.user);
    const res = await request('/devices/status?hw=009033650001', { cookie, lang: 'fr' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Vérifier l’état des licences, du SSA et de la garantie d’un appareil');
    expect(html).toContain('00-90-33-65-00-01');
    expect(html).toContain(ann.port.serial);
    expect(html).toContain(W);
    expect(html).toContain('Garantie de base 2 an(s) + 2 année(s) d’extension');
    expect(html).toContain('Fin de la garantie');
    expect(html).not.toContain('Company ann');
    expect(html).not.toContain(MESSAGES.fr.dxInYourCompany);
    const none = await request('/devices/status?hw=00-90-33-0F-0F-0F', { cookie });
    expect(none.status).toBe(404);
    expect(await none.text()).toContain('There is no device 00-90-33-0F-0F-0F.');
    const bad = await request('/devices/status?hw=nonsense', { cookie });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain(MESSAGES.en.dxBadHardwareId);
    expect(badHtml).toContain('value="nonsense"');
  });

  it('shows a device both companies hold as one of yours, without the other company', async () => {
    await addKnownDevice(tc.core, bob.actor, bob.projectId, '00-90-33-65-00-11', DEVICE_TYPE);
    const { cookie } = await logIn(bob.user);
    const html = await (await request('/devices/status?hw=00-90-33-65-00-11', { cookie })).text();
    expect(html).toContain('00-90-33-65-00-11');
    expect(html).toContain(MESSAGES.en.dxInYourCompany);
    expect(html).not.toContain('Company ann');
  });

  it("refuses warranty extensions on a device both companies hold while it carries the other company's licenses", async () => {
    const { cookie, csrf } = await logInSelected(bob);
    const shared = (
      await tc.core.store.db
        .selectFrom('devices')
        .select('id')
        .where('hardware_id', '=', '009033650011')
        .executeTakeFirstOrThrow()
    ).id;
    const list = await (await request('/devices/warranty', { cookie })).text();
    expect(list).toContain(`name="y-${shared}"`);
    const before = await balanceOf(bob.projectId, W);
    const count = await licenseCount();
    const res = await request('/devices/warranty', {
      cookie,
      form: {
        csrf,
        projectId: String(bob.projectId),
        step: 'confirm',
        [`y-${shared}`]: '1',
        [`exp-${W}`]: '1',
      },
    });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain(
      '00-90-33-65-00-11 holds licenses of another company that holds it too; only that company adds licenses to it.',
    );
    expect(await balanceOf(bob.projectId, W)).toBe(before);
    expect(await licenseCount()).toBe(count);
    expect(await warrantyYears(shared)).toBe(1);
  });
});
