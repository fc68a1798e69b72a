import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companyCounts } from '../../bridge/core/balance/index.js';
import { addKnownDevice } from '../support/vendor-devices.js';
import { acceptInvalidation } from '../../bridge/core/licenses/index.js';
import { createCompany, operatorCredit } from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  addFixtureDevice,
  bind1,
  DEVICE_TYPE,
  invalidationDocument,
  makeTenant,
  makeUser,
  PORT_TYPE,
  type BoundLicense,
  type FixtureDevice,
  type Tenant,
} from '../bridge/fixtures.js';
import { grantRights, lockMember } from '../api/keys-fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * Free licenses as pages (seed: Free licenses; Add licenses from free licenses): licenses a device
 * returned (a real invalidation) are listed with bind date, SSA end and external key; chosen ones are
 * assigned to another device, or converted to balance after the SSC summary — the confirmation carries
 * the total shown and a different total is refused with a sentence. Another company — also one holding
 * the same device — sees none of them and its posts answer the not-found page; a company with rights on
 * the project cannot convert; no form works without the session's CSRF token from this origin.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
/** Ann's licenses returned from her device into the free pool of her DEFAULT project. */
let big: BoundLicense;
let two: BoundLicense;
let one: BoundLicense;
let annSecond: FixtureDevice;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-free-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-67-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-67-00-02' });
  big = ann.port;
  two = await bind1(tc, ann.actor, ann.projectId, ann.device.hardwareId, PORT_TYPE, 2);
  one = await bind1(tc, ann.actor, ann.projectId, ann.device.hardwareId, PORT_TYPE, 1);
  // The device signs an invalidation of the three: they go to the free pool.
  await tc.core.store.db
    .updateTable('devices')
    .set({ cert_pem: ann.device.certPem })
    .where('id', '=', ann.device.deviceId)
    .execute();
  const doc = invalidationDocument(ann.device, {
    serials: [big.serial, two.serial, one.serial],
    counter: 1,
    version: 14,
  });
  await acceptInvalidation(tc.core, ann.actor, doc.xml);
  annSecond = await addFixtureDevice(tc, ann.actor, ann.projectId, '00-90-33-67-00-11');
  await operatorCredit(tc.core, ann.companyId, 'DEFAULT', 'SSC', 100, 'fixture-ssc');
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

type Form = Record<string, string | string[]>;
const encode = (form: Form) => {
  const p = new URLSearchParams();
  for (const [k, v] of Object.entries(form)) for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
  return p.toString();
};
const request = (
  path: string,
  opts: { cookie: string; form?: Form; lang?: string; origin?: string },
): Promise<Response> =>
  Promise.resolve(
    tc.app.request(`${ORIGIN}${path}`, {
      method: opts.form ? 'POST' : 'GET',
      ...(opts.form ? { body: encode(opts.form) } : {}),
      headers: {
        host: 'portal.test',
        accept: 'text/html',
        'accept-language': opts.lang ?? 'en',
        cookie: opts.cookie,
        ...(opts.form
          ? { origin: opts.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
          : {}),
      },
    }),
  );
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
const balanceOf = async (projectId: number, type: string) =>
  Number(
    (
      await tc.core.store.db
        .selectFrom('balances')
        .select('units')
        .where('project_id', '=', projectId)
        .where('license_type', '=', type)
        .executeTakeFirst()
    )?.units ?? 0,
  );
const licenseOf = (serial: string) =>
  tc.core.store.db.selectFrom('licenses').selectAll().where('serial', '=', serial).executeTakeFirst();
/** What a refused request must leave as it was: licenses, balances and the ledger. */
async function state() {
  const db = tc.core.store.db;
  return {
    licenses: await db.selectFrom('licenses').selectAll().orderBy('id').execute(),
    balances: await db
      .selectFrom('balances')
      .selectAll()
      .orderBy('project_id')
      .orderBy('license_type')
      .execute(),
    ledger: await db
      .selectFrom('ledger_entries')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow(),
  };
}
async function expectConserved(companyId: number) {
  for (const c of await companyCounts(tc.core.store.db, companyId))
    expect(c.balance + c.bound + c.free + c.inKeys, c.type).toBe(c.activated);
}
const shownTotal = (html: string) => Number(/name="expectedSsc" value="(\d+)"/.exec(html)?.[1] ?? 'NaN');

describe('free licenses', () => {
  it('lists the licenses returned from the device with bind date, SSA end and project', async () => {
    const { cookie } = await logIn(ann.user);
    const res = await request('/free-licenses', { cookie, lang: 'de' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(MESSAGES.de.freeOfAll);
    for (const l of [big, two, one]) expect(html).toContain(`value="${l.serial}"`);
    expect(html).toContain('formaction="/free-licenses/assign"');
    expect((await licenseOf(big.serial))?.state).toBe('free');
  });

  it('converts free licenses after showing the SSC, in French: the units that left the pool are in the balance', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = {
      port: await balanceOf(ann.projectId, PORT_TYPE),
      ssc: await balanceOf(ann.projectId, 'SSC'),
    };
    const preview = await request(`/free-licenses/convert?serial=${two.serial}`, { cookie, lang: 'fr' });
    expect(preview.status).toBe(200);
    const html = await preview.text();
    expect(html).toContain(MESSAGES.fr.freeConvertTitle);
    expect(html).toContain(MESSAGES.fr.freeConvertLoses);
    const total = shownTotal(html);
    // One year of SSC per unit (3 SSC per PBX-Port13 unit a year in the catalog), 2 units.
    expect(total).toBe(6);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before.port);

    const done = await request('/free-licenses/convert', {
      cookie,
      lang: 'fr',
      form: { csrf, serial: two.serial, expectedSsc: String(total) },
    });
    expect(done.status).toBe(303);
    expect(await licenseOf(two.serial)).toBeUndefined();
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before.port + 2);
    expect(await balanceOf(ann.projectId, 'SSC')).toBe(before.ssc - total);
    await expectConserved(ann.companyId);
    const list = await (await request(done.headers.get('location')!, { cookie, lang: 'fr' })).text();
    expect(list).toContain(MESSAGES.fr.freeConverted.replace('{count}', '1').replace('{ssc}', '6'));
    expect(list).not.toContain(`value="${two.serial}"`);
  });

  it('refuses a conversion whose total is not the one shown, with a sentence and the new total, changing nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const html = await (await request(`/free-licenses/convert?serial=${one.serial}`, { cookie })).text();
    const total = shownTotal(html);
    const before = await state();
    const res = await request('/free-licenses/convert', {
      cookie,
      form: { csrf, serial: one.serial, expectedSsc: String(total + 3) },
    });
    expect(res.status).toBe(409);
    const page = await res.text();
    expect(page).toContain(MESSAGES.en.freeSscChanged);
    expect(shownTotal(page)).toBe(total);
    // Without any total shown, nothing is paid either.
    expect(
      (await request('/free-licenses/convert', { cookie, form: { csrf, serial: one.serial } })).status,
    ).toBe(409);
    expect(await state()).toEqual(before);
  });

  it('assigns free licenses to another device, in Italian: the units that left the pool are on the device', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const page = await request(`/free-licenses/assign?serial=${one.serial}`, { cookie, lang: 'it' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(MESSAGES.it.freeAssignTitle);
    expect(html).toContain(`value="${annSecond.deviceId}"`);
    const version = /<option value="(\d+)" selected/.exec(html)![1]!;
    // Without a device: the sentence beside the field, the choice kept.
    const none = await request('/free-licenses/assign', {
      cookie,
      lang: 'it',
      form: { csrf, serial: one.serial, version },
    });
    expect(none.status).toBe(400);
    const noneHtml = await none.text();
    expect(noneHtml).toContain(MESSAGES.it.freeChooseDevice);
    expect(noneHtml).toContain(`name="serial" value="${one.serial}"`);

    const res = await request('/free-licenses/assign', {
      cookie,
      lang: 'it',
      form: { csrf, serial: one.serial, deviceId: String(annSecond.deviceId), version },
    });
    expect(res.status).toBe(303);
    const row = await licenseOf(one.serial);
    expect([row?.state, row?.device_id, row?.units]).toEqual(['bound', annSecond.deviceId, 1]);
    await expectConserved(ann.companyId);
    const list = await (await request(res.headers.get('location')!, { cookie, lang: 'it' })).text();
    expect(list).toContain(MESSAGES.it.freeAssigned.replace('{count}', '1').split('{device}')[0]!);
  });

  it("shows a company holding the same device none of Ann's free licenses and refuses to assign or convert them", async () => {
    // Bob places Ann's device in his own project: he reaches the device, never her pool.
    await addKnownDevice(
      tc.core,
      { ...bob.actor, companyId: bob.companyId },
      bob.projectId,
      ann.device.hardwareId,
      DEVICE_TYPE,
    );
    const { cookie, csrf } = await logIn(bob.user);
    const list = await (await request('/free-licenses', { cookie })).text();
    expect(list).not.toContain(big.serial);
    const before = await state();
    for (const path of [
      `/free-licenses/assign?serial=${big.serial}`,
      `/free-licenses/convert?serial=${big.serial}`,
    ]) {
      const res = await request(path, { cookie });
      expect(res.status, path).toBe(404);
      expect(await res.text()).not.toContain(big.serial);
    }
    for (const deviceId of [ann.device.deviceId, bob.device.deviceId]) {
      const res = await request('/free-licenses/assign', {
        cookie,
        form: { csrf, serial: big.serial, deviceId: String(deviceId), version: '13' },
      });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain(big.serial);
    }
    const conv = await request('/free-licenses/convert', {
      cookie,
      form: { csrf, serial: big.serial, expectedSsc: '12' },
    });
    expect(conv.status).toBe(404);
    expect(await state()).toEqual(before);
    expect((await licenseOf(big.serial))?.state).toBe('free');
  });

  it("lets a company with rights on the project see its free licenses but not convert the owner's", async () => {
    const carlUser = await makeUser(tc, 'carl@example.test');
    const carl = await createCompany(tc.core, carlUser.id, 'Company carl');
    await grantRights(tc, ann.projectId, carl.companyId);
    const { cookie, csrf } = await logIn(carlUser);
    expect(await (await request('/free-licenses', { cookie })).text()).toContain(big.serial);
    const before = await state();
    const preview = await request(`/free-licenses/convert?serial=${big.serial}`, { cookie });
    expect(preview.status).toBe(403);
    const html = await preview.text();
    expect(html).toContain(MESSAGES.en.freeConvertExternal);
    expect(html).not.toContain('name="expectedSsc"');
    const res = await request('/free-licenses/convert', {
      cookie,
      form: { csrf, serial: big.serial, expectedSsc: '12' },
    });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(MESSAGES.en.freeConvertExternal);
    expect(await state()).toEqual(before);
  });

  it('shows a locked member the locked sentence and changes nothing for them', async () => {
    const mia = await makeUser(tc, 'mia@example.test');
    await tc.core.store.db
      .insertInto('memberships')
      .values({
        user_id: mia.id,
        company_id: ann.companyId,
        is_admin: 0,
        is_locked: 0,
        created_at: new Date().toISOString(),
      })
      .execute();
    const { cookie, csrf } = await logIn(mia);
    await lockMember(tc, mia.id, ann.companyId);
    const list = await (await request('/free-licenses', { cookie })).text();
    expect(list).toContain(MESSAGES.en.locked);
    expect(list).not.toContain(big.serial);
    const before = await state();
    const conv = await request('/free-licenses/convert', {
      cookie,
      form: { csrf, serial: big.serial, expectedSsc: '12' },
    });
    expect(conv.status).toBe(403);
    expect(await conv.text()).not.toContain('name="expectedSsc"');
    const assign = await request('/free-licenses/assign', {
      cookie,
      form: { csrf, serial: big.serial, deviceId: String(annSecond.deviceId), version: '13' },
    });
    expect(assign.status).toBe(403);
    expect(await state()).toEqual(before);
  });

  it('refuses a stale CSRF token, a post from another site and a post after log-out, changing nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const html = await (await request(`/free-licenses/convert?serial=${big.serial}`, { cookie })).text();
    const total = String(shownTotal(html));
    const before = await state();
    const stale = await request('/free-licenses/convert', {
      cookie,
      form: { csrf: csrfFor('x'.repeat(43)), serial: big.serial, expectedSsc: total },
    });
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain(MESSAGES.en.sessionExpired);
    const foreign = await request('/free-licenses/assign', {
      cookie,
      origin: 'https://evil.test',
      form: { csrf, serial: big.serial, deviceId: String(annSecond.deviceId), version: '13' },
    });
    expect(foreign.status).toBe(403);
    expect(await foreign.text()).toContain(MESSAGES.en.sessionExpired);
    await request('/logout', { cookie, form: { csrf } });
    const after = await request('/free-licenses/convert', {
      cookie,
      form: { csrf, serial: big.serial, expectedSsc: total },
    });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/login/);
    expect(await state()).toEqual(before);
  });
  it('asks to confirm the SSC summary when the device’s project is under SSA, and refuses a total other than the one shown', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const end = `${new Date().getUTCFullYear() + 2}-06-30`;
    await tc.core.store.db
      .updateTable('projects')
      .set({ ssa_end: end })
      .where('id', '=', ann.projectId)
      .execute();
    const form = { csrf, serial: big.serial, deviceId: String(annSecond.deviceId), version: '13' };
    const before = await state();
    const first = await request('/free-licenses/assign', { cookie, lang: 'nl', form });
    expect(first.status).toBe(409);
    const html = await first.text();
    const total = Number(/name="ssaTotal" value="(\d+)"/.exec(html)?.[1]);
    expect(total).toBeGreaterThan(0);
    expect(html).toContain(MESSAGES.nl.freeSsaNeeded.replace('{total}', String(total)));
    expect(html).toContain(`value="${annSecond.deviceId}" checked`);
    const changed = await request('/free-licenses/assign', {
      cookie,
      form: { ...form, ssaTotal: String(total + 1) },
    });
    expect(changed.status).toBe(409);
    expect(await changed.text()).toContain(MESSAGES.en.freeSsaChanged);
    expect(await state()).toEqual(before);

    // Too little SSC: the sentence, nothing assigned; with enough, the licenses come under the project's SSA.
    if ((await balanceOf(ann.projectId, 'SSC')) < total) {
      const short = await request('/free-licenses/assign', {
        cookie,
        form: { ...form, ssaTotal: String(total) },
      });
      expect(short.status).toBe(409);
      expect(await short.text()).toContain(MESSAGES.en.freeSsaMissing);
      expect(await state()).toEqual(before);
    }
    await operatorCredit(tc.core, ann.companyId, 'DEFAULT', 'SSC', total, 'fixture-ssc-2');
    const ssc = await balanceOf(ann.projectId, 'SSC');
    const done = await request('/free-licenses/assign', {
      cookie,
      form: { ...form, ssaTotal: String(total) },
    });
    expect(done.status).toBe(303);
    const row = await licenseOf(big.serial);
    expect([row?.state, row?.device_id, row?.units, row?.ssa_end]).toEqual([
      'bound',
      annSecond.deviceId,
      big.units,
      end,
    ]);
    expect(await balanceOf(ann.projectId, 'SSC')).toBe(ssc - total);
    await expectConserved(ann.companyId);
  });
});
