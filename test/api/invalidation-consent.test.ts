import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openConfirmation } from '../../protocol/documents/index.js';
import { ERROR_CODES } from '../../protocol/errors.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError, invalidationDocument, payloadText, postXml } from '../bridge/fixtures.js';
import { call, keyCompany } from './keys-fixtures.js';
import {
  addLicenses,
  boundOf,
  certify,
  credit,
  expectConserved,
  placeDevice,
  snapshot,
} from './licenses-fixtures.js';

/**
 * Issue 15 item 13, seed L206 "To return these licenses, you will have to upgrade to a new bootcode, which
 * prevents firmware downgrades to versions below version 8." and L227 "V7 licenses can be just returned, if
 * you agree, that you won't be able to downgrade below V8 anymore.": the agreement travels signed in the
 * invalidation document (`acceptNoDowngrade`); without it the serials whose return would set "No downgrade"
 * are kept on the device with their own code, NO_DOWNGRADE_NOT_ACCEPTED, and the rest is returned.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;

beforeAll(async () => {
  root = await tempDir('mylic-inv-consent-');
  tc = await makeTestCore(root.dir);
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

const upload = (xml: string, token: string) => postXml(tc.app, `${PORTAL_API}/invalidations`, xml, token);
const deviceRow = (id: number) =>
  tc.core.store.db
    .selectFrom('devices')
    .select(['no_downgrade_at', 'invalidation_counter'])
    .where('id', '=', id)
    .executeTakeFirstOrThrow();
const licenseRow = (serial: string) =>
  tc.core.store.db
    .selectFrom('licenses')
    .select(['state', 'device_id', 'project_id'])
    .where('serial', '=', serial)
    .executeTakeFirstOrThrow();

describe('V7 returns need consent (seed L206, L227)', () => {
  it('has its own stable code, a conflict the agent ends with exit 5', () => {
    expect(ERROR_CODES.NO_DOWNGRADE_NOT_ACCEPTED).toMatchObject({ status: 409, exit: 5 });
  });

  it('L227 "V7 licenses can be just returned, if you agree": without the agreement the V7 serial stays bound with NO_DOWNGRADE_NOT_ACCEPTED, the V13 one goes to the free licenses; with it the V7 one follows, nothing lost or doubled', async () => {
    const a = await keyCompany(tc, 'consent');
    const dev = await placeDevice(tc, a, 'IP811');
    const identity = await certify(tc, dev);
    await credit(tc, a, 'PBX7#15', 3);
    await credit(tc, a, 'PBX-Port13', 2);
    await addLicenses(tc, a.token, dev.deviceId, { version: 7, lines: [{ type: 'PBX7#15', units: 3 }] });
    await addLicenses(tc, a.token, dev.deviceId, {
      version: 13,
      summate: false,
      lines: [{ type: 'PBX-Port13', units: 2 }],
    });
    const bound = await boundOf(tc, dev.deviceId);
    const v7 = bound.find((l) => l.license_type === 'PBX7#15')!.serial;
    const v13 = bound.find((l) => l.license_type === 'PBX-Port13')!.serial;

    // Without the agreement: the V7 serial is refused with its own code, the V13 serial is returned.
    const first = invalidationDocument(identity, { serials: [v7, v13], counter: 1 });
    const res = await upload(first.xml, a.token);
    expect(res.status).toBe(200);
    const firstXml = await res.text();
    const c1 = openConfirmation(firstXml, tc.core.keys.licenseAuthorityCertPem);
    expect(c1.accepted).toEqual([v13]);
    expect(c1.rejected).toEqual([
      {
        serial: v7,
        reason: expect.stringContaining('downgrade below V8'),
        code: 'NO_DOWNGRADE_NOT_ACCEPTED',
      },
    ]);
    expect(await licenseRow(v7)).toMatchObject({ state: 'bound', device_id: dev.deviceId });
    expect(await licenseRow(v13)).toMatchObject({
      state: 'free',
      device_id: null,
      project_id: a.projects[0]!.id,
    });
    // No agreement, no "No downgrade": V5–V7 files stay possible.
    expect(await deviceRow(dev.deviceId)).toEqual({ no_downgrade_at: null, invalidation_counter: 1 });
    await expectConserved(tc, a.companyId);

    // The same document again credits nothing more and answers the same confirmation.
    const before = await snapshot(tc);
    const again = await upload(first.xml, a.token);
    expect(again.status).toBe(200);
    expect(await again.text()).toBe(firstXml);
    expect(await snapshot(tc)).toEqual(before);

    // With the agreement signed in: the V7 serial returns and the device is under "No downgrade".
    const second = invalidationDocument(identity, { serials: [v7], counter: 2, acceptNoDowngrade: true });
    const res2 = await upload(second.xml, a.token);
    expect(res2.status).toBe(200);
    const c2 = openConfirmation(await res2.text(), tc.core.keys.licenseAuthorityCertPem);
    expect(c2).toMatchObject({ accepted: [v7], rejected: [] });
    expect(await licenseRow(v7)).toMatchObject({
      state: 'free',
      device_id: null,
      project_id: a.projects[0]!.id,
    });
    expect((await deviceRow(dev.deviceId)).no_downgrade_at).not.toBeNull();
    expect(await boundOf(tc, dev.deviceId)).toEqual([]);
    await expectConserved(tc, a.companyId);
  });

  it('L206: a device that got a V5–V7 file needs the agreement to return even its V8+ licenses, since the return sets "No downgrade"', async () => {
    const a = await keyCompany(tc, 'legacy');
    const dev = await placeDevice(tc, a, 'IP811');
    const identity = await certify(tc, dev);
    await credit(tc, a, 'PBX-Port13', 3);
    await addLicenses(tc, a.token, dev.deviceId, { version: 13, lines: [{ type: 'PBX-Port13', units: 1 }] });
    const plain = await call(tc.app, 'POST', `/devices/${dev.deviceId}/license-file`, a.token, {
      version: 7,
      acceptNonReturnable: true,
    });
    expect(plain.status).toBe(200);
    await addLicenses(tc, a.token, dev.deviceId, {
      version: 13,
      summate: false,
      lines: [{ type: 'PBX-Port13', units: 2 }],
    });
    const fresh = (await boundOf(tc, dev.deviceId)).find((l) => l.downloaded_unencrypted === 0)!.serial;

    const refused = await upload(
      invalidationDocument(identity, { serials: [fresh], counter: 1 }).xml,
      a.token,
    );
    expect(refused.status).toBe(200);
    const c1 = openConfirmation(await refused.text(), tc.core.keys.licenseAuthorityCertPem);
    expect(c1.accepted).toEqual([]);
    expect(c1.rejected).toMatchObject([{ serial: fresh, code: 'NO_DOWNGRADE_NOT_ACCEPTED' }]);
    expect(await licenseRow(fresh)).toMatchObject({ state: 'bound', device_id: dev.deviceId });
    expect((await deviceRow(dev.deviceId)).no_downgrade_at).toBeNull();

    const agreed = await upload(
      invalidationDocument(identity, { serials: [fresh], counter: 2, acceptNoDowngrade: true }).xml,
      a.token,
    );
    expect(openConfirmation(await agreed.text(), tc.core.keys.licenseAuthorityCertPem).accepted).toEqual([
      fresh,
    ]);
    expect((await deviceRow(dev.deviceId)).no_downgrade_at).not.toBeNull();
    await expectConserved(tc, a.companyId);
  });

  it('L227: the agreement is signed with the document: added afterwards it breaks the signature and changes nothing', async () => {
    const a = await keyCompany(tc, 'forged');
    const dev = await placeDevice(tc, a, 'IP811');
    const identity = await certify(tc, dev);
    await credit(tc, a, 'PBX7#15', 1);
    await addLicenses(tc, a.token, dev.deviceId, { version: 7, lines: [{ type: 'PBX7#15', units: 1 }] });
    const v7 = (await boundOf(tc, dev.deviceId))[0]!.serial;
    const doc = invalidationDocument(identity, { serials: [v7], counter: 1 });
    const { text, start } = payloadText(doc.xml);
    const json = JSON.parse(Buffer.from(text, 'base64').toString('utf8'));
    const forged = Buffer.from(JSON.stringify({ ...json, acceptNoDowngrade: true })).toString('base64');
    const xml = doc.xml.slice(0, start) + forged + doc.xml.slice(start + text.length);
    const before = await snapshot(tc);
    await expectError(await upload(xml, a.token), 400, 'DOC_SIGNATURE_INVALID');
    expect(await snapshot(tc)).toEqual(before);
  });
});
