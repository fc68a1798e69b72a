import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashToken } from '../../bridge/core/accounts/accounts.js';
import type { Actor } from '../../bridge/core/context.js';
import {
  addMember,
  createProject,
  operatorCredit,
  updateMember,
} from '../../bridge/core/organisation/index.js';
import { MESSAGES } from '../../bridge/web/i18n.js';
import { csrfFor, SESSION_COOKIE } from '../../bridge/web/web-session.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { makeTenant, makeUser, type FixtureUser, type Tenant } from '../bridge/fixtures.js';

/**
 * The projects pages (seed: Licenses → Projects, Properties, Rights, Join, Delete): create, edit, select
 * and delete a project; the core's refusals as sentences with the input kept; rights for another
 * company and what it then sees; join. The walls: another company's project answers the "not found"
 * page and nothing changes; a non-admin cannot change rights; a locked member sees the 'locked'
 * sentence; no form works without the session's CSRF token or from another origin.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant;
let bob: Tenant;
let carol: FixtureUser;
let dave: FixtureUser;
let annAdmin: Actor;
const ORIGIN = 'https://portal.test';
const en = MESSAGES.en;

beforeAll(async () => {
  root = await tempDir('mylic-web-projects-');
  tc = await makeTestCore(root.dir);
  ann = await makeTenant(tc, { name: 'ann', mac: '00-90-33-65-00-01' });
  bob = await makeTenant(tc, { name: 'bob', mac: '00-90-33-65-00-02' });
  annAdmin = { userId: ann.user.id, companyId: ann.companyId };
  carol = await makeUser(tc, 'carol@example.test');
  await addMember(tc.core, annAdmin, carol.email, false);
  dave = await makeUser(tc, 'dave@example.test');
  await addMember(tc.core, annAdmin, dave.email, false);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

type Session = { cookie: string; csrf: string };
const request = (
  path: string,
  opts: { session: Session; form?: Record<string, string>; lang?: string; origin?: string },
) =>
  tc.app.request(`${ORIGIN}${path}`, {
    method: opts.form ? 'POST' : 'GET',
    ...(opts.form ? { body: new URLSearchParams(opts.form).toString() } : {}),
    headers: {
      host: 'portal.test',
      accept: 'text/html',
      'accept-language': opts.lang ?? 'en',
      cookie: opts.session.cookie,
      ...(opts.form
        ? { origin: opts.origin ?? ORIGIN, 'content-type': 'application/x-www-form-urlencoded' }
        : {}),
    },
  });
const post = (s: Session, path: string, form: Record<string, string> = {}, lang?: string) =>
  request(path, { session: s, form: { csrf: s.csrf, ...form }, ...(lang ? { lang } : {}) });
const page = async (s: Session, path: string, lang?: string) =>
  (await request(path, { session: s, ...(lang ? { lang } : {}) })).text();

async function logIn(user: { email: string; password: string }): Promise<Session> {
  const res = await tc.app.request(`${ORIGIN}/login`, {
    method: 'POST',
    body: new URLSearchParams({ email: user.email, password: user.password }).toString(),
    headers: { host: 'portal.test', origin: ORIGIN, 'content-type': 'application/x-www-form-urlencoded' },
  });
  const token = new RegExp(`${SESSION_COOKIE}=([^;]+)`).exec(res.headers.get('set-cookie') ?? '')![1]!;
  return { cookie: `${SESSION_COOKIE}=${token}`, csrf: csrfFor(token) };
}

const db = () => tc.core.store.db;
const projectRow = (id: number) =>
  db().selectFrom('projects').selectAll().where('id', '=', id).executeTakeFirst();
const projectsOf = async (companyId: number) =>
  (await db().selectFrom('projects').select(['id', 'name']).where('company_id', '=', companyId).execute())
    .map((p) => p.name)
    .sort();
const rightsOn = async (projectId: number) =>
  (await db().selectFrom('project_rights').selectAll().where('project_id', '=', projectId).execute()).length;
const selectionOf = async (s: Session) => {
  const row = await db()
    .selectFrom('sessions')
    .select('project_id')
    .where('token_hash', '=', hashToken(s.cookie.slice(SESSION_COOKIE.length + 1)))
    .executeTakeFirst();
  return row?.project_id ?? null;
};
const fill = (text: string, vars: Record<string, string | number>) =>
  text.replace(/\{(\w+)\}/g, (_, k: string) => String(vars[k]));
const escaped = (s: string) => s.replaceAll('"', '&quot;').replaceAll("'", '&#39;');

describe('projects list and project page', () => {
  it('creates a project in German, edits its properties and deletes it', async () => {
    const s = await logIn(ann.user);
    const created = await post(s, '/projects', { name: 'Lager', description: 'Ersatzteile' }, 'de');
    expect(created.status).toBe(303);
    const location = created.headers.get('location')!;
    const id = Number(/^\/projects\/(\d+)\?done=created$/.exec(location)![1]);
    expect((await projectRow(id))?.name).toBe('Lager');
    const html = await page(s, location, 'de');
    expect(html).toContain(MESSAGES.de.projCreated);
    expect(html).toContain('<h1>Projekt Lager</h1>');
    expect(html).toContain(MESSAGES.de.projPropertiesHeading);

    const list = await page(s, '/projects', 'de');
    expect(list).toContain('Lager');
    expect(list).toContain('Ersatzteile');
    // The balance columns: one per license type of the company's projects, DEFAULT's units in them.
    expect(list).toContain('<th scope="col" class="num">PBX-Port13</th>');
    expect(list).toContain('<th scope="col" class="num">GW-Channel</th>');

    const saved = await post(s, `/projects/${id}`, { name: 'Lager Nord', description: 'Halle 2' }, 'de');
    expect(saved.status).toBe(303);
    expect(saved.headers.get('location')).toBe(`/projects/${id}?done=saved`);
    expect(await projectRow(id)).toMatchObject({ name: 'Lager Nord', description: 'Halle 2' });
    expect(await page(s, saved.headers.get('location')!, 'de')).toContain(MESSAGES.de.projSaved);

    const deleted = await post(s, `/projects/${id}/delete`, {}, 'de');
    expect(deleted.status).toBe(303);
    expect(deleted.headers.get('location')).toBe('/projects?done=deleted');
    expect(await projectRow(id)).toBeUndefined();
    expect(await page(s, '/projects?done=deleted', 'de')).toContain(MESSAGES.de.projDeleted);
  });

  it('answers refusals with sentences beside the field, the input kept, and changes nothing', async () => {
    const s = await logIn(ann.user);
    const before = await projectsOf(ann.companyId);

    const taken = await post(s, '/projects', { name: 'DEFAULT', description: 'kept text' });
    expect(taken.status).toBe(409);
    const takenHtml = await taken.text();
    expect(takenHtml).toContain(escaped(fill(en.projNameTaken, { name: 'DEFAULT' })));
    expect(takenHtml).toContain('value="DEFAULT"');
    expect(takenHtml).toContain('kept text</textarea>');

    const empty = await post(s, '/projects', { name: '   ', description: 'still here' }, 'nl');
    expect(empty.status).toBe(400);
    const emptyHtml = await empty.text();
    expect(emptyHtml).toContain(MESSAGES.nl.projNameInvalid);
    expect(emptyHtml).toContain('still here</textarea>');
    expect(await projectsOf(ann.companyId)).toEqual(before);

    // Rename into a name the company already has: refused, the typed name kept.
    const other = await createProject(tc.core, annAdmin, { name: 'Other' });
    const rename = await post(s, `/projects/${other.id}`, { name: 'DEFAULT', description: '' });
    expect(rename.status).toBe(409);
    const renameHtml = await rename.text();
    expect(renameHtml).toContain(escaped(fill(en.projNameTaken, { name: 'DEFAULT' })));
    expect(renameHtml).toContain('value="DEFAULT"');
    expect((await projectRow(other.id))?.name).toBe('Other');

    // DEFAULT holds a device, licenses and balance: the core refuses, the page says why.
    const refused = await post(s, `/projects/${ann.projectId}/delete`);
    expect(refused.status).toBe(409);
    const refusedHtml = await refused.text();
    expect(refusedHtml).toContain(fill(en.projNotEmpty, { project: 'DEFAULT' }));
    expect(refusedHtml).toContain(fill(en.projNotEmptyDevices, { count: 1 }));
    expect(refusedHtml).toContain(en.projNotEmptyJoin);
    expect(await projectRow(ann.projectId)).toBeDefined();
  });

  it("answers another company's project with the not-found page and changes nothing", async () => {
    await tc.core.store.db
      .updateTable('projects')
      .set({ description: 'Ann secret plans' })
      .where('id', '=', ann.projectId)
      .execute();
    const s = await logIn(bob.user);
    const selected = await selectionOf(s);
    const before = await projectRow(ann.projectId);
    const view = await request(`/projects/${ann.projectId}`, { session: s });
    expect(view.status).toBe(404);
    const html = await view.text();
    expect(html).toContain(en.notFound);
    expect(html).not.toContain('Ann secret plans');
    expect(html).not.toContain('Company ann');
    for (const [path, form] of [
      [`/projects/${ann.projectId}`, { name: 'Taken over', description: 'x' }],
      [`/projects/${ann.projectId}/delete`, {}],
      [`/projects/${ann.projectId}/select`, {}],
      [`/projects/${ann.projectId}/rights`, { companyId: String(bob.companyId) }],
      [`/projects/${ann.projectId}/rights/${bob.companyId}/revoke`, {}],
      [`/projects/${ann.projectId}/join`, { intoProjectId: String(bob.projectId) }],
      [`/projects/${bob.projectId}/join`, { intoProjectId: String(ann.projectId) }],
    ] as const) {
      const res = await post(s, path, form);
      if (path === `/projects/${bob.projectId}/join`) {
        // Bob's own project into Ann's: a sentence on Bob's page, nothing of Ann's shown.
        expect(res.status).toBe(400);
        const text = await res.text();
        expect(text).toContain(en.projJoinChoose);
        expect(text).not.toContain('Ann secret plans');
      } else {
        expect(res.status, path).toBe(404);
        expect(await res.text()).not.toContain('Ann secret plans');
      }
    }
    expect(await projectRow(ann.projectId)).toEqual(before);
    expect(await projectRow(bob.projectId)).toBeDefined();
    expect(await rightsOn(ann.projectId)).toBe(0);
    expect(await selectionOf(s)).toBe(selected);
    expect((await request('/projects/abc', { session: s })).status).toBe(404);
    expect((await request('/projects/0x1', { session: s })).status).toBe(404);
  });

  it('lets a rights holder see only what the right grants, and answers 404 once it is revoked', async () => {
    const a = await logIn(ann.user);
    const project = await createProject(tc.core, annAdmin, { name: 'Shared', description: 'for bob' });
    const badId = await post(a, `/projects/${project.id}/rights`, { companyId: 'bob' });
    expect(badId.status).toBe(400);
    const badHtml = await badId.text();
    expect(badHtml).toContain(en.projCompanyIdInvalid);
    expect(badHtml).toContain('value="bob"');
    const own = await post(a, `/projects/${project.id}/rights`, { companyId: String(ann.companyId) });
    expect(own.status).toBe(409);
    expect(await own.text()).toContain(en.projRightOwnCompany);
    expect(await rightsOn(project.id)).toBe(0);

    const granted = await post(a, `/projects/${project.id}/rights`, { companyId: String(bob.companyId) });
    expect(granted.status).toBe(303);
    expect(await rightsOn(project.id)).toBe(1);
    const annView = await page(a, `/projects/${project.id}?done=granted`);
    expect(annView).toContain(en.projGranted);
    expect(annView).toContain('Company bob');
    expect(annView).toContain(`action="/projects/${project.id}/rights/${bob.companyId}/revoke"`);

    const b = await logIn(bob.user);
    const list = await page(b, '/projects');
    expect(list).toContain(fill(en.projSharedCaption, { company: 'Company bob' }));
    expect(list).toContain('Shared');
    const bobView = await request(`/projects/${project.id}`, { session: b });
    expect(bobView.status).toBe(200);
    const bobHtml = await bobView.text();
    expect(bobHtml).toContain(fill(en.projExternalNote, { company: 'Company ann' }));
    expect(bobHtml).toContain(`/projects/${project.id}/ssa`);
    // No forms the right does not grant: properties, rights, join, delete.
    expect(bobHtml).not.toContain(`action="/projects/${project.id}"`);
    expect(bobHtml).not.toContain(`action="/projects/${project.id}/rights`);
    expect(bobHtml).not.toContain(`action="/projects/${project.id}/join"`);
    expect(bobHtml).not.toContain(`action="/projects/${project.id}/delete"`);
    // And the core refuses them anyway.
    const edit = await post(b, `/projects/${project.id}`, { name: 'Bobs now', description: '' });
    expect(edit.status).toBe(403);
    expect(await edit.text()).toContain(en.projForbidden);
    expect((await post(b, `/projects/${project.id}/delete`)).status).toBe(403);
    expect((await projectRow(project.id))?.name).toBe('Shared');
    // Bob may select it: the selection applies to his pages.
    expect((await post(b, `/projects/${project.id}/select`)).status).toBe(303);
    expect(await page(b, '/balance')).toContain(fill(en.balanceOfProject, { project: 'Shared' }));

    const revoked = await post(a, `/projects/${project.id}/rights/${bob.companyId}/revoke`);
    expect(revoked.status).toBe(303);
    expect(await rightsOn(project.id)).toBe(0);
    const gone = await request(`/projects/${project.id}`, { session: b });
    expect(gone.status).toBe(404);
    expect(await gone.text()).not.toContain('for bob');
    expect(await page(b, '/projects')).not.toContain('Shared');
    expect(await selectionOf(b)).toBeNull();
    // Revoking again: a sentence, nothing else changes.
    const again = await post(a, `/projects/${project.id}/rights/${bob.companyId}/revoke`);
    expect(again.status).toBe(409);
    expect(await again.text()).toContain(en.projRightMissing);
  });

  // Changed for issue 15 item 10 (seed L73 "Add or delete company rights for this project. To add a
  // company right, you have to enter the company id of this company."): any unlocked member of the
  // owning company may grant and revoke, not only admins; this test said the opposite before.
  it('L73: shows the rights forms to a plain member of the owning company, who grants and revokes in Italian', async () => {
    const c = await logIn(carol);
    const html = await page(c, `/projects/${ann.projectId}`, 'it');
    expect(html).not.toContain(MESSAGES.it.projRightsAdminOnly);
    expect(html).toContain('name="companyId"');
    const res = await post(
      c,
      `/projects/${ann.projectId}/rights`,
      { companyId: String(bob.companyId) },
      'it',
    );
    expect(res.status).toBe(303);
    expect(await rightsOn(ann.projectId)).toBe(1);
    const granted = await page(c, res.headers.get('location')!, 'it');
    expect(granted).toContain(MESSAGES.it.projGranted);
    expect(granted).toContain(`action="/projects/${ann.projectId}/rights/${bob.companyId}/revoke"`);
    const revoked = await post(c, `/projects/${ann.projectId}/rights/${bob.companyId}/revoke`, {}, 'it');
    expect(revoked.status).toBe(303);
    expect(await rightsOn(ann.projectId)).toBe(0);
    // Admins see the form too.
    expect(await page(await logIn(ann.user), `/projects/${ann.projectId}`)).toContain('name="companyId"');
  });

  it('shows a locked member the locked sentence and changes nothing', async () => {
    const d = await logIn(dave);
    await updateMember(tc.core, annAdmin, dave.id, { locked: true });
    try {
      const before = await projectsOf(ann.companyId);
      expect(await page(d, '/projects')).toContain(en.locked);
      const view = await request(`/projects/${ann.projectId}`, { session: d });
      expect(view.status).toBe(403);
      const html = await view.text();
      expect(html).toContain(en.locked);
      expect(html).not.toContain('Ann secret plans');
      const create = await post(d, '/projects', { name: 'Locked out', description: '' });
      expect(create.status).toBe(403);
      expect(await create.text()).toContain(en.locked);
      const edit = await post(d, `/projects/${ann.projectId}`, { name: 'Locked edit', description: '' });
      expect(edit.status).toBe(403);
      expect(await projectsOf(ann.companyId)).toEqual(before);
    } finally {
      await updateMember(tc.core, annAdmin, dave.id, { locked: false });
    }
  });

  it('refuses a stale CSRF token and a cross-origin POST, and a POST after log-out, changing nothing', async () => {
    const s = await logIn(ann.user);
    const before = await projectsOf(ann.companyId);
    const stale = await request('/projects', {
      session: s,
      form: { csrf: csrfFor('x'.repeat(43)), name: 'Stale', description: '' },
    });
    expect(stale.status).toBe(403);
    const staleHtml = await stale.text();
    expect(staleHtml).toContain(escaped(en.sessionExpired));
    expect(staleHtml).toContain('value="Stale"');
    const missing = await request(`/projects/${ann.projectId}`, {
      session: s,
      form: { name: 'No token', description: '' },
    });
    expect(missing.status).toBe(403);
    const cross = await request('/projects', {
      session: s,
      origin: 'https://evil.test',
      form: { csrf: s.csrf, name: 'Cross', description: '' },
    });
    expect(cross.status).toBe(403);
    const selected = await selectionOf(s);
    const crossSelect = await request(`/projects/${ann.projectId}/select`, {
      session: s,
      origin: 'https://evil.test',
      form: { csrf: s.csrf },
    });
    expect(crossSelect.status).toBe(403);
    expect(await selectionOf(s)).toBe(selected);
    const crossDelete = await request(`/projects/${ann.projectId}/rights`, {
      session: s,
      origin: 'https://evil.test',
      form: { csrf: s.csrf, companyId: String(bob.companyId) },
    });
    expect(crossDelete.status).toBe(403);
    expect(await rightsOn(ann.projectId)).toBe(0);
    expect(await projectsOf(ann.companyId)).toEqual(before);
    expect((await projectRow(ann.projectId))?.name).toBe('DEFAULT');

    expect((await post(s, '/logout')).status).toBe(303);
    const after = await post(s, '/projects', { name: 'After logout', description: '' });
    expect(after.status).toBe(303);
    expect(after.headers.get('location')).toMatch(/^\/login/);
    expect(await projectsOf(ann.companyId)).toEqual(before);
  });

  it('selecting a project by its name narrows /balance, deselecting shows all projects again', async () => {
    const s = await logIn(ann.user);
    const second = await createProject(tc.core, annAdmin, { name: 'Second' });
    const selected = await post(s, `/projects/${second.id}/select`, {}, 'de');
    expect(selected.status).toBe(303);
    expect(selected.headers.get('location')).toBe(`/projects/${second.id}?done=selected`);
    expect(await page(s, selected.headers.get('location')!, 'de')).toContain(MESSAGES.de.projSelectedNotice);
    expect(await page(s, '/balance')).toContain(fill(en.balanceOfProject, { project: 'Second' }));
    const list = await page(s, '/projects');
    expect(list).toContain(fill(en.projSelectedNow, { project: 'Second' }));
    expect(list).toContain(en.projDeselect);

    const deselected = await post(s, '/projects/deselect');
    expect(deselected.status).toBe(303);
    expect(deselected.headers.get('location')).toBe('/projects?done=deselected');
    expect(await selectionOf(s)).toBeNull();
    const balance = await page(s, '/balance');
    expect(balance).toContain(fill(en.balanceIntro, { company: 'Company ann' }));
    expect(balance).not.toContain(fill(en.balanceOfProject, { project: 'Second' }));
    expect(await page(s, '/projects')).toContain(en.projNoneSelected);
  });

  it('joins a project into another in Dutch, refused while it grants rights', async () => {
    const s = await logIn(ann.user);
    const old = await createProject(tc.core, annAdmin, { name: 'Oud' });
    expect((await post(s, `/projects/${old.id}/rights`, { companyId: String(bob.companyId) })).status).toBe(
      303,
    );
    const refused = await post(s, `/projects/${old.id}/join`, { intoProjectId: String(ann.projectId) }, 'nl');
    expect(refused.status).toBe(409);
    expect(await refused.text()).toContain(MESSAGES.nl.projJoinHasRights);
    expect(await projectRow(old.id)).toBeDefined();
    const self = await post(s, `/projects/${old.id}/join`, { intoProjectId: String(old.id) }, 'nl');
    expect(self.status).toBe(400);
    expect(await self.text()).toContain(MESSAGES.nl.projJoinChoose);

    expect((await post(s, `/projects/${old.id}/rights/${bob.companyId}/revoke`)).status).toBe(303);
    const joined = await post(s, `/projects/${old.id}/join`, { intoProjectId: String(ann.projectId) }, 'nl');
    expect(joined.status).toBe(303);
    expect(joined.headers.get('location')).toBe(`/projects/${ann.projectId}?done=joined`);
    expect(await projectRow(old.id)).toBeUndefined();
    expect(await page(s, joined.headers.get('location')!, 'nl')).toContain(MESSAGES.nl.projJoined);
  });
});

describe('join into a project under SSA', () => {
  it('shows the SSC summary first, pays only the total shown, and moves nothing before', async () => {
    const eve = await makeTenant(tc, { name: 'eve', mac: '00-90-33-65-00-05' });
    const eveAdmin = { userId: eve.user.id, companyId: eve.companyId };
    const target = await createProject(tc.core, eveAdmin, { name: 'Under SSA' });
    await db().updateTable('projects').set({ ssa_end: '2099-12-31' }).where('id', '=', target.id).execute();
    const s = await logIn(eve.user);
    const asked = await post(
      s,
      `/projects/${eve.projectId}/join`,
      { intoProjectId: String(target.id) },
      'fr',
    );
    expect(asked.status).toBe(200);
    const html = await asked.text();
    const total = Number(/name="expectedTotal" value="(\d+)"/.exec(html)![1]);
    expect(total).toBeGreaterThan(0);
    expect(html).toContain(fill(MESSAGES.fr.projJoinConfirmButton, { total }));
    expect(await projectRow(eve.projectId)).toBeDefined();

    // No SSC in the balance: a sentence, nothing moved.
    const poor = await post(s, `/projects/${eve.projectId}/join`, {
      intoProjectId: String(target.id),
      expectedTotal: String(total),
    });
    expect(poor.status).toBe(409);
    expect(await poor.text()).toContain(fill(en.ssaMissing, { missing: total }));
    expect(await projectRow(eve.projectId)).toBeDefined();

    await operatorCredit(tc.core, eve.companyId, 'DEFAULT', 'SSC', total, 'fixture-ssc');
    // A total other than the one due now: refused as changed.
    const stale = await post(s, `/projects/${eve.projectId}/join`, {
      intoProjectId: String(target.id),
      expectedTotal: String(total + 1),
    });
    expect(stale.status).toBe(409);
    expect(await stale.text()).toContain(en.ssaChanged);
    expect(await projectRow(eve.projectId)).toBeDefined();

    const joined = await post(s, `/projects/${eve.projectId}/join`, {
      intoProjectId: String(target.id),
      expectedTotal: String(total),
    });
    expect(joined.status).toBe(303);
    expect(await projectRow(eve.projectId)).toBeUndefined();
    const licenses = await db()
      .selectFrom('licenses')
      .select(['project_id', 'ssa_end'])
      .where('serial', '=', eve.port.serial)
      .executeTakeFirstOrThrow();
    expect(licenses).toMatchObject({ project_id: target.id, ssa_end: '2099-12-31' });
  });
});
