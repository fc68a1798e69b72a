import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKnownDevice } from '../support/vendor-devices.js';
import { createProject, operatorCredit } from '../../bridge/core/organisation/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  addFixtureDevice,
  countsOf,
  DEVICE_TYPE,
  invalidationDocument,
  licenseRow,
  makeTenant,
  makeUser,
  type FixtureDevice,
  type Tenant,
} from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * The device page /devices/{hardwareId} (issue 14, items 3–5): the device's licenses, warranty,
 * certificate, RMA and history; its actions through the same core functions as the API (same walls, same
 * history events); a device in none of the user's projects gets the page saying to add it, the same
 * whether another company holds it or nobody does; no form works without this origin and the session's
 * CSRF token.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
let spare: FixtureDevice;
const ORIGIN = 'https://portal.test';
const ANN_PATH = '/devices/009033650001';

beforeAll(async () => {
  root = await tempDir('mylic-web-device-page-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-65-00-01', credit: { port: 40, gw: 8 } });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-65-00-02' });
  spare = await addFixtureDevice(tc, ann.actor, ann.projectId, '00-90-33-65-00-03');
  // The device showed its certificate at a log-in: encrypted files are possible.
  for (const d of [ann.device, spare])
    await tc.core.store.db
      .updateTable('devices')
      .set({ cert_pem: d.certPem })
      .where('id', '=', d.deviceId)
      .execute();
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

type Req = { cookie?: string; form?: Record<string, string> | FormData; lang?: string; origin?: string };
const request = (path: string, o: Req = {}) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: o.form ? 'POST' : 'GET',
    ...(o.form ? { body: o.form instanceof FormData ? o.form : new URLSearchParams(o.form).toString() } : {}),
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': o.lang ?? 'en',
      ...(o.cookie ? { cookie: o.cookie } : {}),
      ...(o.form ? { origin: o.origin ?? ORIGIN } : {}),
      ...(o.form && !(o.form instanceof FormData)
        ? { 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
    },
  });
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
const follow = async (res: Response, cookie: string, lang = 'en') => {
  expect(res.status).toBe(303);
  return (await request(res.headers.get('location')!, { cookie, lang })).text();
};
const licensesOn = (deviceId: number) =>
  tc.core.store.db
    .selectFrom('licenses')
    .select(['serial', 'license_type', 'units', 'state', 'downloaded_unencrypted', 'project_id', 'device_id'])
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
const deviceState = async (deviceId: number) => ({
  licenses: await licensesOn(deviceId),
  device: await tc.core.store.db
    .selectFrom('devices')
    .select(['rma_state', 'no_downgrade_at', 'legacy_download_at', 'invalidation_counter'])
    .where('id', '=', deviceId)
    .executeTakeFirstOrThrow(),
  placements: await tc.core.store.db
    .selectFrom('device_projects')
    .select(['company_id', 'project_id'])
    .where('device_id', '=', deviceId)
    .orderBy('company_id')
    .execute(),
});
/** Every value a refused request must leave as it was: devices, licenses, counts, history. */
const everything = async () => ({
  ann: await deviceState(ann.device.deviceId),
  spare: await deviceState(spare.deviceId),
  bob: await deviceState(bob.device.deviceId),
  counts: [await countsOf(tc, ann.companyId), await countsOf(tc, bob.companyId)],
  history: [await historyOf(ann.companyId), await historyOf(bob.companyId)],
  invalidations: await tc.core.store.db.selectFrom('invalidations').select('document_id').execute(),
});

describe('the device page', () => {
  it("shows a device's licenses, warranty, certificate, RMA state and history in German, reached by its MAC in any form", async () => {
    const { cookie } = await logIn(ann.user);
    const redirect = await request('/devices/00-90-33-65-00-01', { cookie });
    expect(redirect.status).toBe(301);
    expect(redirect.headers.get('location')).toBe(ANN_PATH);
    const res = await request(ANN_PATH, { cookie, lang: 'de' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('<h1>Gerät</h1>');
    expect(html).toContain('00-90-33-65-00-01');
    expect(html).toContain(ann.port.serial);
    expect(html).toContain(ann.gw.serial);
    expect(html).toContain('PBX-Port13');
    expect(html).toContain('nicht rückgabefähig'); // the gateway license
    expect(html).toContain('Garantie');
    expect(html).toContain('Das Portal hat ein Zertifikat dieses Geräts');
    expect(html).toContain('Dieses Gerät ist nicht im RMA.');
    expect(html).toContain(
      `4 × PBX-Port13 wurden an das Gerät 00-90-33-65-00-01 gebunden (Lizenz ${ann.port.serial}).`,
    );
    expect(html).toContain('href="/history?context=device&amp;device=00-90-33-65-00-01&amp;period=always"');
    expect(html).toContain('V13 – 2 Lizenz(en), verschlüsselt');
    expect(html).toContain('aria-current="page"'); // the Devices tab
  });

  it('sends a visitor without a session to the log-in and back to the device page', async () => {
    const res = await request(ANN_PATH);
    expect(res.status).toBe(303);
    const login = res.headers.get('location')!;
    expect(login).toBe(`/login?next=${encodeURIComponent(ANN_PATH)}`);
    const back = await tc.app.request(`${ORIGIN}${login}`, {
      method: 'POST',
      body: new URLSearchParams({ email: ann.user.email, password: ann.user.password }).toString(),
      headers: { host: 'portal.test', origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
    });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(ANN_PATH);
  });

  it("answers another company's device exactly like a device nobody has: the page saying to add it, nothing of the device", async () => {
    const { cookie } = await logIn(bob.user);
    const foreign = await request(ANN_PATH, { cookie });
    const nobody = await request('/devices/009033659999', { cookie });
    expect(foreign.status).toBe(404);
    expect(nobody.status).toBe(404);
    const [a, b] = [await foreign.text(), await nobody.text()];
    expect(a).toContain('This device is not in any of your projects.');
    expect(a).toContain('<a href="/devices/add">Add new devices</a>');
    expect(a.replaceAll('009033650001', 'X')).toBe(b.replaceAll('009033659999', 'X'));
    for (const secret of [ann.port.serial, ann.gw.serial, 'Company ann', 'DEFAULT'])
      expect(a).not.toContain(secret);
    // A path that is no hardware id at all is the plain "not found" page.
    expect((await request('/devices/not-a-mac', { cookie })).status).toBe(404);
  });

  it('shows a device two companies hold to each with only its own licenses', async () => {
    const bobSession = await logIn(bob.user);
    const shared = await addKnownDevice(tc.core, bob.actor, bob.projectId, '00-90-33-65-00-01', DEVICE_TYPE);
    try {
      const bobView = await (await request(ANN_PATH, { cookie: bobSession.cookie })).text();
      expect(bobView).toContain('This device is also in a project of another company.');
      expect(bobView).toContain('This device has no licenses of your company.');
      expect(bobView).not.toContain(ann.port.serial);
      expect(bobView).not.toContain(ann.gw.serial);
      expect(bobView).not.toContain('Company ann');
      const annView = await (await request(ANN_PATH, { cookie: (await logIn(ann.user)).cookie })).text();
      expect(annView).toContain(ann.port.serial);
      // Bob's actions on it act on nothing of Ann's: a V7 file would make her licenses non-returnable.
      const before = await everything();
      const res = await request(`${ANN_PATH}/license-file`, {
        cookie: bobSession.cookie,
        form: { csrf: bobSession.csrf, version: '7', acceptNonReturnable: '1' },
      });
      expect(res.status).toBe(409);
      expect(await res.text()).toContain('Licenses of another company that holds this device are in the way');
      expect(await everything()).toEqual(before);
    } finally {
      await tc.core.store.db
        .deleteFrom('device_projects')
        .where('device_id', '=', shared.deviceId)
        .where('company_id', '=', bob.companyId)
        .execute();
    }
  });
});

describe('the license file', () => {
  it('downloads the encrypted V13 file as an attachment and writes the download to the history', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const res = await request(`${ANN_PATH}/license-file`, { cookie, form: { csrf, version: '13' } });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe(
      'attachment; filename="licenses-009033650001-V13.xml"',
    );
    expect(await res.text()).toContain('<?xml');
    expect((await historyOf(ann.companyId)).at(-1)).toEqual({
      event: 'license.downloaded',
      device_id: ann.device.deviceId,
    });
    expect((await licenseRow(tc, ann.port.serial)).downloaded_unencrypted).toBe(0);
  });

  it('refuses an unencrypted V7 file without the confirmation, beside the box, and changes nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    const res = await request(`${ANN_PATH}/license-file`, {
      cookie,
      lang: 'nl',
      form: { csrf, version: '7' },
    });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('href="#acceptNonReturnable"');
    expect(html).toContain(
      'Vink het vakje aan om te bevestigen dat deze licenties niet retourneerbaar worden.',
    );
    expect(html).toContain('V5–V7-licentiebestanden zijn nooit versleuteld');
    expect(await everything()).toEqual(before);
  });
});

describe('adding licenses', () => {
  it('adds licenses from balance in Italian: the offer with its rules, the price and SSC, then the confirmation', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const offer = await (
      await request(`${ANN_PATH}/licenses/balance?version=13&summate=1`, { cookie, lang: 'it' })
    ).text();
    expect(offer).toContain('Aggiungi licenze dal saldo');
    expect(offer).toContain('Saldo del progetto');
    expect(offer).toContain('pari a PBX'); // Voicemail/Standby follow the PBX amount
    const types = [...offer.matchAll(/name="type" value="([^"]+)"/g)].map((m) => m[1]!);
    expect(types).toContain('PBX-Port13');
    const form = new URLSearchParams({ csrf, version: '13', summate: '1' });
    for (const type of types) {
      form.append('type', type);
      form.append('units', type === 'PBX-Port13' ? '3' : '');
    }
    const before = await countsOf(tc, ann.companyId);
    const onDevice = (await licensesOn(ann.device.deviceId)).length;
    const preview = await request(`${ANN_PATH}/licenses/balance/preview`, {
      cookie,
      lang: 'it',
      form: Object.fromEntries([]) as Record<string, string>,
    });
    expect(preview.status).toBe(403); // no token: nothing previewed
    const shown = await tc.app.request(`${ORIGIN}${ANN_PATH}/licenses/balance/preview`, {
      method: 'POST',
      body: form.toString(),
      headers: {
        host: 'portal.test',
        origin: ORIGIN,
        cookie,
        'accept-language': 'it',
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    const html = await shown.text();
    expect(html).toContain('Licenze V13 da associare');
    expect(html).toContain('Non sono dovuti SSC.');
    expect(await countsOf(tc, ann.companyId)).toEqual(before);
    expect((await licensesOn(ann.device.deviceId)).length).toBe(onDevice);
    const confirmSection = html.slice(html.indexOf('<section class="confirm">'));
    const confirmForm = new URLSearchParams(
      [...confirmSection.matchAll(/<input type="hidden" name="([^"]+)" value="([^"]*)"/g)].map(
        (m): [string, string] => [m[1]!, m[2]!],
      ),
    );
    const added = await tc.app.request(`${ORIGIN}${ANN_PATH}/licenses/balance`, {
      method: 'POST',
      body: confirmForm.toString(),
      headers: {
        host: 'portal.test',
        origin: ORIGIN,
        cookie,
        'content-type': 'application/x-www-form-urlencoded',
      },
    });
    expect(await follow(added, cookie, 'it')).toContain('Le licenze sono state aggiunte.');
    const after = await licensesOn(ann.device.deviceId);
    expect(after.length).toBe(onDevice + 1);
    expect(after.some((l) => l.license_type === 'PBX-Port13' && l.units === 3)).toBe(true);
    expect((await historyOf(ann.companyId)).at(-1)?.event).toBe('licenses.added');
  });

  it('refuses more than the balance holds with the sentence and the input kept, binding nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    const res = await request(`${ANN_PATH}/licenses/balance`, {
      cookie,
      form: { csrf, version: '13', summate: '1', type: 'PBX-Port13', units: '900', expectedTotal: '0' },
    });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('The balance is not enough for this.');
    expect(html).toContain('value="900"');
    expect(await everything()).toEqual(before);
  });
});

describe('returning licenses', () => {
  it("uploads the device's invalidation backup and offers its confirmation file, also later", async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const counts = await countsOf(tc, ann.companyId);
    const { xml, documentId } = invalidationDocument(ann.device, { serials: [ann.port.serial], counter: 1 });
    const form = new FormData();
    form.set('csrf', csrf);
    form.set('document', new File([xml], 'backup.xml', { type: 'application/xml' }));
    const res = await request(`${ANN_PATH}/invalidation`, { cookie, form });
    const page = await follow(res, cookie, 'fr');
    expect(page).toContain('Les licences ont été restituées.');
    expect(page).toContain(`${ANN_PATH}/confirmations/${documentId}`);
    expect((await licenseRow(tc, ann.port.serial)).state).toBe('free');
    expect((await historyOf(ann.companyId)).at(-1)?.event).toBe('license.invalidated');
    // Counts are conserved: the units moved from bound to free.
    const now = await countsOf(tc, ann.companyId);
    const port = ann.port.units;
    expect(now['PBX-Port13']).toEqual({
      ...counts['PBX-Port13']!,
      bound: counts['PBX-Port13']!.bound - port,
      free: counts['PBX-Port13']!.free + port,
    });
    expect(now['GW-Channel']).toEqual(counts['GW-Channel']);
    const again = await request(`${ANN_PATH}/confirmations/${documentId}`, { cookie });
    expect(again.status).toBe(200);
    expect(again.headers.get('content-disposition')).toBe(
      `attachment; filename="confirmation-${documentId}.xml"`,
    );
    expect(await again.text()).toContain('<?xml');
    // Not on another company's page, nor for a document id it does not have.
    const bobSession = await logIn(bob.user);
    expect(
      (await request(`/devices/009033650002/confirmations/${documentId}`, { cookie: bobSession.cookie }))
        .status,
    ).toBe(404);
    expect(
      (await request(`${ANN_PATH}/confirmations/${documentId}`, { cookie: bobSession.cookie })).status,
    ).toBe(404);
  });

  it("refuses another device's file on this device's page with the sentence beside the field", async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    const { xml } = invalidationDocument(spare, { serials: ['L-0000000000000000'], counter: 5 });
    const form = new FormData();
    form.set('csrf', csrf);
    form.set('document', new File([xml], 'backup.xml'));
    const res = await request(`${ANN_PATH}/invalidation`, { cookie, form });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain('href="#document"');
    expect(html).toContain('This file belongs to another device.');
    // No file at all, or one above the limit.
    const empty = new FormData();
    empty.set('csrf', csrf);
    expect(await (await request(`${ANN_PATH}/invalidation`, { cookie, form: empty })).text()).toContain(
      'Choose the invalidation file.',
    );
    const big = new FormData();
    big.set('csrf', csrf);
    big.set('document', new File(['x'.repeat(128 * 1024 + 1)], 'big.xml'));
    expect(await (await request(`${ANN_PATH}/invalidation`, { cookie, form: big })).text()).toContain(
      'The file is larger than 128 KiB.',
    );
    expect(await everything()).toEqual(before);
  });
  it('assigns a free license back to the device in Dutch, after showing the free licenses that fit', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const list = await (await request(`${ANN_PATH}/licenses/free?version=13`, { cookie, lang: 'nl' })).text();
    expect(list).toContain('Licenties uit vrije licenties toevoegen');
    expect(list).toContain(ann.port.serial);
    const counts = await countsOf(tc, ann.companyId);
    const none = await request(`${ANN_PATH}/licenses/free`, {
      cookie,
      lang: 'nl',
      form: { csrf, version: '13' },
    });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain('Kies ten minste één vrije licentie.');
    const res = await request(`${ANN_PATH}/licenses/free`, {
      cookie,
      form: { csrf, version: '13', serial: ann.port.serial },
    });
    expect(await follow(res, cookie, 'nl')).toContain('De vrije licenties zijn aan dit apparaat toegewezen.');
    expect(await licenseRow(tc, ann.port.serial)).toMatchObject({
      state: 'bound',
      device_id: ann.device.deviceId,
    });
    const now = await countsOf(tc, ann.companyId);
    expect(now['PBX-Port13']).toEqual({
      ...counts['PBX-Port13']!,
      bound: counts['PBX-Port13']!.bound + ann.port.units,
      free: counts['PBX-Port13']!.free - ann.port.units,
    });
  });
});

describe('RMA, warranty and moves', () => {
  it('requests RMA in French and withdraws it, each written to the history', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const blank = await request(`/devices/009033650003/rma`, { cookie, form: { csrf, reason: '  ' } });
    expect(blank.status).toBe(400);
    expect(await blank.text()).toContain('Give a reason.');
    const res = await request(`/devices/009033650003/rma`, {
      cookie,
      form: { csrf, reason: 'Display broken' },
    });
    const page = await follow(res, cookie, 'fr');
    expect(page).toContain('Le RMA a été demandé.');
    expect(page).toContain('Motif : Display broken');
    expect((await deviceState(spare.deviceId)).device.rma_state).toBe('requested');
    expect((await historyOf(ann.companyId)).at(-1)?.event).toMatch(/rma/);
    const back = await request(`/devices/009033650003/rma/withdraw`, { cookie, form: { csrf } });
    expect(await follow(back, cookie)).toContain('The RMA request was withdrawn.');
    expect((await deviceState(spare.deviceId)).device.rma_state).toBeNull();
  });

  it('extends the warranty after showing the licenses it takes', async () => {
    await operatorCredit(tc.core, ann.companyId, 'DEFAULT', 'Warranty-1Y', 2, 'fixture-warranty');
    await operatorCredit(tc.core, ann.companyId, 'DEFAULT', 'Warranty-1Y-Late', 2, 'fixture-warranty');
    const { cookie, csrf } = await logIn(ann.user);
    const preview = await request(`${ANN_PATH}/warranty/preview`, { cookie, form: { csrf, years: '2' } });
    const html = await preview.text();
    expect(preview.status).toBe(200);
    expect(html).toContain('Licenses for this extension: 2 × Warranty-1Y');
    expect(await licensesOn(ann.device.deviceId)).not.toContainEqual(
      expect.objectContaining({ license_type: 'Warranty-1Y' }),
    );
    const res = await request(`${ANN_PATH}/warranty`, { cookie, form: { csrf, years: '2' } });
    expect(await follow(res, cookie)).toContain('The warranty was extended.');
    expect(await licensesOn(ann.device.deviceId)).toContainEqual(
      expect.objectContaining({ license_type: 'Warranty-1Y', units: 2 }),
    );
  });

  it('moves the device to another project of the company', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const other = await createProject(
      tc.core,
      { ...ann.actor, companyId: ann.companyId },
      { name: 'Branch office' },
    );
    const page = await (await request('/devices/009033650003', { cookie })).text();
    expect(page).toContain(`<option value="${other.id}">Branch office</option>`);
    const res = await request('/devices/009033650003/move', {
      cookie,
      form: { csrf, projectId: String(other.id) },
    });
    expect(await follow(res, cookie)).toContain('The device was moved.');
    expect((await deviceState(spare.deviceId)).placements).toEqual([
      { company_id: ann.companyId, project_id: other.id },
    ]);
  });
  it('refuses moving the licenses without the confirmation or the right, with the sentence and the target kept', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    const unconfirmed = await request(`${ANN_PATH}/licenses/move`, {
      cookie,
      form: { csrf, target: '00-90-33-65-00-03' },
    });
    expect(unconfirmed.status).toBe(400);
    const a = await unconfirmed.text();
    expect(a).toContain('Tick the box to confirm that this device becomes an RMA device.');
    expect(a).toContain('value="00-90-33-65-00-03"');
    const res = await request(`${ANN_PATH}/licenses/move`, {
      cookie,
      form: { csrf, target: '00-90-33-65-00-03', confirm: '1' },
    });
    expect(res.status).toBe(403);
    const b = await res.text();
    expect(b).toContain('You do not have the right for this.');
    expect(b).toContain('value="00-90-33-65-00-03"');
    expect(await everything()).toEqual(before);
  });
});

describe('walls', () => {
  it("refuses every action on another company's device with the same page as a missing one, changing nothing", async () => {
    const { cookie, csrf } = await logIn(bob.user);
    const before = await everything();
    const { xml } = invalidationDocument(ann.device, { serials: [ann.gw.serial], counter: 9 });
    const upload = new FormData();
    upload.set('csrf', csrf);
    upload.set('document', new File([xml], 'b.xml'));
    const posts: [string, Record<string, string> | FormData][] = [
      ['/license-file', { csrf, version: '13' }],
      ['/rma', { csrf, reason: 'mine now' }],
      ['/rma/withdraw', { csrf }],
      ['/warranty', { csrf, years: '1' }],
      ['/move', { csrf, projectId: String(bob.projectId) }],
      ['/licenses/move', { csrf, target: '00-90-33-65-00-02', confirm: '1' }],
      ['/licenses/balance', { csrf, version: '13', type: 'PBX-Port13', units: '1' }],
      ['/licenses/free', { csrf, version: '13', serial: ann.port.serial }],
      ['/invalidation', upload],
    ];
    for (const [path, form] of posts) {
      const res = await request(`${ANN_PATH}${path}`, { cookie, form });
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html).toContain('This device is not in any of your projects.');
      expect(html).not.toContain(ann.gw.serial);
    }
    for (const path of ['/licenses/balance?version=13', '/licenses/free?version=13'])
      expect((await request(`${ANN_PATH}${path}`, { cookie })).status).toBe(404);
    expect(await everything()).toEqual(before);
  });

  it('refuses a stale or missing CSRF token and a cross-origin post, changing nothing', async () => {
    const { csrf } = await logIn(ann.user);
    const stale = csrf; // the token of another (older) session
    const fresh = await logIn(ann.user);
    const before = await everything();
    const attempts: Req[] = [
      { cookie: fresh.cookie, form: { csrf: stale, version: '7', acceptNonReturnable: '1' } },
      { cookie: fresh.cookie, form: { version: '7', acceptNonReturnable: '1' } },
      {
        cookie: fresh.cookie,
        form: { csrf: fresh.csrf, version: '7', acceptNonReturnable: '1' },
        origin: 'https://evil.test',
      },
    ];
    for (const a of attempts) {
      const res = await request(`${ANN_PATH}/license-file`, a);
      expect(res.status).toBe(403);
      expect(await res.text()).toContain('Your form was too old or came from another page.');
    }
    const rma = await request(`${ANN_PATH}/rma`, {
      cookie: fresh.cookie,
      form: { csrf: stale, reason: 'x' },
    });
    expect(rma.status).toBe(403);
    const move = await request(`${ANN_PATH}/licenses/move`, {
      cookie: fresh.cookie,
      origin: 'https://evil.test',
      form: { csrf: fresh.csrf, target: '00-90-33-65-00-03', confirm: '1' },
    });
    expect(move.status).toBe(403);
    expect(await everything()).toEqual(before);
  });

  it('shows a locked member the locked sentence and nothing of the device, and refuses its actions', async () => {
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
    const page = await request(ANN_PATH, { cookie });
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain('Your account is locked in this company.');
    expect(html).not.toContain(ann.gw.serial);
    const before = await everything();
    const res = await request(`${ANN_PATH}/license-file`, {
      cookie,
      form: { csrf, version: '7', acceptNonReturnable: '1' },
    });
    expect(res.status).toBe(403);
    expect(await everything()).toEqual(before);
  });

  it('sends a logged-out browser to the log-in instead of acting', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    await request('/logout', { cookie, form: { csrf } });
    const before = await everything();
    const res = await request(`${ANN_PATH}/license-file`, {
      cookie,
      form: { csrf, version: '7', acceptNonReturnable: '1' },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent(`${ANN_PATH}/license-file`)}`);
    expect(await everything()).toEqual(before);
    // Back after a new log-in, that address shows the device page.
    const again = await logIn(ann.user);
    const back = await request(`${ANN_PATH}/license-file`, { cookie: again.cookie });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe(ANN_PATH);
  });
});
