/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { Core } from '../../core/context.js';
import { listProjects } from '../../core/organisation/index.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { companyPage } from '../company-page.js';
import type { WebSession } from '../web-session.js';

/**
 * Projects (seed: Licenses → Projects): the selected company's projects, then the projects other
 * companies shared through rights, with their SSA end; the selected one marked. The same core service
 * as `GET /api/v1/projects`, so the same walls.
 */
export function projectsPages(app: Hono, core: Core, session: (c: Context) => Promise<WebSession>) {
  app.get('/projects', async (c) => {
    const s = await session(c);
    return companyPage(
      c,
      core,
      s,
      { title: 'projects', path: '/projects', active: 'projects' },
      async ({ lang, companyName }) => {
        const { projects } = await listProjects(core, s.actor);
        return <ProjectList lang={lang} company={companyName} projects={projects} />;
      },
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
