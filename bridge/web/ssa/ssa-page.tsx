/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { SsaConfirmForm } from '../../../protocol/portal-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId } from '../../../protocol/hardware-id.js';
import { getProfile } from '../../core/accounts/index.js';
import { today, type Core } from '../../core/context.js';
import { getProject } from '../../core/organisation/index.js';
import {
  confirmProjectSsa,
  previewProjectSsa,
  projectSsaStatus,
  type ProjectSsaPreview,
} from '../../core/ssa/index.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { ErrorSummary, Layout } from '../layout.js';
import { csrfValid, pageLanguage, sameOrigin, type WebSession } from '../web-session.js';

/**
 * A project's SSA (seed: Projects → SSA; the SSA expiry mail links here): where it stands, the SSC
 * summary for a new end date — per license the bind date, days ×2, days, multiplier and SSC, as the
 * seed's table — licenses to leave out, a preview for another calculation date, and the confirmation
 * that pays the total shown (check-your-answers: the POST carries the total the user saw; a different
 * total now is refused with SSA_SUMMARY_CHANGED and the new summary). Same core services as the API.
 */
const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export function ssaPages(
  app: Hono,
  core: Core,
  session: (c: Context) => Promise<WebSession>,
  notFound: (c: Context) => Response | Promise<Response>,
) {
  const projectIdOf = (c: Context) =>
    /^[1-9]\d{0,9}$/.test(c.req.param('id') ?? '') ? Number(c.req.param('id')) : null;

  app.get('/projects/:id/ssa', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const id = projectIdOf(c);
    if (id === null) return notFound(c);
    const endDate = c.req.query('endDate');
    const calculationDate = c.req.query('calculationDate') || undefined;
    const optOut = c.req.queries('optOut') ?? [];
    return render(
      c,
      core,
      s,
      lang,
      id,
      {
        endDate,
        calculationDate,
        optOut,
        notice: ISO_DATE.test(c.req.query('done') ?? '')
          ? t(lang, 'ssaDone', { date: formatDate(lang, c.req.query('done')!) })
          : undefined,
      },
      notFound,
    );
  });

  app.post('/projects/:id/ssa', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const id = projectIdOf(c);
    if (id === null) return notFound(c);
    const { csrf, endDate, expectedTotal, optOut } = SsaConfirmForm.parse(
      await c.req.parseBody({ all: true }),
    );
    if (!sameOrigin(c) || !csrfValid(s, csrf))
      return render(
        c,
        core,
        s,
        lang,
        id,
        { endDate, optOut, errors: [{ text: t(lang, 'sessionExpired') }] },
        notFound,
        403,
      );
    try {
      // The page always shows a total before it asks to pay; without one (-1) nothing is paid.
      await confirmProjectSsa(core, s.actor, id, { endDate, optOut, expectedTotal });
      return c.redirect(`/projects/${id}/ssa?done=${encodeURIComponent(endDate)}`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'PROJECT_NOT_FOUND') return notFound(c);
      const text =
        e.code === 'SSA_SUMMARY_CHANGED'
          ? t(lang, 'ssaChanged')
          : e.code === 'BALANCE_INSUFFICIENT'
            ? t(lang, 'ssaMissing', {
                missing: String((e.details as { missing?: number } | undefined)?.missing ?? ''),
              })
            : e.message;
      return render(c, core, s, lang, id, { endDate, optOut, errors: [{ text }] }, notFound, 409);
    }
  });
}

interface View {
  endDate?: string | undefined;
  calculationDate?: string | undefined;
  optOut: string[];
  notice?: string | undefined;
  errors?: { field?: string; text: string }[];
}

async function render(
  c: Context,
  core: Core,
  s: WebSession,
  lang: Lang,
  projectId: number,
  v: View,
  notFound: (c: Context) => Response | Promise<Response>,
  status: 200 | 403 | 409 = 200,
) {
  let project: Awaited<ReturnType<typeof getProject>>;
  let state: Awaited<ReturnType<typeof projectSsaStatus>>;
  try {
    project = await getProject(core, s.actor, projectId);
    state = await projectSsaStatus(core, s.actor, projectId);
  } catch (e) {
    // Another company's project, a missing one, or a locked member: the same "not found" page.
    if (e instanceof MylicError && ['PROJECT_NOT_FOUND', 'USER_LOCKED', 'COMPANY_NOT_FOUND'].includes(e.code))
      return notFound(c);
    throw e;
  }
  const day = today(core);
  const errors = [...(v.errors ?? [])];
  const endDate = v.endDate ?? defaultEnd(state.ssaEnd, day);
  let preview: ProjectSsaPreview | null = null;
  if (!ISO_DATE.test(endDate) || (v.calculationDate !== undefined && !ISO_DATE.test(v.calculationDate))) {
    errors.push({ field: 'endDate', text: t(lang, 'ssaDateInvalid') });
  } else {
    try {
      preview = await previewProjectSsa(core, s.actor, projectId, {
        endDate,
        ...(v.calculationDate ? { calculationDate: v.calculationDate } : {}),
        optOut: v.optOut,
      });
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      errors.push({
        field: 'endDate',
        text: ['VALIDATION_FAILED', 'SSA_END_IN_PAST', 'SSA_END_BEFORE_CURRENT'].includes(e.code)
          ? t(lang, 'ssaDateInvalid')
          : e.message,
      });
    }
  }
  const profile = await getProfile(core, s.actor);
  const companyName = profile.companies.find((x) => x.id === profile.selectedCompanyId)?.name ?? null;
  const summary = preview?.summary;
  return c.html(
    <Layout
      lang={lang}
      title={t(lang, 'ssaTitle', { project: project.name })}
      path={`/projects/${projectId}/ssa`}
      active="projects"
      user={{ email: profile.email, companyName, csrf: s.csrf }}
    >
      <h1>{t(lang, 'ssaTitle', { project: project.name })}</h1>
      <p class="lead">{t(lang, 'ssaIntro')}</p>
      {v.notice ? <p class="notice">{v.notice}</p> : null}
      <ErrorSummary lang={lang} errors={errors} />
      <p>
        {state.ssaEnd ? t(lang, 'ssaCurrent', { date: formatDate(lang, state.ssaEnd) }) : t(lang, 'ssaNone')}{' '}
        {state.ssaEnd
          ? t(lang, 'ssaCovered', { covered: state.licenses.covered, total: state.licenses.total })
          : ''}
      </p>
      <form method="get" action={`/projects/${projectId}/ssa`} class="inline">
        <div class={errors.some((e) => e.field === 'endDate') ? 'field-error' : undefined}>
          <label for="endDate">{t(lang, 'ssaEndDate')}</label>
          <input id="endDate" name="endDate" type="date" value={endDate} required />
        </div>
        <label for="calculationDate">{t(lang, 'ssaCalcDate')}</label>
        <input id="calculationDate" name="calculationDate" type="date" value={v.calculationDate ?? ''} />
        {summary?.lines.length ? (
          <table>
            <caption>{t(lang, 'ssaTotal', { total: summary.total })}</caption>
            <thead>
              <tr>
                <th scope="col">{t(lang, 'ssaLeaveOut')}</th>
                <th scope="col">{t(lang, 'ssaSerial')}</th>
                <th scope="col">{t(lang, 'ssaDevice')}</th>
                <th scope="col">{t(lang, 'ssaType')}</th>
                <th scope="col" class="num">
                  {t(lang, 'ssaUnits')}
                </th>
                <th scope="col">{t(lang, 'ssaStart')}</th>
                <th scope="col" class="num">
                  {t(lang, 'ssaDaysTwice')}
                </th>
                <th scope="col" class="num">
                  {t(lang, 'ssaDays')}
                </th>
                <th scope="col" class="num">
                  {t(lang, 'ssaMultiplier')}
                </th>
                <th scope="col" class="num">
                  {t(lang, 'ssaSsc')}
                </th>
              </tr>
            </thead>
            <tbody>
              {summary.lines.map((l) => (
                <tr>
                  <td>
                    <input
                      type="checkbox"
                      name="optOut"
                      value={l.id}
                      id={`out-${l.id}`}
                      checked={l.optedOut}
                      aria-label={`${t(lang, 'ssaLeaveOut')} ${l.id}`}
                    />
                  </td>
                  <td>{l.id}</td>
                  <td>{l.hardwareId ? formatHardwareId(l.hardwareId) : ''}</td>
                  <td>{l.type}</td>
                  <td class="num">{l.units}</td>
                  <td>{formatDate(lang, l.start)}</td>
                  <td class="num">{l.daysTwice}</td>
                  <td class="num">{l.days}</td>
                  <td class="num">
                    {new Intl.NumberFormat(lang, { minimumFractionDigits: 4 }).format(Number(l.multiplier))}
                  </td>
                  <td class="num">{l.ssc}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : summary ? (
          <p>{t(lang, 'ssaNoLicenses')}</p>
        ) : null}
        <button type="submit" class="secondary">
          {t(lang, 'ssaCalculate')}
        </button>
      </form>
      {preview && summary?.lines.length ? (
        <section class="confirm">
          <p>
            <strong>{t(lang, 'ssaTotal', { total: summary.total })}</strong> ·{' '}
            {t(lang, 'ssaAvailable', {
              project: preview.payment.projectSsc,
              company: preview.payment.companySsc,
            })}
          </p>
          {!preview.confirmable ? (
            <p class="notice">{t(lang, 'ssaPreviewOnly')}</p>
          ) : preview.payment.missing > 0 ? (
            <p class="warning">{t(lang, 'ssaMissing', { missing: preview.payment.missing })}</p>
          ) : (
            <form method="post" action={`/projects/${projectId}/ssa`}>
              <input type="hidden" name="csrf" value={s.csrf} />
              <input type="hidden" name="endDate" value={endDate} />
              <input type="hidden" name="expectedTotal" value={String(summary.total)} />
              {v.optOut.map((serial) => (
                <input type="hidden" name="optOut" value={serial} />
              ))}
              <button type="submit" class="primary">
                {t(lang, 'ssaConfirm', { total: summary.total })}
              </button>
            </form>
          )}
        </section>
      ) : null}
    </Layout>,
    status,
  );
}

/** The end date offered first: a year after the current end (or after today). */
function defaultEnd(current: string | null, day: string): string {
  const from = current && current > day ? current : day;
  const d = new Date(`${from}T00:00:00Z`);
  d.setUTCFullYear(d.getUTCFullYear() + 1);
  return d.toISOString().slice(0, 10);
}
