/** @jsxImportSource hono/jsx */
import { projectBalanceView } from '../../core/balance/index.js';
import type { Actor, Core } from '../../core/context.js';
import {
  getProject,
  listProjects,
  listRights,
  type ProjectRight,
  type ProjectSummary,
} from '../../core/organisation/index.js';
import type { SsaIntoPreview } from '../../core/ssa/index.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import type { FieldError } from './project-errors.js';
import { ProjectFields } from './project-fields.js';
import { DeselectForm } from './project-list.js';
import type { Who } from './project-shell.js';

/**
 * A project's page (seed: Projects → Properties, SSA, Rights, Join, Delete): its data, its balance and
 * the link to its SSA page for everyone who reaches it. For the owning company also the Properties
 * form, the Join form and Delete; the Rights list, with grant and revoke for every (unlocked) member of
 * the owning company (seed L73; issue 15 item 10), never for a company that holds rights itself.
 * A company with rights on the project (external) sees what the right grants: the data, the balance
 * and SSA, and what it may do there — no forms it could not use.
 */
export interface PageView {
  notice?: string | undefined;
  errors?: FieldError[];
  /** Properties as typed, kept after a refusal. */
  form?: { name: string; description: string };
  /** The company id typed into the grant form, kept after a refusal. */
  grantCompanyId?: string;
  /** Join: the chosen target, and the SSC summary to confirm when it is under SSA. */
  join?: { intoProjectId: number; preview?: SsaIntoPreview };
}

export async function projectPage(core: Core, actor: Actor, csrf: string, who: Who, id: number, v: PageView) {
  const lang = who.lang;
  const project = await getProject(core, actor, id);
  const balance = await projectBalanceView(core, actor, id);
  // Seed L73: any member of the owning company may grant and revoke (a locked one never gets here).
  const mayGrant = !project.external;
  const rights = project.external ? [] : (await listRights(core, actor, id)).rights;
  const targets = project.external
    ? []
    : (await listProjects(core, actor)).projects.filter(
        (p) => !p.external && p.id !== project.id && p.companyId === project.companyId,
      );
  const errors = v.errors ?? [];
  const fmt = new Intl.NumberFormat(lang);
  return {
    project,
    body: (
      <>
        {v.notice ? (
          <p class="notice" role="status">
            {v.notice}
          </p>
        ) : null}
        <ErrorSummary lang={lang} errors={errors} />
        <p class="lead">{project.description || t(lang, 'projNoDescription')}</p>
        {project.external ? null : (
          <p>
            <a href={`/projects/${project.id}/import`}>{t(lang, 'impLink')}</a>
          </p>
        )}
        <dl class="proj-facts">
          <dt>{t(lang, 'projOwner')}</dt>
          <dd>{project.companyName}</dd>
          <dt>{t(lang, 'ssaEnd')}</dt>
          <dd>
            {project.ssaEnd ? formatDate(lang, project.ssaEnd) : t(lang, 'noSsa')}{' '}
            <a href={`/projects/${project.id}/ssa`}>{t(lang, 'projSsaLink')}</a>
          </dd>
          <dt>{t(lang, 'projSelection')}</dt>
          <dd>
            {project.selected ? (
              <>
                {t(lang, 'projIsSelected')} <DeselectForm lang={lang} csrf={csrf} from={project.id} />
              </>
            ) : (
              <form method="post" action={`/projects/${project.id}/select`} class="proj-inline">
                <input type="hidden" name="csrf" value={csrf} />
                <button type="submit" class="secondary">
                  {t(lang, 'projSelectButton')}
                </button>
              </form>
            )}
          </dd>
        </dl>
        {project.external ? (
          <p class="notice">{t(lang, 'projExternalNote', { company: project.companyName })}</p>
        ) : null}

        <h2>{t(lang, 'balance')}</h2>
        {balance.licenses.length === 0 ? (
          <p>{t(lang, 'projBalanceEmpty')}</p>
        ) : (
          <table class="proj-balance">
            <thead>
              <tr>
                <th scope="col">{t(lang, 'licenseType')}</th>
                <th scope="col" class="num">
                  {t(lang, 'projUnits')}
                </th>
              </tr>
            </thead>
            <tbody>
              {balance.licenses.map((l) => (
                <tr>
                  <th scope="row">{l.type}</th>
                  <td class="num">{fmt.format(l.units)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <p>
          <a href="/balance">{t(lang, 'projBalanceLink')}</a>
        </p>

        {project.external ? null : (
          <>
            <Properties lang={lang} csrf={csrf} project={project} v={v} errors={errors} />
            <Rights
              lang={lang}
              csrf={csrf}
              project={project}
              rights={rights}
              mayGrant={mayGrant}
              v={v}
              errors={errors}
            />
            <Join lang={lang} csrf={csrf} project={project} targets={targets} v={v} errors={errors} />
            <h2 id="delete">{t(lang, 'projDeleteHeading')}</h2>
            <p>{t(lang, 'projDeleteRule')}</p>
            <form method="post" action={`/projects/${project.id}/delete`}>
              <input type="hidden" name="csrf" value={csrf} />
              <button type="submit" class="secondary proj-danger">
                {t(lang, 'projDeleteButton', { project: project.name })}
              </button>
            </form>
          </>
        )}
      </>
    ),
  };
}

type SectionProps = {
  lang: Lang;
  csrf: string;
  project: ProjectSummary;
  v: PageView;
  errors: readonly FieldError[];
};

function Properties(p: SectionProps) {
  return (
    <>
      <h2 id="properties">{t(p.lang, 'projPropertiesHeading')}</h2>
      <form class="card" method="post" action={`/projects/${p.project.id}`} novalidate>
        <input type="hidden" name="csrf" value={p.csrf} />
        <ProjectFields
          lang={p.lang}
          errors={p.errors}
          values={p.v.form ?? { name: p.project.name, description: p.project.description }}
        />
        <button type="submit" class="primary">
          {t(p.lang, 'projSaveButton')}
        </button>
      </form>
    </>
  );
}

function Rights(p: SectionProps & { rights: readonly ProjectRight[]; mayGrant: boolean }) {
  const err = p.errors.find((e) => e.field === 'companyId')?.text;
  return (
    <>
      <h2 id="rights">{t(p.lang, 'projRightsHeading')}</h2>
      <p>{t(p.lang, 'projRightsIntro')}</p>
      {p.rights.length === 0 ? (
        <p>{t(p.lang, 'projNoRights')}</p>
      ) : (
        <table class="proj-rights">
          <thead>
            <tr>
              <th scope="col">{t(p.lang, 'projCompanyId')}</th>
              <th scope="col">{t(p.lang, 'company')}</th>
              <th scope="col">{t(p.lang, 'projGrantedAt')}</th>
              {p.mayGrant ? <th scope="col">{t(p.lang, 'projActions')}</th> : null}
            </tr>
          </thead>
          <tbody>
            {p.rights.map((r) => (
              <tr>
                <td>{r.companyId}</td>
                <th scope="row">{r.companyName}</th>
                <td>{formatDate(p.lang, r.grantedAt)}</td>
                {p.mayGrant ? (
                  <td>
                    <form
                      method="post"
                      action={`/projects/${p.project.id}/rights/${r.companyId}/revoke`}
                      class="proj-inline"
                    >
                      <input type="hidden" name="csrf" value={p.csrf} />
                      <button type="submit" class="secondary">
                        {t(p.lang, 'projRevokeButton', { company: r.companyName })}
                      </button>
                    </form>
                  </td>
                ) : null}
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {p.mayGrant ? (
        <form class="card" method="post" action={`/projects/${p.project.id}/rights`} novalidate>
          <input type="hidden" name="csrf" value={p.csrf} />
          <div class={err ? 'field-error' : undefined}>
            <label for="companyId">{t(p.lang, 'projGrantLabel')}</label>
            <p class="hint" id="companyId-hint">
              {t(p.lang, 'projGrantHint')}
            </p>
            {err ? (
              <p class="message" id="companyId-error">
                {err}
              </p>
            ) : null}
            <input
              id="companyId"
              name="companyId"
              type="text"
              inputmode="numeric"
              autocomplete="off"
              aria-describedby={err ? 'companyId-hint companyId-error' : 'companyId-hint'}
              aria-invalid={err ? 'true' : undefined}
              value={p.v.grantCompanyId ?? ''}
            />
          </div>
          <button type="submit" class="primary">
            {t(p.lang, 'projGrantButton')}
          </button>
        </form>
      ) : (
        <p class="hint">{t(p.lang, 'projRightsAdminOnly')}</p>
      )}
    </>
  );
}

function Join(p: SectionProps & { targets: readonly ProjectSummary[] }) {
  const err = p.errors.find((e) => e.field === 'intoProjectId')?.text;
  const chosen = p.v.join?.intoProjectId;
  const preview = p.v.join?.preview;
  const target = p.targets.find((x) => x.id === chosen);
  return (
    <>
      <h2 id="join">{t(p.lang, 'projJoinHeading')}</h2>
      <p>{t(p.lang, 'projJoinIntro', { project: p.project.name })}</p>
      {p.targets.length === 0 ? (
        <p>{t(p.lang, 'projJoinNoTarget')}</p>
      ) : preview?.summary && target ? (
        <section class="confirm" aria-labelledby="join-confirm">
          <h3 id="join-confirm">{t(p.lang, 'projJoinConfirmHeading', { project: target.name })}</h3>
          <p>
            {t(p.lang, 'projJoinSsa', {
              project: target.name,
              date: formatDate(p.lang, preview.summary.endDate),
              count: preview.summary.lines.length,
              total: preview.summary.total,
            })}
          </p>
          <form method="post" action={`/projects/${p.project.id}/join`}>
            <input type="hidden" name="csrf" value={p.csrf} />
            <input type="hidden" name="intoProjectId" value={String(target.id)} />
            <input type="hidden" name="expectedTotal" value={String(preview.summary.total)} />
            <button type="submit" class="primary">
              {t(p.lang, 'projJoinConfirmButton', { total: preview.summary.total })}
            </button>
          </form>
          <p>
            <a href={`/projects/${p.project.id}#join`}>{t(p.lang, 'projJoinCancel')}</a>
          </p>
        </section>
      ) : (
        <form class="card" method="post" action={`/projects/${p.project.id}/join`}>
          <input type="hidden" name="csrf" value={p.csrf} />
          <div class={err ? 'field-error' : undefined}>
            <label for="intoProjectId">{t(p.lang, 'projJoinLabel')}</label>
            {err ? (
              <p class="message" id="intoProjectId-error">
                {err}
              </p>
            ) : null}
            <select
              id="intoProjectId"
              name="intoProjectId"
              aria-describedby={err ? 'intoProjectId-error' : undefined}
            >
              {p.targets.map((x) => (
                <option value={String(x.id)} selected={x.id === chosen}>
                  {x.ssaEnd ? `${x.name} (${t(p.lang, 'ssaEnd')} ${formatDate(p.lang, x.ssaEnd)})` : x.name}
                </option>
              ))}
            </select>
          </div>
          <button type="submit" class="primary">
            {t(p.lang, 'projJoinButton', { project: p.project.name })}
          </button>
        </form>
      )}
    </>
  );
}
