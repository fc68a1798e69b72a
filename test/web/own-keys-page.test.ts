import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { companyCounts } from '../../bridge/core/balance/index.js';
import { createOwnKey, redeemKey } from '../../bridge/core/keys/index.js';
import { createCompany } from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { GW_TYPE, makeTenant, makeUser, PORT_TYPE, type Tenant } from '../bridge/fixtures.js';
import { grantRights, lockMember } from '../api/keys-fixtures.js';
import { logInThroughPage, pageRequest, type PageForm } from '../support/page-session.js';

/**
 * Own Activations as pages (seed: Own Activations; Search; License certificate): a key is made from a
 * project's balance after the page showed what leaves it, the units that left are the key's; keys are
 * listed and searched (five characters at least); the certificate is a page of its own. Another
 * company's key or certificate is the "not found" page; rights on a project do not let a company make
 * keys from its owner's balance; no form works without the session's CSRF token from this origin.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-own-keys-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-66-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-66-00-02' });
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
const keyCount = async () =>
  Number(
    (
      await tc.core.store.db
        .selectFrom('activation_keys')
        .select((eb) => eb.fn.countAll<number>().as('n'))
        .executeTakeFirstOrThrow()
    ).n,
  );
/** balance + bound + free + in keys = activated, for every type (ARCHITECTURE §5). */
async function expectConserved(companyId: number) {
  for (const c of await companyCounts(tc.core.store.db, companyId))
    expect(c.balance + c.bound + c.free + c.inKeys, c.type).toBe(c.activated);
}
const keyForm = (
  csrf: string,
  projectId: number,
  units: { port?: string; gw?: string },
  extra: Form = {},
) => ({
  csrf,
  projectId: String(projectId),
  type: [PORT_TYPE, GW_TYPE],
  units: [units.port ?? '', units.gw ?? ''],
  comment: '',
  orderNumber: '',
  orderReference: '',
  ...extra,
});

describe('own activations', () => {
  it('sends a visitor without a session to the log-in and back', async () => {
    const res = await tc.app.request(`${ORIGIN}/keys/1/certificate`, { headers: { host: 'portal.test' } });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe(`/login?next=${encodeURIComponent('/keys/1/certificate')}`);
  });

  it('shows the key before making it, in Italian, then makes it: what left the balance is in the key', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = {
      port: await balanceOf(ann.projectId, PORT_TYPE),
      gw: await balanceOf(ann.projectId, GW_TYPE),
    };
    const page = await request('/keys', { cookie, lang: 'it' });
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain(MESSAGES.it.ownKeyCreateHeading);
    expect(html).toContain(`id="units-${PORT_TYPE}"`);

    const form = keyForm(
      csrf,
      ann.projectId,
      { port: '2', gw: '1' },
      {
        comment: 'Per il cliente Rossi',
        orderNumber: 'PO-77',
        orderReference: 'ROSSI-1',
      },
    );
    const preview = await request('/keys/preview', { cookie, lang: 'it', form });
    expect(preview.status).toBe(200);
    const shown = await preview.text();
    expect(shown).toContain(MESSAGES.it.ownKeyPreviewHeading);
    expect(shown).toContain(MESSAGES.it.ownKeyPreviewFrom.replace('{project}', 'DEFAULT'));
    // Balance now and after, per type, as the seed's balance would show them.
    expect(shown).toMatch(
      new RegExp(
        `<th scope="row">${PORT_TYPE}</th><td class="num">2</td><td class="num">${before.port}</td><td class="num">${before.port - 2}</td>`,
      ),
    );
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before.port);
    const keysBefore = await keyCount();

    const made = await request('/keys', { cookie, lang: 'it', form });
    expect(made.status).toBe(303);
    const location = made.headers.get('location')!;
    expect(location).toMatch(/^\/keys\?created=\d+$/);
    expect(await keyCount()).toBe(keysBefore + 1);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before.port - 2);
    expect(await balanceOf(ann.projectId, GW_TYPE)).toBe(before.gw - 1);
    const keyId = Number(location.split('=')[1]);
    const inKey = await tc.core.store.db
      .selectFrom('activation_key_licenses')
      .select(['license_type', 'units'])
      .where('key_id', '=', keyId)
      .orderBy('license_type')
      .execute();
    expect(inKey.map((r) => [r.license_type, Number(r.units)])).toEqual([
      [GW_TYPE, 1],
      [PORT_TYPE, 2],
    ]);
    await expectConserved(ann.companyId);

    const list = await (await request(location, { cookie, lang: 'it' })).text();
    const code = /<p class="notice" role="status">La chiave ([0-9A-Z-]{29}) è stata creata/.exec(list)?.[1];
    expect(code).toBeDefined();
    expect(list).toContain('Per il cliente Rossi');
    expect(list).toContain(MESSAGES.it.ownKeyNotRedeemed);
    expect(list).toContain(`href="/keys/${keyId}/certificate"`);

    const cert = await request(`/keys/${keyId}/certificate`, { cookie, lang: 'it' });
    expect(cert.status).toBe(200);
    const certHtml = await cert.text();
    expect(certHtml).toContain(MESSAGES.it.ownKeyCertTitle);
    expect(certHtml).toContain(code!);
    expect(certHtml).toContain('PO-77');
    expect(certHtml).toContain('ROSSI-1');
    expect(certHtml).toContain('Company ann');
    expect(certHtml).toContain('<article class="certificate"');
    // A clean print page: no script, no inline style (the CSP forbids both), print rules in the stylesheet.
    expect(certHtml).not.toMatch(/<script|style=/i);
    const css = await (await tc.app.request(`${ORIGIN}/static/portal.css`)).text();
    expect(css).toMatch(/@media print\{[\s\S]*article\.certificate/);
  });

  it('says who redeemed a key: a project of the company by name, another company without one', async () => {
    const { cookie } = await logIn(ann.user);
    const k = await createOwnKey(tc.core, ann.actor, {
      projectId: ann.projectId,
      licenses: [{ type: PORT_TYPE, units: 1 }],
      comment: 'for bob',
    });
    const bobActor = { ...bob.actor, companyId: bob.companyId };
    await redeemKey(tc.core, bobActor, { key: k.key, projectId: bob.projectId });
    const html = await (await request('/keys', { cookie })).text();
    expect(html).toContain(MESSAGES.en.ownKeyRedeemedElsewhere.replace('{date} ', ''));
    expect(html).not.toContain('Company bob');
    // Bob, who redeemed it, may see its certificate (a key in his project), not the key's page.
    const b = await logIn(bob.user);
    expect((await request(`/keys/${k.keyId}/certificate`, { cookie: b.cookie })).status).toBe(200);
    expect((await request(`/keys/${k.keyId}`, { cookie: b.cookie })).status).toBe(404);
  });

  it('keeps the input and says why when the balance holds fewer units, making nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await balanceOf(ann.projectId, PORT_TYPE);
    const keys = await keyCount();
    const res = await request('/keys/preview', {
      cookie,
      form: keyForm(csrf, ann.projectId, { port: '999' }, { comment: 'too many' }),
    });
    expect(res.status).toBe(409);
    const html = await res.text();
    expect(html).toContain(
      MESSAGES.en.ownKeyBalanceShort.replace('{available}', String(before)).replace('{type}', PORT_TYPE),
    );
    expect(html).toContain('value="999"');
    expect(html).toContain('value="too many"');
    // The confirmation itself checks again.
    expect(
      (await request('/keys', { cookie, form: keyForm(csrf, ann.projectId, { port: '999' }) })).status,
    ).toBe(409);
    const bad = await request('/keys/preview', {
      cookie,
      form: keyForm(csrf, ann.projectId, { port: 'two' }),
    });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain(MESSAGES.en.ownKeyUnitsInvalid.replace('{type}', PORT_TYPE));
    const none = await request('/keys/preview', { cookie, form: keyForm(csrf, ann.projectId, {}) });
    expect(none.status).toBe(400);
    expect(await none.text()).toContain(MESSAGES.en.ownKeyChooseUnits);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before);
    expect(await keyCount()).toBe(keys);
  });

  it('finds keys by part of the key or the comment from five characters, only the company’s own', async () => {
    const { cookie } = await logIn(ann.user);
    const k = await createOwnKey(tc.core, ann.actor, {
      projectId: ann.projectId,
      licenses: [{ type: PORT_TYPE, units: 1 }],
      comment: 'Customer Zebrafish',
    });
    const short = await request('/keys?q=Zebr', { cookie });
    expect(short.status).toBe(400);
    const shortHtml = await short.text();
    expect(shortHtml).toContain(MESSAGES.en.ownKeySearchShort.replace('{min}', '5'));
    expect(shortHtml).toContain('value="Zebr"');
    const byComment = await (await request('/keys?q=zebrafish', { cookie })).text();
    expect(byComment).toContain(k.key);
    expect(byComment).toContain(MESSAGES.en.ownKeyFound.replace('{count}', '1').replace('{q}', 'zebrafish'));
    const byCode = await (await request(`/keys?q=${k.key.slice(6, 17)}`, { cookie })).text();
    expect(byCode).toContain(k.key);
    const b = await logIn(bob.user);
    const bobs = await (await request('/keys?q=zebrafish', { cookie: b.cookie })).text();
    expect(bobs).not.toContain(k.key);
    expect(bobs).toContain(MESSAGES.en.ownKeyNoneFound);
  });

  it("answers another company's key, its certificate and its project with the not-found page, changing nothing", async () => {
    const k = await createOwnKey(tc.core, ann.actor, {
      projectId: ann.projectId,
      licenses: [{ type: PORT_TYPE, units: 1 }],
      orderNumber: 'SECRET-ORDER',
    });
    const { cookie, csrf } = await logIn(bob.user);
    for (const path of [
      `/keys/${k.keyId}`,
      `/keys/${k.keyId}/certificate`,
      '/keys/0/certificate',
      '/keys/x',
    ]) {
      const res = await request(path, { cookie });
      expect(res.status, path).toBe(404);
      const html = await res.text();
      expect(html).toContain(MESSAGES.en.notFound);
      expect(html).not.toContain(k.key);
      expect(html).not.toContain('SECRET-ORDER');
    }
    const before = await balanceOf(ann.projectId, PORT_TYPE);
    const keys = await keyCount();
    for (const path of ['/keys/preview', '/keys']) {
      const res = await request(path, { cookie, form: keyForm(csrf, ann.projectId, { port: '1' }) });
      expect(res.status, path).toBe(404);
    }
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before);
    expect(await keyCount()).toBe(keys);
  });

  it("does not let a company with rights on the project make keys from its owner's balance", async () => {
    const carlUser = await makeUser(tc, 'carl@example.test');
    const carl = await createCompany(tc.core, carlUser.id, 'Company carl');
    await grantRights(tc, ann.projectId, carl.companyId);
    const { cookie, csrf } = await logIn(carlUser);
    const page = await (await request('/keys', { cookie })).text();
    // The owner's project is not offered as a source of balance.
    expect(page).not.toMatch(new RegExp(`<option value="${ann.projectId}"`));
    const before = await balanceOf(ann.projectId, PORT_TYPE);
    const keys = await keyCount();
    const res = await request('/keys', { cookie, form: keyForm(csrf, ann.projectId, { port: '1' }) });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(MESSAGES.en.ownKeyExternal);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before);
    expect(await keyCount()).toBe(keys);
  });

  it('shows a locked member the locked sentence and makes no key for them', async () => {
    const mia = await makeUser(tc, 'mia@example.test');
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
    const { cookie, csrf } = await logIn(mia);
    const k = await createOwnKey(tc.core, ann.actor, {
      projectId: ann.projectId,
      licenses: [{ type: GW_TYPE, units: 1 }],
    });
    await lockMember(tc, mia.id, ann.companyId);
    const page = await request('/keys', { cookie });
    const html = await page.text();
    expect(html).toContain(MESSAGES.en.locked);
    expect(html).not.toContain(k.key);
    const cert = await request(`/keys/${k.keyId}/certificate`, { cookie });
    expect(cert.status).toBe(403);
    expect(await cert.text()).not.toContain(k.key);
    const before = await balanceOf(ann.projectId, PORT_TYPE);
    const keys = await keyCount();
    const res = await request('/keys', { cookie, form: keyForm(csrf, ann.projectId, { port: '1' }) });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(MESSAGES.en.locked);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before);
    expect(await keyCount()).toBe(keys);
  });

  it('refuses a stale CSRF token, a post from another site and a post after log-out, making nothing', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await balanceOf(ann.projectId, PORT_TYPE);
    const keys = await keyCount();
    const stale = await request('/keys', {
      cookie,
      form: keyForm(csrfFor('x'.repeat(43)), ann.projectId, { port: '1' }),
    });
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain(MESSAGES.en.sessionExpired);
    const missing = await request('/keys', {
      cookie,
      form: { projectId: String(ann.projectId), type: PORT_TYPE, units: '1' },
    });
    expect(missing.status).toBe(403);
    const foreign = await request('/keys', {
      cookie,
      origin: 'https://evil.test',
      form: keyForm(csrf, ann.projectId, { port: '1' }),
    });
    expect(foreign.status).toBe(403);
    await request('/logout', { cookie, form: { csrf } });
    const after = await request('/keys', { cookie, form: keyForm(csrf, ann.projectId, { port: '1' }) });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/login/);
    expect(await balanceOf(ann.projectId, PORT_TYPE)).toBe(before);
    expect(await keyCount()).toBe(keys);
  });
});
