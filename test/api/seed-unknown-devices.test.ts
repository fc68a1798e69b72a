import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as bridgeCli } from '../../bridge/cli.js';
import { addDevice, addDeviceRange, registerOrder } from '../../bridge/core/devices/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { ERROR_CODES } from '../../protocol/errors.js';
import { call as apiCall, ok } from '../support/api-client.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { logInThroughPage, PAGE_ORIGIN } from '../support/page-session.js';
import { tempDir } from '../support/tmp.js';
import { registerAsVendor } from '../support/vendor-devices.js';
import { countRows, expectError, loginPortal, makeTenant, type Tenant } from '../bridge/fixtures.js';

/**
 * Issue 15 item 8, unknown devices. The seed:
 *   L146 "There might be errors, if you try to add a device. They are explained here."
 *   L312 "Not Found"
 *   L313 "- This device was not found in the my innovaphone database."
 *   L314 "This should never happen, but if, contact the administrator."
 * The vendor's device database is the `devices` table; only the vendor fills it (factory registrations,
 * `ops device register --type`, orders). Adding a MAC or IPEI it does not know fails that line with
 * DEVICE_UNKNOWN and creates nothing; the type of an added device is always the database's.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let token: string;
const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
  apiCall(tc.app, method, path, token, body, headers);

const deviceRow = (hw: string) =>
  tc.core.store.db
    .selectFrom('devices')
    .select(['id', 'device_type'])
    .where('hardware_id', '=', hw)
    .executeTakeFirst();
const placedIn = async (hw: string) =>
  (
    await tc.core.store.db
      .selectFrom('device_projects as dp')
      .innerJoin('devices as d', 'd.id', 'dp.device_id')
      .select('dp.project_id')
      .where('d.hardware_id', '=', hw)
      .execute()
  ).map((r) => r.project_id);

/** A text as the page's escaping writes it. */
const escaped = (text: string) =>
  text
    .replace(/&/g, '&amp;')
    .replace(/</g, '&lt;')
    .replace(/>/g, '&gt;')
    .replace(/"/g, '&quot;')
    .replace(/'/g, '&#39;');

beforeAll(async () => {
  root = await tempDir('mylic-seed-unknown-devices-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-88-00-01' });
  token = await loginPortal(tc.app, ann.user);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

describe('L312–314 "Not Found — This device was not found in the my innovaphone database"', () => {
  it('an unknown MAC in a file of three fails its line with Not Found and adds nothing; the two known ones are added', async () => {
    await registerAsVendor(tc.core, 'IP811', '00-90-33-88-10-01', '00-90-33-88-10-03');
    const devices = await countRows(tc, 'devices');
    const r = await ok(
      call('POST', '/devices/file', {
        text: '00-90-33-88-10-01\n00-90-33-88-10-02\n00-90-33-88-10-03\n',
        projectId: ann.projectId,
      }),
    );
    expect(r).toMatchObject({ source: 'file', added: 2, failed: 1 });
    expect(r.rows.map((row: any) => [row.line, row.outcome, row.error?.code ?? null])).toEqual([
      [1, 'added', null],
      [2, 'failed', 'DEVICE_UNKNOWN'],
      [3, 'added', null],
    ]);
    expect(r.rows[1].error.message).toBe(
      "Device 00-90-33-88-10-02 was not found in the vendor's device database: check the MAC address; if it is right, contact the administrator.",
    );
    // The unknown line created no device and no placement; the known ones are placed.
    expect(await deviceRow('009033881002')).toBeUndefined();
    expect(await countRows(tc, 'devices')).toBe(devices);
    expect(await placedIn('009033881001')).toEqual([ann.projectId]);
    expect(await placedIn('009033881003')).toEqual([ann.projectId]);
    expect(ERROR_CODES.DEVICE_UNKNOWN).toMatchObject({ status: 404, exit: 4 });
  });

  it('one unknown device, a range with an unknown address, and an order line without a device: each Not Found', async () => {
    const devices = await countRows(tc, 'devices');
    const one = await expectError(
      await call('POST', '/devices', { device: '00:90:33:88:20:01', projectId: ann.projectId }),
      404,
      'DEVICE_UNKNOWN',
    );
    expect(one.message).toContain('00-90-33-88-20-01');
    await expect(addDevice(tc.core, ann.actor, ann.projectId, '882001')).rejects.toMatchObject({
      code: 'DEVICE_UNKNOWN',
    });
    await registerAsVendor(tc.core, 'IP222', '00-90-33-88-20-02');
    const range = await addDeviceRange(tc.core, ann.actor, {
      from: '00-90-33-88-20-01',
      to: '00-90-33-88-20-03',
      projectId: ann.projectId,
    });
    expect(range.rows.map((row) => [row.display, row.outcome, row.error?.code ?? null])).toEqual([
      ['00-90-33-88-20-01', 'failed', 'DEVICE_UNKNOWN'],
      ['00-90-33-88-20-02', 'added', null],
      ['00-90-33-88-20-03', 'failed', 'DEVICE_UNKNOWN'],
    ]);
    expect(await countRows(tc, 'devices')).toBe(devices + 1); // the one the vendor registered
    expect(await deviceRow('009033882001')).toBeUndefined();
  });
});

describe('the device type comes from the vendor database, never from the user', () => {
  it('a known MAC gets the database type; a request naming a type is refused and adds nothing', async () => {
    await registerAsVendor(tc.core, 'IP232', '00-90-33-88-30-01');
    const refused = await expectError(
      await call('POST', '/devices', {
        device: '00-90-33-88-30-01',
        type: 'IP811',
        projectId: ann.projectId,
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(JSON.stringify(refused)).toContain('type');
    await expectError(
      await call('POST', '/devices/range', {
        from: '00-90-33-88-30-01',
        to: '00-90-33-88-30-01',
        type: 'IP811',
        projectId: ann.projectId,
      }),
      400,
      'VALIDATION_FAILED',
    );
    expect(await placedIn('009033883001')).toEqual([]);
    const added = await ok(
      call('POST', '/devices', { device: '00-90-33-88-30-01', projectId: ann.projectId }),
      201,
    );
    expect(added).toMatchObject({ hardwareId: '009033883001', type: 'IP232' });
    expect((await ok(call('GET', `/devices/${added.deviceId}`))).type).toBe('IP232');
    expect((await deviceRow('009033883001'))?.device_type).toBe('IP232');
  });

  it('IPEI likewise: an unknown handset is Not Found (the sentence names the IPEI); a registered one is the database type', async () => {
    const unknown = await expectError(
      await call('POST', '/devices', { device: '00077 0123452 1', projectId: ann.projectId }),
      404,
      'DEVICE_UNKNOWN',
    );
    expect(unknown.message).toContain('check the IPEI');
    // The vendor registers it; a MAC-only type does not fit an IPEI even there.
    await expect(registerAsVendor(tc.core, 'IP811', '00077 0123452 1')).rejects.toMatchObject({
      code: 'DEVICE_TYPE_MISMATCH',
    });
    await registerAsVendor(tc.core, 'DECT-Handset', '00077 0123452 1');
    const added = await ok(
      call('POST', '/devices', { device: '000770123452 1', projectId: ann.projectId }),
      201,
    );
    expect(added).toMatchObject({ display: '00077 0123452 1', type: 'DECT-Handset' });
  });

  it('an order adds its devices with the types the vendor registered', async () => {
    await registerOrder(tc.core, {
      orderNumber: 'ORD-8840',
      companyId: ann.companyId,
      devices: [{ device: '00-90-33-88-40-01', type: 'IP6000' }],
    });
    const r = await ok(call('POST', '/devices/order', { orderNumber: 'ORD-8840', projectId: ann.projectId }));
    expect(r).toMatchObject({ added: 1, failed: 0 });
    expect((await deviceRow('009033884001'))?.device_type).toBe('IP6000');
  });
});

describe('the Add page (L146: "They are explained here")', () => {
  const post = (path: string, cookie: string, form: Record<string, string>, lang: string) =>
    tc.app.request(`${PAGE_ORIGIN}${path}`, {
      method: 'POST',
      body: new URLSearchParams(form).toString(),
      headers: {
        host: 'portal.test',
        origin: PAGE_ORIGIN,
        accept: 'text/html',
        'accept-language': lang,
        cookie,
        'content-type': 'application/x-www-form-urlencoded',
      },
    });

  it('shows Not Found in German for an unknown MAC, adds nothing, and has no type field', async () => {
    const { cookie, csrf } = await logInThroughPage(tc.app, ann.user);
    const res = await post(
      '/devices/add/single',
      cookie,
      { csrf, device: '00-90-33-88-50-01', projectId: String(ann.projectId) },
      'de',
    );
    expect(res.status).toBe(404);
    const html = await res.text();
    expect(html).toContain(escaped(MESSAGES.de.daErrNotFound));
    expect(MESSAGES.de.daErrNotFound).toContain('wenden Sie sich an den Administrator');
    expect(html).not.toContain('name="type"');
    expect(await deviceRow('009033885001')).toBeUndefined();
    const page = await tc.app.request(`${PAGE_ORIGIN}/devices/add`, {
      headers: { host: 'portal.test', accept: 'text/html', cookie },
    });
    expect(await page.text()).not.toContain('name="type"');
  });

  it('shows the unknown line of a file as refused in Italian, the others added; a type sent anyway changes nothing', async () => {
    await registerAsVendor(tc.core, 'IP241', '00-90-33-88-60-01', '00-90-33-88-60-03');
    const { cookie, csrf } = await logInThroughPage(tc.app, ann.user);
    const fd = new FormData();
    fd.append('csrf', csrf);
    fd.append('projectId', String(ann.projectId));
    fd.append('type', 'IP811');
    fd.append('file', new Blob(['00-90-33-88-60-01\n00-90-33-88-60-02\n00-90-33-88-60-03\n']), 'macs.txt');
    const res = await tc.app.request(`${PAGE_ORIGIN}/devices/add/file`, {
      method: 'POST',
      body: fd,
      headers: {
        host: 'portal.test',
        origin: PAGE_ORIGIN,
        accept: 'text/html',
        'accept-language': 'it',
        cookie,
      },
    });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(escaped(MESSAGES.it.daErrNotFound));
    expect(MESSAGES.it.daErrNotFound).toContain("contatta l'amministratore");
    expect(html).toContain(MESSAGES.it.daRefused);
    expect(await placedIn('009033886001')).toEqual([ann.projectId]);
    expect(await placedIn('009033886003')).toEqual([ann.projectId]);
    expect(await deviceRow('009033886002')).toBeUndefined();
    expect((await deviceRow('009033886001'))?.device_type).toBe('IP241');
    expect((await deviceRow('009033886003'))?.device_type).toBe('IP241');
  });
});

describe('the operator: ops device register --type, ops device add', () => {
  it('adds only what the vendor registered: unknown exits 4 with DEVICE_UNKNOWN, --type on add is refused, register then add works', async () => {
    const saved = process.env.MYLIC_DATA;
    process.env.MYLIC_DATA = `${root.dir}/cli-data`;
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    const last = () => JSON.parse(String(out.mock.calls.at(-1)?.[0] ?? err.mock.calls.at(-1)?.[0]));
    try {
      const run = (...args: string[]) => bridgeCli([...args, '--json']);
      expect(
        await run(
          'ops',
          'user',
          'create',
          '--email',
          'op@example.test',
          '--password',
          'pw-op-12345',
          '--name',
          'Op',
        ),
      ).toBe(0);
      expect(await run('ops', 'company', 'create', '--name', 'Op Ltd', '--admin', 'op@example.test')).toBe(0);
      expect(await run('ops', 'device', 'add', '--company', '1', '--mac', '00-90-33-88-70-01')).toBe(4);
      expect(last()).toMatchObject({ ok: false, error: { code: 'DEVICE_UNKNOWN' } });
      expect(
        await run('ops', 'device', 'add', '--company', '1', '--mac', '00-90-33-88-70-01', '--type', 'IP811'),
      ).toBe(2);
      expect(
        await run(
          'ops',
          'device',
          'register',
          '--type',
          'IP222',
          '--mac',
          '00-90-33-88-70-01',
          '--mac',
          '887002',
        ),
      ).toBe(0);
      expect(last().result.devices.map((d: any) => [d.display, d.deviceType, d.result])).toEqual([
        ['00-90-33-88-70-01', 'IP222', 'created'],
        ['00-90-33-88-70-02', 'IP222', 'created'],
      ]);
      expect(await run('ops', 'device', 'register', '--type', 'IP811', '--mac', '00-90-33-88-70-01')).toBe(2);
      expect(last()).toMatchObject({ ok: false, error: { code: 'DEVICE_TYPE_MISMATCH' } });
      expect(await run('ops', 'device', 'add', '--company', '1', '--mac', '00-90-33-88-70-01')).toBe(0);
      expect(last().result).toMatchObject({ hardwareId: '009033887001', type: 'IP222' });
    } finally {
      out.mockRestore();
      err.mockRestore();
      if (saved === undefined) delete process.env.MYLIC_DATA;
      else process.env.MYLIC_DATA = saved;
    }
  });
});
