/** @jsxImportSource hono/jsx */
import { balanceOverview, projectBalanceView } from '../../core/balance/index.js';
import type { Core } from '../../core/context.js';
import type { Actor } from '../../core/context.js';
import { listProjects, type ProjectSummary } from '../../core/organisation/index.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import type { FieldError } from './project-errors.js';
import { ProjectFields } from './project-fields.js';

/**
 * Projects list (seed: Licenses → Projects): the selected company's projects with their balance per
 * license type, then the projects other companies shared with it through rights; the selected one
 * marked. Clicking a name selects the project and opens its page (a POST with the CSRF token: the
 * selection applies to all pages); "Deselect the current project" goes back to all projects. Below,
 * the form to create a project.
 */
export interface ListView {
  notice?: string | undefined;
  errors?: FieldError[];
  /** The create form as typed, kept after a refusal. */
  form?: { name: string; description: string };
}

type Lines = readonly { type: string; units: number }[];

export async function projectList(
  core: Core,
  actor: Actor,
  csrf: string,
  lang: Lang,
  company: string,
  v: ListView,
) {
  const { projects, selectedProjectId } = await listProjects(core, actor);
  const own = projects.filter((p) => !p.external);
  const shared = projects.filter((p) => p.external);
  const balances = new Map<number, Lines>();
  for (const p of (await balanceOverview(core, actor, { scope: 'all' })).projects)
    balances.set(p.projectId, p.licenses);
  for (const p of shared) balances.set(p.id, (await projectBalanceView(core, actor, p.id)).licenses);
  const selected = projects.find((p) => p.id === selectedProjectId) ?? null;
  const errors = v.errors ?? [];
  return (
    <>
      <p class="lead">{t(lang, 'projectsIntro', { company })}</p>
      {v.notice ? (
        <p class="notice" role="status">
          {v.notice}
        </p>
      ) : null}
      <ErrorSummary lang={lang} errors={errors} />
      <div class="proj-selection">
        {selected ? (
          <>
            <p>{t(lang, 'projSelectedNow', { project: selected.name })}</p>
            <DeselectForm lang={lang} csrf={csrf} />
          </>
        ) : (
          <p>{t(lang, 'projNoneSelected')}</p>
        )}
      </div>
      {own.length === 0 ? (
        <p>{t(lang, 'noProjects')}</p>
      ) : (
        <ProjectTable
          lang={lang}
          csrf={csrf}
          caption={t(lang, 'projOwnCaption', { company })}
          projects={own}
          balances={balances}
        />
      )}
      {shared.length ? (
        <ProjectTable
          lang={lang}
          csrf={csrf}
          caption={t(lang, 'projSharedCaption', { company })}
          projects={shared}
          balances={balances}
        />
      ) : (
        <p>{t(lang, 'projNoneShared')}</p>
      )}
      <h2 id="create">{t(lang, 'projCreateHeading')}</h2>
      <p class="warning">{t(lang, 'projSsaWarning')}</p>
      <form class="card" method="post" action="/projects" novalidate>
        <input type="hidden" name="csrf" value={csrf} />
        <ProjectFields lang={lang} errors={errors} values={v.form ?? { name: '', description: '' }} />
        <button type="submit" class="primary">
          {t(lang, 'projCreateButton')}
        </button>
      </form>
    </>
  );
}

export function DeselectForm(p: { lang: Lang; csrf: string; from?: number }) {
  return (
    <form method="post" action="/projects/deselect" class="proj-inline">
      <input type="hidden" name="csrf" value={p.csrf} />
      {p.from !== undefined ? <input type="hidden" name="from" value={String(p.from)} /> : null}
      <button type="submit" class="secondary">
        {t(p.lang, 'projDeselect')}
      </button>
    </form>
  );
}

function ProjectTable(p: {
  lang: Lang;
  csrf: string;
  caption: string;
  projects: readonly ProjectSummary[];
  balances: ReadonlyMap<number, Lines>;
}) {
  const fmt = new Intl.NumberFormat(p.lang);
  const types = [
    ...new Set(p.projects.flatMap((x) => (p.balances.get(x.id) ?? []).map((l) => l.type))),
  ].sort();
  const external = p.projects.some((x) => x.external);
  return (
    <table class="proj-list">
      <caption>{p.caption}</caption>
      <thead>
        <tr>
          <th scope="col">{t(p.lang, 'project')}</th>
          {external ? <th scope="col">{t(p.lang, 'projOwner')}</th> : null}
          <th scope="col">{t(p.lang, 'description')}</th>
          <th scope="col">{t(p.lang, 'ssaEnd')}</th>
          {types.length ? (
            types.map((type) => (
              <th scope="col" class="num">
                {type}
              </th>
            ))
          ) : (
            <th scope="col">{t(p.lang, 'balance')}</th>
          )}
        </tr>
      </thead>
      <tbody>
        {p.projects.map((r) => {
          const lines = p.balances.get(r.id) ?? [];
          return (
            <tr class={r.selected ? 'proj-selected' : undefined}>
              <th scope="row">
                <form method="post" action={`/projects/${r.id}/select`} class="proj-inline">
                  <input type="hidden" name="csrf" value={p.csrf} />
                  <button type="submit" class="proj-name">
                    {r.name}
                    <span class="visually-hidden"> {t(p.lang, 'projSelectHidden')}</span>
                  </button>
                </form>
                {r.selected ? <span class="tag">{t(p.lang, 'selected')}</span> : null}
              </th>
              {external ? <td>{r.companyName}</td> : null}
              <td>{r.description}</td>
              <td>
                <a href={`/projects/${r.id}/ssa`}>
                  {r.ssaEnd ? formatDate(p.lang, r.ssaEnd) : t(p.lang, 'noSsa')}
                </a>
              </td>
              {types.length ? (
                types.map((type) => (
                  <td class="num">{fmt.format(lines.find((l) => l.type === type)?.units ?? 0)}</td>
                ))
              ) : (
                <td>{t(p.lang, 'projBalanceEmpty')}</td>
              )}
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
