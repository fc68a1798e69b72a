/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { MylicError } from '../../../protocol/errors.js';
import { getProfile } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { listProjects } from '../../core/organisation/index.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { Layout } from '../layout.js';
import { pageLanguage, type WebSession } from '../web-session.js';

/**
 * Projects (seed: Licenses → Projects): the selected company's projects, then the projects other
 * companies shared through rights, with their SSA end; the selected one marked. The same core service
 * as `GET /api/v1/projects`, so the same walls.
 */
export function projectsPages(app: Hono, core: Core, session: (c: Context) => Promise<WebSession>) {
  app.get('/projects', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const profile = await getProfile(core, s.actor);
    const companyName = profile.companies.find((x) => x.id === profile.selectedCompanyId)?.name ?? null;
    let body: Child;
    try {
      const { projects } = await listProjects(core, s.actor);
      body = <ProjectList lang={lang} company={companyName ?? ''} projects={projects} />;
    } catch (e) {
      if (!(e instanceof MylicError) || !['COMPANY_NOT_FOUND', 'USER_LOCKED'].includes(e.code)) throw e;
      body = <p class="notice">{t(lang, e.code === 'USER_LOCKED' ? 'locked' : 'noCompany')}</p>;
    }
    return c.html(
      <Layout
        lang={lang}
        title={t(lang, 'projects')}
        path="/projects"
        active="projects"
        user={{ email: profile.email, companyName, csrf: s.csrf }}
      >
        <h1>{t(lang, 'projects')}</h1>
        {body}
      </Layout>,
    );
  });
}

type ProjectRow = {
  id: number;
  name: string;
  description: string;
  ssaEnd: string | null;
  companyName: string;
  external: boolean;
  selected: boolean;
};

function ProjectList(p: { lang: Lang; company: string; projects: readonly ProjectRow[] }) {
  return (
    <>
      <p class="lead">{t(p.lang, 'projectsIntro', { company: p.company })}</p>
      {p.projects.length === 0 ? (
        <p>{t(p.lang, 'noProjects')}</p>
      ) : (
        <table>
          <thead>
            <tr>
              <th scope="col">{t(p.lang, 'project')}</th>
              <th scope="col">{t(p.lang, 'description')}</th>
              <th scope="col">{t(p.lang, 'ssaEnd')}</th>
            </tr>
          </thead>
          <tbody>
            {p.projects.map((r) => (
              <tr>
                <td>
                  {r.name}
                  {r.selected ? <span class="tag">{t(p.lang, 'selected')}</span> : null}
                  {r.external ? (
                    <span class="tag">{t(p.lang, 'external', { company: r.companyName })}</span>
                  ) : null}
                </td>
                <td>{r.description}</td>
                <td>
                  <a href={`/projects/${r.id}/ssa`}>
                    {r.ssaEnd ? formatDate(p.lang, r.ssaEnd) : t(p.lang, 'noSsa')}
                  </a>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
    </>
  );
}
