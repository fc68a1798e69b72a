/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { MylicError } from '../../../protocol/errors.js';
import { IdText } from '../../../protocol/ids.js';
import { CsrfForm } from '../../../protocol/portal-forms.js';
import { GrantRightForm, JoinProjectForm, ProjectForm } from '../../../protocol/project-forms.js';
import type { Core } from '../../core/context.js';
import {
  createProject,
  deleteProject,
  getProject,
  grantRight,
  joinProject,
  revokeRight,
  selectProject,
  updateProject,
} from '../../core/organisation/index.js';
import { previewJoinSsa } from '../../core/ssa/index.js';
import { companyPage } from '../company-page.js';
import { t, type Lang, type MessageKey } from '../i18n.js';
import { csrfValid, pageLanguage, sameOrigin, type NotFound, type WebSession } from '../web-session.js';
import { projectFieldErrors, projectRefusal, rightRefusal } from './project-errors.js';
import { projectList, type ListView } from './project-list.js';
import { projectPage, type PageView } from './project-page.js';
import { projectShell, type Status } from './project-shell.js';

/**
 * Projects (seed: Licenses → Projects, Properties, Rights, Join, Delete). GET /projects lists the
 * selected company's projects with their balance and the projects shared with it; a name selects the
 * project (for all pages) and opens GET /projects/{id}; "Deselect the current project" goes back to all
 * projects. Every POST checks origin and CSRF token first, then calls the same core service as its twin
 * in bridge/http/api/organisation-routes.ts with the session's actor, so the walls are the core's:
 * another company's project answers the "not found" page, a locked member the 'locked' sentence, a
 * refusal a sentence beside the field with the input kept. Success redirects (303) to a page with a
 * notice. The project's SSA page (/projects/{id}/ssa) is ssa/ssa-page.tsx.
 */
const NOTICES: Record<string, MessageKey> = {
  created: 'projCreated',
  saved: 'projSaved',
  selected: 'projSelectedNotice',
  deselected: 'projDeselectedNotice',
  joined: 'projJoined',
  granted: 'projGranted',
  revoked: 'projRevoked',
  deleted: 'projDeleted',
};
const noticeOf = (c: Context, lang: Lang) => {
  const key = NOTICES[c.req.query('done') ?? ''];
  return key ? t(lang, key) : undefined;
};
const idOf = (text: string | undefined) => {
  const r = IdText.safeParse(text ?? '');
  return r.success ? r.data : null;
};
const isWall = (e: unknown) =>
  e instanceof MylicError && ['USER_LOCKED', 'COMPANY_NOT_FOUND'].includes(e.code);

export function projectsPages(
  app: Hono,
  core: Core,
  session: (c: Context) => Promise<WebSession>,
  notFound: NotFound,
) {
  const list = (c: Context, s: WebSession, v: ListView, status: Status = 200) =>
    companyPage(
      c,
      core,
      s,
      { title: 'projects', path: '/projects', active: 'projects' },
      async ({ lang, companyName }) => projectList(core, s.actor, s.csrf, lang, companyName, v),
      status,
    );

  const page = (c: Context, s: WebSession, id: number, v: PageView, status: Status = 200) => {
    let name = '';
    return projectShell(
      c,
      core,
      s,
      notFound,
      { title: (lang) => t(lang, 'projPageTitle', { project: name }), path: `/projects/${id}` },
      async (who) => {
        const r = await projectPage(core, s.actor, s.csrf, who, id, v);
        name = r.project.name;
        return r.body;
      },
      status,
    );
  };

  /** The project of the path, or the answer when it is none of the user's (404) or they are locked. */
  const reach = async (c: Context, s: WebSession): Promise<number | Response> => {
    const id = idOf(c.req.param('id'));
    if (id === null) return notFound(c);
    try {
      await getProject(core, s.actor, id);
      return id;
    } catch (e) {
      if (e instanceof MylicError && e.code === 'PROJECT_NOT_FOUND') return notFound(c);
      if (isWall(e)) return page(c, s, id, {}, 403);
      throw e;
    }
  };
  const checked = (c: Context, s: WebSession, csrf: string) => sameOrigin(c) && csrfValid(s, csrf);

  app.get('/projects', async (c) => {
    const s = await session(c);
    return list(c, s, { notice: noticeOf(c, pageLanguage(c)) });
  });

  app.post('/projects', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = ProjectForm.parse(await c.req.parseBody());
    const kept = { name: form.name, description: form.description };
    if (!checked(c, s, form.csrf))
      return list(c, s, { form: kept, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const errors = projectFieldErrors(lang, form);
    if (errors.length) return list(c, s, { form: kept, errors }, 400);
    try {
      const p = await createProject(core, s.actor, { name: form.name, description: form.description });
      return c.redirect(`/projects/${p.id}?done=created`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (isWall(e)) return list(c, s, {}, 403);
      const r = projectRefusal(lang, e, { name: form.name.trim() });
      return list(c, s, { form: kept, errors: r.errors }, r.status);
    }
  });

  app.post('/projects/deselect', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const body = await c.req.parseBody();
    const { csrf } = CsrfForm.parse(body);
    const from = idOf(typeof body.from === 'string' ? body.from : undefined);
    if (!checked(c, s, csrf)) return list(c, s, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    try {
      await selectProject(core, s.actor, null);
    } catch (e) {
      if (isWall(e)) return list(c, s, {}, 403);
      throw e;
    }
    return c.redirect(from ? `/projects/${from}?done=deselected` : '/projects?done=deselected', 303);
  });

  app.get('/projects/:id', async (c) => {
    const s = await session(c);
    const id = idOf(c.req.param('id'));
    if (id === null) return notFound(c);
    return page(c, s, id, { notice: noticeOf(c, pageLanguage(c)) });
  });

  app.post('/projects/:id/select', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf } = CsrfForm.parse(await c.req.parseBody());
    const id = idOf(c.req.param('id'));
    if (id === null) return notFound(c);
    if (!checked(c, s, csrf)) return list(c, s, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const at = await reach(c, s);
    if (typeof at !== 'number') return at;
    try {
      await selectProject(core, s.actor, id);
    } catch (e) {
      // A project of another company of the user, not the selected one: switch the company first.
      if (e instanceof MylicError && e.code === 'PROJECT_NOT_FOUND') return notFound(c);
      if (isWall(e)) return page(c, s, id, {}, 403);
      throw e;
    }
    return c.redirect(`/projects/${id}?done=selected`, 303);
  });

  app.post('/projects/:id', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = ProjectForm.parse(await c.req.parseBody());
    const kept = { name: form.name, description: form.description };
    const id = await reach(c, s);
    if (typeof id !== 'number') return id;
    if (!checked(c, s, form.csrf))
      return page(c, s, id, { form: kept, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const errors = projectFieldErrors(lang, form);
    if (errors.length) return page(c, s, id, { form: kept, errors }, 400);
    try {
      await updateProject(core, s.actor, id, { name: form.name, description: form.description });
      return c.redirect(`/projects/${id}?done=saved`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (isWall(e)) return page(c, s, id, {}, 403);
      const r = projectRefusal(lang, e, { name: form.name.trim() });
      return page(c, s, id, { form: kept, errors: r.errors }, r.status);
    }
  });

  app.post('/projects/:id/delete', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf } = CsrfForm.parse(await c.req.parseBody());
    const id = await reach(c, s);
    if (typeof id !== 'number') return id;
    if (!checked(c, s, csrf)) return page(c, s, id, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    try {
      await deleteProject(core, s.actor, id);
      return c.redirect('/projects?done=deleted', 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (isWall(e)) return page(c, s, id, {}, 403);
      const { name } = await getProject(core, s.actor, id);
      const r = projectRefusal(lang, e, { project: name });
      return page(c, s, id, { errors: r.errors }, r.status);
    }
  });

  app.post('/projects/:id/rights', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf, companyId } = GrantRightForm.parse(await c.req.parseBody());
    const id = await reach(c, s);
    if (typeof id !== 'number') return id;
    if (!checked(c, s, csrf))
      return page(
        c,
        s,
        id,
        { grantCompanyId: companyId, errors: [{ text: t(lang, 'sessionExpired') }] },
        403,
      );
    const grantee = idOf(companyId);
    if (grantee === null)
      return page(
        c,
        s,
        id,
        {
          grantCompanyId: companyId,
          errors: [{ field: 'companyId', text: t(lang, 'projCompanyIdInvalid') }],
        },
        400,
      );
    try {
      await grantRight(core, s.actor, id, grantee);
      return c.redirect(`/projects/${id}?done=granted#rights`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (isWall(e)) return page(c, s, id, {}, 403);
      const r = rightRefusal(lang, e, companyId);
      return page(c, s, id, { grantCompanyId: companyId, errors: r.errors }, r.status);
    }
  });

  app.post('/projects/:id/rights/:companyId/revoke', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf } = CsrfForm.parse(await c.req.parseBody());
    const id = await reach(c, s);
    if (typeof id !== 'number') return id;
    const grantee = idOf(c.req.param('companyId'));
    if (grantee === null) return notFound(c);
    if (!checked(c, s, csrf)) return page(c, s, id, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    try {
      await revokeRight(core, s.actor, id, grantee);
      return c.redirect(`/projects/${id}?done=revoked#rights`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (isWall(e)) return page(c, s, id, {}, 403);
      const r = rightRefusal(lang, e, String(grantee));
      return page(c, s, id, { errors: r.errors }, r.status);
    }
  });

  app.post('/projects/:id/join', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf, intoProjectId, expectedTotal } = JoinProjectForm.parse(await c.req.parseBody());
    const id = await reach(c, s);
    if (typeof id !== 'number') return id;
    const join = intoProjectId !== undefined ? { intoProjectId } : undefined;
    if (!checked(c, s, csrf))
      return page(
        c,
        s,
        id,
        { ...(join ? { join } : {}), errors: [{ text: t(lang, 'sessionExpired') }] },
        403,
      );
    if (intoProjectId === undefined)
      return page(c, s, id, { errors: [{ field: 'intoProjectId', text: t(lang, 'projJoinChoose') }] }, 400);
    try {
      // Into a project under SSA: the SSC summary first, paid only with the total the user saw.
      if (expectedTotal === undefined) {
        const preview = await previewJoinSsa(core, s.actor, id, { intoProjectId });
        if (preview.confirmationRequired) return page(c, s, id, { join: { intoProjectId, preview } });
      }
      await joinProject(
        core,
        s.actor,
        id,
        intoProjectId,
        expectedTotal === undefined ? undefined : { expectedTotal },
      );
      return c.redirect(`/projects/${intoProjectId}?done=joined`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (isWall(e)) return page(c, s, id, {}, 403);
      const r = projectRefusal(lang, e, {});
      return page(c, s, id, { join: { intoProjectId }, errors: r.errors }, r.status);
    }
  });
}
