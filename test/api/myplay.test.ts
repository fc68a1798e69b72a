import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companyCounts } from '../../bridge/core/balance/index.js';
import type { Actor } from '../../bridge/core/context.js';
import { createOwnKey, redeemKey } from '../../bridge/core/keys/index.js';
import { acceptInvalidation, downloadForPortal } from '../../bridge/core/licenses/index.js';
import {
  addPlayBalance,
  addPlayLicense,
  changePlayLicense,
  editPlayLicenses,
  playCopyInfo,
  removePlayRma,
  setPlayRma,
} from '../../bridge/core/play/index.js';
import { openLicenseFile } from '../../protocol/documents/index.js';
import { MylicError } from '../../protocol/errors.js';
import { call } from '../support/api-client.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { openPlayBeside, type TableCounts, tableCounts } from '../support/play.js';
import { tempDir } from '../support/tmp.js';
import {
  addFixtureDevice,
  GW_TYPE,
  loginPortal,
  makeTenant,
  PORT_TYPE,
  type Tenant,
} from '../bridge/fixtures.js';

/**
 * myplay, the sandbox portal (issue 15 item 2; seed L330–350), at the core and the API: a real copy of
 * the live SQLite file, the device sync, and every sandbox action refused on the live portal.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let live: TestCore;
let play: Awaited<ReturnType<typeof openPlayBeside>>;
let ann: Tenant;
let bob: Tenant;
let liveBefore: TableCounts;
/** The promise fails with this MylicError code. */
const expectCode = (p: Promise<unknown>, code: string) => expect(p).rejects.toMatchObject({ code });
const as = (t: Tenant): Actor => ({ userId: t.user.id, companyId: t.companyId, projectId: t.projectId });

beforeAll(async () => {
  root = await tempDir('mylic-myplay-');
  live = await makeTestCore(root.dir);
  ann = await makeTenant(live, { name: 'ann', mac: '00-90-33-70-00-01' });
  bob = await makeTenant(live, { name: 'bob', mac: '00-90-33-70-00-02' });
  liveBefore = await tableCounts(live.core);
  play = await openPlayBeside(root.dir);
});
afterAll(async () => {
  await play?.close();
  await live?.close();
  await root?.cleanup();
});

describe('the copy of the live database (seed L333–334)', () => {
  it('"From this date on the databases won\'t be synchronised any more (despite of the device table)!": the copy holds the live rows, records its date, and leaves the live database as it was', async () => {
    expect(play.copiedNow).toBe(true);
    const copy = await playCopyInfo(play.core);
    expect(copy?.source).toBe(`${root.dir}/test.sqlite`);
    expect(Number.isNaN(Date.parse(copy!.copiedAt))).toBe(false);
    const inPlay = await tableCounts(play.core);
    // The copy's only row of its own: the history row that records the copy.
    expect({ ...inPlay, history: inPlay.history - 1 }).toEqual(liveBefore);
    expect(await tableCounts(live.core)).toEqual(liveBefore);
    expect(await playCopyInfo(live.core)).toBeNull();
  });

  it("brings a device newly registered on the live portal into the sandbox, and nothing else (balances stay the sandbox's)", async () => {
    const carlDevice = await addFixtureDevice(live, ann.actor, ann.projectId, '00-90-33-70-00-09');
    await live.core.store.db
      .updateTable('devices')
      .set({ cert_pem: carlDevice.certPem })
      .where('id', '=', carlDevice.deviceId)
      .execute();
    const liveCounts = await tableCounts(live.core);
    const before = await tableCounts(play.core);
    const r = await play.sync();
    expect(r).toMatchObject({ added: 1, certificates: 0 });
    expect(r.seen).toBe(liveCounts.devices);
    const synced = await play.core.store.db
      .selectFrom('devices')
      .selectAll()
      .where('hardware_id', '=', carlDevice.hardwareId)
      .executeTakeFirstOrThrow();
    expect(synced).toMatchObject({ device_type: 'IP811', cert_pem: carlDevice.certPem, rma_state: null });
    // Only the device table: no placement, no history, no licenses came with it.
    const after = await tableCounts(play.core);
    expect(after).toEqual({ ...before, devices: before.devices + 1 });
    // Syncing again finds nothing new; the live database was only read.
    expect(await play.sync()).toMatchObject({ added: 0, certificates: 0 });
    expect(await tableCounts(live.core)).toEqual(liveCounts);
  });
});

describe('self-service balance (seed L336)', () => {
  it('"Simply select the license type in the dropdown box on the balance page, enter the desired amount and your balance will be increased by this type": a ledger entry of its own kind and a history event say so', async () => {
    const r = await addPlayBalance(play.core, as(ann), { type: 'PBX-Port13', units: 25 });
    expect(r).toMatchObject({ projectId: ann.projectId, type: 'PBX-Port13', units: 25, balance: 6 + 25 });
    const entry = await play.core.store.db
      .selectFrom('ledger_entries')
      .selectAll()
      .where('project_id', '=', ann.projectId)
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(entry).toMatchObject({
      reason: 'play.credited',
      ref: 'myplay',
      delta: 25,
      license_type: 'PBX-Port13',
    });
    const event = await play.core.store.db
      .selectFrom('history')
      .select(['event', 'detail', 'company_id'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toMatchObject({ event: 'play.balance_added', company_id: ann.companyId });
    expect(JSON.parse(event.detail)).toEqual({ type: 'PBX-Port13', units: 25 });
  });

  it("answers another company's project like a missing one", async () => {
    await expectCode(
      addPlayBalance(play.core, as(ann), { projectId: bob.projectId, type: GW_TYPE, units: 1 }),
      'PROJECT_NOT_FOUND',
    );
    await expectCode(
      addPlayBalance(play.core, as(ann), { projectId: 999_999, type: GW_TYPE, units: 1 }),
      'PROJECT_NOT_FOUND',
    );
  });

  it('is refused by the live portal (PLAY_ONLY), which changes nothing', async () => {
    const before = await tableCounts(live.core);
    await expectCode(addPlayBalance(live.core, as(ann), { type: PORT_TYPE, units: 5 }), 'PLAY_ONLY');
    expect(await tableCounts(live.core)).toEqual(before);
  });
});

describe('activation keys with the prefix PLAY- (seed L338)', () => {
  it('"These will have the prefix "PLAY-" to identify them as play activation keys. You won\'t be able to upload them on my.innovaphone.com.": redeemed in the sandbox, refused by the live portal with PLAY_KEY_NOT_LIVE', async () => {
    const key = await createOwnKey(play.core, as(ann), { licenses: [{ type: GW_TYPE, units: 2 }] });
    expect(key.key).toMatch(/^PLAY-[2-9A-HJ-NP-Z]{5}(-[2-9A-HJ-NP-Z]{5}){4}$/);
    // The live portal, through its API, as a user would paste it: refused with the stable code.
    const token = await loginPortal(live.app, bob.user);
    const res = await call(live.app, 'POST', '/activation-keys/redeem', token, {
      key: key.key,
      projectId: bob.projectId,
    });
    expect(res.status).toBe(409);
    expect(((await res.json()) as { error: { code: string } }).error.code).toBe('PLAY_KEY_NOT_LIVE');
    await expectCode(redeemKey(live.core, as(bob), { key: key.key.toLowerCase() }), 'PLAY_KEY_NOT_LIVE');
    // In the sandbox, the key works like any own key.
    const r = await redeemKey(play.core, as(bob), { key: key.key });
    expect(r.licenses).toEqual([{ type: GW_TYPE, units: 2 }]);
  });

  it('keeps keys made on the live portal as they were (no prefix)', async () => {
    const key = await createOwnKey(live.core, as(ann), { licenses: [{ type: GW_TYPE, units: 1 }] });
    expect(key.key).toMatch(/^[2-9A-HJ-NP-Z]{5}(-[2-9A-HJ-NP-Z]{5}){4}$/);
  });
});

describe("a device's licenses, edited freely (seed L340, L346–348)", () => {
  const held = (deviceId: number) =>
    play.core.store.db
      .selectFrom('licenses')
      .select(['serial', 'license_type', 'units', 'state', 'device_id'])
      .where((eb) => eb.or([eb('device_id', '=', deviceId), eb('state', '=', 'free')]))
      .execute();
  const conserved = async (companyId: number) => {
    for (const c of await companyCounts(play.core.store.db, companyId))
      expect(c.activated, c.type).toBe(c.balance + c.bound + c.free + c.inKeys);
  };

  it('"you can add/change licenses as you want by selecting new ones in the dropdown box or changing existing ones"', async () => {
    const added = await addPlayLicense(play.core, as(ann), ann.device.deviceId, {
      type: 'PBX-Port14',
      units: 3,
    });
    expect(added).toMatchObject({ type: 'PBX-Port14', units: 3 });
    await changePlayLicense(play.core, as(ann), ann.device.deviceId, { serial: added.serial, units: 7 });
    await changePlayLicense(play.core, as(ann), ann.device.deviceId, { serial: ann.port.serial, units: 1 });
    const rows = await held(ann.device.deviceId);
    expect(rows.find((l) => l.serial === added.serial)).toMatchObject({ units: 7, state: 'bound' });
    expect(rows.find((l) => l.serial === ann.port.serial)).toMatchObject({ units: 1, state: 'bound' });
    await conserved(ann.companyId);
  });

  it('"\'D\' Deletes the license", "\'B\' Puts the license back into the projects balance", "\'F\' Puts the license into the pool of free licenses"', async () => {
    const a = await addPlayLicense(play.core, as(ann), ann.device.deviceId, { type: GW_TYPE, units: 4 });
    const b = await addPlayLicense(play.core, as(ann), ann.device.deviceId, { type: GW_TYPE, units: 5 });
    const balanceOf = async () =>
      (
        await play.core.store.db
          .selectFrom('balances')
          .select('units')
          .where('project_id', '=', ann.projectId)
          .where('license_type', '=', GW_TYPE)
          .executeTakeFirst()
      )?.units ?? 0;
    const balance = await balanceOf();
    const r = await editPlayLicenses(play.core, as(ann), ann.device.deviceId, [
      { serial: a.serial, action: 'D' },
      { serial: b.serial, action: 'B' },
      { serial: ann.gw.serial, action: 'F' },
    ]);
    expect(r).toEqual({ deleted: [a.serial], back: [b.serial], free: [ann.gw.serial] });
    const rows = await held(ann.device.deviceId);
    expect(rows.some((l) => l.serial === a.serial || l.serial === b.serial)).toBe(false);
    expect(rows.find((l) => l.serial === ann.gw.serial)).toMatchObject({ state: 'free', device_id: null });
    expect(await balanceOf()).toBe(balance + 5);
    await conserved(ann.companyId);
    const event = await play.core.store.db
      .selectFrom('history')
      .select(['event', 'device_id'])
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();
    expect(event).toEqual({ event: 'play.licenses_edited', device_id: ann.device.deviceId });
  });

  it("answers another company's device like a missing one, and leaves its licenses", async () => {
    const before = await held(bob.device.deviceId);
    await expectCode(
      editPlayLicenses(play.core, as(ann), bob.device.deviceId, [{ serial: bob.port.serial, action: 'D' }]),
      'DEVICE_NOT_FOUND',
    );
    await expectCode(
      addPlayLicense(play.core, as(ann), bob.device.deviceId, { type: GW_TYPE, units: 1 }),
      'DEVICE_NOT_FOUND',
    );
    await expectCode(
      addPlayLicense(play.core, as(ann), 999_999, { type: GW_TYPE, units: 1 }),
      'DEVICE_NOT_FOUND',
    );
    // Another company's serial on one's own device is no license of it either.
    await expectCode(
      editPlayLicenses(play.core, as(ann), ann.device.deviceId, [{ serial: bob.port.serial, action: 'D' }]),
      'NOT_FOUND',
    );
    expect(await held(bob.device.deviceId)).toEqual(before);
  });

  it('is refused by the live portal (PLAY_ONLY), which changes nothing', async () => {
    const before = await tableCounts(live.core);
    await expectCode(
      addPlayLicense(live.core, as(ann), ann.device.deviceId, { type: GW_TYPE, units: 1 }),
      'PLAY_ONLY',
    );
    await expectCode(
      changePlayLicense(live.core, as(ann), ann.device.deviceId, { serial: ann.port.serial, units: 9 }),
      'PLAY_ONLY',
    );
    await expectCode(
      editPlayLicenses(live.core, as(ann), ann.device.deviceId, [{ serial: ann.port.serial, action: 'D' }]),
      'PLAY_ONLY',
    );
    expect(await tableCounts(live.core)).toEqual(before);
  });
});

describe('downloads and invalidation (seed L342, L344)', () => {
  it('"You will always just download test licenses here!": every license in a file from the sandbox is a test license, never returnable', async () => {
    const r = await downloadForPortal(play.core, as(bob), bob.device.deviceId, {
      version: 13,
      encrypted: false,
      acceptNonReturnable: true,
    });
    const payload = openLicenseFile(r.xml, { signerPublicKeyPem: play.core.keys.licenseAuthorityCertPem });
    expect(payload.licenses.length).toBeGreaterThan(0);
    for (const l of payload.licenses) {
      expect(l.returnable).toBe(false);
      expect(l.testEnd).toMatch(/^\d{4}-\d{2}-\d{2}$/);
    }
    // The live portal's file of the same device holds its real licenses.
    const real = await downloadForPortal(live.core, as(bob), bob.device.deviceId, {
      version: 13,
      encrypted: false,
      acceptNonReturnable: true,
    });
    const livePayload = openLicenseFile(real.xml, {
      signerPublicKeyPem: live.core.keys.licenseAuthorityCertPem,
    });
    expect(livePayload.licenses.every((l) => l.testEnd === undefined || l.testEnd === null)).toBe(true);
  });

  it('"Won\'t be possible here, because this is hardware related and can\'t be simulated": an invalidation is refused with PLAY_NO_INVALIDATION', async () => {
    await expectCode(acceptInvalidation(play.core, as(bob), '<mylic-document/>'), 'PLAY_NO_INVALIDATION');
    // The live portal reads the document (and refuses this one for what it is, not for the sandbox).
    const e: unknown = await acceptInvalidation(live.core, as(bob), '<mylic-document/>').catch(
      (x: unknown) => x,
    );
    expect(e).toBeInstanceOf(MylicError);
    expect((e as MylicError).code).not.toBe('PLAY_NO_INVALIDATION');
  });
});

describe('device RMA (seed L350)', () => {
  it('"You can put a device under RMA to test this scenario … You can also remove the RMA status here": requested or arrived, and removed again', async () => {
    const state = async () =>
      (
        await play.core.store.db
          .selectFrom('devices')
          .select('rma_state')
          .where('id', '=', ann.device.deviceId)
          .executeTakeFirstOrThrow()
      ).rma_state;
    await setPlayRma(play.core, as(ann), ann.device.deviceId, { state: 'requested', reason: 'trying' });
    expect(await state()).toBe('requested');
    await setPlayRma(play.core, as(ann), ann.device.deviceId, { state: 'arrived', reason: '' });
    expect(await state()).toBe('arrived');
    // Removed even after it arrived (the live portal never allows that).
    await removePlayRma(play.core, as(ann), ann.device.deviceId);
    expect(await state()).toBeNull();
    await expectCode(removePlayRma(play.core, as(ann), ann.device.deviceId), 'RMA_STATE_INVALID');
    await expectCode(
      setPlayRma(play.core, as(ann), bob.device.deviceId, { state: 'arrived', reason: '' }),
      'DEVICE_NOT_FOUND',
    );
  });

  it('is refused by the live portal (PLAY_ONLY)', async () => {
    await expectCode(
      setPlayRma(live.core, as(ann), ann.device.deviceId, { state: 'arrived', reason: '' }),
      'PLAY_ONLY',
    );
    await expectCode(removePlayRma(live.core, as(ann), ann.device.deviceId), 'PLAY_ONLY');
  });
});
