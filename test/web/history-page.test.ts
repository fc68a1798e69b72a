import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { addKnownDevice } from '../support/vendor-devices.js';
import { resolveSession } from '../../bridge/core/accounts/index.js';
import {
  addMember,
  createProject,
  removeMember,
  selectProject,
} from '../../bridge/core/organisation/index.js';
import { formatHardwareId } from '../../protocol/hardware-id.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { DEVICE_TYPE, makeTenant, makeUser, type Tenant } from '../bridge/fixtures.js';

/**
 * The History page (seed: History, L254-261): the company's, a user's or a device's events as sentences
 * in the reader's language, newest first, over a period or between dates, a page at a time; and its
 * walls: another company's user or device answers the "not found" page, a device another company holds
 * too shows each company only its own events, a locked member sees nothing.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-history-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-65-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-65-00-02' });
  // Bob's company holds Ann's device too (seed: Warnings, "Several Companies").
  await addKnownDevice(tc.core, bob.actor, bob.projectId, ann.device.hardwareId, DEVICE_TYPE);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const page = (path: string, cookie?: string, lang = 'en') =>
  tc.app.request(`${ORIGIN}${path}`, {
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': lang,
      ...(cookie ? { cookie } : {}),
    },
  });
async function logIn(user: { email: string; password: string }) {
  const res = await tc.app.request(`${ORIGIN}/login`, {
    method: 'POST',
    body: new URLSearchParams(user).toString(),
    headers: { host: 'portal.test', origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
  });
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '')![1]!;
  return `${SESSION_COOKIE}=${token}`;
}
const ANN_MAC = formatHardwareId('009033650001');
const BOB_MAC = formatHardwareId('009033650002');
/** The event rows of the page, as their text. */
const rows = (html: string) =>
  [...(html.split('<tbody>')[1] ?? '').matchAll(/<tr>(.*?)<\/tr>/gs)].map((m) =>
    m[1]!.replace(/<[^>]+>/g, ' '),
  );

describe('the History page', () => {
  it('sends a visitor without a session to the log-in and back', async () => {
    const res = await page('/history');
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/history')}`);
  });

  it("shows the company's events as sentences in the reader's language, newest first, none of another company's", async () => {
    const res = await page('/history', await logIn(ann.user), 'de');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`Das Gerät ${ANN_MAC} wurde dem Projekt hinzugefügt.`);
    expect(html).toContain(
      `4 × PBX-Port13 wurden an das Gerät ${ANN_MAC} gebunden (Lizenz ${ann.port.serial}).`,
    );
    expect(html).toContain('Der Hersteller hat 10 × PBX-Port13 dem Guthaben gutgeschrieben.');
    expect(html).toContain('Die Firma Company ann wurde angelegt.');
    // Newest first: the binding came after the device was added, the company came first of all.
    const bound = html.indexOf('wurden an das Gerät');
    const added = html.indexOf('wurde dem Projekt hinzugefügt');
    const created = html.indexOf('Die Firma Company ann wurde angelegt');
    expect(bound).toBeLessThan(added);
    expect(added).toBeLessThan(created);
    expect(html).toContain('Zeit (UTC)');
    // Nothing of Bob's company, though it holds Ann's device too.
    expect(html).not.toContain(BOB_MAC);
    expect(html).not.toContain('Company bob');
    expect(html).not.toContain(bob.user.email);
  });

  it("shows one user's events, and answers another company's user, or no id at all, with the not-found page", async () => {
    const cookie = await logIn(ann.user);
    const mine = await page(`/history?context=user&user=${ann.user.id}&period=always`, cookie, 'fr');
    expect(mine.status).toBe(200);
    const html = await mine.text();
    expect(html).toContain('Ce que ann a fait');
    expect(html).toContain(`L’appareil ${ANN_MAC} a été ajouté au projet.`);
    for (const path of [`/history?context=user&user=${bob.user.id}`, '/history?context=user&user=abc']) {
      const res = await page(path, cookie);
      expect(res.status, path).toBe(404);
      const text = await res.text();
      expect(text).toContain(MESSAGES.en.notFound);
      expect(text).not.toContain(bob.user.email);
      expect(text).not.toContain('<tbody>');
    }
    const none = await page('/history?context=user', cookie, 'nl');
    expect(none.status).toBe(400);
    expect(await none.text()).toContain(MESSAGES.nl.historyChooseUser);
  });

  it("shows one device's events, and answers a device of another company with the not-found page", async () => {
    const cookie = await logIn(ann.user);
    const res = await page(`/history?context=device&device=${ANN_MAC}`, cookie, 'it');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(`Che cosa è successo al dispositivo ${ANN_MAC}`);
    expect(html).toContain(`href="/devices/009033650001"`);
    expect(rows(html).length).toBeGreaterThanOrEqual(3);
    for (const r of rows(html)) expect(r).toContain(ANN_MAC);
    const other = await page(`/history?context=device&device=${BOB_MAC}`, cookie);
    expect(other.status).toBe(404);
    const text = await other.text();
    expect(text).toContain(MESSAGES.en.notFound);
    expect(text).not.toContain(BOB_MAC);
    expect(text).not.toContain(bob.port.serial);
  });

  it('shows a company that holds the same device only its own events for it, none of Ann’s', async () => {
    const res = await page(
      `/history?context=device&device=${ann.device.hardwareId}&period=always`,
      await logIn(bob.user),
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    const events = rows(html);
    expect(events.length).toBe(1);
    expect(events[0]).toContain(`The device ${ANN_MAC} was added to the project.`);
    expect(events[0]).toContain('bob');
    expect(html).not.toContain(ann.port.serial);
    expect(html).not.toContain(ann.gw.serial);
    expect(html).not.toContain(ann.user.email);
    expect(html).not.toContain('Company ann');
  });

  it('says what is wrong with a device or dates beside the field, keeping the input', async () => {
    const cookie = await logIn(ann.user);
    const bad = await page('/history?context=device&device=not-a-mac', cookie, 'de');
    expect(bad.status).toBe(400);
    const html = await bad.text();
    expect(html).toContain(MESSAGES.de.historyBadDevice);
    expect(html).toContain('value="not-a-mac"');
    expect(html).not.toContain('<tbody>');
    const dates = await page('/history?from=2026-02-30&to=2026-01-01', cookie);
    expect(dates.status).toBe(400);
    const text = await dates.text();
    expect(text).toContain(MESSAGES.en.historyBadDates);
    expect(text).toContain('value="2026-02-30"');
    const reversed = await page('/history?from=2026-03-02&to=2026-03-01', cookie);
    expect(reversed.status).toBe(400);
  });

  it('filters by period and by dates', async () => {
    const carl = await makeTenant(tc, { name: 'carl', mac: '00-90-33-65-00-03' });
    const actor = { ...carl.actor, companyId: carl.companyId };
    const old = new Date(Date.now() - 40 * 86_400_000);
    tc.clock.set(old);
    try {
      await createProject(tc.core, actor, { name: 'Forty days ago' });
    } finally {
      tc.clock.set(null);
    }
    const cookie = await logIn(carl.user);
    const week = await (await page('/history', cookie)).text();
    expect(week).not.toContain('Forty days ago');
    expect(week).toContain('The device 00-90-33-65-00-03 was added to the project.');
    const month = await (await page('/history?period=month', cookie)).text();
    expect(month).not.toContain('Forty days ago');
    const year = await (await page('/history?period=year', cookie)).text();
    expect(year).toContain('The project Forty days ago was created.');
    expect(year).toContain('The device 00-90-33-65-00-03 was added to the project.');
    const day = old.toISOString().slice(0, 10);
    const between = await (await page(`/history?period=always&from=${day}&to=${day}`, cookie)).text();
    expect(rows(between).length).toBe(1);
    expect(rows(between)[0]).toContain('The project Forty days ago was created.');
    expect(between).toContain(`value="${day}"`);
    const dayBefore = new Date(old.getTime() - 86_400_000).toISOString().slice(0, 10);
    const before = await (await page(`/history?period=always&to=${dayBefore}`, cookie)).text();
    expect(before).toContain(MESSAGES.en.historyEmpty);
    expect(rows(before)).toEqual([]);
  });

  it('covers the selected project only, or all projects when asked (seed: "deselect the current project")', async () => {
    const hal = await makeTenant(tc, { name: 'hal', mac: '00-90-33-65-00-07' });
    const cookie = await logIn(hal.user);
    const info = await resolveSession(tc.core, cookie.split('=')[1]!, ['portal']);
    const actor = { userId: info.userId, companyId: info.companyId, sessionHash: info.tokenHash };
    const other = await createProject(tc.core, actor, { name: 'Side project' });
    await selectProject(tc.core, actor, other.id);
    const selected = await (await page('/history?period=always', cookie)).text();
    expect(selected).toContain('Only the selected project, Side project');
    expect(selected).toContain('The project Side project was created.');
    expect(selected).not.toContain('The device 00-90-33-65-00-07 was added to the project.');
    const all = await (await page('/history?period=always&project=all', cookie)).text();
    expect(all).toContain('The project Side project was created.');
    expect(all).toContain('The device 00-90-33-65-00-07 was added to the project.');
    expect(all).toContain('id="history-project-all" name="project" value="all" checked=""');
    // The choice survives paging and context links.
    expect(all).toContain('project=all');
  });

  it('shows 50 events a page with links to older and newer ones', async () => {
    const dora = await makeTenant(tc, { name: 'dora', mac: '00-90-33-65-00-04' });
    const actor = { ...dora.actor, companyId: dora.companyId };
    for (let i = 1; i <= 60; i++)
      await createProject(tc.core, actor, { name: `Paged ${String(i).padStart(2, '0')}` });
    const cookie = await logIn(dora.user);
    const first = await (await page('/history?period=always', cookie)).text();
    expect(rows(first).length).toBe(50);
    expect(rows(first)[0]).toContain('The project Paged 60 was created.');
    expect(first).toContain('href="/history?period=always&amp;page=2"');
    expect(first).not.toContain('rel="prev"');
    const second = await (await page('/history?period=always&page=2', cookie)).text();
    const rest = rows(second);
    expect(rest.length).toBeGreaterThan(10);
    expect(rest[0]).toContain('The project Paged 10 was created.');
    expect(second).toContain('href="/history?period=always"');
    expect(second).toContain(MESSAGES.en.historyNewer);
    expect(second).not.toContain('rel="next"');
    // Together the two pages hold every project once.
    const all = [...rows(first), ...rest].join('\n');
    for (let i = 1; i <= 60; i++) expect(all).toContain(`Paged ${String(i).padStart(2, '0')} was created`);
  });

  it('shows a locked member the locked sentence and no event', async () => {
    const eve = await makeTenant(tc, { name: 'eve', mac: '00-90-33-65-00-05' });
    const cookie = await logIn(eve.user);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', eve.user.id)
      .execute();
    const res = await page('/history?period=always', cookie);
    expect(res.status).toBe(403);
    const html = await res.text();
    expect(html).toContain(MESSAGES.en.locked);
    expect(html).not.toContain('<tbody>');
    expect(html).not.toContain('00-90-33-65-00-05');
  });

  it('keeps the history of a removed user, who stays choosable (seed: Users)', async () => {
    const gus = await makeTenant(tc, { name: 'gus', mac: '00-90-33-65-00-06' });
    const admin = { ...gus.actor, companyId: gus.companyId };
    const fay = await makeUser(tc, 'fay@example.test');
    await addMember(tc.core, admin, fay.email, false);
    await createProject(tc.core, { userId: fay.id, companyId: gus.companyId }, { name: 'Fay made this' });
    await removeMember(tc.core, admin, fay.id);
    const res = await page(`/history?context=user&user=${fay.id}`, await logIn(gus.user), 'nl');
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain('Wat fay gedaan heeft');
    expect(html).toContain('Het project Fay made this is aangemaakt.');
    expect(html).toContain(`<option value="${fay.id}" selected="">fay (fay@example.test)</option>`);
    const all = await (await page('/history', await logIn(gus.user), 'nl')).text();
    expect(all).toContain(
      'fay@example.test is uit het bedrijf verwijderd; de geschiedenis van de gebruiker blijft bewaard.',
    );
  });
});
