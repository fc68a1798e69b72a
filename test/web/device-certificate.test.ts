import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKnownDevice } from '../support/vendor-devices.js';
import { setRight } from '../../bridge/core/rights.js';
import { openLicenseFile } from '../../protocol/documents/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { addFixtureDevice, DEVICE_TYPE, makeTenant, type Tenant } from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * The device page's certificate, test license and unencrypted-download actions (issue 15 items 4–5):
 * Request certificate → a confirmation file kept for downloading again (seed L245–248), test licenses
 * (seed L209–211), an unencrypted V8+ file only after the acceptance (seed L203–204). Each through the
 * core with the session's actor; no form works without this origin and the session's CSRF token.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
const ORIGIN = 'https://portal.test';
const pathOf = (t: Tenant) => `/devices/${t.device.hardwareId}`;

beforeAll(async () => {
  root = await tempDir('mylic-web-device-certificate-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-78-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-78-00-02' });
  // The certificates the factory registered (item 3): on record, no device log-in.
  for (const t of [ann, bob])
    await tc.core.store.db
      .updateTable('devices')
      .set({ cert_pem: t.device.certPem })
      .where('id', '=', t.device.deviceId)
      .execute();
  await setRight(tc.core, ann.user.id, 'request-certificate', true, ann.companyId);
  // Bob holds ann's device too (seed: Warnings, "Several Companies").
  await addKnownDevice(tc.core, bob.actor, bob.projectId, ann.device.hardwareId, DEVICE_TYPE);
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
const deviceRow = (id: number) =>
  tc.core.store.db.selectFrom('devices').select(['cert_pem']).where('id', '=', id).executeTakeFirstOrThrow();
const documents = () =>
  tc.core.store.db.selectFrom('certificate_documents').select(['document_id', 'device_id']).execute();
const licenses = (id: number) =>
  tc.core.store.db
    .selectFrom('licenses')
    .select(['serial', 'downloaded_unencrypted'])
    .where('device_id', '=', id)
    .orderBy('serial')
    .execute();
const tests = (id: number) =>
  tc.core.store.db.selectFrom('test_licenses').select(['serial']).where('device_id', '=', id).execute();
/** Every value a refused request must leave as it was. */
const everything = async () => ({
  cert: await deviceRow(ann.device.deviceId),
  docs: await documents(),
  licenses: await licenses(ann.device.deviceId),
  tests: await tests(ann.device.deviceId),
});

describe('request certificate on the device page', () => {
  it('L248 "you can request a new device certificate for your device" (German): the confirmation file is offered and downloadable again (L246)', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const page = await (await request(pathOf(ann), { cookie, lang: 'de' })).text();
    expect(page).toContain(
      'Mit dem Recht „Zertifikat anfordern“ können Sie hier ein neues Gerätezertifikat anfordern',
    );
    expect(page).toContain(`action="${pathOf(ann)}/certificate"`);
    const before = await deviceRow(ann.device.deviceId);

    const res = await request(`${pathOf(ann)}/certificate`, { cookie, lang: 'de', form: { csrf } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`${pathOf(ann)}?done=certificateRequested`);
    const after = await (await request(res.headers.get('location')!, { cookie, lang: 'de' })).text();
    expect(after).toContain('Für dieses Gerät wurde ein neues Zertifikat erstellt.');
    const [doc] = await documents();
    expect(doc).toMatchObject({ device_id: ann.device.deviceId });
    expect(after).toContain(`href="${pathOf(ann)}/certificate-confirmations/${doc!.document_id}"`);
    expect((await deviceRow(ann.device.deviceId)).cert_pem).not.toBe(before.cert_pem);

    for (let i = 0; i < 2; i++) {
      const file = await request(`${pathOf(ann)}/certificate-confirmations/${doc!.document_id}`, { cookie });
      expect(file.status).toBe(200);
      expect(file.headers.get('content-disposition')).toBe(
        `attachment; filename="certificate-${doc!.document_id}.xml"`,
      );
      expect(await file.text()).toContain('kind="certificate"');
    }
  });

  it('without the right: the sentence, nothing issued, the certificate on record kept', async () => {
    const { cookie, csrf } = await logIn(bob.user);
    const before = await deviceRow(bob.device.deviceId);
    const docs = await documents();
    const res = await request(`${pathOf(bob)}/certificate`, { cookie, form: { csrf } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(
      'Your account does not have the &quot;request certificate&quot; right.',
    );
    expect(await deviceRow(bob.device.deviceId)).toEqual(before);
    expect(await documents()).toEqual(docs);
  });

  it("another company that holds the same device sees none of ann's certificate confirmations, by link or by id", async () => {
    const [doc] = await documents();
    const { cookie } = await logIn(bob.user);
    const page = await (await request(pathOf(ann), { cookie })).text();
    expect(page).not.toContain(doc!.document_id);
    const file = await request(`${pathOf(ann)}/certificate-confirmations/${doc!.document_id}`, { cookie });
    expect(file.status).toBe(404);
    expect(await file.text()).not.toContain('kind="certificate"');
  });

  it("a device of another company only (bob's): the not-in-your-projects page, nothing issued", async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await deviceRow(bob.device.deviceId);
    const docs = await documents();
    const res = await request(`${pathOf(bob)}/certificate`, { cookie, form: { csrf } });
    expect(res.status).toBe(404);
    const html = await res.text();
    // The page that says the device is in none of your projects: no section of the device.
    expect(html).toContain('href="/devices/add"');
    expect(html).not.toContain('id="cert"');
    expect(html).not.toContain(bob.port.serial);
    expect(await deviceRow(bob.device.deviceId)).toEqual(before);
    expect(await documents()).toEqual(docs);
  });
});

describe('a device with no certificate on record', () => {
  it('offers no Request certificate, and a POST gets the sentence naming the real fix (CERT_MISSING), nothing issued', async () => {
    const bare = await addFixtureDevice(tc, ann.actor, ann.projectId, '00-90-33-78-00-09');
    const { cookie, csrf } = await logIn(ann.user);
    const page = await (await request(`/devices/${bare.hardwareId}`, { cookie })).text();
    expect(page).not.toContain(`action="/devices/${bare.hardwareId}/certificate"`);
    const docs = await documents();
    const res = await request(`/devices/${bare.hardwareId}/certificate`, { cookie, form: { csrf } });
    expect(res.status).toBe(400);
    expect(await res.text()).toContain('Ask the vendor to register the factory certificate of the device');
    expect(await documents()).toEqual(docs);
    expect((await deviceRow(bare.deviceId)).cert_pem).toBeNull();
  });
});

describe('test licenses on the device page', () => {
  it('L211 "how many pbx licenses" (Dutch): the test license file of the device, with the chosen number', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const page = await (await request(pathOf(ann), { cookie, lang: 'nl' })).text();
    expect(page).toContain('<h2 id="tests">Testlicenties</h2>');
    const res = await request(`${pathOf(ann)}/test-licenses`, {
      cookie,
      lang: 'nl',
      form: { csrf, version: '9', pbx: '3' },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toContain(`test-licenses-${ann.device.hardwareId}-V9.xml`);
    // The request above gave the device a new certificate: the page's file is encrypted to it, so it is
    // read here through its signed form only when unencrypted; V9 is encrypted, so check the record.
    expect(await tests(ann.device.deviceId)).toHaveLength(1);
    expect(await res.text()).toContain('kind="license"');
  });

  it('refuses a PBX number out of range with the sentence next to the field, input kept, nothing issued', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    const res = await request(`${pathOf(ann)}/test-licenses`, {
      cookie,
      form: { csrf, version: '9', pbx: '5000' },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Enter 1 to 1000 PBX licenses, or tick that the device is used as slave.');
    expect(html).toContain('value="5000"');
    expect(html).toMatch(/<option value="9" selected/);
    expect(await everything()).toEqual(before);
  });
});

describe('the unencrypted V8+ file on the device page', () => {
  it('L204 "you won\'t be able to return those licenses anymore": refused without the acceptance, version kept, nothing marked', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    const res = await request(`${pathOf(ann)}/license-file/unencrypted`, {
      cookie,
      form: { csrf, version: '13' },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain('Tick the box to accept that these licenses can never be returned.');
    expect(html).toMatch(/<option value="13" selected/);
    expect(await everything()).toEqual(before);
  });

  it('L203 "decide whether to download the licenses encrypted or not" (Italian): after the acceptance the file is unencrypted and its licenses non-returnable', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const page = await (await request(pathOf(ann), { cookie, lang: 'it' })).text();
    expect(page).toContain('File di licenza non cifrato (da V8)');
    const res = await request(`${pathOf(ann)}/license-file/unencrypted`, {
      cookie,
      lang: 'it',
      form: { csrf, version: '13', acceptNonReturnable: '1' },
    });
    expect(res.status).toBe(200);
    const payload = openLicenseFile(await res.text(), {
      signerPublicKeyPem: tc.pki.licenseAuthority.certPem,
    });
    expect(payload).toMatchObject({ version: 13, encrypted: false, hardwareId: ann.device.hardwareId });
    const own = [ann.port.serial, ann.gw.serial];
    expect(payload.licenses.map((l) => l.serial).sort()).toEqual(own.sort());
    for (const l of await licenses(ann.device.deviceId))
      if (own.includes(l.serial)) expect(l.downloaded_unencrypted).toBe(1);
  });
});

describe('the walls of these forms', () => {
  for (const [name, path, form] of [
    ['request certificate', '/certificate', {}],
    ['test licenses', '/test-licenses', { version: '9', pbx: '2' }],
    ['unencrypted file', '/license-file/unencrypted', { version: '13', acceptNonReturnable: '1' }],
  ] as const) {
    it(`${name}: a stale CSRF token, a cross-origin POST and a POST after log-out change nothing`, async () => {
      const { cookie, csrf } = await logIn(ann.user);
      const before = await everything();
      const stale = await request(`${pathOf(ann)}${path}`, { cookie, form: { ...form, csrf: 'stale' } });
      expect(stale.status).toBe(403);
      const cross = await request(`${pathOf(ann)}${path}`, {
        cookie,
        origin: 'https://evil.test',
        form: { ...form, csrf },
      });
      expect(cross.status).toBe(403);
      const out = await request(`${pathOf(ann)}${path}`, { form: { ...form, csrf } });
      expect([302, 303, 401, 403]).toContain(out.status);
      expect(await everything()).toEqual(before);
    });
  }

  it('a locked member gets the locked sentence and nothing is issued', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await everything();
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', ann.user.id)
      .execute();
    try {
      const res = await request(`${pathOf(ann)}/certificate`, { cookie, form: { csrf } });
      expect(res.status).toBe(403);
      expect(await everything()).toEqual(before);
    } finally {
      await tc.core.store.db
        .updateTable('memberships')
        .set({ is_locked: 0 })
        .where('user_id', '=', ann.user.id)
        .execute();
    }
  });
});
