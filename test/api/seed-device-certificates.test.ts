import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { applyAnyConfirmation } from '../../agent/flows/confirm.js';
import { factoryInit } from '../../agent/flows/factory-init.js';
import { installLicenseFile } from '../../agent/flows/install.js';
import { DeviceStore } from '../../agent/device/store.js';
import { keyMatchesCertificate } from '../../certs/inspect.js';
import { issueDeviceCertificate } from '../../certs/issue.js';
import { generateKeyPair } from '../../certs/keys.js';
import type { Actor } from '../../bridge/core/context.js';
import {
  addDevice,
  certificateConfirmationFor,
  readRegistrationFiles,
  registerFactoryDevices,
  requestCertificateOnPortal,
} from '../../bridge/core/devices/index.js';
import { downloadForPortal, issueTestLicenseFileForPortal } from '../../bridge/core/licenses/index.js';
import { setRight } from '../../bridge/core/rights.js';
import { openLicenseFile } from '../../protocol/documents/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  bind1,
  DEVICE_TYPE,
  expectError,
  licenseRow,
  loginPortal,
  makeTenant,
  PORT_TYPE,
  postJson,
  type Tenant,
} from '../bridge/fixtures.js';
import { PORTAL_API } from '../../protocol/portal-api.js';

/**
 * Issue 15 items 3–5: device certificates from the factory, certificates and test licenses requested on
 * the portal (a confirmation file the device applies under Step1), unencrypted V8+ files. Real device
 * folders made by `mylic device init` against the test core's PKI, the core services the portal pages
 * call, and the agent's own apply/install code.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
let annActor: Actor;
const MAC = '00-90-33-77-00-01';
const HW = '009033770001';
let store: DeviceStore;

const deviceIdOf = async (hw: string) =>
  await tc.core.store.db
    .selectFrom('devices')
    .select(['id', 'cert_pem'])
    .where('hardware_id', '=', hw)
    .executeTakeFirstOrThrow();

beforeAll(async () => {
  root = await tempDir('mylic-seed-device-certs-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-77-00-10' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-77-00-20' });
  annActor = { ...ann.actor, companyId: ann.companyId };
  // The factory: the device folder, its key and certificate, and its registration in the PKI folder.
  const made = await factoryInit({
    dir: join(root.dir, 'device'),
    mac: MAC,
    deviceType: DEVICE_TYPE,
    firmware: '13.1',
    portalUrl: 'https://portal.test/',
    pkiDir: join(root.dir, 'pki'),
  });
  expect(made.registrationFile).toBe(join(root.dir, 'pki', 'device-registrations', `${HW}.json`));
  store = new DeviceStore(join(root.dir, 'device'));
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

describe('device certificates from the factory (issue 15 item 3)', () => {
  it('L223 "a device certificate": the registration the factory wrote puts the device and its certificate in the device database', async () => {
    const regs = await readRegistrationFiles(join(root.dir, 'pki', 'device-registrations'));
    expect(regs.map((r) => r.hardwareId)).toEqual([HW]);
    const out = await registerFactoryDevices(tc.core, regs);
    expect(out).toEqual([
      expect.objectContaining({ hardwareId: HW, deviceType: DEVICE_TYPE, result: 'created' }),
    ]);
    const row = await deviceIdOf(HW);
    expect(row.cert_pem?.trim()).toBe((await store.readText('device.crt')).trim());
    // Again: nothing new.
    expect((await registerFactoryDevices(tc.core, regs))[0]!.result).toBe('unchanged');
  });

  it('L207 "Encrypted licenses are stored in a xml file": the portal encrypts a V8+ file to the factory certificate without any device log-in, and the device installs it', async () => {
    // The factory's registration made the device known: the company adds it as it is (issue 15 item 8).
    await addDevice(tc.core, ann.actor, ann.projectId, MAC);
    await bind1(tc, ann.actor, ann.projectId, HW, PORT_TYPE, 2);
    const { id } = await deviceIdOf(HW);
    const file = await downloadForPortal(tc.core, annActor, id, { version: 13 });
    expect(file.encrypted).toBe(true);
    const payload = openLicenseFile(file.xml, {
      signerPublicKeyPem: tc.pki.licenseAuthority.certPem,
      devicePrivateKeyPem: await store.readText('device.key'),
    });
    expect(payload.hardwareId).toBe(HW);
    const installed = await installLicenseFile(store, await store.state(), Buffer.from(file.xml));
    expect(installed.licenses.map((l) => l.type)).toContain(PORT_TYPE);
  });

  it("refuses a registration whose certificate is not the device CA's for that hardware id, or of another device type, and records nothing", async () => {
    const keys = generateKeyPair();
    const other = issueDeviceCertificate(tc.pki.deviceCa, keys.publicKeyPem, '009033770099');
    await expect(
      registerFactoryDevices(tc.core, [
        {
          format: 'mylic-device-registration/1',
          hardwareId: '009033770098',
          deviceType: DEVICE_TYPE,
          certificate: other,
        },
      ]),
    ).rejects.toMatchObject({ code: 'CERT_HW_MISMATCH' });
    const own = await readRegistrationFiles(join(root.dir, 'pki', 'device-registrations', `${HW}.json`));
    await expect(
      registerFactoryDevices(tc.core, [{ ...own[0]!, deviceType: 'IP1060' }]),
    ).rejects.toMatchObject({ code: 'DEVICE_TYPE_MISMATCH' });
    const none = await tc.core.store.db
      .selectFrom('devices')
      .select('id')
      .where('hardware_id', '=', '009033770098')
      .executeTakeFirst();
    expect(none).toBeUndefined();
  });

  it('CERT_MISSING only for a device with no certificate on record, and the sentence names the real fix', async () => {
    // Ann's fixture device was added without registration and never logged in.
    const err = await downloadForPortal(tc.core, annActor, ann.device.deviceId, { version: 13 }).catch(
      (e) => e,
    );
    expect(err).toMatchObject({ code: 'CERT_MISSING' });
    expect(err.message).toContain('mylic-bridge ops device register');
  });
});

describe('request certificate and test licenses on the portal (issue 15 item 4)', () => {
  it('L248 "If you have the needed rights": without the right nothing is issued and the certificate on record stays', async () => {
    const { id, cert_pem } = await deviceIdOf(HW);
    await expect(requestCertificateOnPortal(tc.core, annActor, id)).rejects.toMatchObject({
      code: 'FORBIDDEN',
    });
    expect((await deviceIdOf(HW)).cert_pem).toBe(cert_pem);
    const docs = await tc.core.store.db.selectFrom('certificate_documents').select('id').execute();
    expect(docs).toEqual([]);
  });

  it('L246 "a new certificate … the confirmation file, which you have to upload on the box": a device whose certificate has expired applies it and opens files made after it', async () => {
    await setRight(tc.core, ann.user.id, 'request-certificate', true, ann.companyId);
    const { id } = await deviceIdOf(HW);
    // The device's certificate has expired: it still holds the key, the portal has that certificate on record.
    const keys = generateKeyPair();
    const expired = issueDeviceCertificate(tc.pki.deviceCa, keys.publicKeyPem, HW, {
      notBefore: new Date(Date.now() - 400 * 86_400_000),
      validDays: 30,
    });
    await store.replaceIdentity(keys.privateKeyPem, expired);
    await store.forgetPreviousKey();
    await tc.core.store.db.updateTable('devices').set({ cert_pem: expired }).where('id', '=', id).execute();

    const r = await requestCertificateOnPortal(tc.core, annActor, id);
    // Downloadable again later, the same file.
    expect(await certificateConfirmationFor(tc.core, annActor, id, r.documentId)).toBe(r.xml);
    const applied = await applyAnyConfirmation(store, Buffer.from(r.xml));
    expect(applied).toMatchObject({ kind: 'certificate', alreadyApplied: false });
    const cert = await store.readText('device.crt');
    expect(cert).not.toBe(expired);
    expect(keyMatchesCertificate(await store.readText('device.key'), cert)).toBe(true);
    expect((await deviceIdOf(HW)).cert_pem?.trim()).toBe(cert.trim());
    // Applying it again changes nothing.
    expect(await applyAnyConfirmation(store, Buffer.from(r.xml))).toMatchObject({ alreadyApplied: true });
    // A file made now is encrypted to the new certificate and opens with the new key.
    const file = await downloadForPortal(tc.core, annActor, id, { version: 13 });
    expect(() =>
      openLicenseFile(file.xml, {
        signerPublicKeyPem: tc.pki.licenseAuthority.certPem,
        devicePrivateKeyPem: keys.privateKeyPem,
      }),
    ).toThrow();
    expect(
      openLicenseFile(file.xml, {
        signerPublicKeyPem: tc.pki.licenseAuthority.certPem,
        devicePrivateKeyPem: await store.readText('device.key'),
      }).hardwareId,
    ).toBe(HW);
  });

  it('a certificate confirmation for another device is refused by the device, which keeps its certificate', async () => {
    const keys = generateKeyPair();
    await tc.core.store.db
      .updateTable('devices')
      .set({ cert_pem: issueDeviceCertificate(tc.pki.deviceCa, keys.publicKeyPem, ann.device.hardwareId) })
      .where('id', '=', ann.device.deviceId)
      .execute();
    const r = await requestCertificateOnPortal(tc.core, annActor, ann.device.deviceId);
    const before = await store.readText('device.crt');
    await expect(applyAnyConfirmation(store, Buffer.from(r.xml))).rejects.toMatchObject({
      code: 'CONFIRMATION_MISMATCH',
    });
    expect(await store.readText('device.crt')).toBe(before);
  });

  it("another company's user gets DEVICE_NOT_FOUND for the request and for the confirmation file", async () => {
    const { id } = await deviceIdOf(HW);
    const [doc] = await tc.core.store.db.selectFrom('certificate_documents').select('document_id').execute();
    const bobActor = { ...bob.actor, companyId: bob.companyId };
    await setRight(tc.core, bob.user.id, 'request-certificate', true, bob.companyId);
    await expect(requestCertificateOnPortal(tc.core, bobActor, id)).rejects.toMatchObject({
      code: 'DEVICE_NOT_FOUND',
    });
    await expect(certificateConfirmationFor(tc.core, bobActor, id, doc!.document_id)).rejects.toMatchObject({
      code: 'DEVICE_NOT_FOUND',
    });
  });

  it('L211 "which version … whether the device is used as slave … how many pbx licenses": test licenses from the portal, with the device\'s rules (one since V11)', async () => {
    const { id } = await deviceIdOf(HW);
    const r = await issueTestLicenseFileForPortal(tc.core, annActor, id, {
      version: 13,
      slave: false,
      pbx: 5,
    });
    const payload = openLicenseFile(r.xml, {
      signerPublicKeyPem: tc.pki.licenseAuthority.certPem,
      devicePrivateKeyPem: await store.readText('device.key'),
    });
    expect(payload.licenses.find((l) => l.testEnd !== null)).toMatchObject({ type: 'Test-PBX', units: 5 });
    await expect(
      issueTestLicenseFileForPortal(tc.core, annActor, id, { version: 12, slave: true, pbx: 0 }),
    ).rejects.toMatchObject({ code: 'TEST_LICENSE_USED' });
  });
});

describe('encrypted or not (issue 15 item 5)', () => {
  it('L204 "If you download the licenses unencrypted, you won\'t be able to return those licenses anymore": an unencrypted V8+ file only after the acceptance, then marked non-returnable', async () => {
    const { id } = await deviceIdOf(HW);
    const serials = (
      await tc.core.store.db.selectFrom('licenses').select('serial').where('device_id', '=', id).execute()
    ).map((l) => l.serial);
    await expect(
      downloadForPortal(tc.core, annActor, id, { version: 13, encrypted: false }),
    ).rejects.toMatchObject({ code: 'NON_RETURNABLE_NOT_ACCEPTED' });
    for (const s of serials) expect((await licenseRow(tc, s)).downloaded_unencrypted).toBe(0);
    const file = await downloadForPortal(tc.core, annActor, id, {
      version: 13,
      encrypted: false,
      acceptNonReturnable: true,
    });
    expect(file.encrypted).toBe(false);
    const payload = openLicenseFile(file.xml, { signerPublicKeyPem: tc.pki.licenseAuthority.certPem });
    expect(payload).toMatchObject({ version: 13, encrypted: false });
    expect(payload.licenses.every((l) => l.returnable === false)).toBe(true);
    for (const s of serials) expect((await licenseRow(tc, s)).downloaded_unencrypted).toBe(1);
    // The device installs it: an unencrypted V8+ file is allowed now.
    expect((await installLicenseFile(store, await store.state(), Buffer.from(file.xml))).encrypted).toBe(
      false,
    );
  });

  it('L203 through the API: encrypted: false needs acceptNonReturnable, then an unencrypted V13 file of a device with no certificate on record', async () => {
    const token = await loginPortal(tc.app, bob.user);
    const path = `${PORTAL_API}/devices/${bob.device.deviceId}/license-file`;
    await expectError(
      await postJson(tc.app, path, { version: 13, encrypted: false }, token),
      409,
      'NON_RETURNABLE_NOT_ACCEPTED',
    );
    expect((await licenseRow(tc, bob.port.serial)).downloaded_unencrypted).toBe(0);
    const res = await postJson(
      tc.app,
      path,
      { version: 13, encrypted: false, acceptNonReturnable: true },
      token,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('x-mylic-encrypted')).toBe('0');
    expect((await licenseRow(tc, bob.port.serial)).downloaded_unencrypted).toBe(1);
    // Without encrypted: false the same device has no certificate on record: CERT_MISSING.
    await expectError(await postJson(tc.app, path, { version: 13 }, token), 400, 'CERT_MISSING');
  });
});
