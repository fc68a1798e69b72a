import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { issueCertificate, loadOrCreateDevPki, type CertAndKey, type Pki } from '../../certs/index.js';
import { DEVICE_API, DeviceLicensesResponse } from '../../protocol/device-protocol.js';
import { MAX_DOCUMENT_BYTES, openConfirmation, openLicenseFile } from '../../protocol/documents/index.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { closeTestStores, openTestStore, STORES, type StoreKind } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';
import {
  addFixtureDevice,
  bind1,
  countRows,
  countsOf,
  deviceIdentity,
  deviceKeys,
  deviceRow,
  expectError,
  expectOk,
  foreignDeviceCa,
  get,
  GW_TYPE,
  invalidationDocument,
  licenseRow,
  loginDevice,
  loginPortal,
  loginRequest,
  makeTenant,
  makeUser,
  payloadText,
  PORT_TYPE,
  postJson,
  postLogin,
  postXml,
  requestChallenge,
  proveDevice,
  type Tenant,
} from './fixtures.js';
import { codeOf } from '../support/error-code.js';
import { createCsr } from '../../certs/csr.js';
import { certInfo, keyMatchesCertificate } from '../../certs/inspect.js';
import { generateKeyPair } from '../../certs/keys.js';
import { removeDevice } from '../../bridge/core/devices/index.js';
import { setRight } from '../../bridge/core/rights.js';

let root: { dir: string; cleanup: () => Promise<void> };
let pki: Pki;
let coreNo = 0;
let tc: TestCore;
let a: Tenant;
/** The store of the next test's core: SQLite, or what a `describe.each(STORES)` block sets. */
let storeKind: StoreKind = 'sqlite';

beforeAll(async () => {
  root = await tempDir('mylic-device-protocol-');
  pki = await loadOrCreateDevPki(join(root.dir, 'pki'));
});
afterAll(async () => {
  await closeTestStores();
  await root.cleanup();
});
beforeEach(async () => {
  const dir = join(root.dir, `core-${++coreNo}`);
  tc = await makeTestCore(dir, pki, undefined, await openTestStore(storeKind, dir));
  a = await makeTenant(tc, { name: 'alice', mac: '00-90-33-0A-00-01' });
});
afterEach(async () => {
  tc.clock.set(null);
  await tc.close();
});

const LICENSES = `${DEVICE_API}/licenses`;
const LICENSE_FILE = `${DEVICE_API}/license-file`;
const INVALIDATIONS = `${DEVICE_API}/invalidations`;

const sessionsOf = async (userId: number) =>
  tc.core.store.db.selectFrom('sessions').selectAll().where('user_id', '=', userId).execute();

describe('device login', () => {
  it("logs a device of one of the user's projects in and keeps the certificate it showed", async () => {
    const res = await expectOk(await postLogin(tc.app, await loginRequest(tc.app, a.user, a.device)));
    const body = (await res.json()) as {
      token: string;
      company: { id: number };
      project: { id: number; name: string };
    };
    expect(body.company.id).toBe(a.companyId);
    expect(body.project).toEqual({ id: a.projectId, name: 'DEFAULT' });
    expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBe(a.device.certPem);
    const sessions = await sessionsOf(a.user.id);
    expect(sessions.map((s) => [s.kind, s.device_id])).toEqual([['device', a.device.deviceId]]);
  });

  it('refuses a wrong password with 401 LOGIN_FAILED and opens no session', async () => {
    const attempt = await loginRequest(tc.app, a.user, a.device);
    await expectError(
      await postLogin(tc.app, { ...attempt, password: 'wrong password' }),
      401,
      'LOGIN_FAILED',
    );
    expect(await countRows(tc, 'sessions')).toBe(0);
    expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBeNull();
  });

  it('answers an unknown e-mail exactly like a wrong password (same 401 LOGIN_FAILED body)', async () => {
    const attempt = await loginRequest(tc.app, a.user, a.device);
    const wrongPassword = await expectError(
      await postLogin(tc.app, { ...attempt, password: 'wrong password' }),
      401,
      'LOGIN_FAILED',
    );
    const unknownEmail = await expectError(
      await postLogin(tc.app, { ...attempt, email: 'nobody@example.test' }),
      401,
      'LOGIN_FAILED',
    );
    expect(unknownEmail).toEqual(wrongPassword);
    expect(await countRows(tc, 'sessions')).toBe(0);
  });

  it('refuses an account that is not activated with 403 ACCOUNT_NOT_ACTIVATED', async () => {
    const sleeper = await makeUser(tc, 'sleeper@example.test', { active: false });
    const attempt = await loginRequest(tc.app, sleeper, a.device);
    await expectError(await postLogin(tc.app, attempt), 403, 'ACCOUNT_NOT_ACTIVATED');
    expect(await countRows(tc, 'sessions')).toBe(0);
  });

  it("refuses a device that is in none of the user's projects with 403 DEVICE_NOT_IN_PROJECTS, and one the vendor never registered with 404 DEVICE_UNKNOWN", async () => {
    const bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-0B-00-01' });
    // Bob's device exists, but not in any project of Alice's.
    await expectError(
      await postLogin(tc.app, await loginRequest(tc.app, a.user, bob.device)),
      403,
      'DEVICE_NOT_IN_PROJECTS',
    );
    // A device the vendor never registered (seed L312–314, "Not Found … not found in the my innovaphone
    // database … contact the administrator") is said to be so: no project can hold it (issue 15 item 8).
    const unknown = deviceIdentity(pki.deviceCa, '009033ABCDEF');
    const refused = await expectError(
      await postLogin(tc.app, await loginRequest(tc.app, a.user, unknown)),
      404,
      'DEVICE_UNKNOWN',
    );
    expect(refused.message).toContain("00-90-33-AB-CD-EF was not found in the vendor's device database");
    expect(await countRows(tc, 'sessions')).toBe(0);
    expect((await deviceRow(tc, bob.device.deviceId)).cert_pem).toBeNull();
  });

  it('accepts a challenge for one login only: using it again is 401 CHALLENGE_INVALID', async () => {
    const attempt = await loginRequest(tc.app, a.user, a.device);
    await expectOk(await postLogin(tc.app, attempt));
    await expectError(await postLogin(tc.app, attempt), 401, 'CHALLENGE_INVALID');
    expect(await sessionsOf(a.user.id)).toHaveLength(1);
  });

  it('refuses an expired challenge and a challenge made for another hardware id with 401 CHALLENGE_INVALID', async () => {
    const other = deviceIdentity(pki.deviceCa, '009033ABCDEF');
    const foreignChallenge = await requestChallenge(tc.app, other.hardwareId);
    const attempt = await loginRequest(tc.app, a.user, a.device);
    await expectError(
      await postLogin(tc.app, {
        ...attempt,
        challenge: foreignChallenge,
        signature: proveDevice(a.device.keyPem, foreignChallenge, a.device.hardwareId),
      }),
      401,
      'CHALLENGE_INVALID',
    );
    tc.clock.set(new Date(Date.now() + 3 * 60_000));
    await expectError(await postLogin(tc.app, attempt), 401, 'CHALLENGE_INVALID');
    expect(await countRows(tc, 'sessions')).toBe(0);
  });

  it('refuses a proof signed by another key with 401 DEVICE_PROOF_INVALID', async () => {
    const attempt = await loginRequest(tc.app, a.user, a.device);
    const otherKey = deviceKeys('009033ABCDEF').privateKeyPem;
    await expectError(
      await postLogin(tc.app, {
        ...attempt,
        signature: proveDevice(otherKey, attempt.challenge, a.device.hardwareId),
      }),
      401,
      'DEVICE_PROOF_INVALID',
    );
    // A proof over another challenge by the right key is no proof either.
    await expectError(
      await postLogin(tc.app, {
        ...attempt,
        signature: proveDevice(a.device.keyPem, 'x'.repeat(43), a.device.hardwareId),
      }),
      401,
      'DEVICE_PROOF_INVALID',
    );
    expect(await countRows(tc, 'sessions')).toBe(0);
    // The challenge was not spent by the failed attempts.
    await expectOk(await postLogin(tc.app, attempt));
  });

  describe('certificates', () => {
    let foreignCa: CertAndKey;
    beforeAll(() => {
      foreignCa = foreignDeviceCa();
    });

    it('refuses a certificate from another CA (same names, other keys) with 400 CERT_CHAIN', async () => {
      // The right hardware id, the key of the certificate proves itself: only the issuer is wrong.
      const forged = deviceIdentity(foreignCa, a.device.hardwareId);
      await expectError(
        await postLogin(tc.app, await loginRequest(tc.app, a.user, forged)),
        400,
        'CERT_CHAIN',
      );
      expect(await countRows(tc, 'sessions')).toBe(0);
      expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBeNull();
    });

    /** The device's own key and hardware id in a certificate `issuer` made for `usage`. */
    const certificateFrom = (issuer: CertAndKey, usage: 'ca' | 'server' | 'client' | 'signing') => {
      const keys = deviceKeys(a.device.hardwareId);
      const certPem = issueCertificate({
        issuer,
        subjectPublicKeyPem: keys.publicKeyPem,
        commonName: a.device.hardwareId,
        usage,
        validDays: 30,
      });
      return { hardwareId: a.device.hardwareId, keyPem: keys.privateKeyPem, certPem };
    };

    it('refuses a certificate the root signed directly (as it signs the license authority and the TLS server) with 400 CERT_CHAIN', async () => {
      // Issue 11: the chain check took any certificate below the root; only the CN told such a
      // certificate from a device certificate. The device CA is now pinned as the issuer.
      for (const usage of ['signing', 'server', 'client'] as const) {
        const res = await postLogin(
          tc.app,
          await loginRequest(tc.app, a.user, certificateFrom(pki.root, usage)),
        );
        const body = await expectError(res, 400, 'CERT_CHAIN');
        expect(body.message).toContain('Device Certification Authority');
      }
      expect(await countRows(tc, 'sessions')).toBe(0);
      expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBeNull();
    });

    it('refuses an invalidation document carrying a certificate the root signed directly (CERT_CHAIN) or the device CA made for another use (CERT_USAGE); nothing returns', async () => {
      const token = await loginPortal(tc.app, a.user);
      const before = await licenseRow(tc, a.port.serial);
      for (const [issuer, usage, code] of [
        [pki.root, 'client', 'CERT_CHAIN'],
        [pki.root, 'signing', 'CERT_CHAIN'],
        [pki.deviceCa, 'server', 'CERT_USAGE'],
        [pki.deviceCa, 'ca', 'CERT_USAGE'],
      ] as const) {
        const doc = invalidationDocument(certificateFrom(issuer, usage), {
          serials: [a.port.serial],
          counter: 1,
        });
        await expectError(await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, token), 400, code);
      }
      expect(await licenseRow(tc, a.port.serial)).toEqual(before);
      expect(await countRows(tc, 'invalidations')).toBe(0);
    });

    it('refuses a certificate the device CA issued for another use (TLS server, signing, CA) with 400 CERT_USAGE', async () => {
      for (const usage of ['server', 'signing', 'ca'] as const) {
        await expectError(
          await postLogin(tc.app, await loginRequest(tc.app, a.user, certificateFrom(pki.deviceCa, usage))),
          400,
          'CERT_USAGE',
        );
      }
      expect(await countRows(tc, 'sessions')).toBe(0);
      expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBeNull();
    });

    it('refuses a genuine certificate of another MAC with 400 CERT_HW_MISMATCH', async () => {
      const other = deviceIdentity(pki.deviceCa, '009033ABCDEF');
      // Another device's certificate and key, presented for Alice's device.
      const presented = { hardwareId: a.device.hardwareId, keyPem: other.keyPem, certPem: other.certPem };
      await expectError(
        await postLogin(tc.app, await loginRequest(tc.app, a.user, presented)),
        400,
        'CERT_HW_MISMATCH',
      );
      expect(await countRows(tc, 'sessions')).toBe(0);
      expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBeNull();
    });
  });

  it('refuses a hardware id that is not 12 hex digits in the challenge request with 400 VALIDATION_FAILED', async () => {
    const before = await tc.core.store.db.selectFrom('device_challenges').selectAll().execute();
    await expectError(
      await postJson(tc.app, `${DEVICE_API}/challenge`, { hardwareId: '00-90-33-zz' }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await postJson(tc.app, `${DEVICE_API}/challenge`, { hardwareId: '009033abcdef' }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await postJson(tc.app, `${DEVICE_API}/challenge`, { hardwareId: a.device.hardwareId, extra: 1 }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await tc.core.store.db.selectFrom('device_challenges').selectAll().execute()).toEqual(before);
  });

  it('refuses a body that is not JSON with 400 BAD_REQUEST', async () => {
    for (const path of ['/challenge', '/login']) {
      const res = await tc.app.request(`${DEVICE_API}${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: '{"hardwareId": ',
      });
      await expectError(res, 400, 'BAD_REQUEST');
    }
    expect(await countRows(tc, 'sessions')).toBe(0);
  });

  it('refuses another content type with 415 UNSUPPORTED_MEDIA_TYPE', async () => {
    const attempt = await loginRequest(tc.app, a.user, a.device);
    const form = await tc.app.request(`${DEVICE_API}/login`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(attempt as unknown as Record<string, string>).toString(),
    });
    await expectError(form, 415, 'UNSUPPORTED_MEDIA_TYPE');
    const none = await tc.app.request(`${DEVICE_API}/challenge`, {
      method: 'POST',
      body: JSON.stringify({ hardwareId: a.device.hardwareId }),
    });
    await expectError(none, 415, 'UNSUPPORTED_MEDIA_TYPE');
    expect(await countRows(tc, 'sessions')).toBe(0);
    // The challenge of the refused login is still good.
    await expectOk(await postLogin(tc.app, attempt));
  });
});

describe('licenses and license files', () => {
  it('answers 401 UNAUTHENTICATED on every device route without a token', async () => {
    await expectError(await get(tc.app, LICENSES), 401, 'UNAUTHENTICATED');
    await expectError(await postJson(tc.app, LICENSE_FILE, { version: 13 }), 401, 'UNAUTHENTICATED');
    const { xml } = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    await expectError(await postXml(tc.app, INVALIDATIONS, xml), 401, 'UNAUTHENTICATED');
    await expectError(await get(tc.app, LICENSES, 'not-a-token-but-long-enough'), 401, 'UNAUTHENTICATED');
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    expect(await countRows(tc, 'invalidations')).toBe(0);
  });

  it('does not take a portal session token on device routes (401), nor a device token on portal routes', async () => {
    const portal = await loginPortal(tc.app, a.user);
    await expectError(await get(tc.app, LICENSES, portal), 401, 'UNAUTHENTICATED');
    await expectError(await postJson(tc.app, LICENSE_FILE, { version: 13 }, portal), 401, 'UNAUTHENTICATED');
    const { xml, documentId } = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    await expectError(await postXml(tc.app, INVALIDATIONS, xml, portal), 401, 'UNAUTHENTICATED');

    const device = await loginDevice(tc.app, a.user, a.device);
    await expectError(
      await postXml(tc.app, `${PORTAL_API}/invalidations`, xml, device),
      401,
      'UNAUTHENTICATED',
    );
    await expectError(
      await get(tc.app, `${PORTAL_API}/invalidations/${documentId}/confirmation`, device),
      401,
      'UNAUTHENTICATED',
    );
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    expect(await countRows(tc, 'invalidations')).toBe(0);
  });

  it('ends a device session after one hour: 401 SESSION_EXPIRED', async () => {
    const start = new Date();
    tc.clock.set(start);
    const token = await loginDevice(tc.app, a.user, a.device);
    tc.clock.set(new Date(start.getTime() + 59 * 60_000));
    await expectOk(await get(tc.app, LICENSES, token));
    tc.clock.set(new Date(start.getTime() + 3600_000 + 1000));
    await expectError(await get(tc.app, LICENSES, token), 401, 'SESSION_EXPIRED');
    await expectError(await postJson(tc.app, LICENSE_FILE, { version: 13 }, token), 401, 'SESSION_EXPIRED');
    const { xml } = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    await expectError(await postXml(tc.app, INVALIDATIONS, xml, token), 401, 'SESSION_EXPIRED');
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    expect((await deviceRow(tc, a.device.deviceId)).invalidation_counter).toBe(0);
  });

  it("lists only the logged-in device's licenses with the versions it can download", async () => {
    const second = await addFixtureDevice(tc, a.actor, a.projectId, '0A0002');
    const secondPort = await bind1(tc, a.actor, a.projectId, second.hardwareId, PORT_TYPE, 2);
    const token = await loginDevice(tc.app, a.user, a.device);
    const body = DeviceLicensesResponse.parse(
      await (await expectOk(await get(tc.app, LICENSES, token))).json(),
    );
    expect(body.hardwareId).toBe(a.device.hardwareId);
    expect(body.project).toEqual({ id: a.projectId, name: 'DEFAULT' });
    expect(body.licenses.map((l) => l.serial).sort()).toEqual([a.port.serial, a.gw.serial].sort());
    expect(body.licenses.map((l) => l.serial)).not.toContain(secondPort.serial);
    const port = body.licenses.find((l) => l.serial === a.port.serial)!;
    expect(port).toMatchObject({
      type: PORT_TYPE,
      units: 4,
      version: 13,
      returnable: true,
      versions: [6, 7, 8, 9, 10, 11, 12, 13],
    });
    expect(body.licenses.find((l) => l.serial === a.gw.serial)).toMatchObject({
      type: GW_TYPE,
      units: 2,
      version: null,
      returnable: false,
    });
    expect(body.versions.map((v) => v.version)).toEqual([13, 12, 11, 10, 9, 8, 7, 6]);
    expect(body.versions.find((v) => v.version === 13)).toEqual({
      version: 13,
      encrypted: true,
      licenses: 2,
    });
    expect(body.versions.find((v) => v.version === 7)).toMatchObject({ encrypted: false });
  });

  it("issues a V13 file that decrypts with the device key and holds exactly this device's licenses", async () => {
    const second = await addFixtureDevice(tc, a.actor, a.projectId, '0A0002');
    await bind1(tc, a.actor, a.projectId, second.hardwareId, PORT_TYPE, 2);
    const token = await loginDevice(tc.app, a.user, a.device);
    const res = await expectOk(await postJson(tc.app, LICENSE_FILE, { version: 13 }, token));
    expect(res.headers.get('content-type')).toMatch(/^application\/xml/);
    const xml = await res.text();
    const payload = openLicenseFile(xml, {
      signerPublicKeyPem: pki.licenseAuthority.certPem,
      devicePrivateKeyPem: a.device.keyPem,
    });
    expect(payload).toMatchObject({
      kind: 'license',
      hardwareId: a.device.hardwareId,
      version: 13,
      encrypted: true,
      deviceCounter: 0,
    });
    expect(payload.licenses.map((l) => [l.serial, l.type, l.units, l.returnable]).sort()).toEqual(
      [
        [a.port.serial, PORT_TYPE, 4, true],
        [a.gw.serial, GW_TYPE, 2, false],
      ].sort(),
    );
    // Another device's key cannot open it, and it cannot be read without a key.
    const foreignKey = deviceIdentity(pki.deviceCa, second.hardwareId).keyPem;
    expect(
      codeOf(() =>
        openLicenseFile(xml, {
          signerPublicKeyPem: pki.licenseAuthority.certPem,
          devicePrivateKeyPem: foreignKey,
        }),
      ),
    ).toBe('DOC_DECRYPT_FAILED');
    expect(codeOf(() => openLicenseFile(xml, { signerPublicKeyPem: pki.licenseAuthority.certPem }))).toBe(
      'DOC_DECRYPT_FAILED',
    );
    // An encrypted download leaves the licenses returnable.
    expect((await licenseRow(tc, a.port.serial)).downloaded_unencrypted).toBe(0);
  });

  it('makes the licenses of an unencrypted V7 download non-returnable; invalidating them later is rejected with the reason', async () => {
    const token = await loginDevice(tc.app, a.user, a.device);
    const xml = await (await expectOk(await postJson(tc.app, LICENSE_FILE, { version: 7 }, token))).text();
    const payload = openLicenseFile(xml, { signerPublicKeyPem: pki.licenseAuthority.certPem });
    expect(payload).toMatchObject({ version: 7, encrypted: false });
    expect(payload.licenses.map((l) => l.serial).sort()).toEqual([a.port.serial, a.gw.serial].sort());
    expect(payload.licenses.every((l) => !l.returnable)).toBe(true);
    expect((await licenseRow(tc, a.port.serial)).downloaded_unencrypted).toBe(1);

    const listed = DeviceLicensesResponse.parse(await (await get(tc.app, LICENSES, token)).json());
    expect(listed.licenses.find((l) => l.serial === a.port.serial)?.returnable).toBe(false);

    const before = await countsOf(tc, a.companyId);
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1, version: 13 });
    const confirmationXml = await (
      await expectOk(await postXml(tc.app, INVALIDATIONS, doc.xml, token))
    ).text();
    const confirmation = openConfirmation(confirmationXml, pki.licenseAuthority.certPem);
    expect(confirmation.accepted).toEqual([]);
    expect(confirmation.rejected).toEqual([
      { serial: a.port.serial, reason: expect.stringMatching(/unencrypted/) },
    ]);
    expect(await countsOf(tc, a.companyId)).toEqual(before);
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
  });

  it('refuses version 99 with 400 VALIDATION_FAILED and issues nothing', async () => {
    const token = await loginDevice(tc.app, a.user, a.device);
    const historyBefore = await countRows(tc, 'history');
    await expectError(await postJson(tc.app, LICENSE_FILE, { version: 99 }, token), 400, 'VALIDATION_FAILED');
    await expectError(
      await postJson(tc.app, LICENSE_FILE, { version: '13' }, token),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(await postJson(tc.app, LICENSE_FILE, {}, token), 400, 'VALIDATION_FAILED');
    expect(await countRows(tc, 'history')).toBe(historyBefore);
    expect((await licenseRow(tc, a.port.serial)).downloaded_unencrypted).toBe(0);
  });
});

describe.each(STORES)('invalidation over /device/v1/invalidations, on %s', (kind) => {
  beforeAll(() => {
    storeKind = kind;
  });
  afterAll(() => {
    storeKind = 'sqlite';
  });
  let token: string;
  beforeEach(async () => {
    token = await loginDevice(tc.app, a.user, a.device);
  });

  const send = (xml: string | Uint8Array, t = token) => postXml(tc.app, INVALIDATIONS, xml, t);

  it("moves returnable licenses to the project's free pool and leaves gateway licenses bound", async () => {
    const before = await countsOf(tc, a.companyId);
    expect(before[PORT_TYPE]).toEqual({
      type: PORT_TYPE,
      activated: 10,
      balance: 6,
      bound: 4,
      free: 0,
      inKeys: 0,
    });
    expect(before[GW_TYPE]).toEqual({
      type: GW_TYPE,
      activated: 8,
      balance: 6,
      bound: 2,
      free: 0,
      inKeys: 0,
    });

    const doc = invalidationDocument(a.device, { serials: [a.port.serial, a.gw.serial], counter: 1 });
    const res = await expectOk(await send(doc.xml));
    const confirmation = openConfirmation(await res.text(), pki.licenseAuthority.certPem);
    expect(confirmation).toMatchObject({
      kind: 'confirmation',
      hardwareId: a.device.hardwareId,
      documentId: doc.documentId,
      deviceCounter: 1,
    });
    expect(confirmation.accepted).toEqual([a.port.serial]);
    expect(confirmation.rejected).toEqual([
      { serial: a.gw.serial, reason: 'license type is not returnable' },
    ]);

    const after = await countsOf(tc, a.companyId);
    expect(after[PORT_TYPE]).toEqual({
      type: PORT_TYPE,
      activated: 10,
      balance: 6,
      bound: 0,
      free: 4,
      inKeys: 0,
    });
    expect(after[GW_TYPE]).toEqual(before[GW_TYPE]);
    expect(await licenseRow(tc, a.port.serial)).toMatchObject({
      state: 'free',
      device_id: null,
      project_id: a.projectId,
    });
    expect(await licenseRow(tc, a.gw.serial)).toMatchObject({ state: 'bound', device_id: a.device.deviceId });
    expect((await deviceRow(tc, a.device.deviceId)).invalidation_counter).toBe(1);
  });

  it('answers the same document twice with the same confirmation bytes and credits it once', async () => {
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    const first = await (await expectOk(await send(doc.xml))).text();
    const afterFirst = await countsOf(tc, a.companyId);
    const history = await countRows(tc, 'history');
    const second = await (await expectOk(await send(doc.xml))).text();
    expect(second).toBe(first);
    expect(await countsOf(tc, a.companyId)).toEqual(afterFirst);
    expect(afterFirst[PORT_TYPE]).toMatchObject({ bound: 0, free: 4 });
    expect(await countRows(tc, 'invalidations')).toBe(1);
    expect(await countRows(tc, 'history')).toBe(history);

    // The backup file uploaded on the portal after the transfer is the same document: same answer.
    const portal = await loginPortal(tc.app, a.user);
    const upload = await expectOk(await postXml(tc.app, `${PORTAL_API}/invalidations`, doc.xml, portal));
    expect(upload.headers.get('x-mylic-replay')).toBe('1');
    expect(await upload.text()).toBe(first);
    expect(await countsOf(tc, a.companyId)).toEqual(afterFirst);
  });

  it('answers the same document sent many times at once with one confirmation, credited once', async () => {
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    const answers = await Promise.all(Array.from({ length: 6 }, () => send(doc.xml)));
    expect(answers.map((r) => r.status)).toEqual([200, 200, 200, 200, 200, 200]);
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(new Set(bodies).size).toBe(1);
    expect((await countsOf(tc, a.companyId))[PORT_TYPE]).toMatchObject({
      activated: 10,
      balance: 6,
      bound: 0,
      free: 4,
    });
    expect(await countRows(tc, 'invalidations')).toBe(1);
  });

  it('still answers an old document with its own confirmation after later ones raised the counter', async () => {
    const extra = await bind1(tc, a.actor, a.projectId, a.device.hardwareId, PORT_TYPE, 1);
    const first = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    const firstConfirmation = await (await expectOk(await send(first.xml))).text();
    await expectOk(await send(invalidationDocument(a.device, { serials: [extra.serial], counter: 2 }).xml));
    const counts = await countsOf(tc, a.companyId);
    expect(await (await expectOk(await send(first.xml))).text()).toBe(firstConfirmation);
    expect(await countsOf(tc, a.companyId)).toEqual(counts);
    expect((await deviceRow(tc, a.device.deviceId)).invalidation_counter).toBe(2);
  });

  it('refuses a document with a used id but other content with 409 DOC_REPLAYED', async () => {
    const extra = await bind1(tc, a.actor, a.projectId, a.device.hardwareId, PORT_TYPE, 1);
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    const confirmation = await (await expectOk(await send(doc.xml))).text();
    const counts = await countsOf(tc, a.companyId);

    const sameIdOtherSerials = invalidationDocument(a.device, {
      serials: [extra.serial],
      counter: 2,
      documentId: doc.documentId,
    });
    await expectError(await send(sameIdOtherSerials.xml), 409, 'DOC_REPLAYED');
    const sameIdSameCounter = invalidationDocument(a.device, {
      serials: [a.port.serial, extra.serial],
      counter: 1,
      documentId: doc.documentId,
    });
    await expectError(await send(sameIdSameCounter.xml), 409, 'DOC_REPLAYED');

    expect(await countsOf(tc, a.companyId)).toEqual(counts);
    expect((await licenseRow(tc, extra.serial)).state).toBe('bound');
    expect((await deviceRow(tc, a.device.deviceId)).invalidation_counter).toBe(1);
    const stored = await tc.core.store.db.selectFrom('invalidations').selectAll().execute();
    expect(stored.map((r) => [r.document_id, r.confirmation])).toEqual([[doc.documentId, confirmation]]);
  });

  it('refuses a new document whose counter is not above the last accepted one with 409 DOC_REPLAYED', async () => {
    const extra = await bind1(tc, a.actor, a.projectId, a.device.hardwareId, PORT_TYPE, 1);
    await expectOk(await send(invalidationDocument(a.device, { serials: [a.port.serial], counter: 5 }).xml));
    const counts = await countsOf(tc, a.companyId);
    for (const counter of [5, 4, 1]) {
      await expectError(
        await send(invalidationDocument(a.device, { serials: [extra.serial], counter }).xml),
        409,
        'DOC_REPLAYED',
      );
    }
    expect(await countsOf(tc, a.companyId)).toEqual(counts);
    expect((await licenseRow(tc, extra.serial)).state).toBe('bound');
    expect((await deviceRow(tc, a.device.deviceId)).invalidation_counter).toBe(5);
    expect(await countRows(tc, 'invalidations')).toBe(1);
    // A higher counter is a new document and is accepted.
    await expectOk(await send(invalidationDocument(a.device, { serials: [extra.serial], counter: 6 }).xml));
    expect((await licenseRow(tc, extra.serial)).state).toBe('free');
  });

  it('refuses a document altered in its payload with 400 DOC_SIGNATURE_INVALID and moves nothing', async () => {
    const before = await countsOf(tc, a.companyId);
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    const { text, start } = payloadText(doc.xml);

    // One byte of the payload changed, re-encoded as valid base64.
    const bytes = Buffer.from(text, 'base64');
    const at = bytes.indexOf('"deviceCounter":1') + '"deviceCounter":'.length;
    expect(at).toBeGreaterThan('"deviceCounter":'.length);
    bytes[at] = '2'.charCodeAt(0);
    const oneByte = doc.xml.slice(0, start) + bytes.toString('base64') + doc.xml.slice(start + text.length);
    await expectError(await send(oneByte), 400, 'DOC_SIGNATURE_INVALID');

    // One base64 character flipped to another valid one (away from the padded end).
    const i = 8;
    const flipped = text[i] === 'A' ? 'B' : 'A';
    const oneChar = doc.xml.slice(0, start + i) + flipped + doc.xml.slice(start + i + 1);
    await expectError(await send(oneChar), 400, 'DOC_SIGNATURE_INVALID');

    // A character that is not base64 at all breaks the envelope instead.
    const broken = `${doc.xml.slice(0, start + i)}!${doc.xml.slice(start + i + 1)}`;
    await expectError(await send(broken), 400, 'DOC_MALFORMED');

    expect(await countsOf(tc, a.companyId)).toEqual(before);
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    expect((await deviceRow(tc, a.device.deviceId)).invalidation_counter).toBe(0);
    expect(await countRows(tc, 'invalidations')).toBe(0);
    // The genuine document still goes through afterwards.
    await expectOk(await send(doc.xml));
  });

  it("refuses a document of device B sent with device A's session (DOC_HARDWARE_MISMATCH) and moves nothing", async () => {
    const b = await addFixtureDevice(tc, a.actor, a.projectId, '00:90:33:0a:00:02');
    const bPort = await bind1(tc, a.actor, a.projectId, b.hardwareId, PORT_TYPE, 3);
    const before = await countsOf(tc, a.companyId);
    const doc = invalidationDocument(b, { serials: [bPort.serial], counter: 1 });
    await expectError(await send(doc.xml), 400, 'DOC_HARDWARE_MISMATCH');
    expect(await countsOf(tc, a.companyId)).toEqual(before);
    expect((await licenseRow(tc, bPort.serial)).state).toBe('bound');
    expect((await deviceRow(tc, b.deviceId)).invalidation_counter).toBe(0);
    expect(await countRows(tc, 'invalidations')).toBe(0);
    // Device A naming B's serials in its own document returns nothing of B's either.
    const own = invalidationDocument(a.device, { serials: [bPort.serial], counter: 1 });
    const confirmation = openConfirmation(
      await (await expectOk(await send(own.xml))).text(),
      pki.licenseAuthority.certPem,
    );
    expect(confirmation.accepted).toEqual([]);
    expect(confirmation.rejected).toEqual([{ serial: bPort.serial, reason: 'not bound to this device' }]);
    expect((await licenseRow(tc, bPort.serial)).state).toBe('bound');
  });

  it('refuses malformed XML with 400 XML_MALFORMED', async () => {
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    await expectError(await send(doc.xml.slice(0, doc.xml.length - 20)), 400, 'XML_MALFORMED');
    await expectError(
      await send('<mylic-document kind="invalidation" format="1"><payload>'),
      400,
      'XML_MALFORMED',
    );
    await expectError(
      await send(new Uint8Array([0x3c, 0x61, 0x3e, 0xff, 0xfe, 0x3c, 0x2f, 0x61, 0x3e])),
      400,
      'XML_MALFORMED',
    );
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    expect(await countRows(tc, 'invalidations')).toBe(0);
  });

  it('refuses a document with a DOCTYPE with 400 XML_DTD_REFUSED', async () => {
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    const withDtd = doc.xml.replace(
      '<mylic-document',
      '<!DOCTYPE mylic-document [<!ENTITY x "y">]>\n<mylic-document',
    );
    await expectError(await send(withDtd), 400, 'XML_DTD_REFUSED');
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    expect(await countRows(tc, 'invalidations')).toBe(0);
  });

  it('refuses a 10 MB body with 413 PAYLOAD_TOO_LARGE, declared or streamed', async () => {
    const big = 'A'.repeat(10 * 1024 * 1024);
    const body = `<mylic-document kind="invalidation" format="1"><payload encoding="base64">${big}</payload></mylic-document>`;
    // As a string body (no content-length): the limit counts the streamed bytes.
    await expectError(await send(body), 413, 'PAYLOAD_TOO_LARGE');
    // With its size declared.
    const declared = await tc.app.request(INVALIDATIONS, {
      method: 'POST',
      headers: {
        'content-type': 'application/xml',
        'content-length': String(Buffer.byteLength(body)),
        authorization: `Bearer ${token}`,
      },
      body,
    });
    await expectError(declared, 413, 'PAYLOAD_TOO_LARGE');
    // One byte over the limit is already too large.
    await expectError(await send('x'.repeat(MAX_DOCUMENT_BYTES + 1)), 413, 'PAYLOAD_TOO_LARGE');
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    expect(await countRows(tc, 'invalidations')).toBe(0);
  });

  it('refuses a document sent as another content type with 415', async () => {
    const doc = invalidationDocument(a.device, { serials: [a.port.serial], counter: 1 });
    await expectError(
      await postXml(tc.app, INVALIDATIONS, doc.xml, token, 'application/json'),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
  });
});

describe('request certificate over /device/v1/certificate', () => {
  const CERTIFICATE = `${DEVICE_API}/certificate`;
  let token: string;
  beforeEach(async () => {
    await setRight(tc.core, a.user.id, 'request-certificate', true);
    token = await loginDevice(tc.app, a.user, a.device);
  });
  const newIdentity = (hardwareId = a.device.hardwareId) => {
    const keys = generateKeyPair();
    return { keys, csr: createCsr({ commonName: hardwareId, privateKeyPem: keys.privateKeyPem }) };
  };
  const historyOf = (event: string) =>
    tc.core.store.db
      .selectFrom('history')
      .selectAll()
      .where('event', '=', event)
      .where('device_id', '=', a.device.deviceId)
      .execute();

  it('issues the certificate, records device.certificate_issued in the history, and keeps encrypting to the old certificate until the device logs in with the new key', async () => {
    const { keys, csr } = newIdentity();
    const answer = (await (await expectOk(await postJson(tc.app, CERTIFICATE, { csr }, token))).json()) as {
      certificate: string;
      issuer: string;
    };
    expect(certInfo(answer.certificate)).toMatchObject({
      commonName: a.device.hardwareId,
      issuerCommonName: certInfo(pki.deviceCa.certPem).commonName,
    });
    expect(keyMatchesCertificate(keys.privateKeyPem, answer.certificate)).toBe(true);
    const [event, ...more] = await historyOf('device.certificate_issued');
    expect(more).toEqual([]);
    expect(event).toMatchObject({ company_id: a.companyId, project_id: a.projectId, user_id: a.user.id });
    expect(JSON.parse(event!.detail)).toMatchObject({
      fingerprint256: certInfo(answer.certificate).fingerprint256,
    });

    // Not installed on the device yet, as far as the portal knows: files still open with the old key only.
    expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBe(a.device.certPem);
    const before = await (
      await expectOk(await postJson(tc.app, LICENSE_FILE, { version: 13 }, token))
    ).text();
    expect(
      openLicenseFile(before, {
        signerPublicKeyPem: pki.licenseAuthority.certPem,
        devicePrivateKeyPem: a.device.keyPem,
      }).hardwareId,
    ).toBe(a.device.hardwareId);
    expect(
      codeOf(() =>
        openLicenseFile(before, {
          signerPublicKeyPem: pki.licenseAuthority.certPem,
          devicePrivateKeyPem: keys.privateKeyPem,
        }),
      ),
    ).toBe('DOC_DECRYPT_FAILED');

    // The device proves the new key in a login: from now on files are for the new key.
    const next = { hardwareId: a.device.hardwareId, keyPem: keys.privateKeyPem, certPem: answer.certificate };
    const newToken = await loginDevice(tc.app, a.user, next);
    expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBe(answer.certificate);
    const after = await (
      await expectOk(await postJson(tc.app, LICENSE_FILE, { version: 13 }, newToken))
    ).text();
    expect(
      openLicenseFile(after, {
        signerPublicKeyPem: pki.licenseAuthority.certPem,
        devicePrivateKeyPem: keys.privateKeyPem,
      }).hardwareId,
    ).toBe(a.device.hardwareId);
    const logins = await historyOf('device.logged_in');
    expect(logins.map((l) => JSON.parse(l.detail))).toEqual([
      {},
      { certificateChanged: true, fingerprint256: certInfo(answer.certificate).fingerprint256 },
    ]);
  });

  it('refuses a CSR whose CN is another hardware id with 400 CERT_HW_MISMATCH and issues nothing', async () => {
    const { csr } = newIdentity('009033ABCDEF');
    await expectError(await postJson(tc.app, CERTIFICATE, { csr }, token), 400, 'CERT_HW_MISMATCH');
    expect(await historyOf('device.certificate_issued')).toEqual([]);
    expect((await deviceRow(tc, a.device.deviceId)).cert_pem).toBe(a.device.certPem);
  });

  it("refuses a device that is no longer in one of the user's projects with 403 DEVICE_NOT_IN_PROJECTS, even with a live device session", async () => {
    await removeDevice(tc.core, a.actor, a.projectId, a.device.hardwareId);
    const { csr } = newIdentity();
    await expectError(await postJson(tc.app, CERTIFICATE, { csr }, token), 403, 'DEVICE_NOT_IN_PROJECTS');
    expect(await historyOf('device.certificate_issued')).toEqual([]);
  });

  it('refuses a user without the "request certificate" right with 403 FORBIDDEN', async () => {
    await setRight(tc.core, a.user.id, 'request-certificate', false);
    await expectError(
      await postJson(tc.app, CERTIFICATE, { csr: newIdentity().csr }, token),
      403,
      'FORBIDDEN',
    );
    expect(await historyOf('device.certificate_issued')).toEqual([]);
  });
});

describe('test licenses over /device/v1/test-license', () => {
  const TEST_LICENSE = `${DEVICE_API}/test-license`;
  const testRows = () =>
    tc.core.store.db
      .selectFrom('test_licenses')
      .select(['version', 'ends_on'])
      .where('device_id', '=', a.device.deviceId)
      .orderBy('id')
      .execute();

  it('refuses a device that had its V11+ test license another one for another V11+ version (one per device since V11), but gives V6–V10 tests again', async () => {
    const token = await loginDevice(tc.app, a.user, a.device);
    const v12 = await (
      await expectOk(await postJson(tc.app, TEST_LICENSE, { version: 12, pbx: 2 }, token))
    ).text();
    const payload = openLicenseFile(v12, {
      signerPublicKeyPem: pki.licenseAuthority.certPem,
      devicePrivateKeyPem: a.device.keyPem,
    });
    expect(payload.licenses.find((l) => l.testEnd)).toMatchObject({ type: 'Test-PBX', units: 2 });
    const before = await countsOf(tc, a.companyId);
    for (const version of [13, 14, 11, 12]) {
      const err = await expectError(
        await postJson(tc.app, TEST_LICENSE, { version, pbx: 2 }, token),
        409,
        'TEST_LICENSE_USED',
      );
      expect(err.message).toContain('V12');
    }
    await expectError(
      await postJson(tc.app, TEST_LICENSE, { version: 13, slave: true }, token),
      409,
      'TEST_LICENSE_USED',
    );
    // The short-lived ones (V6–V10) are not limited, and none touches a balance.
    await expectOk(await postJson(tc.app, TEST_LICENSE, { version: 10, pbx: 1 }, token));
    await expectOk(await postJson(tc.app, TEST_LICENSE, { version: 10, pbx: 1 }, token));
    expect((await testRows()).map((r) => r.version)).toEqual([12, 10, 10]);
    expect(await countsOf(tc, a.companyId)).toEqual(before);
  });
});
