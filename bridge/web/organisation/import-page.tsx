/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { MylicError } from '../../../protocol/errors.js';
import { ImportConfirmForm, ImportLoginForm, ImportMacForm } from '../../../protocol/import-forms.js';
import { clientAddress } from '../accounts/settings-shell.js';
import { today, type Core } from '../../core/context.js';
import {
  importLegacyDevices,
  importLegacyMac,
  legacyAccountView,
  openLegacyAccount,
  type LegacyAccountView,
} from '../../core/legacy/index.js';
import { getProject } from '../../core/organisation/index.js';
import { formatDate, t, type Lang, type MessageKey } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import {
  csrfValid,
  pageLanguage,
  sameOrigin,
  type NotFound,
  type SessionOf,
  type WebSession,
} from '../web-session.js';
import { projectShell, type Status } from './project-shell.js';

/**
 * A project's Import from the old license manager (seed: Projects → Import, L76–81; Errors and Warnings,
 * L305–321; issue 15, item 1). The old account's log-in shows the group's old balance and every device
 * with a checkbox (none for a device with an error) and its error or warning; the chosen devices and
 * the balance are imported into this project in one transaction (bridge/core/legacy). A single MAC is
 * imported without the old account. Into a project under SSA nothing is imported (L45, L352): the page
 * says so. Every POST checks origin and CSRF token first; errors are sentences beside their field.
 */
const ERROR_TEXT: Partial<Record<string, MessageKey>> = {
  LOGIN_FAILED: 'impLoginFailed',
  RATE_LIMITED: 'impRateLimited',
  LEGACY_GROUP_ELSEWHERE: 'impElsewhere',
  LEGACY_LOGIN_EXPIRED: 'impExpired',
  LEGACY_ALREADY_IMPORTED: 'impErrAlreadyImported',
  DEVICE_ALREADY_IN_COMPANY: 'impErrAlreadyInCompany',
  DEVICE_UNKNOWN: 'impErrNotFound',
  LEGACY_DEVICE_NOT_IN_ACCOUNT: 'impMacNotInOld',
  MAC_INVALID: 'impMacInvalid',
  VALIDATION_FAILED: 'impNothingChosen',
};
const ROW_TEXT: Record<string, MessageKey> = {
  ALREADY_IN_COMPANY: 'impErrAlreadyInCompany',
  ALREADY_IMPORTED: 'impErrAlreadyImported',
  NOT_FOUND: 'impErrNotFound',
  SEVERAL_COMPANIES: 'impWarnSeveralCompanies',
  SEVERAL_USERS: 'impWarnSeveralUsers',
};

type View =
  | {
      mode: 'start';
      email?: string;
      mac?: string;
      field?: 'email' | 'mac' | undefined;
      error?: string;
      notice?: string;
    }
  | { mode: 'list'; token: string; account: LegacyAccountView; chosen?: string[]; error?: string };

export function importPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound) {
  const idOf = (c: Context) =>
    /^[1-9]\d{0,9}$/.test(c.req.param('id') ?? '') ? Number(c.req.param('id')) : null;

  app.get('/projects/:id/import', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const id = idOf(c);
    if (id === null) return notFound(c);
    const imported = c.req.query('imported');
    const mac = c.req.query('mac');
    const notice = /^\d{1,5}$/.test(imported ?? '')
      ? t(lang, 'impDone', { devices: imported! })
      : /^[0-9A-F-]{17}$/.test(mac ?? '')
        ? t(lang, 'impMacDone', { device: mac! })
        : undefined;
    return render(c, core, s, notFound, id, { mode: 'start', ...(notice ? { notice } : {}) });
  });

  app.post('/projects/:id/import/login', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const id = idOf(c);
    if (id === null) return notFound(c);
    const form = ImportLoginForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(
        c,
        core,
        s,
        notFound,
        id,
        { mode: 'start', email: form.email, error: t(lang, 'sessionExpired') },
        403,
      );
    try {
      // The project must be the user's to see (and not under SSA) before the old account is opened.
      await getProject(core, s.actor, id);
      const { token, view } = await openLegacyAccount(core, s.actor, form, clientAddress(c));
      return render(c, core, s, notFound, id, { mode: 'list', token, account: view });
    } catch (e) {
      return failed(c, e, lang, s, id, { mode: 'start', email: form.email, field: 'email' });
    }
  });

  app.post('/projects/:id/import/confirm', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const id = idOf(c);
    if (id === null) return notFound(c);
    const form = ImportConfirmForm.parse(await c.req.parseBody({ all: true }));
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, notFound, id, { mode: 'start', error: t(lang, 'sessionExpired') }, 403);
    try {
      const r = await importLegacyDevices(core, s.actor, {
        token: form.token,
        projectId: id,
        hardwareIds: form.device,
      });
      return c.redirect(`/projects/${id}/import?imported=${r.devices.length}`, 303);
    } catch (e) {
      if (e instanceof MylicError && e.code !== 'LEGACY_LOGIN_EXPIRED' && e.code !== 'PROJECT_NOT_FOUND') {
        // The list again, with the sentence and the boxes as they were ticked.
        const account = await legacyAccountView(core, s.actor, form.token).catch(() => null);
        if (account)
          return failed(c, e, lang, s, id, { mode: 'list', token: form.token, account, chosen: form.device });
      }
      return failed(c, e, lang, s, id, { mode: 'start' });
    }
  });

  app.post('/projects/:id/import/mac', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const id = idOf(c);
    if (id === null) return notFound(c);
    const form = ImportMacForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(
        c,
        core,
        s,
        notFound,
        id,
        { mode: 'start', mac: form.mac, error: t(lang, 'sessionExpired') },
        403,
      );
    try {
      const r = await importLegacyMac(core, s.actor, { projectId: id, mac: form.mac });
      return c.redirect(`/projects/${id}/import?mac=${encodeURIComponent(r.display)}`, 303);
    } catch (e) {
      return failed(c, e, lang, s, id, { mode: 'start', mac: form.mac, field: 'mac' });
    }
  });

  /** A core refusal as the sentence beside the field; another company's project is the "not found" page. */
  function failed(c: Context, e: unknown, lang: Lang, s: WebSession, id: number, v: View) {
    if (!(e instanceof MylicError)) throw e;
    if (e.code === 'PROJECT_NOT_FOUND' || e.code === 'FORBIDDEN') return notFound(c);
    // A locked member: the page's shell answers with the 'locked' sentence.
    const key = ERROR_TEXT[e.code];
    const error = e.code === 'LEGACY_IMPORT_INTO_SSA' ? e.message : key ? t(lang, key) : e.message;
    const status = (e.code === 'RATE_LIMITED' ? 429 : e.status >= 500 ? 409 : e.status) as Status;
    return render(c, core, s, notFound, id, { ...v, error }, status);
  }
}

async function render(
  c: Context,
  core: Core,
  s: WebSession,
  notFound: NotFound,
  id: number,
  v: View,
  status: Status = 200,
) {
  let name = '';
  return projectShell(
    c,
    core,
    s,
    notFound,
    { title: (lang) => t(lang, 'impTitle', { project: name }), path: `/projects/${id}/import` },
    async (who) => {
      const project = await getProject(core, s.actor, id);
      // Only the company's own projects take an import: a project shared with it is not found here.
      if (project.external) throw new MylicError('PROJECT_NOT_FOUND');
      name = project.name;
      const lang = who.lang;
      const ssa = project.ssaEnd !== null && project.ssaEnd >= today(core) ? project.ssaEnd : null;
      const errors = v.error
        ? [{ ...(v.mode === 'start' && v.field ? { field: v.field } : {}), text: v.error }]
        : [];
      return (
        <>
          <p>
            <a href={`/projects/${id}`}>{t(lang, 'projPageTitle', { project: project.name })}</a>
          </p>
          {v.mode === 'start' && v.notice ? (
            <p class="notice" role="status">
              {v.notice}
            </p>
          ) : null}
          <ErrorSummary lang={lang} errors={errors} />
          {ssa ? <p class="warning">{t(lang, 'impSsaRefused', { date: formatDate(lang, ssa) })}</p> : null}
          {v.mode === 'list' ? (
            <ListView lang={lang} csrf={s.csrf} id={id} project={project.name} v={v} />
          ) : (
            <StartView lang={lang} csrf={s.csrf} id={id} v={v} />
          )}
        </>
      );
    },
    status,
  );
}

function StartView(p: { lang: Lang; csrf: string; id: number; v: Extract<View, { mode: 'start' }> }) {
  const { lang, v } = p;
  const emailErr = v.field === 'email' ? v.error : undefined;
  const macErr = v.field === 'mac' ? v.error : undefined;
  return (
    <>
      <p>{t(lang, 'impIntro')}</p>
      <h2>{t(lang, 'impLoginHeading')}</h2>
      <form class="card" method="post" action={`/projects/${p.id}/import/login`} novalidate>
        <input type="hidden" name="csrf" value={p.csrf} />
        <div class={emailErr ? 'field-error' : undefined}>
          <label for="email">{t(lang, 'impEmail')}</label>
          {emailErr ? (
            <p class="message" id="email-error">
              {emailErr}
            </p>
          ) : null}
          <input
            id="email"
            name="email"
            type="email"
            autocomplete="off"
            value={v.email ?? ''}
            {...(emailErr ? { 'aria-describedby': 'email-error' } : {})}
          />
        </div>
        <div>
          <label for="password">{t(lang, 'impPassword')}</label>
          <input id="password" name="password" type="password" autocomplete="off" />
        </div>
        <button type="submit" class="primary">
          {t(lang, 'impLoginButton')}
        </button>
      </form>
      <h2>{t(lang, 'impMacHeading')}</h2>
      <form class="card" method="post" action={`/projects/${p.id}/import/mac`} novalidate>
        <input type="hidden" name="csrf" value={p.csrf} />
        <p class="hint" id="mac-hint">
          {t(lang, 'impMacHint')}
        </p>
        <div class={macErr ? 'field-error' : undefined}>
          <label for="mac">{t(lang, 'impMac')}</label>
          {macErr ? (
            <p class="message" id="mac-error">
              {macErr}
            </p>
          ) : null}
          <input
            id="mac"
            name="mac"
            type="text"
            autocomplete="off"
            value={v.mac ?? ''}
            aria-describedby={macErr ? 'mac-hint mac-error' : 'mac-hint'}
          />
        </div>
        <button type="submit" class="secondary">
          {t(lang, 'impMacButton')}
        </button>
      </form>
    </>
  );
}

function ListView(p: {
  lang: Lang;
  csrf: string;
  id: number;
  project: string;
  v: Extract<View, { mode: 'list' }>;
}) {
  const { lang, v } = p;
  const a = v.account;
  const n = new Intl.NumberFormat(lang);
  const chosen = new Set(v.chosen ?? a.devices.filter((d) => !d.error).map((d) => d.hardwareId));
  return (
    <form method="post" action={`/projects/${p.id}/import/confirm`}>
      <input type="hidden" name="csrf" value={p.csrf} />
      <input type="hidden" name="token" value={v.token} />
      <h2>{t(lang, 'impBalanceHeading', { users: a.users })}</h2>
      {a.balance.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t(lang, 'impType')}</th>
              <th scope="col">{t(lang, 'projUnits')}</th>
            </tr>
          </thead>
          <tbody>
            {a.balance.map((b) => (
              <tr>
                <th scope="row">{b.type}</th>
                <td class="num">{n.format(b.units)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t(lang, a.balanceImported ? 'impBalanceDone' : 'impBalanceNone')}</p>
      )}
      <h2>{t(lang, 'impDevicesHeading')}</h2>
      {a.devices.length ? (
        <table>
          <thead>
            <tr>
              <th scope="col">{t(lang, 'impChoose')}</th>
              <th scope="col">{t(lang, 'impDevice')}</th>
              <th scope="col">{t(lang, 'impType')}</th>
              <th scope="col">{t(lang, 'impLicenses')}</th>
              <th scope="col">{t(lang, 'impNote')}</th>
            </tr>
          </thead>
          <tbody>
            {a.devices.map((d) => (
              <tr>
                <td>
                  {d.error ? null : (
                    <>
                      <input
                        type="checkbox"
                        id={`device-${d.hardwareId}`}
                        name="device"
                        value={d.hardwareId}
                        checked={chosen.has(d.hardwareId)}
                      />
                      <label for={`device-${d.hardwareId}`} class="visually-hidden">
                        {t(lang, 'impChooseDevice', { device: d.display })}
                      </label>
                    </>
                  )}
                </td>
                <th scope="row">{d.display}</th>
                <td>{d.type}</td>
                <td>{d.licenses.map((l) => `${n.format(l.units)} × ${l.type}`).join(', ')}</td>
                <td>
                  {d.error ? (
                    <div class="field-error">
                      <p class="message">{t(lang, ROW_TEXT[d.error]!)}</p>
                    </div>
                  ) : null}
                  {d.warnings.map((w) => (
                    <p class="warning">{t(lang, ROW_TEXT[w]!)}</p>
                  ))}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      ) : (
        <p>{t(lang, 'impNoDevices')}</p>
      )}
      <p class="warning">{t(lang, 'impLockWarning')}</p>
      <p>{t(lang, 'impSlow')}</p>
      <button type="submit" class="primary">
        {t(lang, 'impConfirm', { project: p.project })}
      </button>
    </form>
  );
}
