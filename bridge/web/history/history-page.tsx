/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId, parseHardwareId } from '../../../protocol/hardware-id.js';
import { HISTORY_PERIODS, HistoryParams, userIdOf } from '../../../protocol/history-forms.js';
import type { Core } from '../../core/context.js';
import { historyView } from '../../core/history-view.js';
import { listMembers, listProjects } from '../../core/organisation/index.js';
import { companyPage } from '../company-page.js';
import { type Lang, type MessageKey, t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import { type NotFound, pageLanguage, type SessionOf, type WebSession } from '../web-session.js';
import { describeEvent } from './event-text.js';

/**
 * History (seed: History, L254-261): what happened in the selected company — the whole company, the
 * selected user or the selected device — in the selected project, or in all projects; over the last
 * day, week, month, year or always, optionally narrowed to dates; newest first, a page at a time.
 * Every event is a sentence in the reader's language (event-text.ts). One GET form, so it works without
 * JavaScript and every view is a link. The same core query as GET /api/v1/history, with the same walls:
 * a user or device the company never had answers the "not found" page, and a device that another
 * company holds too shows only this company's events.
 */
const PAGE_SIZE = 50;

type Params = ReturnType<typeof HistoryParams.parse>;
type Err = { field: string; text: string };
type View = Awaited<ReturnType<typeof historyView>>;

const PERIOD_LABEL: Record<Params['period'], MessageKey> = {
  day: 'historyPeriodDay',
  week: 'historyPeriodWeek',
  month: 'historyPeriodMonth',
  year: 'historyPeriodYear',
  always: 'historyPeriodAlways',
};

/** A link to the history with these parameters (defaults left out). */
export function historyHref(p: Partial<Params>): string {
  const q = new URLSearchParams();
  if (p.context && p.context !== 'company') q.set('context', p.context);
  if (p.context === 'user' && p.user) q.set('user', p.user);
  if (p.context === 'device' && p.device) q.set('device', p.device);
  if (p.period && p.period !== 'week') q.set('period', p.period);
  if (p.from) q.set('from', p.from);
  if (p.to) q.set('to', p.to);
  if (p.project) q.set('project', p.project);
  if (p.page && p.page > 1) q.set('page', String(p.page));
  const s = q.toString();
  return s ? `/history?${s}` : '/history';
}

const validDay = (d: string) => {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(d)) return false;
  const x = new Date(`${d}T00:00:00Z`);
  return !Number.isNaN(x.getTime()) && x.toISOString().slice(0, 10) === d;
};

export function historyPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  app.get('/history', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const p = HistoryParams.parse(c.req.query());
    const errors: Err[] = [];
    let userId: number | undefined;
    let hardwareId: string | undefined;
    if (p.context === 'user') {
      if (!p.user) errors.push({ field: 'history-user', text: t(lang, 'historyChooseUser') });
      else {
        userId = userIdOf(p.user);
        // Not an id at all: like an id of no user of ours.
        if (userId === undefined) return notFound(c);
      }
    }
    if (p.context === 'device') {
      if (!p.device) errors.push({ field: 'history-device', text: t(lang, 'historyEnterDevice') });
      else {
        try {
          hardwareId = parseHardwareId(p.device).hardwareId;
        } catch {
          errors.push({ field: 'history-device', text: t(lang, 'historyBadDevice') });
        }
      }
    }
    if (
      (p.from && !validDay(p.from)) ||
      (p.to && !validDay(p.to)) ||
      (p.from && p.to && validDay(p.from) && validDay(p.to) && p.from > p.to)
    )
      errors.push({ field: 'history-from', text: t(lang, 'historyBadDates') });

    let view: View | undefined;
    let failure: unknown;
    if (!errors.length) {
      try {
        view = await historyView(
          core,
          { ...s.actor, ...(p.project === 'all' ? { projectId: null } : {}) },
          {
            context: p.context,
            ...(userId !== undefined ? { userId } : {}),
            ...(hardwareId !== undefined ? { hardwareId } : {}),
            period: p.period,
            ...(p.from ? { from: p.from } : {}),
            ...(p.to ? { to: p.to } : {}),
            page: p.page,
            pageSize: PAGE_SIZE,
          },
        );
      } catch (e) {
        // Another company's user or device answers exactly like one that never existed.
        if (e instanceof MylicError && (e.code === 'USER_NOT_FOUND' || e.code === 'DEVICE_NOT_FOUND'))
          return notFound(c);
        failure = e;
      }
    }
    const locked = failure instanceof MylicError && failure.code === 'USER_LOCKED';
    return companyPage(
      c,
      core,
      s,
      { title: 'tabHistory', path: historyHref(p), active: 'history' },
      async ({ lang, companyName }) => {
        if (failure) throw failure;
        return render(core, s, lang, companyName, p, errors, view, hardwareId);
      },
      errors.length ? 400 : locked ? 403 : 200,
    );
  });
}

async function render(
  core: Core,
  s: WebSession,
  lang: Lang,
  companyName: string,
  p: Params,
  errors: Err[],
  view: View | undefined,
  hardwareId: string | undefined,
) {
  const { users } = await listMembers(core, s.actor);
  const { projects, selectedProjectId } = await listProjects(core, s.actor);
  const selected = projects.find((x) => x.id === selectedProjectId);
  const chosenUser = userIdOf(p.user);
  // A removed user keeps their history (seed: Users): they stay choosable while they are shown.
  const removed =
    chosenUser !== undefined && !users.some((u) => u.userId === chosenUser) && view?.names.users[chosenUser]
      ? [{ userId: chosenUser, ...view.names.users[chosenUser]! }]
      : [];
  const errorFor = (field: string) => errors.find((e) => e.field === field);
  const when = new Intl.DateTimeFormat(lang, { dateStyle: 'medium', timeStyle: 'short', timeZone: 'UTC' });
  const userName = (id: number) => {
    const u = view?.names.users[id];
    return u ? u.name || u.email : `#${id}`;
  };
  return (
    <>
      <p class="lead">{t(lang, 'historyIntro', { company: companyName })}</p>
      <ErrorSummary lang={lang} errors={errors} />
      <form class="card history-filter" method="get" action="/history" novalidate>
        <fieldset>
          <legend>{t(lang, 'historyContext')}</legend>
          {(['company', 'user', 'device'] as const).map((ctx) => (
            <div class="choice">
              <input
                type="radio"
                id={`history-context-${ctx}`}
                name="context"
                value={ctx}
                checked={p.context === ctx}
              />
              <label for={`history-context-${ctx}`}>
                {t(
                  lang,
                  ctx === 'company'
                    ? 'historyContextCompany'
                    : ctx === 'user'
                      ? 'historyContextUser'
                      : 'historyContextDevice',
                )}
              </label>
            </div>
          ))}
        </fieldset>
        <div class={errorFor('history-user') ? 'field-error' : undefined}>
          <label for="history-user">{t(lang, 'historyUserField')}</label>
          {errorFor('history-user') ? <p class="message">{errorFor('history-user')!.text}</p> : null}
          <select id="history-user" name="user">
            <option value="">–</option>
            {[...users, ...removed].map((u) => (
              <option value={String(u.userId)} selected={u.userId === chosenUser}>
                {u.name ? `${u.name} (${u.email})` : u.email}
              </option>
            ))}
          </select>
        </div>
        <div class={errorFor('history-device') ? 'field-error' : undefined}>
          <label for="history-device">{t(lang, 'historyDeviceField')}</label>
          {errorFor('history-device') ? <p class="message">{errorFor('history-device')!.text}</p> : null}
          <input
            id="history-device"
            name="device"
            type="text"
            autocomplete="off"
            spellcheck={false}
            maxlength={64}
            value={p.device}
          />
        </div>
        <label for="history-period">{t(lang, 'historyPeriod')}</label>
        <select id="history-period" name="period">
          {HISTORY_PERIODS.map((x) => (
            <option value={x} selected={p.period === x}>
              {t(lang, PERIOD_LABEL[x])}
            </option>
          ))}
        </select>
        <div class={errorFor('history-from') ? 'history-dates field-error' : 'history-dates'}>
          {errorFor('history-from') ? <p class="message">{errorFor('history-from')!.text}</p> : null}
          <div>
            <label for="history-from">{t(lang, 'historyFrom')}</label>
            <input
              id="history-from"
              name="from"
              type="date"
              value={p.from}
              aria-describedby="history-dates-hint"
            />
          </div>
          <div>
            <label for="history-to">{t(lang, 'historyTo')}</label>
            <input id="history-to" name="to" type="date" value={p.to} aria-describedby="history-dates-hint" />
          </div>
          <p class="hint" id="history-dates-hint">
            {t(lang, 'historyDatesHint')}
          </p>
        </div>
        {selected ? (
          <fieldset>
            <legend>{t(lang, 'historyProjects')}</legend>
            <div class="choice">
              <input
                type="radio"
                id="history-project-selected"
                name="project"
                value=""
                checked={p.project !== 'all'}
              />
              <label for="history-project-selected">
                {t(lang, 'historyProjectSelected', { project: selected.name })}
              </label>
            </div>
            <div class="choice">
              <input
                type="radio"
                id="history-project-all"
                name="project"
                value="all"
                checked={p.project === 'all'}
              />
              <label for="history-project-all">{t(lang, 'historyProjectAll')}</label>
            </div>
          </fieldset>
        ) : (
          <p class="hint">{t(lang, 'historyNoProjectSelected')}</p>
        )}
        <button type="submit" class="primary">
          {t(lang, 'historyShow')}
        </button>
        {p.period === 'always' ? <p class="hint">{t(lang, 'historySlow')}</p> : null}
      </form>
      {view ? (
        <section class="history" aria-labelledby="history-heading">
          <h2 id="history-heading">
            {p.context === 'user' && chosenUser !== undefined
              ? t(lang, 'historyOfUser', { user: userName(chosenUser) })
              : p.context === 'device' && hardwareId
                ? t(lang, 'historyOfDevice', { device: formatHardwareId(hardwareId) })
                : t(lang, 'historyOfCompany', { company: companyName })}
          </h2>
          {p.context === 'device' && hardwareId ? (
            <p>
              <a href={`/devices/${hardwareId}`}>{t(lang, 'historyDevicePage')}</a>
            </p>
          ) : null}
          {view.events.length === 0 ? (
            <p>{t(lang, 'historyEmpty')}</p>
          ) : (
            <table class="history-events">
              <thead>
                <tr>
                  <th scope="col">{t(lang, 'historyWhen')}</th>
                  <th scope="col">{t(lang, 'historyWhat')}</th>
                  <th scope="col">{t(lang, 'historyWho')}</th>
                  <th scope="col">{t(lang, 'historyProjectCol')}</th>
                  <th scope="col">{t(lang, 'historyDeviceCol')}</th>
                </tr>
              </thead>
              <tbody>
                {view.events.map((e) => {
                  const device = e.deviceId !== null ? view.names.devices[e.deviceId] : undefined;
                  return (
                    <tr>
                      <td class="when">
                        <time datetime={e.at}>{when.format(new Date(e.at))}</time>
                      </td>
                      <td>{describeEvent(lang, e, view.names)}</td>
                      <td class="actor">
                        {e.userId !== null ? (
                          <a
                            href={historyHref({ ...p, context: 'user', user: String(e.userId), page: 1 })}
                            title={t(lang, 'historyUserLink', { user: userName(e.userId) })}
                          >
                            {userName(e.userId)}
                          </a>
                        ) : e.detail.by === 'operator' ? (
                          t(lang, 'historyVendor')
                        ) : e.detail.byAnotherCompany === true ? (
                          t(lang, 'historyOtherCompany')
                        ) : null}
                      </td>
                      <td>{e.projectId !== null ? (view.names.projects[e.projectId] ?? '') : ''}</td>
                      <td class="device">
                        {device ? (
                          <a
                            href={historyHref({
                              ...p,
                              context: 'device',
                              device: device,
                              page: 1,
                            })}
                            title={t(lang, 'historyDeviceLink', { device })}
                          >
                            {device}
                          </a>
                        ) : null}
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          )}
          {p.page > 1 || view.hasMore ? (
            <nav class="history-pages" aria-label={t(lang, 'historyPaging')}>
              {p.page > 1 ? (
                <a href={historyHref({ ...p, page: p.page - 1 })} rel="prev">
                  {t(lang, 'historyNewer')}
                </a>
              ) : null}
              <span>{t(lang, 'historyPageN', { page: p.page })}</span>
              {view.hasMore ? (
                <a href={historyHref({ ...p, page: p.page + 1 })} rel="next">
                  {t(lang, 'historyOlder')}
                </a>
              ) : null}
            </nav>
          ) : null}
        </section>
      ) : null}
    </>
  );
}
