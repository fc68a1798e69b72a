import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Actor } from '../../bridge/core/context.js';
import {
  listDevicesKeyset,
  registerOrder,
  searchTuning,
  updateDevice,
} from '../../bridge/core/devices/index.js';
import { addKnownDevice } from '../support/vendor-devices.js';
import { createProject, DEFAULT_PROJECT, operatorCredit } from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor } from '../../bridge/web/web-session.js';
import { formatHardwareId } from '../../protocol/hardware-id.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { DEVICE_TYPE, makeTenant, type Tenant } from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * Devices → List as a page (seed L123-132): columns, filter, order and keyset pages (the next page
 * neither repeats nor skips a row), the CSV of the filtered list (spreadsheet formulas defused), name
 * and comment edited in the row, moving and removing selected rows — and the walls: a company sees its
 * own placements only, also of a device both companies hold; another company's device in a selection,
 * a locked member, a stale CSRF token or a post from another site change nothing.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
let annActor: Actor;
let bobActor: Actor;
/** A device both companies hold, each with its own name and comment. */
let shared: { deviceId: number; hardwareId: string };
const ORIGIN = 'https://portal.test';
const MANY = 57;

beforeAll(async () => {
  root = await tempDir('mylic-web-device-list-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-70-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-70-00-02' });
  annActor = { userId: ann.user.id, companyId: ann.companyId };
  bobActor = { userId: bob.user.id, companyId: bob.companyId };
  for (let i = 0; i < MANY; i++) {
    // Not in MAC order, so the two orders differ.
    const n = (i * 37) % 251;
    await addKnownDevice(
      tc.core,
      ann.actor,
      ann.projectId,
      `00-90-33-71-00-${n.toString(16).padStart(2, '0')}`,
      DEVICE_TYPE,
    );
  }
  const placed = await addKnownDevice(tc.core, ann.actor, ann.projectId, '00-90-33-72-00-01', DEVICE_TYPE);
  await addKnownDevice(tc.core, bob.actor, bob.projectId, '00-90-33-72-00-01', DEVICE_TYPE);
  shared = { deviceId: placed.deviceId, hardwareId: placed.hardwareId };
  await updateDevice(tc.core, annActor, shared.deviceId, {
    name: 'Ann front desk',
    comment: 'ann-only note',
  });
  await updateDevice(tc.core, bobActor, shared.deviceId, { name: 'Bob cellar', comment: 'bob-secret note' });
  await updateDevice(tc.core, bobActor, bob.device.deviceId, { name: 'Bob main PBX' });
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const request = (
  path: string,
  opts: { cookie: string; form?: Record<string, string | string[]>; lang?: string; origin?: string },
) => {
  let body: string | undefined;
  if (opts.form) {
    const p = new URLSearchParams();
    for (const [k, v] of Object.entries(opts.form))
      for (const x of Array.isArray(v) ? v : [v]) p.append(k, x);
    body = p.toString();
  }
  return tc.app.request(`${ORIGIN}${path}`, {
    method: opts.form ? 'POST' : 'GET',
    ...(body !== undefined ? { body } : {}),
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': opts.lang ?? 'en',
      cookie: opts.cookie,
      ...(opts.form
        ? { origin: opts.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
    },
  });
};
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
const placement = (deviceId: number, companyId: number) =>
  tc.core.store.db
    .selectFrom('device_projects')
    .selectAll()
    .where('device_id', '=', deviceId)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
const placements = (companyId: number) =>
  tc.core.store.db
    .selectFrom('device_projects')
    .select(['device_id', 'project_id', 'name', 'comment'])
    .where('company_id', '=', companyId)
    .orderBy('device_id')
    .execute();
/** The hardware ids linked from the rows of a list page, in order. */
const rowsOf = (html: string) =>
  [...html.matchAll(/<th scope="row"><a href="\/devices\/([0-9A-F*]+)"/g)].map((m) => m[1]!);
const nextOf = (html: string) => /<a href="([^"]+)" rel="next"/.exec(html)?.[1]?.replace(/&amp;/g, '&');

describe('devices list', () => {
  it('lists the company’s devices in German with their columns, each linked to its device page', async () => {
    const { cookie } = await logIn(ann.user);
    const res = await request('/devices?project=all&sort=added-desc', { cookie, lang: 'de' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(MESSAGES.de.dlIntro);
    expect(html).toContain('<th scope="col">Kommentar</th>');
    expect(html).toContain(`href="/devices/${shared.hardwareId}"`);
    expect(html).toContain('Ann front desk');
    expect(html).toContain('ann-only note');
    // The seed's "Several Companies" warning on the shared device.
    expect(html).toContain(MESSAGES.de.dlSeveralCompanies);
    expect(html).toContain('Nächste Seite');
  });

  it('pages by keyset: following the next links gives every device once, in order, in both orders', async () => {
    const { cookie } = await logIn(ann.user);
    const all = (await placements(ann.companyId)).map((p) => p.device_id);
    for (const sort of ['added', 'mac-desc'] as const) {
      const seen: string[] = [];
      let path: string | undefined = `/devices?project=all&sort=${sort}`;
      let pages = 0;
      while (path) {
        const html = await (await request(path, { cookie })).text();
        seen.push(...rowsOf(html));
        path = nextOf(html);
        pages++;
      }
      expect(pages).toBe(2);
      expect(seen.length).toBe(all.length);
      expect(new Set(seen).size).toBe(all.length);
      const sorted = [...seen].sort();
      expect(seen).toEqual(sort === 'mac-desc' ? sorted.reverse() : seen);
    }
    // Core: small pages joined equal one large page (no gap, no overlap) for every order, with and
    // without a filter, for a scope read whole and for one walked by index (searchTuning.scanLimit).
    const saved = searchTuning.scanLimit;
    try {
      for (const scanLimit of [saved, 5])
        for (const filter of ['71-00', ''])
          for (const sort of ['added', 'added-desc', 'mac', 'mac-desc'] as const) {
            searchTuning.scanLimit = scanLimit;
            const q = { projectId: null, sort, filter };
            const whole = await listDevicesKeyset(tc.core, annActor, { ...q, limit: 500 });
            const joined: number[] = [];
            let after: string | undefined;
            for (;;) {
              const p = await listDevicesKeyset(tc.core, annActor, { ...q, limit: 7, after });
              joined.push(...p.devices.map((d) => d.id));
              if (!p.next) break;
              // A full page before the last (no device here is listed twice).
              expect(p.devices.length).toBe(7);
              after = p.next;
            }
            expect(whole.next).toBeNull();
            const expected = filter ? MANY : (await placements(ann.companyId)).length;
            expect(whole.devices.length).toBe(expected);
            expect(whole.devices.every((d) => d.companyId === ann.companyId)).toBe(true);
            expect(joined).toEqual(whole.devices.map((d) => d.id));
            if (sort.startsWith('mac')) {
              const macs = whole.devices.map((d) => d.hardwareId);
              const sorted = [...macs].sort();
              expect(macs).toEqual(sort === 'mac' ? sorted : sorted.reverse());
            }
          }
    } finally {
      searchTuning.scanLimit = saved;
    }
  });

  it('filters by part of the name or the MAC in any form, and says so when nothing matches', async () => {
    const { cookie } = await logIn(ann.user);
    const byName = await (await request('/devices?project=all&q=front+desk', { cookie })).text();
    expect(rowsOf(byName)).toEqual([shared.hardwareId]);
    const byMac = await (await request('/devices?project=all&q=70%3A00%3A01', { cookie })).text();
    expect(rowsOf(byMac)).toEqual([ann.device.hardwareId]);
    const none = await (await request('/devices?project=all&q=nothing-like-this', { cookie })).text();
    expect(rowsOf(none)).toEqual([]);
    expect(none).toContain(MESSAGES.en.dlNoMatch);
    // Bob's own device and Bob's name of the shared device are never in Ann's list.
    const bobs = await (await request('/devices?project=all&q=Bob', { cookie })).text();
    expect(rowsOf(bobs)).toEqual([]);
  });

  it('shows each company only its own row, name and comment of a device both hold', async () => {
    const a = await logIn(ann.user);
    const b = await logIn(bob.user);
    const annHtml = await (await request(`/devices?project=all&q=72-00-01`, { cookie: a.cookie })).text();
    const bobHtml = await (await request(`/devices?project=all&q=72-00-01`, { cookie: b.cookie })).text();
    expect(rowsOf(annHtml)).toEqual([shared.hardwareId]);
    expect(rowsOf(bobHtml)).toEqual([shared.hardwareId]);
    expect(annHtml).toContain('Ann front desk');
    expect(annHtml).not.toContain('Bob cellar');
    expect(annHtml).not.toContain('bob-secret');
    expect(bobHtml).toContain('Bob cellar');
    expect(bobHtml).not.toContain('Ann front desk');
    expect(bobHtml).not.toContain('ann-only');
    const bobAll = await (await request('/devices?project=all', { cookie: b.cookie })).text();
    expect(rowsOf(bobAll).sort()).toEqual([bob.device.hardwareId, shared.hardwareId].sort());
    // Another company's project in the query: the not-found page, nothing of it.
    const foreign = await request(`/devices?project=${bob.projectId}`, { cookie: a.cookie });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain('Bob');
  });

  it('downloads the filtered list as CSV, with spreadsheet formulas defused', async () => {
    const { cookie } = await logIn(ann.user);
    await updateDevice(tc.core, annActor, ann.device.deviceId, {
      name: '=HYPERLINK("http://x")',
      comment: '+SUM(1;2), @cmd -1',
    });
    try {
      const res = await request('/devices.csv?project=all&q=70-00', { cookie });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-type')).toContain('text/csv');
      expect(res.headers.get('content-disposition')).toBe('attachment; filename="devices.csv"');
      const csv = (await res.text()).replace(/^\uFEFF/, '');
      const lines = csv.split('\r\n');
      expect(lines[0]).toBe('MAC/IPEI,Name,Type,Project,Comment,Licenses,Errors and warnings');
      // Only the filtered rows: Ann's own device (00-90-33-70-00-01), not Bob's.
      expect(lines.length).toBe(3);
      expect(lines[1]).toBe(
        `${formatHardwareId(ann.device.hardwareId)},"'=HYPERLINK(""http://x"")",IP811,DEFAULT,"'+SUM(1;2), @cmd -1",2,`,
      );
      expect(csv).not.toMatch(/(^|,)[=+@-]/m);
      // All rows when unfiltered, over the keyset chunks.
      const all = (await (await request('/devices.csv?project=all', { cookie })).text()).trim().split('\r\n');
      expect(all.length).toBe(1 + (await placements(ann.companyId)).length);
    } finally {
      await updateDevice(tc.core, annActor, ann.device.deviceId, { name: '', comment: '' });
    }
  });

  it('edits name and comment in the row; a MAC as name is refused with the input kept', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const id = ann.device.deviceId;
    const edit = await (await request(`/devices?project=all&edit=${id}`, { cookie, lang: 'nl' })).text();
    expect(edit).toContain('id="dl-edit-name"');
    expect(edit).toContain(MESSAGES.nl.dlSave);
    const bad = await request('/devices/list/edit', {
      cookie,
      lang: 'nl',
      form: { csrf, deviceId: String(id), name: '00-90-33-01-02-03', comment: 'kept', project: 'all' },
    });
    expect(bad.status).toBe(400);
    const badHtml = await bad.text();
    expect(badHtml).toContain('is een MAC-adres of een IPEI');
    expect(badHtml).toContain('value="kept"');
    expect((await placement(id, ann.companyId))!.comment).toBe('');
    const ok = await request('/devices/list/edit', {
      cookie,
      form: { csrf, deviceId: String(id), name: 'Reception', comment: 'second floor', project: 'all' },
    });
    expect(ok.status).toBe(303);
    const after = await (await request(ok.headers.get('location')!, { cookie })).text();
    expect(after).toContain(MESSAGES.en.dlSaved.replace('{device}', formatHardwareId(ann.device.hardwareId)));
    expect(await placement(id, ann.companyId)).toMatchObject({ name: 'Reception', comment: 'second floor' });
    const history = await tc.core.store.db
      .selectFrom('history')
      .select('event')
      .where('device_id', '=', id)
      .where('event', '=', 'device.updated')
      .execute();
    expect(history.length).toBeGreaterThan(0);
  });

  it("refuses editing another company's device as not found, changing nothing", async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await placement(bob.device.deviceId, bob.companyId);
    const res = await request('/devices/list/edit', {
      cookie,
      form: { csrf, deviceId: String(bob.device.deviceId), name: 'mine now', comment: 'x' },
    });
    expect(res.status).toBe(404);
    expect(await res.text()).not.toContain('Bob main PBX');
    expect(await placement(bob.device.deviceId, bob.companyId)).toEqual(before);
    // Nor through the edit link: the row is not in Ann's list.
    const page = await (await request(`/devices?edit=${bob.device.deviceId}`, { cookie })).text();
    expect(page).not.toContain('Bob main PBX');
  });

  it('moves selected devices to another project, and removes them after a confirmation', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const second = await createProject(tc.core, annActor, { name: 'Branch office' });
    const mine = (await placements(ann.companyId))
      .filter((p) => p.device_id !== ann.device.deviceId)
      .slice(0, 2);
    const ids = mine.map((p) => String(p.device_id));
    const move = await request('/devices/list/batch', {
      cookie,
      form: { csrf, deviceIds: ids, action: 'move', targetProjectId: String(second.id), project: 'all' },
    });
    expect(move.status).toBe(303);
    for (const p of mine) expect((await placement(p.device_id, ann.companyId))!.project_id).toBe(second.id);
    const moved = await (await request(move.headers.get('location')!, { cookie })).text();
    expect(moved).toContain('2 devices moved to Branch office.');

    const ask = await request('/devices/list/batch', {
      cookie,
      form: { csrf, deviceIds: ids, action: 'remove' },
    });
    expect(ask.status).toBe(200);
    expect(await ask.text()).toContain('Remove these 2 devices');
    for (const p of mine) expect(await placement(p.device_id, ann.companyId)).toBeDefined();
    const done = await request('/devices/list/batch', {
      cookie,
      form: { csrf, deviceIds: ids, action: 'remove', confirmed: 'yes' },
    });
    expect(done.status).toBe(303);
    for (const p of mine) expect(await placement(p.device_id, ann.companyId)).toBeUndefined();
    // The devices and their licenses stay (seed: Remove); the history has the events.
    const events = await tc.core.store.db
      .selectFrom('history')
      .select('event')
      .where(
        'device_id',
        'in',
        mine.map((p) => p.device_id),
      )
      .where('event', 'in', ['device.moved', 'device.removed'])
      .execute();
    expect(events.length).toBe(4);
    const none = await request('/devices/list/batch', { cookie, form: { csrf, action: 'remove' } });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain(MESSAGES.en.dlSelectSome);
  });

  it("refuses a selection holding another company's device, or a move into its project: nothing changes", async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const annBefore = await placements(ann.companyId);
    const bobBefore = await placements(bob.companyId);
    const mixed = [String(ann.device.deviceId), String(bob.device.deviceId)];
    const forms: Record<string, string | string[]>[] = [
      { csrf, deviceIds: mixed, action: 'remove' },
      { csrf, deviceIds: mixed, action: 'remove', confirmed: 'yes' },
      { csrf, deviceIds: mixed, action: 'move', targetProjectId: String(ann.projectId) },
      {
        csrf,
        deviceIds: [String(ann.device.deviceId)],
        action: 'move',
        targetProjectId: String(bob.projectId),
      },
    ];
    for (const form of forms) {
      const res = await request('/devices/list/batch', { cookie, form });
      expect(res.status).toBe(404);
      expect(await res.text()).not.toContain('Bob');
    }
    expect(await placements(ann.companyId)).toEqual(annBefore);
    expect(await placements(bob.companyId)).toEqual(bobBefore);
  });

  it('refuses a stale CSRF token and a post from another site, changing nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await placements(ann.companyId);
    const id = String(ann.device.deviceId);
    const stale = csrfFor('x'.repeat(43));
    for (const [path, form, origin] of [
      ['/devices/list/edit', { csrf: stale, deviceId: id, name: 'stale' }, ORIGIN],
      ['/devices/list/edit', { csrf, deviceId: id, name: 'cross' }, 'https://evil.test'],
      ['/devices/list/batch', { csrf: stale, deviceIds: [id], action: 'remove', confirmed: 'yes' }, ORIGIN],
      [
        '/devices/list/batch',
        { csrf, deviceIds: [id], action: 'remove', confirmed: 'yes' },
        'https://evil.test',
      ],
    ] as const) {
      const res = await request(path, { cookie, form: form as Record<string, string | string[]>, origin });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(MESSAGES.en.sessionExpired);
    }
    expect(await placements(ann.companyId)).toEqual(before);
  });

  it('shows a locked member the locked sentence and no devices, and lets it change nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await placements(ann.companyId);
    const lock = (v: number) =>
      tc.core.store.db
        .updateTable('memberships')
        .set({ is_locked: v })
        .where('user_id', '=', ann.user.id)
        .where('company_id', '=', ann.companyId)
        .execute();
    await lock(1);
    try {
      const page = await request('/devices?project=all', { cookie });
      expect(page.status).toBe(403);
      const html = await page.text();
      expect(html).toContain(MESSAGES.en.locked);
      expect(rowsOf(html)).toEqual([]);
      const csv = await request('/devices.csv', { cookie });
      expect(csv.status).toBe(403);
      expect(await csv.text()).toContain(MESSAGES.en.locked);
      const edit = await request('/devices/list/edit', {
        cookie,
        form: { csrf, deviceId: String(ann.device.deviceId), name: 'locked edit' },
      });
      expect(edit.status).not.toBe(303);
      const rm = await request('/devices/list/batch', {
        cookie,
        form: { csrf, deviceIds: [String(ann.device.deviceId)], action: 'remove', confirmed: 'yes' },
      });
      expect(rm.status).not.toBe(303);
      expect(await placements(ann.companyId)).toEqual(before);
    } finally {
      await lock(0);
    }
  });

  it('sends a visitor without a session to the log-in and back', async () => {
    const res = await request('/devices', { cookie: '' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fdevices');
    const csv = await request('/devices.csv', { cookie: '' });
    expect(csv.status).toBe(303);
  });
});

describe('devices list, moving into a project under SSA', () => {
  it('shows the SSC to pay first and moves only after the confirmation', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    await operatorCredit(tc.core, ann.companyId, DEFAULT_PROJECT, 'SSC', 500, 'fixture-ssc');
    const target = await createProject(tc.core, annActor, { name: 'Under SSA' });
    await tc.core.store.db
      .updateTable('projects')
      .set({ ssa_end: '2031-12-31' })
      .where('id', '=', target.id)
      .execute();
    const id = String(ann.device.deviceId);
    const form = { csrf, deviceIds: [id], action: 'move', targetProjectId: String(target.id) };
    const ask = await request('/devices/list/batch', { cookie, form });
    expect(ask.status).toBe(200);
    const html = await ask.text();
    expect(html).toContain('Project Under SSA is under SSA until');
    const total = /name="expectedTotal" value="(\d+)"/.exec(html)![1]!;
    expect(Number(total)).toBeGreaterThan(0);
    expect((await placement(ann.device.deviceId, ann.companyId))!.project_id).not.toBe(target.id);
    // A total other than the one shown: refused, nothing moves.
    const changed = await request('/devices/list/batch', {
      cookie,
      form: { ...form, expectedTotal: String(Number(total) + 1) },
    });
    expect(changed.status).toBe(409);
    expect(await changed.text()).toContain(MESSAGES.en.ssaChanged);
    expect((await placement(ann.device.deviceId, ann.companyId))!.project_id).not.toBe(target.id);
    const done = await request('/devices/list/batch', { cookie, form: { ...form, expectedTotal: total } });
    expect(done.status).toBe(303);
    expect((await placement(ann.device.deviceId, ann.companyId))!.project_id).toBe(target.id);
  });
});

describe('devices of an order as CSV', () => {
  it("downloads the company's order as CSV; another company's order is not found", async () => {
    await registerOrder(tc.core, {
      orderNumber: 'SO-9001',
      companyId: bob.companyId,
      devices: [{ device: '00-90-33-73-00-01' }],
    });
    const b = await logIn(bob.user);
    const res = await request('/devices/order.csv?order=SO-9001', { cookie: b.cookie });
    expect(res.status).toBe(200);
    expect(res.headers.get('content-disposition')).toBe('attachment; filename="order-SO-9001.csv"');
    expect(await res.text()).toContain('00-90-33-73-00-01');
    const a = await logIn(ann.user);
    const foreign = await request('/devices/order.csv?order=SO-9001', { cookie: a.cookie, lang: 'it' });
    expect(foreign.status).toBe(404);
    const html = await foreign.text();
    expect(html).toContain(MESSAGES.it.daOrderNotFound);
    expect(html).not.toContain('00-90-33-73-00-01');
  });
});
