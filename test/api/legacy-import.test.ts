import { readFile } from 'node:fs/promises';
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { main as bridgeCli } from '../../bridge/cli.js';
import type { MylicError } from '../../protocol/errors.js';
import type { Actor } from '../../bridge/core/context.js';
import {
  importLegacyDevices,
  importLegacyMac,
  legacyAccountView,
  legacyPasswordHash,
  legacyRemaining,
  loadLegacyExport,
  openLegacyAccount,
  verifyLegacyPassword,
} from '../../bridge/core/legacy/index.js';
import { createProject } from '../../bridge/core/organisation/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { countsOf, makeTenant, type Tenant } from '../bridge/fixtures.js';

/**
 * The Import from the old license manager (issue 15, item 1; seed L76–81, L305–321, L45, L352), on
 * docs/legacy-export.sample.json loaded as `mylic-bridge legacy load` does. Sample passwords:
 * anna-old-pass, bob-old-pass (PBKDF2-SHA256, group G-1001), carl-old-pass (scrypt, group G-1002).
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant; // company A: imports group G-1001
let bob: Tenant; // company B: holds 00-90-33-10-00-05 already; tries G-1001 after A
let dan: Tenant; // company C: carl's old account, and the single MAC
let A: Actor;
let B: Actor;
let C: Actor;
const SAMPLE = 'docs/legacy-export.sample.json';
const ANNA = { email: 'anna.old@example.com', password: 'anna-old-pass' };
const BOB = { email: 'bob.old@example.com', password: 'bob-old-pass' };
const CARL = { email: 'Carl.Old@example.com', password: 'carl-old-pass' };

const code = async (p: Promise<unknown>) => {
  try {
    await p;
  } catch (e) {
    return (e as MylicError).code;
  }
  return 'no error';
};
/** Units per type in the old license manager (not yet imported) plus the live companies' activated units. */
async function everything() {
  const sum = new Map(await legacyRemaining(tc.core.store.db));
  for (const t of [ann, bob, dan])
    for (const [type, c] of Object.entries(await countsOf(tc, t.companyId)))
      sum.set(type, (sum.get(type) ?? 0) + c.activated);
  return Object.fromEntries([...sum].sort());
}
/** Every company's counts hold: activated = balance + bound + free + inKeys. */
async function conserved() {
  for (const t of [ann, bob, dan])
    for (const c of Object.values(await countsOf(tc, t.companyId)))
      expect(c.activated, `${t.companyId} ${c.type}`).toBe(c.balance + c.bound + c.free + c.inKeys);
}
const placedIn = async (hardwareId: string) =>
  (
    await tc.core.store.db
      .selectFrom('device_projects')
      .innerJoin('devices', 'devices.id', 'device_projects.device_id')
      .select(['device_projects.project_id', 'device_projects.company_id'])
      .where('devices.hardware_id', '=', hardwareId)
      .execute()
  ).map((r) => r.project_id);
const licensesOn = async (hardwareId: string) =>
  tc.core.store.db
    .selectFrom('licenses')
    .innerJoin('devices', 'devices.id', 'licenses.device_id')
    .select([
      'licenses.serial',
      'licenses.license_type',
      'licenses.units',
      'licenses.project_id',
      'licenses.bind_date',
    ])
    .where('devices.hardware_id', '=', hardwareId)
    .orderBy('licenses.serial')
    .execute();
const lockedUsers = async () =>
  (
    await tc.core.store.db
      .selectFrom('legacy_users')
      .select('email')
      .where('locked_at', 'is not', null)
      .execute()
  ).map((r) => r.email);
const balance = async (projectId: number, type: string) =>
  (
    await tc.core.store.db
      .selectFrom('balances')
      .select('units')
      .where('project_id', '=', projectId)
      .where('license_type', '=', type)
      .executeTakeFirst()
  )?.units ?? 0;

beforeAll(async () => {
  root = await tempDir('mylic-legacy-import-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-10-00-03' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-10-00-05' });
  dan = await makeTenant(tc, { name: 'dan', mac: '00-90-33-20-00-01' });
  A = { userId: ann.user.id, companyId: ann.companyId };
  B = { userId: bob.user.id, companyId: bob.companyId };
  C = { userId: dan.user.id, companyId: dan.companyId };
  // The vendor's device database knows every sample device but 00-90-33-10-00-04 (seed L312–314: Not Found).
  for (const hw of ['009033100001', '009033100002', '009033100006'])
    await tc.core.store.db
      .insertInto('devices')
      .values({
        hardware_id: hw,
        device_type: 'IP811',
        cert_pem: null,
        invalidation_counter: 0,
        created_at: new Date().toISOString(),
      })
      .execute();
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

describe('mylic-bridge legacy load: the old license manager export', () => {
  it('refuses a file with a fault and loads nothing of it', async () => {
    const bad = JSON.parse(await readFile(SAMPLE, 'utf8'));
    bad.devices[0].licenses[0].type = 'PBX-Nonsense';
    expect(await code(loadLegacyExport(tc.core, JSON.stringify(bad)))).toBe('LEGACY_EXPORT_INVALID');
    expect(await code(loadLegacyExport(tc.core, '{"format":"other"}'))).toBe('LEGACY_EXPORT_INVALID');
    expect(await code(loadLegacyExport(tc.core, 'not json'))).toBe('LEGACY_EXPORT_INVALID');
    const groups = await tc.core.store.db.selectFrom('legacy_groups').select('id').execute();
    expect(groups).toEqual([]);
  });

  it('loads the sample into its own tables; a second load of the same file changes nothing', async () => {
    const text = await readFile(SAMPLE, 'utf8');
    expect(await loadLegacyExport(tc.core, text)).toEqual({
      groups: 2,
      users: 3,
      devices: 6,
      licenses: 7,
      skipped: 0,
    });
    expect(await loadLegacyExport(tc.core, text)).toMatchObject({
      groups: 0,
      users: 0,
      devices: 0,
      licenses: 0,
    });
  });

  it('is what `mylic-bridge legacy load FILE --json` loads (its own database here), and a missing file is exit 4', async () => {
    const saved = process.env.MYLIC_DATA;
    process.env.MYLIC_DATA = `${root.dir}/cli-data`;
    const out = vi.spyOn(console, 'log').mockImplementation(() => {});
    const err = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      expect(await bridgeCli(['legacy', 'load', SAMPLE, '--json'])).toBe(0);
      expect(JSON.parse(String(out.mock.calls.at(-1)?.[0]))).toEqual({
        ok: true,
        result: { groups: 2, users: 3, devices: 6, licenses: 7, skipped: 0 },
      });
      expect(await bridgeCli(['legacy', 'load', `${root.dir}/missing.json`])).toBe(4);
    } finally {
      out.mockRestore();
      err.mockRestore();
      if (saved === undefined) delete process.env.MYLIC_DATA;
      else process.env.MYLIC_DATA = saved;
    }
  });

  it('checks the old scheme (PBKDF2-HMAC-SHA256 of node:crypto) and ours (scrypt)', async () => {
    const hash = await legacyPasswordHash('secret', randomBytes(16), 1000);
    expect(hash).toMatch(/^pbkdf2-sha256\$1000\$/);
    expect(await verifyLegacyPassword('secret', hash)).toBe(true);
    expect(await verifyLegacyPassword('Secret', hash)).toBe(false);
    expect(await verifyLegacyPassword('secret', hash.replace('$1000$', '$10$'))).toBe(false);
    expect(await verifyLegacyPassword('secret', 'md5$abc')).toBe(false);
  });
});

describe('Import (seed L77: "You will have to enter your old account login")', () => {
  it('refuses a wrong password, and after five failures even the right one (rate-limited like log-ins)', async () => {
    expect(await code(openLegacyAccount(tc.core, A, { ...BOB, password: 'wrong' }, '192.0.2.9'))).toBe(
      'LOGIN_FAILED',
    );
    expect(
      await code(openLegacyAccount(tc.core, A, { email: 'nobody.old@example.com', password: 'x' }, null)),
    ).toBe('LOGIN_FAILED');
    for (let i = 0; i < 4; i++)
      await code(openLegacyAccount(tc.core, A, { ...BOB, password: `wrong${i}` }, '192.0.2.9'));
    expect(await code(openLegacyAccount(tc.core, A, BOB, '192.0.2.9'))).toBe('RATE_LIMITED');
    // Counted apart from a live account of the same e-mail (the network address counts for both).
    const rows = await tc.core.store.db.selectFrom('login_failures').select('subject').execute();
    const accounts = rows.map((r) => r.subject).filter((s) => !s.startsWith('address:'));
    expect(accounts.length).toBeGreaterThan(0);
    expect(accounts.every((s) => s.includes('legacy:'))).toBe(true);
  });

  it('"shows the balance of all users, which belong to your old group" and every device with its error or warning (L77, L305–321)', async () => {
    const { view } = await openLegacyAccount(tc.core, A, ANNA, '192.0.2.1');
    expect(view.groupId).toBe('G-1001');
    expect(view.users).toBe(2);
    expect(view.balance).toEqual([
      { type: 'PBX-Voicemail8', units: 2 },
      { type: 'PORT8', units: 15 },
    ]);
    const rows = Object.fromEntries(
      view.devices.map((d) => [d.display, { error: d.error, warnings: d.warnings }]),
    );
    expect(rows).toEqual({
      '00-90-33-10-00-01': { error: null, warnings: [] },
      // "Several Users: This device has licenses from several users of the old license manager."
      '00-90-33-10-00-02': { error: null, warnings: ['SEVERAL_USERS'] },
      // "Already In Company: This device already exists in your company and can't be added/imported."
      '00-90-33-10-00-03': { error: 'ALREADY_IN_COMPANY', warnings: [] },
      // "Several Companies: This device is already in another company."
      '00-90-33-10-00-05': { error: null, warnings: ['SEVERAL_COMPANIES'] },
    });
  });

  it('"Do not set SSA, if you want to import" (L45, L352): an import into a project under SSA is refused, nothing changes', async () => {
    const { token } = await openLegacyAccount(tc.core, A, ANNA, null);
    const ssa = await createProject(tc.core, A, { name: 'Under SSA' });
    await tc.core.store.db
      .updateTable('projects')
      .set({ ssa_end: '2099-12-31' })
      .where('id', '=', ssa.id)
      .execute();
    const before = await everything();
    expect(
      await code(
        importLegacyDevices(tc.core, A, { token, projectId: ssa.id, hardwareIds: ['00-90-33-10-00-01'] }),
      ),
    ).toBe('LEGACY_IMPORT_INTO_SSA');
    expect(await everything()).toEqual(before);
    expect(await placedIn('009033100001')).toEqual([]);
    expect(await lockedUsers()).toEqual([]);
  });

  it('imports the chosen devices with their licenses and the group balance in one go, conserved, and locks the old group (L77–78)', async () => {
    const before = await everything();
    const { token } = await openLegacyAccount(tc.core, A, ANNA, null);
    const r = await importLegacyDevices(tc.core, A, {
      token,
      projectId: ann.projectId,
      hardwareIds: ['00-90-33-10-00-01'],
    });
    expect(r.devices.map((d) => d.display)).toEqual(['00-90-33-10-00-01']);
    expect(r.lockedUsers).toBe(2);
    expect(await placedIn('009033100001')).toEqual([ann.projectId]);
    expect(await licensesOn('009033100001')).toEqual([
      {
        serial: 'OLD-0001',
        license_type: 'PBX7#15',
        units: 1,
        project_id: ann.projectId,
        bind_date: '2012-03-01',
      },
      {
        serial: 'OLD-0002',
        license_type: 'PORT8',
        units: 8,
        project_id: ann.projectId,
        bind_date: '2013-05-02',
      },
    ]);
    expect(await balance(ann.projectId, 'PORT8')).toBe(15);
    expect(await balance(ann.projectId, 'PBX-Voicemail8')).toBe(2);
    // "By confirming this import, all users of your group will be locked in the old license manager."
    expect((await lockedUsers()).sort()).toEqual(['anna.old@example.com', 'bob.old@example.com']);
    // Sum over legacy + live unchanged; every company's ledger adds up.
    expect(await everything()).toEqual(before);
    await conserved();
  });

  it('"You can import all not yet imported devices to another project" (L79), without the balance a second time', async () => {
    const second = await createProject(tc.core, A, { name: 'Second' });
    const before = await everything();
    // The old users are locked in the old license manager, not here: the log-in still opens the rest.
    const { token, view } = await openLegacyAccount(tc.core, A, ANNA, '192.0.2.77');
    expect(view.balance).toEqual([]);
    expect(view.balanceImported).toBe(true);
    expect(view.devices.find((d) => d.hardwareId === '009033100001')?.error).toBe('ALREADY_IMPORTED');
    const r = await importLegacyDevices(tc.core, A, {
      token,
      projectId: second.id,
      hardwareIds: ['00-90-33-10-00-02', '00-90-33-10-00-05'],
    });
    expect(r.balance).toEqual([]);
    expect(r.devices.map((d) => [d.display, d.warnings])).toEqual([
      ['00-90-33-10-00-02', ['SEVERAL_USERS']],
      ['00-90-33-10-00-05', ['SEVERAL_COMPANIES']],
    ]);
    expect(await placedIn('009033100002')).toEqual([second.id]);
    expect((await placedIn('009033100005')).sort()).toEqual([bob.projectId, second.id].sort());
    expect(await balance(second.id, 'PORT8')).toBe(0);
    expect(await everything()).toEqual(before);
    await conserved();
  });

  it('"Already Imported: You can\'t import it again" — refused, nothing changed', async () => {
    const { token } = await openLegacyAccount(tc.core, A, ANNA, null);
    const before = await everything();
    expect(
      await code(
        importLegacyDevices(tc.core, A, {
          token,
          projectId: ann.projectId,
          hardwareIds: ['00-90-33-10-00-01'],
        }),
      ),
    ).toBe('LEGACY_ALREADY_IMPORTED');
    // An error row has no checkbox; sent anyway it is refused with its own code.
    expect(
      await code(
        importLegacyDevices(tc.core, A, {
          token,
          projectId: ann.projectId,
          hardwareIds: ['00-90-33-10-00-03'],
        }),
      ),
    ).toBe('DEVICE_ALREADY_IN_COMPANY');
    expect(await everything()).toEqual(before);
  });

  it('another company cannot import what is already in a company: the old group and its devices stay where they went', async () => {
    expect(await code(openLegacyAccount(tc.core, B, ANNA, null))).toBe('LEGACY_GROUP_ELSEWHERE');
    const before = await everything();
    expect(
      await code(importLegacyMac(tc.core, B, { projectId: bob.projectId, mac: '00-90-33-10-00-01' })),
    ).toBe('LEGACY_ALREADY_IMPORTED');
    expect(await placedIn('009033100001')).toEqual([ann.projectId]);
    expect(await everything()).toEqual(before);
  });

  it('"Not Found: This device was not found in the my innovaphone database" — shown, and refused if sent', async () => {
    const { token, view } = await openLegacyAccount(tc.core, C, CARL, null);
    expect(view.devices.map((d) => [d.display, d.error])).toEqual([
      ['00-90-33-10-00-04', 'NOT_FOUND'],
      ['00-90-33-10-00-06', null],
    ]);
    expect(
      await code(
        importLegacyDevices(tc.core, C, {
          token,
          projectId: dan.projectId,
          hardwareIds: ['00-90-33-10-00-04'],
        }),
      ),
    ).toBe('DEVICE_UNKNOWN');
    // The single MAC (L81) likewise (issue 15 item 8: an import never makes a device the vendor does not know).
    const before = await everything();
    expect(
      await code(importLegacyMac(tc.core, C, { projectId: dan.projectId, mac: '00-90-33-10-00-04' })),
    ).toBe('DEVICE_UNKNOWN');
    expect(await placedIn('009033100004')).toEqual([]);
    expect(
      await tc.core.store.db
        .selectFrom('devices')
        .select('id')
        .where('hardware_id', '=', '009033100004')
        .execute(),
    ).toEqual([]);
    expect(await everything()).toEqual(before);
    expect(await lockedUsers()).not.toContain('carl.old@example.com');
  });

  it('"import just one mac address … Your old account and its balance won\'t be affected then" (L81)', async () => {
    const before = await everything();
    const r = await importLegacyMac(tc.core, C, { projectId: dan.projectId, mac: '00:90:33:10:00:06' });
    expect(r).toMatchObject({ display: '00-90-33-10-00-06', licenses: 1 });
    expect(await licensesOn('009033100006')).toEqual([
      {
        serial: 'OLD-0007',
        license_type: 'PORT8',
        units: 3,
        project_id: dan.projectId,
        bind_date: '2014-02-01',
      },
    ]);
    expect(await lockedUsers()).not.toContain('carl.old@example.com');
    const { view } = await openLegacyAccount(tc.core, C, CARL, null);
    expect(view.balance).toEqual([{ type: 'PBX7#15', units: 3 }]);
    expect(view.balanceImported).toBe(false);
    expect(view.devices.find((d) => d.hardwareId === '009033100006')?.error).toBe('ALREADY_IMPORTED');
    expect(
      await code(importLegacyMac(tc.core, C, { projectId: dan.projectId, mac: '00-90-33-99-99-99' })),
    ).toBe('LEGACY_DEVICE_NOT_IN_ACCOUNT');
    expect(await everything()).toEqual(before);
    await conserved();
  });

  it("walls: a locked member, another user's or an expired log-in, another company's project — refused, nothing changed", async () => {
    const { token } = await openLegacyAccount(tc.core, C, CARL, null);
    const before = await everything();
    // Another company's project by id: not found.
    expect(
      await code(importLegacyDevices(tc.core, C, { token, projectId: ann.projectId, hardwareIds: [] })),
    ).toBe('PROJECT_NOT_FOUND');
    expect(
      await code(importLegacyMac(tc.core, C, { projectId: ann.projectId, mac: '00-90-33-10-00-02' })),
    ).toBe('PROJECT_NOT_FOUND');
    // The log-in token is the user's and the company's own.
    expect(await code(legacyAccountView(tc.core, A, token))).toBe('LEGACY_LOGIN_EXPIRED');
    expect(
      await code(importLegacyDevices(tc.core, A, { token, projectId: ann.projectId, hardwareIds: [] })),
    ).toBe('LEGACY_LOGIN_EXPIRED');
    // It expires after 30 minutes.
    tc.clock.set(new Date(Date.now() + 31 * 60_000));
    expect(await code(legacyAccountView(tc.core, C, token))).toBe('LEGACY_LOGIN_EXPIRED');
    tc.clock.set(null);
    // A locked member of the company.
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', dan.user.id)
      .where('company_id', '=', dan.companyId)
      .execute();
    expect(await code(openLegacyAccount(tc.core, C, CARL, null))).toBe('USER_LOCKED');
    expect(
      await code(importLegacyDevices(tc.core, C, { token, projectId: dan.projectId, hardwareIds: [] })),
    ).toBe('USER_LOCKED');
    expect(
      await code(importLegacyMac(tc.core, C, { projectId: dan.projectId, mac: '00-90-33-10-00-02' })),
    ).toBe('USER_LOCKED');
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 0 })
      .where('user_id', '=', dan.user.id)
      .execute();
    expect(await everything()).toEqual(before);
  });
});
