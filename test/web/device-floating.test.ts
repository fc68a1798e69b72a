import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKnownDevice } from '../support/vendor-devices.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  addFixtureDevice,
  bind1,
  countsOf,
  DEVICE_TYPE,
  makeTenant,
  makeUser,
  type FixtureDevice,
  type Tenant,
} from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * The V7 floating license on the device page (seed: Add V7 floating license (slave pbx); Delete V7
 * floating license): Add and Delete through the same core functions as the API twins, with the session's
 * actor — never with V7 PBX licenses, never deleting the floating license of another company that holds
 * the same device; no form works without this origin and the session's CSRF token.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
/** Ann's empty device (a slave PBX to be); bob adds it to his project too. */
let slave: FixtureDevice;
/** Ann's device with a V7 PBX license. */
let v7: FixtureDevice;
const ORIGIN = 'https://portal.test';
const FLOATING = 'PBX7-Floating';
const V7_PORT = 'PBX7#15';
const pathOf = (d: FixtureDevice) => `/devices/${d.hardwareId}`;

beforeAll(async () => {
  root = await tempDir('mylic-web-device-floating-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-66-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-66-00-02' });
  slave = await addFixtureDevice(tc, ann.actor, ann.projectId, '00-90-33-66-00-03');
  v7 = await addFixtureDevice(tc, ann.actor, ann.projectId, '00-90-33-66-00-04');
  await operatorCredit(tc.core, ann.companyId, 'DEFAULT', V7_PORT, 2, 'fixture-v7');
  await bind1(tc, ann.actor, ann.projectId, v7.hardwareId, V7_PORT, 1);
  // Bob holds ann's slave device too (seed: Warnings, "Several Companies").
  await addKnownDevice(tc.core, bob.actor, bob.projectId, slave.hardwareId, DEVICE_TYPE);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

type Req = { cookie?: string; form?: Record<string, string>; lang?: string; origin?: string };
const request = (path: string, o: Req = {}) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: o.form ? 'POST' : 'GET',
    ...(o.form ? { body: new URLSearchParams(o.form).toString() } : {}),
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': o.lang ?? 'en',
      ...(o.cookie ? { cookie: o.cookie } : {}),
      ...(o.form ? { origin: o.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' } : {}),
    },
  });
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
const follow = async (res: Response, cookie: string, lang: string) => {
  expect(res.status).toBe(303);
  return (await request(res.headers.get('location')!, { cookie, lang })).text();
};
const licensesOn = (deviceId: number) =>
  tc.core.store.db
    .selectFrom('licenses')
    .select(['serial', 'license_type', 'units', 'state', 'project_id'])
    .where('device_id', '=', deviceId)
    .orderBy('serial')
    .execute();
const historyOf = (companyId: number) =>
  tc.core.store.db
    .selectFrom('history')
    .select(['event', 'device_id'])
    .where('company_id', '=', companyId)
    .orderBy('id')
    .execute();
/** Every value a refused request must leave as it was. */
const everything = async () => ({
  slave: await licensesOn(slave.deviceId),
  v7: await licensesOn(v7.deviceId),
  counts: [await countsOf(tc, ann.companyId), await countsOf(tc, bob.companyId)],
  history: [await historyOf(ann.companyId), await historyOf(bob.companyId)],
});

describe('the V7 floating license on the device page', () => {
  it('adds and then deletes a V7 floating license in Italian, counted in the company balance', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const page = await (await request(pathOf(slave), { cookie, lang: 'it' })).text();
    expect(page).toContain('<h2 id="floating">Licenza floating (V7)</h2>');
    expect(page).toContain('Una licenza floating V7 è per un PBX slave');
    expect(page).toContain('Questo dispositivo non ha una licenza floating V7.');
    expect(page).toContain(`action="${pathOf(slave)}/floating"`);
    expect(await countsOf(tc, ann.companyId)).not.toHaveProperty(FLOATING);

    const added = await request(`${pathOf(slave)}/floating`, { cookie, lang: 'it', form: { csrf } });
    const after = await follow(added, cookie, 'it');
    expect(after).toContain('La licenza floating V7 è stata aggiunta a questo dispositivo.');
    const bound = await licensesOn(slave.deviceId);
    expect(bound).toEqual([
      expect.objectContaining({
        license_type: FLOATING,
        units: 1,
        state: 'bound',
        project_id: ann.projectId,
      }),
    ]);
    expect(after).toContain(`Questo dispositivo ha una licenza floating V7 (licenza ${bound[0]!.serial}).`);
    expect((await countsOf(tc, ann.companyId))[FLOATING]).toMatchObject({ bound: 1, balance: 0 });
    expect((await historyOf(ann.companyId)).at(-1)).toEqual({
      event: 'license.floating_added',
      device_id: slave.deviceId,
    });

    // Without the confirmation ticked: the sentence, nothing deleted.
    const unconfirmed = await request(`${pathOf(slave)}/floating/delete`, {
      cookie,
      lang: 'it',
      form: { csrf },
    });
    expect(unconfirmed.status).toBe(400);
    expect(await unconfirmed.text()).toContain(
      'Spunta la casella per confermare che la licenza floating V7 va eliminata.',
    );
    expect(await licensesOn(slave.deviceId)).toEqual(bound);

    const deleted = await request(`${pathOf(slave)}/floating/delete`, {
      cookie,
      lang: 'it',
      form: { csrf, confirm: '1' },
    });
    const gone = await follow(deleted, cookie, 'it');
    expect(gone).toContain('La licenza floating V7 di questo dispositivo è stata eliminata.');
    expect(gone).toContain('Questo dispositivo non ha una licenza floating V7.');
    expect(await licensesOn(slave.deviceId)).toEqual([]);
    expect((await countsOf(tc, ann.companyId))[FLOATING]).toMatchObject({ bound: 0, balance: 0 });
    expect((await historyOf(ann.companyId)).at(-1)).toEqual({
      event: 'license.floating_deleted',
      device_id: slave.deviceId,
    });
  });

  it('refuses a floating license on a device with V7 PBX licenses in Dutch, and changes nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    const res = await request(`${pathOf(v7)}/floating`, { cookie, lang: 'nl', form: { csrf } });
    expect(res.status).toBe(409);
    expect(await res.text()).toContain(
      'Dit apparaat heeft V7-PBX-licenties en kan daarom geen V7-floating-licentie hebben. Er is niets gewijzigd.',
    );
    expect(await everything()).toEqual(before);
  });

  it("does not let a company that holds the same device delete the owner's floating license", async () => {
    const a = await logIn(ann.user);
    await follow(
      await request(`${pathOf(slave)}/floating`, { cookie: a.cookie, form: { csrf: a.csrf } }),
      a.cookie,
      'en',
    );
    const { cookie, csrf } = await logIn(bob.user);
    // Bob's page shows his own licenses only: not ann's floating license.
    const serial = (await licensesOn(slave.deviceId))[0]!.serial;
    const page = await (await request(pathOf(slave), { cookie })).text();
    expect(page).not.toContain(serial);
    const before = await everything();
    const res = await request(`${pathOf(slave)}/floating/delete`, { cookie, form: { csrf, confirm: '1' } });
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain(
      'The V7 floating license of this device belongs to another company that holds the device; only that company can delete it. Nothing was changed.',
    );
    expect(html).not.toContain(serial);
    expect(await everything()).toEqual(before);
    // Nor add one of his own on the device that carries ann's licenses.
    const add = await request(`${pathOf(slave)}/floating`, { cookie, form: { csrf } });
    expect(add.status).toBe(403);
    expect(await add.text()).toContain('Licenses of another company that holds this device are in the way');
    expect(await everything()).toEqual(before);
    // Clean up as ann.
    await follow(
      await request(`${pathOf(slave)}/floating/delete`, {
        cookie: a.cookie,
        form: { csrf: a.csrf, confirm: '1' },
      }),
      a.cookie,
      'en',
    );
  });

  it('refuses a stale or missing CSRF token and a cross-origin post, and changes nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    for (const form of [{ csrf: 'stale-token' }, {}] as Record<string, string>[]) {
      const res = await request(`${pathOf(slave)}/floating`, { cookie, form });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Your form was too old or came from another page.');
    }
    const cross = await request(`${pathOf(slave)}/floating`, {
      cookie,
      form: { csrf },
      origin: 'https://evil.test',
    });
    expect(cross.status).toBe(403);
    expect(await everything()).toEqual(before);
    // The same for delete, with a floating license in place.
    await follow(await request(`${pathOf(slave)}/floating`, { cookie, form: { csrf } }), cookie, 'en');
    const withFloating = await everything();
    const stale = await request(`${pathOf(slave)}/floating/delete`, {
      cookie,
      form: { csrf: 'stale-token', confirm: '1' },
    });
    expect(stale.status).toBe(403);
    const crossDelete = await request(`${pathOf(slave)}/floating/delete`, {
      cookie,
      form: { csrf, confirm: '1' },
      origin: 'https://evil.test',
    });
    expect(crossDelete.status).toBe(403);
    expect(await everything()).toEqual(withFloating);
    await follow(
      await request(`${pathOf(slave)}/floating/delete`, { cookie, form: { csrf, confirm: '1' } }),
      cookie,
      'en',
    );
  });

  it('shows a locked member the locked sentence and refuses the floating actions', async () => {
    const carl = await makeUser(tc, 'carl@example.test');
    await tc.core.store.db
      .insertInto('memberships')
      .values({
        user_id: carl.id,
        company_id: ann.companyId,
        is_admin: 0,
        is_locked: 0,
        created_at: new Date().toISOString(),
      })
      .execute();
    const { cookie, csrf } = await logIn(carl);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', carl.id)
      .execute();
    const before = await everything();
    const res = await request(`${pathOf(slave)}/floating`, { cookie, form: { csrf } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain('Your account is locked in this company.');
    const del = await request(`${pathOf(v7)}/floating/delete`, { cookie, form: { csrf, confirm: '1' } });
    expect(del.status).toBe(403);
    expect(await everything()).toEqual(before);
  });

  it('sends a logged-out browser to the log-in instead of adding', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    await request('/logout', { cookie, form: { csrf } });
    const before = await everything();
    const res = await request(`${pathOf(slave)}/floating`, { cookie, form: { csrf } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(
      `/login?next=${encodeURIComponent(`${pathOf(slave)}/floating`)}`,
    );
    expect(await everything()).toEqual(before);
  });
});
