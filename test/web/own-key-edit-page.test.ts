import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companyCounts } from '../../bridge/core/balance/index.js';
import { createOwnKey, getOwnKey, redeemKey } from '../../bridge/core/keys/index.js';
import { createCompany } from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { GW_TYPE, makeTenant, makeUser, PORT_TYPE, type Tenant } from '../bridge/fixtures.js';
import { addProject, grantRights, lockMember } from '../api/keys-fixtures.js';
import { logInThroughPage, pageRequest, type PageForm } from '../support/page-session.js';

/**
 * An own key's page, Update and Delete (seed L115-122: "Updating and deleting a key is only possible, if
 * this key is not assigned"; "You can also remove licenses by entering e.g. -2"; "Delete this key. Its
 * licenses will go back into the balance of the currently selected project"). Every unit that leaves a
 * balance is in the key and every unit taken back is in a balance again; another company's key or
 * project is the not-found page; a redeemed key refuses both; no form works without the session's CSRF
 * token from this origin, after log-out or for a locked member.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;

beforeAll(async () => {
  root = await tempDir('mylic-web-own-key-edit-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-68-00-01', credit: { port: 40, gw: 20 } });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-68-00-02' });
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

type Form = PageForm;
const request = (path: string, opts: { cookie: string; form?: Form; lang?: string; origin?: string }) =>
  pageRequest(tc.app, path, opts);
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
const balanceOf = async (projectId: number, type: string) =>
  Number(
    (
      await tc.core.store.db
        .selectFrom('balances')
        .select('units')
        .where('project_id', '=', projectId)
        .where('license_type', '=', type)
        .executeTakeFirst()
    )?.units ?? 0,
  );
/** balance + bound + free + in keys = activated, for every type (ARCHITECTURE §5). */
async function expectConserved(companyId: number) {
  for (const c of await companyCounts(tc.core.store.db, companyId))
    expect(c.balance + c.bound + c.free + c.inKeys, c.type).toBe(c.activated);
}
/** What the key holds and what the project's balance holds, to compare before and after a refusal. */
const snapshot = async (keyId: number, projectId: number) => ({
  key: (await getOwnKey(tc.core, ann.actor, keyId)).licenses,
  port: await balanceOf(projectId, PORT_TYPE),
  gw: await balanceOf(projectId, GW_TYPE),
});
const newKey = (port: number, gw = 0) =>
  createOwnKey(tc.core, ann.actor, {
    projectId: ann.projectId,
    licenses: [{ type: PORT_TYPE, units: port }, ...(gw > 0 ? [{ type: GW_TYPE, units: gw }] : [])],
    comment: 'for Rossi',
    orderNumber: 'PO-1',
    orderReference: 'R-1',
  });
const updateForm = (csrf: string, change: { port?: string; gw?: string }, extra: Form = {}): Form => ({
  csrf,
  projectId: String(ann.projectId),
  type: [PORT_TYPE, GW_TYPE],
  change: [change.port ?? '', change.gw ?? ''],
  comment: 'for Rossi',
  orderNumber: 'PO-1',
  orderReference: 'R-1',
  ...extra,
});

describe("an own key's page: update and delete", () => {
  it('adds units from the balance and takes others back with a negative amount, in German', async () => {
    const k = await newKey(3, 2);
    const { cookie, csrf } = await logIn(ann.user);
    const page = await request(`/keys/${k.keyId}`, { cookie, lang: 'de' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(MESSAGES.de.keyEditHeading);
    expect(html).toContain(MESSAGES.de.keyDeleteHeading);
    expect(html).toContain(`id="change-${GW_TYPE}"`);

    const before = {
      port: await balanceOf(ann.projectId, PORT_TYPE),
      gw: await balanceOf(ann.projectId, GW_TYPE),
    };
    const res = await request(`/keys/${k.keyId}/update`, {
      cookie,
      lang: 'de',
      form: updateForm(csrf, { port: '+2', gw: '-1' }, { comment: 'für Rossi GmbH', orderNumber: 'PO-2' }),
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/keys/${k.keyId}?saved=1`);
    const after = await getOwnKey(tc.core, ann.actor, k.keyId);
    const byType = (a: { type: string }, b: { type: string }) => a.type.localeCompare(b.type);
    expect([...after.licenses].sort(byType)).toEqual(
      [
        { type: GW_TYPE, units: 1 },
        { type: PORT_TYPE, units: 5 },
      ].sort(byType),
    );
    expect(after.comment).toBe('für Rossi GmbH');
    expect(after.orderNumber).toBe('PO-2');
    expect(after.orderReference).toBe('R-1');
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before.port - 2);
    expect(await balanceOf(ann.projectId, GW_TYPE)).toBe(before.gw + 1);
    await expectConserved(ann.companyId);
    const shown = await (await request(`/keys/${k.keyId}?saved=1`, { cookie, lang: 'de' })).text();
    expect(shown).toContain(MESSAGES.de.keyEditSaved);
    expect(shown).toContain('für Rossi GmbH');
  });

  it('changes only the texts when no amount is typed, and says so when nothing changed at all', async () => {
    const k = await newKey(1);
    const { cookie, csrf } = await logIn(ann.user);
    const before = await snapshot(k.keyId, ann.projectId);
    const same = await request(`/keys/${k.keyId}/update`, { cookie, form: updateForm(csrf, {}) });
    expect(same.status).toBe(400);
    expect(await same.text()).toContain(MESSAGES.en.keyEditNothing);
    const texts = await request(`/keys/${k.keyId}/update`, {
      cookie,
      form: updateForm(csrf, {}, { orderReference: 'R-9' }),
    });
    expect(texts.status).toBe(303);
    expect((await getOwnKey(tc.core, ann.actor, k.keyId)).orderReference).toBe('R-9');
    expect(await snapshot(k.keyId, ann.projectId)).toEqual(before);
  });

  it('keeps the input and says why for a word, too many units taken back, too many added or all taken back', async () => {
    const k = await newKey(2, 1);
    const { cookie, csrf } = await logIn(ann.user);
    const before = await snapshot(k.keyId, ann.projectId);

    const word = await request(`/keys/${k.keyId}/update`, {
      cookie,
      lang: 'it',
      form: updateForm(csrf, { port: 'due' }, { comment: 'kept' }),
    });
    expect(word.status).toBe(400);
    const wordHtml = await word.text();
    expect(wordHtml).toContain(MESSAGES.it.keyEditAmountInvalid.replace('{type}', PORT_TYPE));
    expect(wordHtml).toContain('value="due"');
    expect(wordHtml).toContain('value="kept"');

    const fromKey = await request(`/keys/${k.keyId}/update`, {
      cookie,
      form: updateForm(csrf, { port: '-5' }),
    });
    expect(fromKey.status).toBe(409);
    expect(await fromKey.text()).toContain(
      MESSAGES.en.keyEditKeyShort.replace('{inKey}', '2').replace('{type}', PORT_TYPE),
    );

    const fromBalance = await request(`/keys/${k.keyId}/update`, {
      cookie,
      form: updateForm(csrf, { port: '999' }),
    });
    expect(fromBalance.status).toBe(409);
    expect(await fromBalance.text()).toContain(
      MESSAGES.en.keyEditBalanceShort
        .replace('{available}', String(before.port))
        .replace('{type}', PORT_TYPE),
    );

    const all = await request(`/keys/${k.keyId}/update`, {
      cookie,
      form: updateForm(csrf, { port: '-2', gw: '-1' }),
    });
    expect(all.status).toBe(409);
    expect(await all.text()).toContain(MESSAGES.en.keyEditEmpty);
    expect(await snapshot(k.keyId, ann.projectId)).toEqual(before);
    await expectConserved(ann.companyId);
  });

  it('deletes only when the box is ticked; the licenses go back into the chosen balance (French notice)', async () => {
    const second = await addProject(tc, ann.companyId, 'Second');
    const k = await newKey(3, 1);
    const { cookie, csrf } = await logIn(ann.user);
    const before = await snapshot(k.keyId, ann.projectId);
    const unticked = await request(`/keys/${k.keyId}/delete`, {
      cookie,
      lang: 'fr',
      form: { csrf, projectId: String(second) },
    });
    expect(unticked.status).toBe(400);
    expect(await unticked.text()).toContain(MESSAGES.fr.keyDeleteNotConfirmed);
    expect(await snapshot(k.keyId, ann.projectId)).toEqual(before);

    const res = await request(`/keys/${k.keyId}/delete`, {
      cookie,
      lang: 'fr',
      form: { csrf, projectId: String(second), confirm: 'yes' },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/keys?deletedTo=${second}`);
    expect(await balanceOf(second, PORT_TYPE)).toBe(3);
    expect(await balanceOf(second, GW_TYPE)).toBe(1);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before.port);
    await expectConserved(ann.companyId);
    const list = await (await request(`/keys?deletedTo=${second}`, { cookie, lang: 'fr' })).text();
    expect(list).toContain(MESSAGES.fr.keyDeleted.replace('{projects}', 'Second'));
    // The deleted key is gone: its page is the not-found page, and it can never be redeemed.
    expect((await request(`/keys/${k.keyId}`, { cookie })).status).toBe(404);
    await expect(
      redeemKey(
        tc.core,
        { ...bob.actor, companyId: bob.companyId },
        { key: k.key, projectId: bob.projectId },
      ),
    ).rejects.toThrow();
  });

  it('gives the licenses back to the projects that paid when no project is chosen', async () => {
    const k = await newKey(2);
    const { cookie, csrf } = await logIn(ann.user);
    const before = await balanceOf(ann.projectId, PORT_TYPE);
    const res = await request(`/keys/${k.keyId}/delete`, {
      cookie,
      form: { csrf, projectId: '', confirm: 'yes' },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/keys?deletedTo=${ann.projectId}`);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before + 2);
    await expectConserved(ann.companyId);
  });

  it('shows a redeemed key without forms and refuses to change or delete it', async () => {
    const k = await newKey(1);
    await redeemKey(
      tc.core,
      { ...bob.actor, companyId: bob.companyId },
      { key: k.key, projectId: bob.projectId },
    );
    const { cookie, csrf } = await logIn(ann.user);
    const html = await (await request(`/keys/${k.keyId}`, { cookie })).text();
    expect(html).toContain(MESSAGES.en.keyEditRedeemed);
    expect(html).not.toContain(`action="/keys/${k.keyId}/update"`);
    expect(html).not.toContain(`action="/keys/${k.keyId}/delete"`);
    const bobBefore = await balanceOf(bob.projectId, PORT_TYPE);
    const annBefore = await balanceOf(ann.projectId, PORT_TYPE);
    const upd = await request(`/keys/${k.keyId}/update`, { cookie, form: updateForm(csrf, { port: '1' }) });
    expect(upd.status).toBe(409);
    expect(await upd.text()).toContain(MESSAGES.en.keyEditRedeemed);
    const del = await request(`/keys/${k.keyId}/delete`, { cookie, form: { csrf, confirm: 'yes' } });
    expect(del.status).toBe(409);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(annBefore);
    expect(await balanceOf(bob.projectId, PORT_TYPE)).toBe(bobBefore);
  });

  it("answers another company's key, and ann's key with another company's project, with the not-found page, changing nothing", async () => {
    const k = await newKey(2);
    const before = await snapshot(k.keyId, ann.projectId);
    const b = await logIn(bob.user);
    for (const [path, form] of [
      [`/keys/${k.keyId}/update`, updateForm(b.csrf, { port: '-1' })],
      [`/keys/${k.keyId}/delete`, { csrf: b.csrf, projectId: String(bob.projectId), confirm: 'yes' }],
    ] as const) {
      const res = await request(path, { cookie: b.cookie, form });
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html).toContain(MESSAGES.en.notFound);
      expect(html).not.toContain(k.key);
    }
    const bobBalance = await balanceOf(bob.projectId, PORT_TYPE);
    const a = await logIn(ann.user);
    const intoBob = await request(`/keys/${k.keyId}/delete`, {
      cookie: a.cookie,
      form: { csrf: a.csrf, projectId: String(bob.projectId), confirm: 'yes' },
    });
    expect(intoBob.status).toBe(404);
    const fromBob = await request(`/keys/${k.keyId}/update`, {
      cookie: a.cookie,
      form: updateForm(a.csrf, { port: '1' }, { projectId: String(bob.projectId) }),
    });
    expect(fromBob.status).toBe(404);
    expect(await snapshot(k.keyId, ann.projectId)).toEqual(before);
    expect(await balanceOf(bob.projectId, PORT_TYPE)).toBe(bobBalance);
  });

  it('does not let a company with rights on the project pay for the key or take its licenses', async () => {
    const carlUser = await makeUser(tc, 'carl.edit@example.test');
    const carl = await createCompany(tc.core, carlUser.id, 'Company carl edit');
    await grantRights(tc, ann.projectId, carl.companyId);
    const k = await newKey(2);
    const before = await snapshot(k.keyId, ann.projectId);
    const c = await logIn(carlUser);
    // The key is ann's company's: carl does not see it at all.
    expect((await request(`/keys/${k.keyId}`, { cookie: c.cookie })).status).toBe(404);
    const res = await request(`/keys/${k.keyId}/delete`, {
      cookie: c.cookie,
      form: { csrf: c.csrf, projectId: String(ann.projectId), confirm: 'yes' },
    });
    expect(res.status).toBe(404);
    expect(await snapshot(k.keyId, ann.projectId)).toEqual(before);
  });

  it('shows a locked member the locked sentence and changes nothing for them', async () => {
    const mia = await makeUser(tc, 'mia.edit@example.test');
    await tc.core.store.db
      .insertInto('memberships')
      .values({
        user_id: mia.id,
        company_id: ann.companyId,
        is_admin: 0,
        is_locked: 0,
        created_at: new Date().toISOString(),
      })
      .execute();
    const k = await newKey(1);
    const { cookie, csrf } = await logIn(mia);
    await lockMember(tc, mia.id, ann.companyId);
    const before = await snapshot(k.keyId, ann.projectId);
    const page = await request(`/keys/${k.keyId}`, { cookie });
    expect(page.status).toBe(403);
    const html = await page.text();
    expect(html).toContain(MESSAGES.en.locked);
    expect(html).not.toContain(k.key);
    for (const [path, form] of [
      [`/keys/${k.keyId}/update`, updateForm(csrf, { port: '1' })],
      [`/keys/${k.keyId}/delete`, { csrf, confirm: 'yes' }],
    ] as const) {
      const res = await request(path, { cookie, form });
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain(MESSAGES.en.locked);
    }
    expect(await snapshot(k.keyId, ann.projectId)).toEqual(before);
  });

  it('refuses a stale CSRF token, a post from another site and a post after log-out, changing nothing', async () => {
    const k = await newKey(2);
    const { cookie, csrf } = await logIn(ann.user);
    const before = await snapshot(k.keyId, ann.projectId);
    const stale = csrfFor('x'.repeat(43));
    for (const [path, form] of [
      [`/keys/${k.keyId}/update`, updateForm(stale, { port: '1' })],
      [`/keys/${k.keyId}/delete`, { csrf: stale, confirm: 'yes' }],
      [`/keys/${k.keyId}/delete`, { confirm: 'yes' }],
    ] as const) {
      const res = await request(path, { cookie, form });
      expect(res.status, path).toBe(403);
      expect(await res.text()).toContain(MESSAGES.en.sessionExpired);
    }
    const foreign = await request(`/keys/${k.keyId}/delete`, {
      cookie,
      origin: 'https://evil.test',
      form: { csrf, confirm: 'yes' },
    });
    expect(foreign.status).toBe(403);
    await request('/logout', { cookie, form: { csrf } });
    const after = await request(`/keys/${k.keyId}/delete`, { cookie, form: { csrf, confirm: 'yes' } });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/login/);
    expect(await snapshot(k.keyId, ann.projectId)).toEqual(before);
  });
});
