import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { catalog } from '../../bridge/core/catalog.js';
import { registerOrder } from '../../bridge/core/devices/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor } from '../../bridge/web/web-session.js';
import { ipeiCheckDigit } from '../../protocol/hardware-id.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, type Tenant } from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';
import { registerAsVendor } from '../support/vendor-devices.js';

/**
 * "Add new devices" as pages (seed L133-147, Errors and Warnings L305-321): a device in every form the
 * seed accepts, a range, a text file and an order, each answered with one row per input line (added,
 * already there, refused with the reason) in the user's language. A file with a wrong line adds nothing
 * (the core checks the input whole); a file or range of good and bad devices adds exactly the good
 * ones. The walls: another company's project or order, a locked member, a stale CSRF token, a post from
 * another site — nothing added.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
const ORIGIN = 'https://portal.test';
const DECT = catalog.devices.find((d) => d.identity === 'ipei')!.name;
const IPEI_DIGITS = '000770123457';

beforeAll(async () => {
  root = await tempDir('mylic-web-device-add-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-80-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-80-00-02' });
  // The vendor's device database knows the devices the forms add (issue 15 item 8): no form asks a type.
  const hex = (prefix: string, n: number) => `${prefix}${n.toString(16).padStart(2, '0')}`;
  const macs = [
    ...[1, 2, 3, 4].map((n) => hex('00-90-33-0A-00-', n)),
    ...[0, 1, 2, 3, 4].map((n) => hex('00-90-33-0B-00-', n)),
    ...[1, 2, 3].map((n) => hex('00-90-33-0D-00-', n)),
    ...[1, 2].map((n) => hex('00-90-33-0E-00-', n)),
    ...[0, 1, 2].map((n) => hex('00-90-33-1F-00-', n)),
  ];
  await registerAsVendor(tc.core, 'IP811', ...macs);
  await registerAsVendor(tc.core, DECT, IPEI_DIGITS + ipeiCheckDigit(IPEI_DIGITS));
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const headers = (cookie: string, lang = 'en', origin = ORIGIN) => ({
  host: 'portal.test',
  accept: 'text/html',
  'accept-language': lang,
  cookie,
  origin,
});
const post = (path: string, cookie: string, form: Record<string, string>, lang?: string, origin?: string) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: 'POST',
    body: new URLSearchParams(form).toString(),
    headers: { ...headers(cookie, lang, origin), 'content-type': 'application/x-www-form-urlencoded' },
  });
const upload = (cookie: string, fields: Record<string, string>, text: string | null, lang?: string) => {
  const fd = new FormData();
  for (const [k, v] of Object.entries(fields)) fd.append(k, v);
  if (text !== null) fd.append('file', new Blob([text], { type: 'text/plain' }), 'macs.txt');
  return tc.app.request(`${ORIGIN}/devices/add/file`, {
    method: 'POST',
    body: fd,
    headers: headers(cookie, lang),
  });
};
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
/** Hardware ids placed in a company. */
const placed = async (companyId: number) =>
  (
    await tc.core.store.db
      .selectFrom('device_projects as dp')
      .innerJoin('devices as d', 'd.id', 'dp.device_id')
      .select('d.hardware_id')
      .where('dp.company_id', '=', companyId)
      .execute()
  )
    .map((r) => r.hardware_id)
    .sort();
/** The result table's rows: [line, outcome] in order. */
const outcomes = (html: string) => {
  const table = html.split('id="da-result-title"')[1] ?? '';
  return [...table.matchAll(/<tr><td class="num">(\d+)<\/td>.*?<td class="da-[a-z]+">([^<]+)<\/td>/g)].map(
    (m) => [Number(m[1]), m[2]] as const,
  );
};

describe('add new devices', () => {
  it('adds one device given in every form the seed accepts, and a DECT handset by its IPEI', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const project = String(ann.projectId);
    const forms = ['00-90-33-0A-00-01', '00:90:33:0a:00:02', '0090330A0003', '0a0004'];
    for (const device of forms) {
      const res = await post('/devices/add/single', cookie, {
        csrf,
        device,
        projectId: project,
      });
      expect(res.status).toBe(200);
      expect(outcomes(await res.text())).toEqual([[1, 'Added']]);
    }
    const digits = IPEI_DIGITS;
    const ipei = `${digits.slice(0, 5)} ${digits.slice(5)} ${ipeiCheckDigit(digits)}`;
    const dect = await post('/devices/add/single', cookie, {
      csrf,
      device: ipei,
      projectId: project,
    });
    expect(outcomes(await dect.text())).toEqual([[1, 'Added']]);
    const mine = await placed(ann.companyId);
    for (const hw of [
      '0090330A0001',
      '0090330A0002',
      '0090330A0003',
      '0090330A0004',
      digits + ipeiCheckDigit(digits),
    ])
      expect(mine).toContain(hw);
    // Again: already there, nothing added twice.
    const again = await post('/devices/add/single', cookie, {
      csrf,
      device: '0a0001',
      projectId: project,
    });
    expect(again.status).toBe(409);
    const html = await again.text();
    expect(outcomes(html)).toEqual([[1, 'Already there']]);
    expect(html).toContain(MESSAGES.en.daErrAlreadyInCompany);
    expect(await placed(ann.companyId)).toEqual(mine);
  });

  it('answers a wrong MAC beside the field in Dutch, the input kept, nothing added', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await placed(ann.companyId);
    const res = await post(
      '/devices/add/single',
      cookie,
      { csrf, device: '00-90-33-ZZ', projectId: String(ann.projectId) },
      'nl',
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(MESSAGES.nl.daErrMacInvalid);
    expect(html).toContain('value="00-90-33-ZZ"');
    expect(html).toContain(MESSAGES.nl.dlAddTitle);
    expect(await placed(ann.companyId)).toEqual(before);
  });

  it('adds the good devices of a range in German and says which were there already', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    await post('/devices/add/single', cookie, {
      csrf,
      device: '00-90-33-0B-00-02',
      projectId: String(ann.projectId),
    });
    const res = await post(
      '/devices/add/range',
      cookie,
      { csrf, from: '0b0000', to: '00-90-33-0B-00-04', projectId: String(ann.projectId) },
      'de',
    );
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(outcomes(html)).toEqual([
      [1, 'Hinzugefügt'],
      [2, 'Hinzugefügt'],
      [3, 'Schon vorhanden'],
      [4, 'Hinzugefügt'],
      [5, 'Hinzugefügt'],
    ]);
    expect(html).toContain(MESSAGES.de.daErrAlreadyInCompany);
    expect(html).toContain('4 hinzugefügt, 1 nicht hinzugefügt.');
    const mine = await placed(ann.companyId);
    for (const n of [0, 1, 2, 3, 4]) expect(mine).toContain(`0090330B000${n}`);
    // More than 50: refused beside the field, nothing added.
    const big = await post('/devices/add/range', cookie, {
      csrf,
      from: '0c0000',
      to: '0c0040',
      projectId: String(ann.projectId),
    });
    expect(big.status).toBe(400);
    expect(await big.text()).toContain('this range holds 65');
    expect((await placed(ann.companyId)).some((h) => h.startsWith('0090330C'))).toBe(false);
  });

  it('adds exactly the good devices of a file, each row saying what happened', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const text = [
      '00-90-33-0D-00-01',
      '',
      '00:90:33:0d:00:02 0090330D0003',
      '00-90-33-0A-00-01', // already in the company
      '0d0001', // listed again
    ].join('\r\n');
    const res = await upload(cookie, { csrf, projectId: String(ann.projectId) }, text);
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(outcomes(html)).toEqual([
      [1, 'Added'],
      [3, 'Added'],
      [3, 'Added'],
      [4, 'Already there'],
      [5, 'Refused'],
    ]);
    expect(html).toContain(MESSAGES.en.daErrAlreadyImported);
    const mine = await placed(ann.companyId);
    expect(mine.filter((h) => h.startsWith('0090330D'))).toEqual([
      '0090330D0001',
      '0090330D0002',
      '0090330D0003',
    ]);
  });

  it('adds nothing from a file with a line that is no MAC, and shows every line', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await placed(ann.companyId);
    const res = await upload(
      cookie,
      { csrf, projectId: String(ann.projectId) },
      '00-90-33-0E-00-01\nnot a mac\n00-90-33-0E-00-02\n',
      'fr',
    );
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(outcomes(html)).toEqual([
      [1, 'Non ajouté'],
      [2, 'Refusé'],
      [3, 'Non ajouté'],
    ]);
    expect(html).toContain('ni une adresse MAC ni un IPEI (1)');
    expect(await placed(ann.companyId)).toEqual(before);
    // No file, and a file over 64 KB: refused, nothing added.
    const none = await upload(cookie, { csrf }, null);
    expect(none.status).toBe(400);
    expect(await none.text()).toContain(MESSAGES.en.daFileMissing);
    const huge = await upload(cookie, { csrf }, `00-90-33-0E-00-03\n${' '.repeat(70_000)}`);
    expect(huge.status).toBe(400);
    expect(await huge.text()).toContain(MESSAGES.en.daFileTooLarge);
    expect(await placed(ann.companyId)).toEqual(before);
  });

  it("adds the devices of the company's order; another company's order is not found", async () => {
    await registerOrder(tc.core, {
      orderNumber: 'SO-4711',
      companyId: ann.companyId,
      devices: [{ device: '00-90-33-0F-00-01' }, { device: '00-90-33-0F-00-02' }],
    });
    const b = await logIn(bob.user);
    const bobBefore = await placed(bob.companyId);
    const foreign = await post('/devices/add/order', b.cookie, {
      csrf: b.csrf,
      orderNumber: 'SO-4711',
      projectId: String(bob.projectId),
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).toContain(MESSAGES.en.daOrderNotFound);
    expect(await placed(bob.companyId)).toEqual(bobBefore);
    const a = await logIn(ann.user);
    const res = await post('/devices/add/order', a.cookie, {
      csrf: a.csrf,
      orderNumber: 'SO-4711',
      projectId: String(ann.projectId),
    });
    expect(res.status).toBe(200);
    expect(outcomes(await res.text())).toEqual([
      [1, 'Added'],
      [2, 'Added'],
    ]);
    expect(await placed(ann.companyId)).toEqual(expect.arrayContaining(['0090330F0001', '0090330F0002']));
  });

  it("refuses adding into another company's project, with a stale token, from another site, or when locked", async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const annBefore = await placed(ann.companyId);
    const bobBefore = await placed(bob.companyId);
    const single = { device: '00-90-33-1F-00-01' };
    const foreign = await post('/devices/add/single', cookie, {
      csrf,
      ...single,
      projectId: String(bob.projectId),
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain('Company bob');
    const range = await post('/devices/add/range', cookie, {
      csrf,
      from: '1f0000',
      to: '1f0002',
      projectId: String(bob.projectId),
    });
    expect(range.status).toBe(404);
    const stale = await post('/devices/add/single', cookie, {
      csrf: csrfFor('y'.repeat(43)),
      ...single,
      projectId: String(ann.projectId),
    });
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain(MESSAGES.en.sessionExpired);
    const cross = await post(
      '/devices/add/single',
      cookie,
      { csrf, ...single, projectId: String(ann.projectId) },
      'en',
      'https://evil.test',
    );
    expect(cross.status).toBe(403);
    const staleFile = await upload(cookie, { csrf: 'nope' }, '00-90-33-1F-00-09\n');
    expect(staleFile.status).toBe(403);
    const lock = (v: number) =>
      tc.core.store.db
        .updateTable('memberships')
        .set({ is_locked: v })
        .where('user_id', '=', ann.user.id)
        .where('company_id', '=', ann.companyId)
        .execute();
    await lock(1);
    try {
      const locked = await post('/devices/add/single', cookie, {
        csrf,
        ...single,
        projectId: String(ann.projectId),
      });
      expect(locked.status).toBe(403);
      expect(await locked.text()).toContain(MESSAGES.en.locked);
      const page = await tc.app.request(`${ORIGIN}/devices/add`, { headers: headers(cookie) });
      expect(await page.text()).toContain(MESSAGES.en.locked);
    } finally {
      await lock(0);
    }
    expect(await placed(ann.companyId)).toEqual(annBefore);
    expect(await placed(bob.companyId)).toEqual(bobBefore);
  });
});
