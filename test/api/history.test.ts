import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { DEFAULT_PROJECT } from '../../bridge/core/companies.js';
import { bindFromBalance } from '../../bridge/core/licenses.js';
import { operatorCredit } from '../../bridge/core/operator.js';
import { get, loginPortal, makeTenant, postJson, type Tenant } from '../bridge/fixtures.js';

/** Seed: History — company, user and device contexts, the selected project, periods, paging, walls. */
describe('history', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let tc: TestCore;
  let a: Tenant;
  let b: Tenant;
  let tokenA: string;
  let tokenB: string;
  const history = async (query: string, token = tokenA) => {
    const res = await get(tc.app, `/api/v1/history?${query}`, token);
    return { status: res.status, json: (await res.json()) as any };
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-history-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    tc = await makeTestCore(tmp.dir, pki);
    a = await makeTenant(tc, { name: 'hista', mac: '00-90-33-44-00-01' });
    b = await makeTenant(tc, { name: 'histb', mac: '00-90-33-44-00-02' });
    tokenA = await loginPortal(tc.app, a.user);
    tokenB = await loginPortal(tc.app, b.user);
  });
  afterAll(async () => {
    await tc?.close();
    await tmp?.cleanup();
  });

  it("shows the company's events, newest first, and none of another company's", async () => {
    const r = await history('context=company&period=always');
    expect(r.status).toBe(200);
    const names = r.json.events.map((e: { event: string }) => e.event);
    expect(names).toEqual(expect.arrayContaining(['company.created', 'balance.credited', 'device.added', 'license.bound']));
    const ids = r.json.events.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(JSON.stringify(r.json)).not.toContain(b.device.hardwareId);
  });

  it('narrows to one user and to one device', async () => {
    const user = await history(`context=user&userId=${a.user.id}&period=always`);
    expect(user.json.events.length).toBeGreaterThan(0);
    expect(user.json.events.every((e: { userId: number }) => e.userId === a.user.id)).toBe(true);
    const device = await history(`context=device&hardwareId=${a.device.hardwareId}&period=always`);
    expect(device.json.events.map((e: { event: string }) => e.event)).toEqual(['license.bound', 'license.bound', 'device.added']);
  });

  it('finds a DECT handset by its IPEI in any form, with its licenses (bound by the operator and through the API)', async () => {
    const post = (path: string, body: unknown) => postJson(tc.app, `/api/v1${path}`, body, tokenA);
    const added = await post('/devices', { device: '00077 0123456 5', type: 'DECT-Handset', projectId: a.projectId });
    expect(added.status).toBe(201);
    const handset = (await added.json()) as { deviceId: number; hardwareId: string };
    expect(handset.hardwareId).toBe('0007701234565');
    await operatorCredit(tc.core, a.companyId, DEFAULT_PROJECT, 'Warranty-1Y', 3, 'ipei');
    // The operator's bind reads the IPEI like the portal does (it once took MACs only).
    const bound = await bindFromBalance(tc.core, a.actor, { projectId: a.projectId, hardwareId: '00077-0123456-5', licenseType: 'Warranty-1Y', units: 1 });
    expect(bound.hardwareId).toBe('0007701234565');
    expect((await post(`/devices/${handset.deviceId}/warranty`, { years: 1 })).status).toBe(201);
    const list = (await (await get(tc.app, `/api/v1/devices/${handset.deviceId}/licenses`, tokenA)).json()) as { hardwareId: string; licenses: { type: string }[] };
    expect(list.hardwareId).toBe('0007701234565');
    expect(list.licenses.map((l) => l.type)).toEqual(['Warranty-1Y', 'Warranty-1Y']);
    for (const form of ['00077%200123456%205', '0007701234565', '00077.0123456.5']) {
      const r = await history(`context=device&hardwareId=${form}&period=always`);
      expect(r.status, form).toBe(200);
      expect(r.json.events.map((e: { event: string }) => e.event)).toEqual(['warranty.extended', 'license.bound', 'device.added']);
      expect(r.json.events.every((e: { deviceId: number }) => e.deviceId === handset.deviceId)).toBe(true);
    }
    // A wrong check digit is a wrong IPEI, not another device.
    expect((await history('context=device&hardwareId=0007701234564&period=always')).json.error.code).toBe('IPEI_INVALID');
  });

  it("answers another company's device and user as not found", async () => {
    expect((await history(`context=device&hardwareId=${b.device.hardwareId}`)).json.error.code).toBe('DEVICE_NOT_FOUND');
    expect((await history(`context=user&userId=${b.user.id}`)).json.error.code).toBe('USER_NOT_FOUND');
  });

  it('pages through the events', async () => {
    const first = await history('period=always&pageSize=2&page=1');
    const second = await history('period=always&pageSize=2&page=2');
    expect(first.json.events).toHaveLength(2);
    expect(first.json.hasMore).toBe(true);
    expect(second.json.events[0].id).toBeLessThan(first.json.events[1].id);
  });

  it('keeps to the period asked for', async () => {
    // Age company A's events by ten days.
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await tc.core.store.db.updateTable('history').set({ created_at: tenDaysAgo }).where('company_id', '=', a.companyId).execute();
    expect((await history('period=week')).json.events).toEqual([]);
    expect((await history('period=day')).json.events).toEqual([]);
    expect((await history('period=month')).json.events.length).toBeGreaterThan(0);
  });

  it('applies the selected project', async () => {
    await tc.core.store.db.updateTable('sessions').set({ project_id: 999_999 }).where('user_id', '=', b.user.id).execute();
    expect((await history('period=always', tokenB)).json.events).toEqual([]);
    await tc.core.store.db.updateTable('sessions').set({ project_id: b.projectId }).where('user_id', '=', b.user.id).execute();
    expect((await history('period=always', tokenB)).json.events.length).toBeGreaterThan(0);
  });

  it('refuses a bad period and a user locked in the company', async () => {
    expect((await history('period=decade')).status).toBe(400);
    await tc.core.store.db.updateTable('memberships').set({ is_locked: 1 }).where('user_id', '=', b.user.id).execute();
    const locked = await history('period=always', tokenB);
    expect(locked.status).toBe(403);
    expect(locked.json.error.code).toBe('USER_LOCKED');
  });
});
