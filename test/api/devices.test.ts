import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { main as bridgeMain } from '../../bridge/cli.js';
import { registerOrder } from '../../bridge/core/devices/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { setRight } from '../../bridge/core/rights.js';
import {
  FREED_RMA_PROJECT,
  isInRma,
  rmaArrived,
  rmaReship,
  rmaState,
} from '../../bridge/core/devices/index.js';
import { addRmaRequest } from '../../bridge/core/devices/index.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { call as apiCall, ok } from '../support/api-client.js';
import { tempDir } from '../support/tmp.js';
import {
  bind1,
  countRows,
  countsOf,
  expectError,
  expectOk,
  GW_TYPE,
  licenseRow,
  loginPortal,
  makeTenant,
  PORT_TYPE,
  type Tenant,
} from '../bridge/fixtures.js';
import { known, registerAsVendor } from '../support/vendor-devices.js';

/**
 * Devices through /api/v1 (seed: Devices → List, Add, Check status, Download devices of an order as
 * CSV, Properties, Move device, Remove; RMA; Project Freed_RMA_licenses; Errors; Warnings), on a real
 * SQLite file, with the outcomes read back from the database.
 */

let root: { dir: string; cleanup: () => Promise<void> };
let pki: Pki;
let coreNo = 0;
let tc: TestCore;

beforeAll(async () => {
  root = await tempDir('mylic-devices-');
  pki = await loadOrCreateDevPki(join(root.dir, 'pki'));
});
afterAll(async () => {
  await root.cleanup();
});
beforeEach(async () => {
  tc = await makeTestCore(join(root.dir, `core-${++coreNo}`), pki);
});
afterEach(async () => {
  await tc.close();
});

// ---------------------------------------------------------------------------------------------
// helpers

type Method = 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';

const call = (
  method: Method,
  path: string,
  token?: string,
  body?: unknown,
  headers?: Record<string, string>,
) => apiCall(tc.app, method, path, token, body, headers);

interface Who extends Tenant {
  token: string;
}

async function tenant(name: string, mac: string): Promise<Who> {
  const t = await makeTenant(tc, { name, mac });
  return { ...t, token: await loginPortal(tc.app, t.user) };
}

const selectProject = (who: Who, projectId: number | null) =>
  ok(call('PUT', '/session/project', who.token, { projectId }));

async function deviceId(hardwareId: string): Promise<number> {
  return (
    await tc.core.store.db
      .selectFrom('devices')
      .select('id')
      .where('hardware_id', '=', hardwareId)
      .executeTakeFirstOrThrow()
  ).id;
}

async function placements(hardwareId: string) {
  return tc.core.store.db
    .selectFrom('device_projects')
    .innerJoin('devices', 'devices.id', 'device_projects.device_id')
    .select([
      'device_projects.company_id',
      'device_projects.project_id',
      'device_projects.name',
      'device_projects.comment',
    ])
    .where('devices.hardware_id', '=', hardwareId)
    .orderBy('device_projects.company_id')
    .execute();
}

async function events(name: string) {
  return tc.core.store.db.selectFrom('history').selectAll().where('event', '=', name).orderBy('id').execute();
}

async function withCli<T>(
  fn: (run: (args: string[]) => Promise<{ code: number; out: any }>) => Promise<T>,
): Promise<T> {
  const saved = { ...process.env };
  Object.assign(process.env, {
    MYLIC_DATA: root.dir,
    MYLIC_SQLITE: join(root.dir, `core-${coreNo}`, 'test.sqlite'),
  });
  const log = vi.spyOn(console, 'log').mockImplementation(() => {});
  const err = vi.spyOn(console, 'error').mockImplementation(() => {});
  try {
    return await fn(async (args) => {
      const code = await bridgeMain([...args, '--json']);
      return { code, out: JSON.parse(String(log.mock.calls.at(-1)![0])) };
    });
  } finally {
    log.mockRestore();
    err.mockRestore();
    process.env = saved;
  }
}

// ---------------------------------------------------------------------------------------------
// add one

describe('adding one device', () => {
  it('adds a MAC in every form of the seed, telephones and DECT handsets (IPEI) to the selected project', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    await selectProject(a, a.projectId);
    const added = [];
    for (const [device, type] of [
      ['00-90-33-0A-10-01', 'IP811'],
      ['00:90:33:0a:10:02', 'IP6000'],
      ['0090330A1003', 'IP222'],
      ['0A1004', 'IP241'],
      ['00077 0123456 5', 'DECT-Handset'],
    ] as const) {
      added.push(await ok(call('POST', '/devices', a.token, await known(tc.core, { device, type })), 201));
    }
    expect(added.map((d) => [d.hardwareId, d.display, d.type, d.warnings, d.projectId])).toEqual([
      ['0090330A1001', '00-90-33-0A-10-01', 'IP811', [], a.projectId],
      ['0090330A1002', '00-90-33-0A-10-02', 'IP6000', [], a.projectId],
      ['0090330A1003', '00-90-33-0A-10-03', 'IP222', [], a.projectId],
      ['0090330A1004', '00-90-33-0A-10-04', 'IP241', [], a.projectId],
      ['0007701234565', '00077 0123456 5', 'DECT-Handset', [], a.projectId],
    ]);
    const list = await ok(call('GET', '/devices', a.token));
    expect(list.total).toBe(6);
    expect(list.devices.map((d: any) => [d.display, d.idKind])).toEqual([
      ['00-90-33-0A-00-01', 'mac'],
      ['00-90-33-0A-10-01', 'mac'],
      ['00-90-33-0A-10-02', 'mac'],
      ['00-90-33-0A-10-03', 'mac'],
      ['00-90-33-0A-10-04', 'mac'],
      ['00077 0123456 5', 'ipei'],
    ]);
    const history = await events('device.added');
    expect(history.slice(-5).map((h) => JSON.parse(h.detail).source)).toEqual([
      'single',
      'single',
      'single',
      'single',
      'single',
    ]);
  });

  it('refuses a device the vendor database does not know, a wrong IPEI, a bad MAC and a missing project, and adds nothing; the vendor cannot register a type that does not fit', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const devices = await countRows(tc, 'devices');
    const history = await countRows(tc, 'history');
    const p = a.projectId;
    // The type that does not fit, or is not in the catalog, is refused where types come from now: the vendor's registration.
    await expect(registerAsVendor(tc.core, 'IP811', '00077 0123456 5')).rejects.toMatchObject({
      code: 'DEVICE_TYPE_MISMATCH',
    });
    await expect(registerAsVendor(tc.core, 'DECT-Handset', '00-90-33-0A-10-09')).rejects.toMatchObject({
      code: 'DEVICE_TYPE_MISMATCH',
    });
    await expect(registerAsVendor(tc.core, 'IP9999', '00-90-33-0A-10-09')).rejects.toMatchObject({
      code: 'VALIDATION_FAILED',
    });
    await expectError(
      await call('POST', '/devices', a.token, { device: '00-90-33-0A-10-09', projectId: p }),
      404,
      'DEVICE_UNKNOWN',
    );
    await expectError(
      await call('POST', '/devices', a.token, { device: '00077 0123456 5', projectId: p }),
      404,
      'DEVICE_UNKNOWN',
    );
    await expectError(
      await call('POST', '/devices', a.token, { device: '00077 0123456 4', projectId: p }),
      400,
      'IPEI_INVALID',
    );
    await expectError(
      await call('POST', '/devices', a.token, { device: 'hello', projectId: p }),
      400,
      'MAC_INVALID',
    );
    // No project selected (all projects) and none named.
    await expectError(
      await call('POST', '/devices', a.token, { device: '00-90-33-0A-00-01' }),
      400,
      'PROJECT_NOT_SELECTED',
    );
    expect(await countRows(tc, 'devices')).toBe(devices);
    expect(await countRows(tc, 'history')).toBe(history);
  });

  it('answers DEVICE_ALREADY_IN_COMPANY for a device of the company and warns SEVERAL_COMPANIES for one of another company', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const b = await tenant('bruno', '00-90-33-0B-00-01');
    const again = await expectError(
      await call(
        'POST',
        '/devices',
        a.token,
        await known(tc.core, { device: '0A0001', type: 'IP811', projectId: a.projectId }),
      ),
      409,
      'DEVICE_ALREADY_IN_COMPANY',
    );
    expect(again.message).toContain('00-90-33-0A-00-01');
    const second = await ok(call('POST', '/projects', a.token, { name: 'Second' }), 201);
    // Another project of the same company: still the same company.
    await expectError(
      await call(
        'POST',
        '/devices',
        a.token,
        await known(tc.core, { device: '0A0001', type: 'IP811', projectId: second.id }),
      ),
      409,
      'DEVICE_ALREADY_IN_COMPANY',
    );
    const theirs = await ok(
      call(
        'POST',
        '/devices',
        b.token,
        await known(tc.core, {
          device: '00-90-33-0A-00-01',
          type: 'IP6000',
          projectId: b.projectId,
        }),
      ),
      201,
    );
    expect(theirs).toMatchObject({
      type: 'IP811',
      warnings: [{ code: 'SEVERAL_COMPANIES' }],
    });
    expect((await placements('0090330A0001')).map((p) => p.company_id)).toEqual([a.companyId, b.companyId]);
    expect(await countRows(tc, 'devices')).toBe(2);
    const detail = await ok(call('GET', `/devices/${theirs.deviceId}`, b.token));
    expect(detail).toMatchObject({
      otherCompanies: true,
      licenses: 2,
      external: false,
      companyId: b.companyId,
    });
  });
});

describe('the Several Users warning', () => {
  it('warns SEVERAL_USERS when the device holds licenses paid by more than one company, and not when one company paid them all', async () => {
    const _a = await tenant('alice', '00-90-33-0A-00-01');
    const b = await tenant('bruno', '00-90-33-0B-00-01');
    const c = await tenant('carla', '00-90-33-0C-00-01');
    // Bruno adds Alice's device: it holds licenses of Alice's company only.
    const theirs = await ok(
      call(
        'POST',
        '/devices',
        b.token,
        await known(tc.core, {
          device: '00-90-33-0A-00-01',
          type: 'IP811',
          projectId: b.projectId,
        }),
      ),
      201,
    );
    expect(theirs.warnings.map((w: any) => w.code)).toEqual(['SEVERAL_COMPANIES']);
    // Bruno binds a license of his own balance to it: now two companies paid for its licenses.
    await bind1(tc, b.actor, b.projectId, '0090330A0001', PORT_TYPE, 1);
    const third = await ok(
      call(
        'POST',
        '/devices',
        c.token,
        await known(tc.core, { device: '0090330A0001', type: 'IP811', projectId: c.projectId }),
      ),
      201,
    );
    expect(third.warnings.map((w: any) => w.code)).toEqual(['SEVERAL_COMPANIES', 'SEVERAL_USERS']);
    expect(third.warnings[1].message).toContain('do not import it');
    const added = (await events('device.added')).at(-1)!;
    expect(JSON.parse(added.detail as string).warnings).toEqual(['SEVERAL_COMPANIES', 'SEVERAL_USERS']);
  });
});

// ---------------------------------------------------------------------------------------------
// add many

describe('adding many devices', () => {
  it('adds a MAC range: at most 50, one outcome per device, each in its own transaction', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    await selectProject(a, a.projectId);
    // The seed's own example holds 513 addresses.
    const big = await expectError(
      await call(
        'POST',
        '/devices/range',
        a.token,
        await known(tc.core, {
          from: '00-90-33-08-20-00',
          to: '00-90-33-08-22-00',
          type: 'IP811',
        }),
      ),
      400,
      'DEVICE_BATCH_TOO_LARGE',
    );
    expect(big.details).toEqual({ count: 513, max: 50 });
    await expectError(
      await call(
        'POST',
        '/devices/range',
        a.token,
        await known(tc.core, {
          from: '00-90-33-08-20-05',
          to: '00-90-33-08-20-00',
          type: 'IP811',
        }),
      ),
      400,
      'DEVICE_RANGE_INVALID',
    );
    await expect(
      registerAsVendor(tc.core, 'DECT-Handset', '00-90-33-08-20-00', '00-90-33-08-20-01'),
    ).rejects.toMatchObject({ code: 'DEVICE_TYPE_MISMATCH' });
    expect(await countRows(tc, 'devices')).toBe(1);

    await ok(
      call('POST', '/devices', a.token, await known(tc.core, { device: '00-90-33-08-20-02', type: 'IP811' })),
      201,
    );
    const before = (await events('device.added')).length;
    const r = await ok(
      call(
        'POST',
        '/devices/range',
        a.token,
        await known(tc.core, { from: '082000', to: '00:90:33:08:20:04', type: 'IP811' }),
      ),
    );
    expect(r).toMatchObject({ source: 'range', projectId: a.projectId, added: 4, failed: 1 });
    expect(r.rows.map((row: any) => [row.line, row.display, row.outcome, row.error?.code ?? null])).toEqual([
      [1, '00-90-33-08-20-00', 'added', null],
      [2, '00-90-33-08-20-01', 'added', null],
      [3, '00-90-33-08-20-02', 'failed', 'DEVICE_ALREADY_IN_COMPANY'],
      [4, '00-90-33-08-20-03', 'added', null],
      [5, '00-90-33-08-20-04', 'added', null],
    ]);
    expect((await events('device.added')).length - before).toBe(4);
    expect(
      (await events('device.added')).slice(-4).every((e) => JSON.parse(e.detail).source === 'range'),
    ).toBe(true);

    const fifty = await ok(
      call(
        'POST',
        '/devices/range',
        a.token,
        await known(tc.core, {
          from: '00-90-33-08-30-00',
          to: '00-90-33-08-30-31',
          type: 'IP222',
        }),
      ),
    );
    expect(fifty).toMatchObject({ added: 50, failed: 0 });
    expect((await ok(call('GET', '/devices?limit=1', a.token))).total).toBe(1 + 1 + 4 + 50);
  });

  it('keeps the rows before and after a row that fails unexpectedly, and reports that row', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    // The session's first request writes its last use (at most once a minute): done before counting, so
    // the writes counted below are the rows' own.
    await ok(call('GET', '/projects', a.token));
    await registerAsVendor(tc.core, 'IP811', '00-90-33-08-40-00', '00-90-33-08-40-01', '00-90-33-08-40-02');
    const real = tc.core.store.write.bind(tc.core.store);
    let n = 0;
    const spy = vi
      .spyOn(tc.core.store, 'write')
      .mockImplementation(((fn: any) =>
        ++n === 2 ? Promise.reject(new Error('disk on fire')) : real(fn)) as any);
    const quiet = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const r = await ok(
        call('POST', '/devices/range', a.token, {
          from: '00-90-33-08-40-00',
          to: '00-90-33-08-40-02',
          projectId: a.projectId,
        }),
      );
      expect(r.rows.map((row: any) => [row.outcome, row.error?.code ?? null])).toEqual([
        ['added', null],
        ['failed', 'INTERNAL'],
        ['added', null],
      ]);
      expect(JSON.stringify(r)).not.toContain('disk on fire');
    } finally {
      spy.mockRestore();
      quiet.mockRestore();
    }
    expect((await placements('009033084000')).length).toBe(1);
    expect((await placements('009033084001')).length).toBe(0);
    expect((await placements('009033084002')).length).toBe(1);
  });

  it('adds a text file as JSON or text/plain; a bad line or more than 50 devices adds nothing', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const p = a.projectId;
    const r = await ok(
      call(
        'POST',
        '/devices/file',
        a.token,
        await known(tc.core, {
          text: '\r\n  00-90-33-08-50-01  \r\n\r\n00:90:33:08:50:02\n085003\n',
          type: 'IP811',
          projectId: p,
        }),
      ),
    );
    expect(r).toMatchObject({ source: 'file', added: 3, failed: 0 });
    expect(r.rows.map((row: any) => [row.line, row.input, row.hardwareId])).toEqual([
      [2, '00-90-33-08-50-01', '009033085001'],
      [4, '00:90:33:08:50:02', '009033085002'],
      [5, '085003', '009033085003'],
    ]);
    await registerAsVendor(tc.core, 'IP232', '00-90-33-08-50-04');
    const plain = await ok(
      call('POST', `/devices/file?projectId=${p}`, a.token, '00-90-33-08-50-03\n00-90-33-08-50-04\n', {
        'content-type': 'text/plain; charset=utf-8',
      }),
    );
    expect(plain.rows.map((row: any) => [row.outcome, row.error?.code ?? null])).toEqual([
      ['failed', 'DEVICE_ALREADY_IN_COMPANY'],
      ['added', null],
    ]);

    const devices = await countRows(tc, 'devices');
    const bad = await expectError(
      await call(
        'POST',
        '/devices/file',
        a.token,
        await known(tc.core, {
          text: '00-90-33-08-50-10\nnot-a-mac\n00-90-33-08-50-11',
          type: 'IP811',
          projectId: p,
        }),
      ),
      400,
      'MAC_INVALID',
    );
    expect(bad.details).toEqual({ lines: [{ line: 2, input: 'not-a-mac', message: expect.any(String) }] });
    const many = Array.from(
      { length: 51 },
      (_, i) => `00-90-33-08-6${Math.floor(i / 16).toString(16)}-${(i % 16).toString(16).padStart(2, '0')}`,
    ).join('\n');
    await expectError(
      await call(
        'POST',
        '/devices/file',
        a.token,
        await known(tc.core, { text: many, type: 'IP811', projectId: p }),
      ),
      400,
      'DEVICE_BATCH_TOO_LARGE',
    );
    // The type is the vendor database's: a ?type= is refused, not silently ignored.
    await expectError(
      await call('POST', `/devices/file?type=IP811&projectId=${p}`, a.token, '00-90-33-08-50-04', {
        'content-type': 'text/plain',
      }),
      400,
      'VALIDATION_FAILED',
    );
    await expectError(
      await call('POST', `/devices/file?projectId=${p}`, a.token, '00-90-33-08-50-12', {
        'content-type': 'text/csv',
      }),
      415,
      'UNSUPPORTED_MEDIA_TYPE',
    );
    expect(await countRows(tc, 'devices')).toBe(devices);
  });

  it('answers DEVICE_ALREADY_IMPORTED for a device listed again in the same file after an earlier line imported it', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const history = (await events('device.added')).length;
    const r = await ok(
      call(
        'POST',
        '/devices/file',
        a.token,
        await known(tc.core, {
          text: '00-90-33-08-70-01\n00-90-33-0A-00-01\n009033087001\n00:90:33:08:70:01\n00-90-33-0A-00-01\n',
          type: 'IP811',
          projectId: a.projectId,
        }),
      ),
    );
    expect(r.rows.map((row: any) => [row.line, row.outcome, row.error?.code ?? null])).toEqual([
      [1, 'added', null],
      // Already in the company before the file: each such line says so, none says "imported".
      [2, 'failed', 'DEVICE_ALREADY_IN_COMPANY'],
      [3, 'failed', 'DEVICE_ALREADY_IMPORTED'],
      [4, 'failed', 'DEVICE_ALREADY_IMPORTED'],
      [5, 'failed', 'DEVICE_ALREADY_IN_COMPANY'],
    ]);
    expect(r.rows[2].error.message).toContain('line 1');
    expect(r).toMatchObject({ added: 1, failed: 4 });
    expect((await placements('009033087001')).length).toBe(1);
    expect((await events('device.added')).length).toBe(history + 1);
  });

  it('adds the devices of an order: the operator registers it; DEVICE_UNKNOWN per row; CSV; other companies see no order', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const d = await tenant('dave', '00-90-33-0D-00-01');
    const order = await registerOrder(tc.core, {
      orderNumber: 'ORD-1001',
      companyId: a.companyId,
      orderedOn: '2024-03-01',
      devices: [
        { device: '00-90-33-0B-00-02', type: 'IP222' },
        { device: '00-90-33-0B-00-01', type: 'IP811' },
        { device: '00077 0123450 *', type: 'DECT-Handset' },
      ],
    });
    expect(order.devices.map((x) => x.created)).toEqual([true, true, true]);
    const shipped = await tc.core.store.db
      .selectFrom('devices')
      .select(['hardware_id', 'shipped_on', 'device_type'])
      .where('hardware_id', 'like', '0090330B%')
      .orderBy('hardware_id')
      .execute();
    expect(shipped).toEqual([
      { hardware_id: '0090330B0001', shipped_on: '2024-03-01', device_type: 'IP811' },
      { hardware_id: '0090330B0002', shipped_on: '2024-03-01', device_type: 'IP222' },
    ]);
    // A line of the vendor's records whose device the database lacks ("should never happen").
    await tc.core.store.db
      .insertInto('device_order_lines')
      .values({
        order_number: 'ORD-1001',
        hardware_id: '0090330B00FF',
        device_type: 'IP811',
        created_at: 'x',
      })
      .execute();

    const preview = await ok(call('GET', '/orders/ORD-1001', a.token));
    expect(preview).toMatchObject({ orderNumber: 'ORD-1001', orderedOn: '2024-03-01' });
    expect(preview.devices.map((x: any) => [x.display, x.type, x.projectId])).toEqual([
      ['00077 0123450 *', 'DECT-Handset', null],
      ['00-90-33-0B-00-01', 'IP811', null],
      ['00-90-33-0B-00-02', 'IP222', null],
      ['00-90-33-0B-00-FF', 'IP811', null],
    ]);

    const r = await ok(
      call('POST', '/devices/order', a.token, { orderNumber: 'ORD-1001', projectId: a.projectId }),
    );
    expect(r).toMatchObject({ source: 'order', added: 3, failed: 1 });
    expect(r.rows.find((row: any) => row.hardwareId === '0090330B00FF')).toMatchObject({
      outcome: 'failed',
      error: { code: 'DEVICE_UNKNOWN' },
    });
    const again = await ok(
      call('POST', '/devices/order', a.token, { orderNumber: 'ORD-1001', projectId: a.projectId }),
    );
    expect(again.rows.map((row: any) => row.error.code).sort()).toEqual([
      'DEVICE_ALREADY_IN_COMPANY',
      'DEVICE_ALREADY_IN_COMPANY',
      'DEVICE_ALREADY_IN_COMPANY',
      'DEVICE_UNKNOWN',
    ]);

    await ok(
      call('PATCH', `/devices/${await deviceId('0090330B0001')}`, a.token, {
        name: '=HYPERLINK("http://x","y")',
      }),
    );
    await ok(
      call('PATCH', `/devices/${await deviceId('0090330B0002')}`, a.token, { name: 'Reception, desk 2' }),
    );
    const csv = await expectOk(await call('GET', '/orders/ORD-1001/devices.csv', a.token));
    expect(csv.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(csv.headers.get('content-disposition')).toBe('attachment; filename="order-ORD-1001.csv"');
    expect(await csv.text()).toBe(
      [
        'MAC,Type,Name',
        '00077 0123450 *,DECT-Handset,',
        `00-90-33-0B-00-01,IP811,"'=HYPERLINK(""http://x"",""y"")"`,
        '00-90-33-0B-00-02,IP222,"Reception, desk 2"',
        '00-90-33-0B-00-FF,IP811,',
        '',
      ].join('\r\n'),
    );

    // Another company: the order does not exist for it.
    for (const [method, path, body] of [
      ['GET', '/orders/ORD-1001', undefined],
      ['GET', '/orders/ORD-1001/devices.csv', undefined],
      ['POST', '/devices/order', { orderNumber: 'ORD-1001', projectId: d.projectId }],
    ] as const) {
      const theirs = await expectError(await call(method, path, d.token, body), 404, 'ORDER_NOT_FOUND');
      const none = await expectError(
        await call(
          method,
          path.replace('ORD-1001', 'ORD-9999'),
          d.token,
          body && { ...body, orderNumber: 'ORD-9999' },
        ),
        404,
        'ORDER_NOT_FOUND',
      );
      expect(theirs.message.replace('ORD-1001', 'X')).toBe(none.message.replace('ORD-9999', 'X'));
    }
    await expectError(await call('GET', '/orders/bad%20number', a.token), 404, 'NOT_FOUND');
  });

  it('registers orders with the operator command `ops order add`', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const d = await tenant('dave', '00-90-33-0D-00-01');
    await withCli(async (run) => {
      const r = await run([
        'ops',
        'order',
        'add',
        '--order',
        'ORD-2002',
        '--company',
        String(a.companyId),
        '--mac',
        '00-90-33-0C-00-01',
        '--mac',
        '0C0002',
        '--type',
        'IP232',
        '--date',
        '2024-05-01',
      ]);
      expect(r.code).toBe(0);
      expect(r.out.result).toMatchObject({
        orderNumber: 'ORD-2002',
        orderedOn: '2024-05-01',
        devices: [
          { hardwareId: '0090330C0001', type: 'IP232' },
          { hardwareId: '0090330C0002', type: 'IP232' },
        ],
      });
      // The fixture device is known already: it keeps its type and gets its shipping date.
      const known = await run([
        'ops',
        'order',
        'add',
        '--order',
        'ORD-2002',
        '--company',
        String(a.companyId),
        '--mac',
        '00-90-33-0A-00-01',
      ]);
      expect(known.out.result.devices).toEqual([
        { hardwareId: '0090330A0001', display: '00-90-33-0A-00-01', type: 'IP811', created: false },
      ]);
      const clash = await run([
        'ops',
        'order',
        'add',
        '--order',
        'ORD-2002',
        '--company',
        String(d.companyId),
        '--mac',
        '0C0003',
      ]);
      expect([clash.code, clash.out.error.code]).toEqual([5, 'ALREADY_EXISTS']);
      const none = await run([
        'ops',
        'order',
        'add',
        '--order',
        'ORD-2003',
        '--company',
        String(a.companyId),
      ]);
      expect([none.code, none.out.error.code]).toEqual([2, 'USAGE']);
    });
    expect((await ok(call('GET', '/orders/ORD-2002', a.token))).devices).toHaveLength(3);
    expect(
      (
        await tc.core.store.db
          .selectFrom('devices')
          .select('shipped_on')
          .where('hardware_id', '=', '0090330A0001')
          .executeTakeFirstOrThrow()
      ).shipped_on,
    ).toBe('2024-05-01');
  });
});

// ---------------------------------------------------------------------------------------------
// list, properties, remove

describe('list, properties and remove', () => {
  it('lists the selected project or all projects, filters by part of name, comment or MAC in any form, and pages', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const b = await tenant('bruno', '00-90-33-0B-00-01');
    const second = await ok(call('POST', '/projects', a.token, { name: 'Second' }), 201);
    await ok(
      call(
        'POST',
        '/devices/range',
        a.token,
        await known(tc.core, {
          from: '00-90-33-08-20-10',
          to: '00-90-33-08-20-19',
          type: 'IP222',
          projectId: second.id,
        }),
      ),
    );
    await ok(
      call('PATCH', `/devices/${await deviceId('009033082012')}`, a.token, {
        name: 'Reception',
        comment: 'ground floor',
      }),
    );
    await ok(
      call('PATCH', `/devices/${await deviceId('009033082015')}`, a.token, {
        comment: 'Floor 2, near the RECEPTION',
      }),
    );
    // bruno's device with a matching name is never listed for alice.
    await ok(call('PATCH', `/devices/${b.device.deviceId}`, b.token, { name: 'Reception' }));

    const all = await ok(call('GET', '/devices', a.token));
    expect([all.projectId, all.total, all.devices.length]).toEqual([null, 11, 11]);
    expect(all.devices[0]).toMatchObject({
      display: '00-90-33-0A-00-01',
      projectName: 'DEFAULT',
      licenses: 2,
      inRma: false,
      rma: null,
      external: false,
      name: null,
    });
    await selectProject(a, second.id);
    expect((await ok(call('GET', '/devices', a.token))).total).toBe(10);
    expect(
      (await ok(call('GET', `/devices?projectId=${a.projectId}`, a.token))).devices.map(
        (d: any) => d.hardwareId,
      ),
    ).toEqual(['0090330A0001']);
    await selectProject(a, null);

    const filter = async (f: string) =>
      (await ok(call('GET', `/devices?filter=${encodeURIComponent(f)}`, a.token))).devices.map(
        (d: any) => d.hardwareId,
      );
    expect(await filter('reception')).toEqual(['009033082012', '009033082015']);
    expect(await filter('FLOOR')).toEqual(['009033082012', '009033082015']);
    expect(await filter('08-20-1')).toHaveLength(10);
    expect(await filter('08:20:12')).toEqual(['009033082012']);
    expect(await filter('082019')).toEqual(['009033082019']);
    expect(await filter('0A-00-01')).toEqual(['0090330A0001']);
    expect(await filter('nothing like it')).toEqual([]);
    // % and _ are plain characters.
    expect(await filter('%')).toEqual([]);

    const page = await ok(call('GET', '/devices?filter=08-20-1&offset=8&limit=5', a.token));
    expect([page.total, page.offset, page.limit, page.devices.map((d: any) => d.hardwareId)]).toEqual([
      10,
      8,
      5,
      ['009033082018', '009033082019'],
    ]);
    // Another company's project looks absent.
    await expectError(
      await call('GET', `/devices?projectId=${b.projectId}`, a.token),
      404,
      'PROJECT_NOT_FOUND',
    );
  });

  it('changes name and comment; a name is never a MAC or an IPEI; null shows the MAC again', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const id = a.device.deviceId;
    const d = await ok(call('PATCH', `/devices/${id}`, a.token, { name: '  Main PBX ', comment: 'rack 3' }));
    expect(d).toMatchObject({
      name: 'Main PBX',
      comment: 'rack 3',
      display: '00-90-33-0A-00-01',
      shippedOn: null,
      orderNumber: null,
      otherCompanies: false,
    });
    for (const name of ['00-90-33-0A-00-02', '0090330A0002', '00:90:33:0a:00:02', '00077 0123456 5']) {
      await expectError(await call('PATCH', `/devices/${id}`, a.token, { name }), 400, 'DEVICE_NAME_INVALID');
    }
    await expectError(await call('PATCH', `/devices/${id}`, a.token, {}), 400, 'VALIDATION_FAILED');
    expect(await ok(call('PATCH', `/devices/${id}`, a.token, { name: null }))).toMatchObject({
      name: null,
      comment: 'rack 3',
    });
    const updates = await events('device.updated');
    expect(updates.map((e) => JSON.parse(e.detail).after)).toEqual([
      { name: 'Main PBX', comment: 'rack 3' },
      { name: null, comment: 'rack 3' },
    ]);
    // The search index follows the properties.
    expect((await ok(call('GET', '/search?q=rack%203', a.token))).devices.map((x: any) => x.id)).toEqual([
      id,
    ]);
    expect((await ok(call('GET', '/search?q=Main%20PBX', a.token))).devices).toEqual([]);
  });

  it('removes one or several devices; their licenses stay with them; a selection is removed all or none', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const b = await tenant('bruno', '00-90-33-0B-00-01');
    await ok(
      call(
        'POST',
        '/devices/range',
        a.token,
        await known(tc.core, {
          from: '00-90-33-08-20-10',
          to: '00-90-33-08-20-12',
          type: 'IP222',
          projectId: a.projectId,
        }),
      ),
    );
    const licenses = await tc.core.store.db.selectFrom('licenses').selectAll().orderBy('id').execute();

    await ok(call('DELETE', `/devices/${a.device.deviceId}`, a.token), 204);
    expect(await placements('0090330A0001')).toEqual([]);
    expect(await tc.core.store.db.selectFrom('licenses').selectAll().orderBy('id').execute()).toEqual(
      licenses,
    );
    expect((await licenseRow(tc, a.port.serial)).state).toBe('bound');
    await expectError(await call('GET', `/devices/${a.device.deviceId}`, a.token), 404, 'DEVICE_NOT_FOUND');
    // Added again later, the device brings its licenses back.
    const back = await ok(
      call(
        'POST',
        '/devices',
        a.token,
        await known(tc.core, { device: '0A0001', type: 'IP811', projectId: a.projectId }),
      ),
      201,
    );
    expect(back).toMatchObject({ warnings: [] });
    expect((await ok(call('GET', `/devices/${a.device.deviceId}`, a.token))).licenses).toBe(2);

    const ids = [await deviceId('009033082010'), await deviceId('009033082011')];
    const before = await countRows(tc, 'history');
    await expectError(
      await call('POST', '/devices/remove', a.token, { deviceIds: [...ids, b.device.deviceId] }),
      404,
      'DEVICE_NOT_FOUND',
    );
    expect(await countRows(tc, 'history')).toBe(before);
    expect((await placements('009033082010')).length).toBe(1);
    const r = await ok(call('POST', '/devices/remove', a.token, { deviceIds: ids }));
    expect(r.removed).toEqual(ids.map((deviceId) => ({ deviceId, projectId: a.projectId })));
    expect((await ok(call('GET', '/devices', a.token))).devices.map((d: any) => d.hardwareId)).toEqual([
      '0090330A0001',
      '009033082012',
    ]);
    expect((await events('device.removed')).map((e) => e.device_id)).toEqual([a.device.deviceId, ...ids]);
  });
});

// ---------------------------------------------------------------------------------------------
// move

describe('moving devices', () => {
  it('moves devices with the licenses of their project to another project of the company, all or none', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const b = await tenant('bruno', '00-90-33-0B-00-01');
    const second = await ok(call('POST', '/projects', a.token, { name: 'Second' }), 201);
    await ok(
      call(
        'POST',
        '/devices',
        a.token,
        await known(tc.core, { device: '0A0002', type: 'IP811', projectId: a.projectId }),
      ),
      201,
    );
    // bruno's company has the same device and paid licenses for it: they stay with bruno's project.
    await ok(
      call(
        'POST',
        '/devices',
        b.token,
        await known(tc.core, { device: '0A0001', type: 'IP811', projectId: b.projectId }),
      ),
      201,
    );
    const brunos = await bind1(tc, b.actor, b.projectId, '0090330A0001', PORT_TYPE, 1);
    const countsA = await countsOf(tc, a.companyId);

    const other = await expectError(
      await call('POST', '/devices/move', a.token, {
        deviceIds: [a.device.deviceId],
        projectId: b.projectId,
      }),
      404,
      'PROJECT_NOT_FOUND',
    );
    expect(other.message).not.toContain(String(b.companyId));
    await expectError(
      await call('POST', '/devices/move', a.token, {
        deviceIds: [a.device.deviceId, b.device.deviceId],
        projectId: second.id,
      }),
      404,
      'DEVICE_NOT_FOUND',
    );
    expect((await placements('0090330A0001'))[0]!.project_id).toBe(a.projectId);

    const ids = [a.device.deviceId, await deviceId('0090330A0002')];
    const r = await ok(call('POST', '/devices/move', a.token, { deviceIds: ids, projectId: second.id }));
    expect(r).toEqual({
      projectId: second.id,
      moved: [
        { deviceId: ids[0], fromProjectId: a.projectId, licenses: 2 },
        { deviceId: ids[1], fromProjectId: a.projectId, licenses: 0 },
      ],
      unchanged: [],
      ssa: null,
    });
    expect((await placements('0090330A0001')).map((p) => p.project_id)).toEqual([second.id, b.projectId]);
    expect((await licenseRow(tc, a.port.serial)).project_id).toBe(second.id);
    expect((await licenseRow(tc, a.gw.serial)).project_id).toBe(second.id);
    expect((await licenseRow(tc, brunos.serial)).project_id).toBe(b.projectId);
    // Nothing is created or lost: the company's counts are the same.
    expect(await countsOf(tc, a.companyId)).toEqual(countsA);
    const moved = await events('device.moved');
    expect(moved.map((e) => [e.device_id, e.project_id, JSON.parse(e.detail).from.id])).toEqual([
      [ids[0], second.id, a.projectId],
      [ids[1], second.id, a.projectId],
    ]);
    const again = await ok(
      call('POST', '/devices/move', a.token, { deviceIds: [ids[0]], projectId: second.id }),
    );
    expect(again).toEqual({ projectId: second.id, moved: [], unchanged: [ids[0]], ssa: null });
    // The emptied project can be deleted now: no licenses are left behind in it.
    const third = await ok(call('POST', '/projects', a.token, { name: 'Third' }), 201);
    await ok(call('POST', '/devices/move', a.token, { deviceIds: ids, projectId: third.id }));
    await ok(call('DELETE', `/projects/${second.id}`, a.token), 204);
  });
});

// ---------------------------------------------------------------------------------------------
// RMA

describe('RMA', () => {
  it('requests RMA from the properties, lists arrived devices, and on reship frees the licenses into Freed_RMA_licenses', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const counts = await countsOf(tc, a.companyId);
    const id = a.device.deviceId;
    await expectError(
      await call('POST', `/devices/${id}/rma`, a.token, { reason: '' }),
      400,
      'VALIDATION_FAILED',
    );
    const rma = await ok(call('POST', `/devices/${id}/rma`, a.token, { reason: 'power supply broken' }), 201);
    expect(rma).toMatchObject({ state: 'requested', reason: 'power supply broken', arrivedAt: null });
    await expectError(
      await call('POST', `/devices/${id}/rma`, a.token, { reason: 'again' }),
      409,
      'RMA_STATE_INVALID',
    );
    expect((await ok(call('GET', `/devices/${id}`, a.token))).inRma).toBe(true);
    expect((await ok(call('GET', '/rma', a.token))).devices).toEqual([]);
    expect((await ok(call('GET', '/rma?state=requested', a.token))).devices.map((d: any) => d.id)).toEqual([
      id,
    ]);
    await expect(rmaReship(tc.core, '0A0001')).rejects.toMatchObject({ code: 'RMA_STATE_INVALID' });

    const arrived = await rmaArrived(tc.core, '00-90-33-0A-00-01');
    expect(arrived).toMatchObject({ state: 'arrived', reason: 'power supply broken' });
    await expect(rmaArrived(tc.core, '0A0001')).rejects.toMatchObject({ code: 'RMA_STATE_INVALID' });
    const list = await ok(call('GET', '/rma', a.token));
    expect(list.devices.map((d: any) => [d.id, d.rma.state, d.inRma])).toEqual([[id, 'arrived', true]]);

    const r = await rmaReship(tc.core, '0A0001');
    const freedProject = await tc.core.store.db
      .selectFrom('projects')
      .selectAll()
      .where('company_id', '=', a.companyId)
      .where('name', '=', FREED_RMA_PROJECT)
      .executeTakeFirstOrThrow();
    expect(r).toMatchObject({
      freed: [
        {
          companyId: a.companyId,
          projectId: freedProject.id,
          projectCreated: true,
          serials: [a.port.serial, a.gw.serial],
        },
      ],
      removedFrom: [{ companyId: a.companyId, projectId: a.projectId }],
    });
    for (const serial of [a.port.serial, a.gw.serial])
      expect(await licenseRow(tc, serial)).toMatchObject({
        state: 'free',
        device_id: null,
        project_id: freedProject.id,
      });
    expect(await placements('0090330A0001')).toEqual([]);
    expect(await rmaState(tc.core.store.db, id)).toBe('reshipped');
    expect(await isInRma(tc.core.store.db, id)).toBe(false);
    // Bound became free, nothing else changed.
    const after = await countsOf(tc, a.companyId);
    for (const [type, c] of Object.entries(counts))
      expect(after[type]).toMatchObject({
        activated: c.activated,
        balance: c.balance,
        bound: 0,
        free: c.bound + c.free,
      });
    expect((await ok(call('GET', '/projects', a.token))).projects.map((p: any) => p.name)).toContain(
      FREED_RMA_PROJECT,
    );
    const ev = await events('device.rma_reshipped');
    expect(ev.map((e) => [e.company_id, e.device_id])).toEqual([[a.companyId, id]]);
    expect(JSON.parse(ev[0]!.detail).freed.serials).toEqual([a.port.serial, a.gw.serial]);
    await expect(rmaReship(tc.core, '0A0001')).rejects.toMatchObject({ code: 'RMA_STATE_INVALID' });

    // The device can go to its new customer and be requested again later.
    const c = await tenant('carl', '00-90-33-0C-00-01');
    expect(
      await ok(
        call(
          'POST',
          '/devices',
          c.token,
          await known(tc.core, { device: '0A0001', type: 'IP811', projectId: c.projectId }),
        ),
        201,
      ),
    ).toMatchObject({ warnings: [] });
    expect((await ok(call('GET', `/devices/${id}`, c.token))).licenses).toBe(0);
    await ok(call('POST', `/devices/${id}/rma`, c.token, { reason: 'second time' }), 201);
  });

  it("frees each company's licenses into its own Freed_RMA_licenses, reusing an existing one, and works through the operator commands", async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const b = await tenant('bruno', '00-90-33-0B-00-01');
    await ok(
      call(
        'POST',
        '/devices',
        b.token,
        await known(tc.core, { device: '0A0001', type: 'IP811', projectId: b.projectId }),
      ),
      201,
    );
    const brunos = await bind1(tc, b.actor, b.projectId, '0090330A0001', PORT_TYPE, 3);
    const existing = await ok(call('POST', '/projects', b.token, { name: FREED_RMA_PROJECT }), 201);
    // Moved before: the device was marked by the license move (other area) and the first reason stays.
    const mark = (reason: string) =>
      tc.core.store.write((tx) =>
        addRmaRequest(tx, new Date().toISOString(), {
          deviceId: a.device.deviceId,
          hardwareId: '0090330A0001',
          companyId: a.companyId,
          userId: null,
          reason,
        }),
      );
    expect(await mark('licenses moved to 00-90-33-0A-00-09')).toBe(true);
    expect(await mark('something else')).toBe(false);
    expect((await ok(call('GET', `/devices/${a.device.deviceId}`, a.token))).rma).toMatchObject({
      state: 'requested',
      reason: 'licenses moved to 00-90-33-0A-00-09',
    });

    await withCli(async (run) => {
      const early = await run(['ops', 'rma', 'reship', '--mac', '00-90-33-0A-00-01']);
      expect([early.code, early.out.error.code]).toEqual([5, 'RMA_STATE_INVALID']);
      expect((await run(['ops', 'rma', 'arrived', '--mac', '00-90-33-0A-00-01'])).out.result).toMatchObject({
        state: 'arrived',
        hardwareId: '0090330A0001',
      });
      const r = await run(['ops', 'rma', 'reship', '--mac', '0A0001']);
      expect(r.code).toBe(0);
      expect(r.out.result.freed).toEqual([
        {
          companyId: a.companyId,
          projectId: expect.any(Number),
          projectCreated: true,
          serials: [a.port.serial, a.gw.serial],
        },
        { companyId: b.companyId, projectId: existing.id, projectCreated: false, serials: [brunos.serial] },
      ]);
      expect((await run(['ops', 'rma', 'arrived', '--mac', '0A0999'])).out.error.code).toBe(
        'DEVICE_NOT_FOUND',
      );
    });
    expect(await licenseRow(tc, brunos.serial)).toMatchObject({ state: 'free', project_id: existing.id });
    expect(await placements('0090330A0001')).toEqual([]);
    expect((await events('device.rma_reshipped')).map((e) => e.company_id)).toEqual([
      a.companyId,
      b.companyId,
    ]);
    // Every company that holds the device sees that it arrived at the vendor.
    expect(
      (await events('device.rma_arrived')).map((e) => [e.company_id, JSON.parse(e.detail).requestedBefore]),
    ).toEqual([
      [a.companyId, true],
      [b.companyId, true],
    ]);
  });
});

// ---------------------------------------------------------------------------------------------
// status of a foreign device

describe('licence, SSA and warranty status of a device', () => {
  it('needs the right check-foreign-device and shows licenses with SSA end and the warranty end, never the owner', async () => {
    const a = await tenant('alice', '00-90-33-0A-00-01');
    const c = await tenant('carl', '00-90-33-0C-00-01');
    await registerOrder(tc.core, {
      orderNumber: 'ORD-7',
      companyId: a.companyId,
      orderedOn: '2023-02-28',
      devices: [{ device: '00-90-33-0A-00-01' }],
    });
    await tc.core.store.db
      .updateTable('licenses')
      .set({ ssa_end: '2027-12-31' })
      .where('serial', '=', a.port.serial)
      .execute();
    await operatorCredit(tc.core, a.companyId, 'DEFAULT', 'Warranty-1Y', 2, 'fixture');
    const warranty = await bind1(tc, a.actor, a.projectId, '0090330A0001', 'Warranty-1Y', 2);

    const path = '/device-status?device=00-90-33-0A-00-01';
    await expectError(await call('GET', path, c.token), 403, 'FORBIDDEN');
    // Without the right even an unknown device answers FORBIDDEN: nothing to probe.
    await expectError(
      await call('GET', '/device-status?device=00-90-33-0F-0F-0F', c.token),
      403,
      'FORBIDDEN',
    );
    await setRight(tc.core, c.user.id, 'check-foreign-device', true);
    const s = await ok(call('GET', path, c.token));
    expect(s).toEqual({
      hardwareId: '0090330A0001',
      display: '00-90-33-0A-00-01',
      type: 'IP811',
      inYourCompany: false,
      inRma: false,
      rma: null,
      licenses: [
        {
          serial: a.port.serial,
          type: PORT_TYPE,
          units: 4,
          version: 13,
          bindDate: expect.any(String),
          ssaEnd: '2027-12-31',
        },
        {
          serial: a.gw.serial,
          type: GW_TYPE,
          units: 2,
          version: null,
          bindDate: expect.any(String),
          ssaEnd: null,
        },
        {
          serial: warranty.serial,
          type: 'Warranty-1Y',
          units: 2,
          version: null,
          bindDate: expect.any(String),
          ssaEnd: null,
        },
      ],
      // Shipped 2023-02-28 + 2 years base + 2 years of extensions.
      warranty: {
        start: '2023-02-28',
        startSource: 'shipped',
        baseYears: 2,
        extensionYears: 2,
        extensions: [{ serial: warranty.serial, type: 'Warranty-1Y', years: 2 }],
        end: '2027-02-28',
      },
    });
    expect(JSON.stringify(s)).not.toMatch(/alice|companyId|projectId/);
    await expectError(
      await call('GET', '/device-status?device=00-90-33-0F-0F-0F', c.token),
      404,
      'DEVICE_NOT_FOUND',
    );
    await expectError(await call('GET', '/device-status?device=nonsense', c.token), 400, 'MAC_INVALID');
    // A device of your own company says so; without a shipping date the warranty starts when it was added.
    await setRight(tc.core, a.user.id, 'check-foreign-device', true);
    await ok(
      call(
        'POST',
        '/devices',
        a.token,
        await known(tc.core, { device: '0A0002', type: 'IP222', projectId: a.projectId }),
      ),
      201,
    );
    const own = await ok(call('GET', '/device-status?device=0A0002', a.token));
    expect(own).toMatchObject({ inYourCompany: true, warranty: { startSource: 'added', extensionYears: 0 } });
    expect(own.warranty.end.slice(0, 4)).toBe(String(Number(own.warranty.start.slice(0, 4)) + 2));
  });
});
