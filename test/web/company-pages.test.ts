import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  addMember,
  createCompany,
  setVendorAccount,
  updateMember,
} from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { addFixtureDevice, type FixtureUser, makeTenant, makeUser, type Tenant } from '../bridge/fixtures.js';
import { logInThroughPage } from '../support/page-session.js';

/**
 * Licenses → Company as pages (seed L26-31, L262-287, L299-303): the company's data and id, its users
 * with the admin's actions, the data form, a new company (selected at once), the import of a company
 * created by mistake, and the selector. Admins only for every change, the last admin is kept, another
 * company's user answers the not-found page, and no form works without this session's CSRF token from
 * this origin — every refusal leaves the memberships and the company as they were.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
let carl: FixtureUser;
const ORIGIN = 'https://portal.test';

beforeAll(async () => {
  root = await tempDir('mylic-web-company-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-65-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-65-00-02' });
  // Bob's company holds Ann's device too: that must not open anything of Ann's company to Bob.
  await addFixtureDevice(tc, bob.actor, bob.projectId, ann.device.hardwareId);
  carl = await makeUser(tc, 'carl@example.test');
  await addMember(tc.core, { ...ann.actor, companyId: ann.companyId }, carl.email, false);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const request = (
  path: string,
  opts: { cookie: string; form?: Record<string, string>; lang?: string; origin?: string },
) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: opts.form ? 'POST' : 'GET',
    ...(opts.form ? { body: new URLSearchParams(opts.form).toString() } : {}),
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
const logIn = (user: { email: string; password: string }) => logInThroughPage(tc.app, user);
const follow = async (res: Response, cookie: string, lang = 'en') => {
  expect(res.status).toBe(303);
  return (await request(res.headers.get('location')!, { cookie, lang })).text();
};

/** Every membership of a company with its flags: what a refused request must leave as it was. */
const membershipsOf = (companyId: number) =>
  tc.core.store.db
    .selectFrom('memberships')
    .select(['user_id', 'is_admin', 'is_locked'])
    .where('company_id', '=', companyId)
    .orderBy('user_id')
    .execute();
const companyRow = (companyId: number) =>
  tc.core.store.db
    .selectFrom('companies')
    .leftJoin('company_details', 'company_details.company_id', 'companies.id')
    .select([
      'companies.name',
      'company_details.street',
      'company_details.postal_code',
      'company_details.city',
    ])
    .where('companies.id', '=', companyId)
    .executeTakeFirst();
const selectedOf = async (cookie: string) => {
  const token = cookie.split('=')[1]!;
  const all = await tc.core.store.db.selectFrom('sessions').select(['token_hash', 'company_id']).execute();
  const { hashToken } = await import('../../bridge/core/accounts/index.js');
  return all.find((r) => r.token_hash === hashToken(token))?.company_id ?? null;
};
const newcomer = (() => {
  let n = 0;
  return () => makeUser(tc, `newcomer${++n}@example.test`);
})();

describe('the company page', () => {
  it('shows the company data with its id and the users with their flags, in German', async () => {
    const { cookie } = await logIn(ann.user);
    const res = await request('/company', { cookie, lang: 'de' });
    expect(res.status).toBe(200);
    const html = await res.text();
    expect(html).toContain(MESSAGES.de.companyDataTitle);
    expect(html).toContain(`<strong class="company-id">${ann.companyId}</strong>`);
    expect(html).toContain('Company ann');
    expect(html).toContain(ann.user.email);
    expect(html).toContain(carl.email);
    expect(html).toContain(MESSAGES.de.companyLastAdmin);
    // Ann is admin: the actions and the form to add a user.
    expect(html).toContain(MESSAGES.de.companyAddButton);
    expect(html).toContain(`action="/company/users/${carl.id}"`);
    expect(html).toContain('href="/company/edit"');
    expect(html).toContain('href="/company/join"');
    expect(html).toContain('aria-current="page"');
  });

  it('is read-only for a user who is not admin', async () => {
    const { cookie } = await logIn(carl);
    const html = await (await request('/company', { cookie, lang: 'it' })).text();
    expect(html).toContain(MESSAGES.it.companyUsersReadOnly);
    expect(html).toContain(ann.user.email);
    expect(html).not.toContain('action="/company/users');
    expect(html).not.toContain('href="/company/edit"');
    expect(html).not.toContain('href="/company/join"');
    expect(html).not.toContain(MESSAGES.it.companyAddButton);
  });

  it("shows a company that holds the same device as Ann's company nothing of Ann's company", async () => {
    const { cookie } = await logIn(bob.user);
    const html = await (await request('/company', { cookie })).text();
    expect(html).toContain('Company bob');
    expect(html).toContain(bob.user.email);
    for (const other of ['Company ann', ann.user.email, carl.email, `>${ann.companyId}</strong>`])
      expect(html).not.toContain(other);
  });

  it('tells a user without a company how to create one or to be added, with their address', async () => {
    const dora = await newcomer();
    const { cookie } = await logIn(dora);
    const html = await (await request('/company', { cookie, lang: 'fr' })).text();
    expect(html).toContain(MESSAGES.fr.companyNoCompanyIntro.replace('{email}', dora.email).slice(0, 40));
    expect(html).toContain(dora.email);
    expect(html).toContain(MESSAGES.fr.companyCreateFromAccount);
    expect(html).toContain(MESSAGES.fr.companyCreate);
    expect(html).not.toContain(MESSAGES.fr.companyUsersTitle);
  });

  it('sends a visitor without a session to the log-in', async () => {
    const res = await request('/company', { cookie: '' });
    expect(res.status).toBe(303);
    expect(res.headers.get('location')).toBe('/login?next=%2Fcompany');
  });
});

describe('company users', () => {
  it('adds an existing account by e-mail as admin, in Italian, and says so', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const dora = await newcomer();
    const res = await request('/company/users', {
      cookie,
      lang: 'it',
      form: { csrf, email: dora.email, admin: 'yes' },
    });
    const html = await follow(res, cookie, 'it');
    expect(html).toContain(MESSAGES.it.companyUserAdded.replace('{email}', dora.email));
    const m = (await membershipsOf(ann.companyId)).find((r) => r.user_id === dora.id);
    expect(m).toMatchObject({ is_admin: 1, is_locked: 0 });
    // Ann is no longer the last admin: the tag is gone.
    expect(html).not.toContain(MESSAGES.it.companyLastAdmin);
    // Take it back, so the other tests see one admin.
    await follow(await request(`/company/users/${dora.id}/remove`, { cookie, form: { csrf } }), cookie);
  });

  it('answers an unknown address and a member already there with a sentence, the input kept', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await membershipsOf(ann.companyId);
    const unknown = await request('/company/users', {
      cookie,
      lang: 'nl',
      form: { csrf, email: 'nobody@example.test', admin: 'yes' },
    });
    expect(unknown.status).toBe(400);
    const html = await unknown.text();
    expect(html).toContain(MESSAGES.nl.companyUserUnknown);
    expect(html).toContain('value="nobody@example.test"');
    expect(html).toMatch(/id="admin"[^>]*checked/);
    const again = await request('/company/users', { cookie, form: { csrf, email: carl.email } });
    expect(again.status).toBe(409);
    expect(await again.text()).toContain(MESSAGES.en.companyAlreadyMember);
    const bad = await request('/company/users', { cookie, form: { csrf, email: 'not an address' } });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain(MESSAGES.en.emailInvalid);
    expect(await membershipsOf(ann.companyId)).toEqual(before);
  });

  it('grants and takes away the admin right, locks and unlocks a user', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const flags = async () => (await membershipsOf(ann.companyId)).find((r) => r.user_id === carl.id);
    const change = (c: string) =>
      request(`/company/users/${carl.id}`, { cookie, lang: 'de', form: { csrf, change: c } });
    expect(await follow(await change('grantAdmin'), cookie, 'de')).toContain(
      MESSAGES.de.companyAdminGranted.replace('{email}', carl.email),
    );
    expect(await flags()).toMatchObject({ is_admin: 1, is_locked: 0 });
    expect(await follow(await change('revokeAdmin'), cookie, 'de')).toContain(
      MESSAGES.de.companyAdminRevoked.replace('{email}', carl.email),
    );
    expect(await follow(await change('lock'), cookie, 'de')).toContain(
      MESSAGES.de.companyUserLocked.replace('{email}', carl.email),
    );
    expect(await flags()).toMatchObject({ is_admin: 0, is_locked: 1 });
    expect(await follow(await change('unlock'), cookie, 'de')).toContain(
      MESSAGES.de.companyUserUnlocked.replace('{email}', carl.email),
    );
    expect(await flags()).toMatchObject({ is_admin: 0, is_locked: 0 });
  });

  it('keeps the last admin: no demotion, lock or removal, with a sentence', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await membershipsOf(ann.companyId);
    for (const change of ['revokeAdmin', 'lock']) {
      const res = await request(`/company/users/${ann.user.id}`, { cookie, form: { csrf, change } });
      expect(res.status).toBe(409);
      expect(await res.text()).toContain(MESSAGES.en.companyLastAdminError);
    }
    const removed = await request(`/company/users/${ann.user.id}/remove`, { cookie, form: { csrf } });
    expect(removed.status).toBe(409);
    expect(await removed.text()).toContain(MESSAGES.en.companyLastAdminError);
    expect(await membershipsOf(ann.companyId)).toEqual(before);
  });

  it('removes a user after the confirmation page; the account and its history stay', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const erin = await newcomer();
    await request('/company/users', { cookie, form: { csrf, email: erin.email } });
    const confirm = await request(`/company/users/${erin.id}/remove`, { cookie, lang: 'fr' });
    expect(confirm.status).toBe(200);
    const page = await confirm.text();
    expect(page).toContain(erin.email);
    expect(page).toContain(MESSAGES.fr.companyRemoveConfirm);
    // The confirmation page alone changes nothing.
    expect((await membershipsOf(ann.companyId)).some((r) => r.user_id === erin.id)).toBe(true);
    const html = await follow(
      await request(`/company/users/${erin.id}/remove`, { cookie, lang: 'fr', form: { csrf } }),
      cookie,
      'fr',
    );
    expect(html).toContain(MESSAGES.fr.companyUserRemoved);
    expect(html).not.toContain(erin.email);
    expect((await membershipsOf(ann.companyId)).some((r) => r.user_id === erin.id)).toBe(false);
    expect(
      await tc.core.store.db.selectFrom('users').select('id').where('id', '=', erin.id).executeTakeFirst(),
    ).toBeTruthy();
    const history = await tc.core.store.db
      .selectFrom('history')
      .select('event')
      .where('company_id', '=', ann.companyId)
      .where('event', '=', 'company.user_removed')
      .execute();
    expect(history.length).toBeGreaterThan(0);
  });

  it('lets an admin leave when another admin stays; they then see the way to a company', async () => {
    const rita = await newcomer();
    const sam = await newcomer();
    const { companyId } = await createCompany(tc.core, rita.id, 'Rita GmbH');
    await addMember(tc.core, { userId: rita.id, companyId }, sam.email, true);
    const { cookie, csrf } = await logIn(rita);
    const confirm = await (await request(`/company/users/${rita.id}/remove`, { cookie, lang: 'de' })).text();
    expect(confirm).toContain(MESSAGES.de.companyRemoveSelf);
    const html = await follow(
      await request(`/company/users/${rita.id}/remove`, { cookie, lang: 'de', form: { csrf } }),
      cookie,
      'de',
    );
    expect(html).toContain(MESSAGES.de.companyUserRemoved);
    expect(html).toContain(MESSAGES.de.companyNoCompanyIntro.replace('{email}', rita.email));
    expect(html).not.toContain(sam.email);
    expect(await selectedOf(cookie)).toBeNull();
    expect(await membershipsOf(companyId)).toEqual([{ user_id: sam.id, is_admin: 1, is_locked: 0 }]);
  });

  it('refuses a user who is not admin: no adding, locking, admin right or removal, nothing changed', async () => {
    const { cookie, csrf } = await logIn(carl);
    const before = await membershipsOf(ann.companyId);
    const dora = await newcomer();
    const add = await request('/company/users', { cookie, form: { csrf, email: dora.email, admin: 'yes' } });
    expect(add.status).toBe(403);
    expect(await add.text()).toContain(MESSAGES.en.companyAdminsOnly);
    for (const change of ['lock', 'grantAdmin']) {
      const res = await request(`/company/users/${ann.user.id}`, { cookie, form: { csrf, change } });
      expect(res.status).toBe(403);
      expect(await res.text()).toContain(MESSAGES.en.companyAdminsOnly);
    }
    const self = await request(`/company/users/${carl.id}`, { cookie, form: { csrf, change: 'grantAdmin' } });
    expect(self.status).toBe(403);
    const confirm = await request(`/company/users/${ann.user.id}/remove`, { cookie });
    expect(confirm.status).toBe(403);
    expect(await confirm.text()).not.toContain(MESSAGES.en.companyRemoveConfirm);
    const remove = await request(`/company/users/${ann.user.id}/remove`, { cookie, form: { csrf } });
    expect(remove.status).toBe(403);
    expect(await membershipsOf(ann.companyId)).toEqual(before);
  });

  it("answers another company's user — even one whose company holds the same device — with the not-found page", async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const annsBefore = await membershipsOf(ann.companyId);
    const bobsBefore = await membershipsOf(bob.companyId);
    for (const res of [
      await request(`/company/users/${bob.user.id}`, { cookie, form: { csrf, change: 'lock' } }),
      await request(`/company/users/${bob.user.id}`, { cookie, form: { csrf, change: 'revokeAdmin' } }),
      await request(`/company/users/${bob.user.id}/remove`, { cookie }),
      await request(`/company/users/${bob.user.id}/remove`, { cookie, form: { csrf } }),
      await request('/company/users/99999/remove', { cookie }),
      await request('/company/users/0x2/remove', { cookie }),
    ]) {
      expect(res.status).toBe(404);
      const html = await res.text();
      expect(html).toContain(MESSAGES.en.notFound);
      expect(html).not.toContain(bob.user.email);
      expect(html).not.toContain('Company bob');
    }
    expect(await membershipsOf(ann.companyId)).toEqual(annsBefore);
    expect(await membershipsOf(bob.companyId)).toEqual(bobsBefore);
  });

  it('refuses a stale or missing CSRF token, a cross-origin post and a logged-out session, nothing changed', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await membershipsOf(ann.companyId);
    const dora = await newcomer();
    const attempts: { path: string; form: Record<string, string> }[] = [
      { path: '/company/users', form: { csrf: csrfFor('x'.repeat(43)), email: dora.email } },
      { path: '/company/users', form: { email: dora.email } },
      { path: `/company/users/${carl.id}`, form: { csrf: 'stale', change: 'lock' } },
      { path: `/company/users/${carl.id}/remove`, form: { csrf: csrfFor('y'.repeat(43)) } },
      { path: '/company/edit', form: { csrf: 'stale', name: 'Stolen' } },
      {
        path: '/company/join',
        form: {
          csrf: 'stale',
          companyId: String(bob.companyId),
          email: bob.user.email,
          password: bob.user.password,
          confirm: 'yes',
        },
      },
    ];
    for (const a of attempts) {
      const res = await request(a.path, { cookie, form: a.form });
      expect(res.status, a.path).toBe(403);
      expect(await res.text()).toContain(MESSAGES.en.sessionExpired);
    }
    for (const a of attempts) {
      const res = await request(a.path, {
        cookie,
        origin: 'https://evil.example',
        form: { ...a.form, csrf },
      });
      expect(res.status, a.path).toBe(403);
    }
    expect(await membershipsOf(ann.companyId)).toEqual(before);
    expect((await companyRow(ann.companyId))?.name).toBe('Company ann');
    expect(await companyRow(bob.companyId)).toBeTruthy();
    // After log-out the old cookie reaches nothing.
    await request('/logout', { cookie, form: { csrf } });
    const after = await request(`/company/users/${carl.id}`, { cookie, form: { csrf, change: 'lock' } });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/login/);
    expect(await membershipsOf(ann.companyId)).toEqual(before);
  });

  it('shows a member locked in the company the locked sentence and lets them change nothing', async () => {
    const gina = await newcomer();
    await addMember(tc.core, { ...ann.actor, companyId: ann.companyId }, gina.email, true);
    const { cookie, csrf } = await logIn(gina);
    await updateMember(tc.core, { ...ann.actor, companyId: ann.companyId }, gina.id, { locked: true });
    const before = await membershipsOf(ann.companyId);
    const page = await request('/company', { cookie });
    const html = await page.text();
    expect(html).toContain(MESSAGES.en.locked);
    expect(html).not.toContain(carl.email);
    const dora = await newcomer();
    for (const [path, form] of [
      ['/company/users', { csrf, email: dora.email }],
      [`/company/users/${carl.id}`, { csrf, change: 'lock' }],
      [`/company/users/${carl.id}/remove`, { csrf }],
      ['/company/edit', { csrf, name: 'Locked out' }],
    ] as [string, Record<string, string>][]) {
      const res = await request(path, { cookie, form });
      expect(res.status, path).toBe(403);
      const body = await res.text();
      expect(body).toContain(MESSAGES.en.locked);
      expect(body).not.toContain(carl.email);
    }
    expect(await membershipsOf(ann.companyId)).toEqual(before);
    expect((await companyRow(ann.companyId))?.name).toBe('Company ann');
  });
});

describe('company data', () => {
  it('lets an admin change the data, in French', async () => {
    const hank = await newcomer();
    const { companyId } = await createCompany(tc.core, hank.id, 'Hank SARL');
    const { cookie, csrf } = await logIn(hank);
    const form = await (await request('/company/edit', { cookie, lang: 'fr' })).text();
    expect(form).toContain('value="Hank SARL"');
    const res = await request('/company/edit', {
      cookie,
      lang: 'fr',
      form: {
        csrf,
        name: 'Hank & Fils SARL',
        street: '1 rue de la Paix',
        postalCode: '75002',
        city: 'Paris',
        country: 'France',
      },
    });
    const html = await follow(res, cookie, 'fr');
    expect(html).toContain(MESSAGES.fr.companyUpdated);
    expect(html).toContain('Hank &amp; Fils SARL');
    expect(html).toContain('1 rue de la Paix');
    expect(await companyRow(companyId)).toEqual({
      name: 'Hank & Fils SARL',
      street: '1 rue de la Paix',
      postal_code: '75002',
      city: 'Paris',
    });
  });

  it('answers a missing name and a postal code too long beside the fields, the input kept', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const before = await companyRow(ann.companyId);
    const res = await request('/company/edit', {
      cookie,
      lang: 'de',
      form: {
        csrf,
        name: '',
        street: 'Hauptstraße 5',
        postalCode: '1'.repeat(21),
        city: 'Berlin',
        country: '',
      },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(MESSAGES.de.companyNameRequired);
    expect(html).toContain(MESSAGES.de.companyTooLong.replace('{max}', '20'));
    expect(html).toContain('value="Hauptstraße 5"');
    expect(html).toContain('value="Berlin"');
    expect(await companyRow(ann.companyId)).toEqual(before);
  });

  it('is refused to a user who is not admin, and for a company from the innovaphone account', async () => {
    const { cookie, csrf } = await logIn(carl);
    const before = await companyRow(ann.companyId);
    const page = await request('/company/edit', { cookie });
    expect(await page.text()).toContain(MESSAGES.en.companyReadOnly);
    const res = await request('/company/edit', { cookie, form: { csrf, name: 'Carl takes over' } });
    expect(res.status).toBe(403);
    expect(await res.text()).toContain(MESSAGES.en.companyAdminsOnly);
    expect(await companyRow(ann.companyId)).toEqual(before);

    await setVendorAccount(tc.core, {
      accountId: 'C-1001',
      postalCode: '6020',
      name: 'Vendor Kunde GmbH',
      city: 'Innsbruck',
    });
    const ivy = await newcomer();
    const s = await logIn(ivy);
    await follow(
      await request('/company/new', {
        cookie: s.cookie,
        form: { csrf: s.csrf, via: 'account', accountId: 'C-1001', accountPostalCode: '6020' },
      }),
      s.cookie,
    );
    const overview = await (await request('/company', { cookie: s.cookie })).text();
    expect(overview).toContain('Vendor Kunde GmbH');
    expect(overview).toContain('Innsbruck');
    expect(overview).toContain(MESSAGES.en.companyFromVendor.replace('{account}', 'C-1001'));
    expect(overview).not.toContain('href="/company/edit"');
    const edit = await request('/company/edit', {
      cookie: s.cookie,
      form: { csrf: s.csrf, name: 'Renamed' },
    });
    expect(edit.status).toBe(409);
    expect(await edit.text()).toContain(MESSAGES.en.companyFromVendor.replace('{account}', 'C-1001'));
    expect((await companyRow((await selectedOf(s.cookie))!))?.name).toBe('Vendor Kunde GmbH');
  });
});

describe('new company', () => {
  it('creates a company by hand, in Dutch: its creator is admin and it is selected at once', async () => {
    const jo = await newcomer();
    const { cookie, csrf } = await logIn(jo);
    expect(await selectedOf(cookie)).toBeNull();
    const res = await request('/company/new', {
      cookie,
      lang: 'nl',
      form: {
        csrf,
        via: 'data',
        name: 'Jo BV',
        street: '',
        postalCode: '1012 AB',
        city: 'Amsterdam',
        country: 'NL',
      },
    });
    const html = await follow(res, cookie, 'nl');
    expect(html).toContain(MESSAGES.nl.companyCreated.replace('{name}', 'Jo BV'));
    expect(html).toContain('Amsterdam');
    const companyId = await selectedOf(cookie);
    expect(companyId).not.toBeNull();
    expect(await membershipsOf(companyId!)).toEqual([{ user_id: jo.id, is_admin: 1, is_locked: 0 }]);
  });

  it('creates another company for a user who has one; the selector switches back', async () => {
    const kim = await newcomer();
    const first = await createCompany(tc.core, kim.id, 'Kim One');
    const { cookie, csrf } = await logIn(kim);
    expect(await selectedOf(cookie)).toBe(first.companyId);
    await follow(
      await request('/company/new', { cookie, form: { csrf, via: 'data', name: 'Kim Two' } }),
      cookie,
    );
    const second = await selectedOf(cookie);
    expect(second).not.toBe(first.companyId);
    const page = await (await request('/company', { cookie })).text();
    expect(page).toContain('id="company-select"');
    expect(page).toContain('Kim One');
    const back = await request('/company/select', {
      cookie,
      form: { csrf, companyId: String(first.companyId), next: '/company' },
    });
    expect(back.status).toBe(303);
    expect(back.headers.get('location')).toBe('/company');
    expect(await selectedOf(cookie)).toBe(first.companyId);
    // From a user's remove page of the company left behind: to the new company's page, not a 404.
    const fromRemove = await request('/company/select', {
      cookie,
      form: { csrf, companyId: String(second), next: `/company/users/${kim.id}/remove` },
    });
    expect(fromRemove.headers.get('location')).toBe('/company');
  });

  it('answers an unknown account ID or postal code, and an account already taken, beside the field', async () => {
    await setVendorAccount(tc.core, { accountId: 'C-2002', postalCode: '39100', name: 'Cliente Srl' });
    const lea = await newcomer();
    const { cookie, csrf } = await logIn(lea);
    const count = async () => (await tc.core.store.db.selectFrom('companies').select('id').execute()).length;
    const before = await count();
    const wrong = await request('/company/new', {
      cookie,
      lang: 'it',
      form: { csrf, via: 'account', accountId: 'C-2002', accountPostalCode: '39999' },
    });
    expect(wrong.status).toBe(400);
    const html = await wrong.text();
    expect(html).toContain(MESSAGES.it.companyAccountUnknown);
    expect(html).toContain('value="C-2002"');
    expect(html).toContain('value="39999"');
    const missing = await request('/company/new', { cookie, form: { csrf, via: 'data', name: '  ' } });
    expect(missing.status).toBe(400);
    expect(await missing.text()).toContain(MESSAGES.en.companyNameRequired);
    expect(await count()).toBe(before);
    await follow(
      await request('/company/new', {
        cookie,
        form: { csrf, via: 'account', accountId: 'C-2002', accountPostalCode: '39100' },
      }),
      cookie,
    );
    const max = await newcomer();
    const s = await logIn(max);
    const taken = await request('/company/new', {
      cookie: s.cookie,
      form: { csrf: s.csrf, via: 'account', accountId: 'C-2002', accountPostalCode: '39100' },
    });
    expect(taken.status).toBe(409);
    expect(await taken.text()).toContain(MESSAGES.en.companyAccountTaken);
    expect(await count()).toBe(before + 1);
  });

  it('refuses a stale CSRF token and a cross-origin post, creating nothing', async () => {
    const ned = await newcomer();
    const { cookie, csrf } = await logIn(ned);
    const count = async () => (await tc.core.store.db.selectFrom('companies').select('id').execute()).length;
    const before = await count();
    const stale = await request('/company/new', {
      cookie,
      form: { csrf: 'stale', via: 'data', name: 'Ned Ltd' },
    });
    expect(stale.status).toBe(403);
    expect(await stale.text()).toContain('value="Ned Ltd"');
    const cross = await request('/company/new', {
      cookie,
      origin: 'https://evil.example',
      form: { csrf, via: 'data', name: 'Ned Ltd' },
    });
    expect(cross.status).toBe(403);
    expect(await count()).toBe(before);
    expect(await selectedOf(cookie)).toBeNull();
  });
});

describe('importing another company', () => {
  it('imports a company created by mistake with its admin’s login and deletes it, in German', async () => {
    const olga = await newcomer();
    const mistake = await createCompany(tc.core, olga.id, 'Olga by mistake');
    const { cookie, csrf } = await logIn(ann.user);
    const page = await (await request('/company/join', { cookie, lang: 'de' })).text();
    expect(page).toContain(MESSAGES.de.companyJoinWarning);
    const res = await request('/company/join', {
      cookie,
      lang: 'de',
      form: {
        csrf,
        companyId: String(mistake.companyId),
        email: olga.email,
        password: olga.password,
        confirm: 'yes',
      },
    });
    const html = await follow(res, cookie, 'de');
    expect(html).toContain(
      MESSAGES.de.companyJoined.replaceAll('{id}', String(mistake.companyId)).slice(0, 30),
    );
    expect(html).toContain(olga.email);
    expect(await companyRow(mistake.companyId)).toBeUndefined();
    expect((await membershipsOf(ann.companyId)).find((m) => m.user_id === olga.id)).toMatchObject({
      is_admin: 1,
    });
    // Back to one admin for the other tests.
    await updateMember(tc.core, { ...ann.actor, companyId: ann.companyId }, olga.id, { admin: false });
  });

  it('needs the confirmation, a whole-number id and the password; the input is kept, the password not', async () => {
    const { cookie, csrf } = await logIn(ann.user);
    const res = await request('/company/join', {
      cookie,
      lang: 'fr',
      form: { csrf, companyId: ' 0x2', email: bob.user.email, password: bob.user.password },
    });
    expect(res.status).toBe(400);
    const html = await res.text();
    expect(html).toContain(MESSAGES.fr.companyJoinConfirmMissing);
    expect(html).toContain(MESSAGES.fr.companyJoinIdInvalid);
    expect(html).toContain(`value="${bob.user.email}"`);
    expect(html).not.toContain(bob.user.password);
    expect(await companyRow(bob.companyId)).toBeTruthy();
  });

  it("refuses a wrong login, this company's own id and a user who is not admin, changing nothing", async () => {
    const bobsBefore = await membershipsOf(bob.companyId);
    const annsBefore = await membershipsOf(ann.companyId);
    const a = await logIn(ann.user);
    const wrong = await request('/company/join', {
      cookie: a.cookie,
      form: {
        csrf: a.csrf,
        companyId: String(bob.companyId),
        email: bob.user.email,
        password: 'not the password',
        confirm: 'yes',
      },
    });
    expect(wrong.status).toBe(403);
    expect(await wrong.text()).toContain(MESSAGES.en.companyJoinRefused);
    // A member of the other company who is not its admin proves nothing either.
    const self = await request('/company/join', {
      cookie: a.cookie,
      form: {
        csrf: a.csrf,
        companyId: String(ann.companyId),
        email: ann.user.email,
        password: ann.user.password,
        confirm: 'yes',
      },
    });
    expect(self.status).toBe(409);
    expect(await self.text()).toContain(MESSAGES.en.companyJoinSelf);
    const c = await logIn(carl);
    expect(await (await request('/company/join', { cookie: c.cookie })).text()).toContain(
      MESSAGES.en.companyJoinAdminsOnly,
    );
    const byCarl = await request('/company/join', {
      cookie: c.cookie,
      form: {
        csrf: c.csrf,
        companyId: String(bob.companyId),
        email: bob.user.email,
        password: bob.user.password,
        confirm: 'yes',
      },
    });
    expect(byCarl.status).toBe(403);
    expect(await byCarl.text()).toContain(MESSAGES.en.companyJoinAdminsOnly);
    expect(await companyRow(bob.companyId)).toBeTruthy();
    expect(await membershipsOf(bob.companyId)).toEqual(bobsBefore);
    expect(await membershipsOf(ann.companyId)).toEqual(annsBefore);
  });
});

describe('importing another company, guessed', () => {
  it('stops after five wrong passwords for that admin with a sentence saying how long to wait', async () => {
    const quinn = await newcomer();
    const theirs = await createCompany(tc.core, quinn.id, 'Quinn Ltd');
    const { cookie, csrf } = await logIn(ann.user);
    const annsBefore = await membershipsOf(ann.companyId);
    const attempt = (password: string) =>
      request('/company/join', {
        cookie,
        lang: 'it',
        form: { csrf, companyId: String(theirs.companyId), email: quinn.email, password, confirm: 'yes' },
      });
    for (let i = 0; i < 5; i++) expect((await attempt(`wrong ${i}`)).status).toBe(403);
    // Now even the right password waits: the limit is the log-in's.
    const limited = await attempt(quinn.password);
    expect(limited.status).toBe(429);
    const html = await limited.text();
    expect(html).toContain(MESSAGES.it.companyJoinLimited.split('{minutes}')[0]);
    expect(html).toContain(`value="${quinn.email}"`);
    expect(await companyRow(theirs.companyId)).toBeTruthy();
    expect(await membershipsOf(theirs.companyId)).toEqual([{ user_id: quinn.id, is_admin: 1, is_locked: 0 }]);
    expect(await membershipsOf(ann.companyId)).toEqual(annsBefore);
  });
});

describe('the company selector', () => {
  it('refuses switching to a company where the user is locked, and to a company not theirs', async () => {
    const pia = await newcomer();
    const own = await createCompany(tc.core, pia.id, 'Pia Own');
    await addMember(tc.core, { ...ann.actor, companyId: ann.companyId }, pia.email, false);
    await updateMember(tc.core, { ...ann.actor, companyId: ann.companyId }, pia.id, { locked: true });
    const { cookie, csrf } = await logIn(pia);
    expect(await selectedOf(cookie)).toBe(own.companyId);
    const locked = await request('/company/select', {
      cookie,
      lang: 'nl',
      form: { csrf, companyId: String(ann.companyId), next: '/company' },
    });
    expect(locked.status).toBe(403);
    const html = await locked.text();
    expect(html).toContain(MESSAGES.nl.locked);
    expect(html).not.toContain(carl.email);
    const foreign = await request('/company/select', {
      cookie,
      form: { csrf, companyId: String(bob.companyId), next: '/company' },
    });
    expect(foreign.status).toBe(404);
    expect(await foreign.text()).not.toContain('Company bob');
    expect(await selectedOf(cookie)).toBe(own.companyId);
  });
});
