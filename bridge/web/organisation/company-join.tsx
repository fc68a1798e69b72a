/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import * as z from 'zod';
import { JoinCompanyForm } from '../../../protocol/company-forms.js';
import type { MylicError } from '../../../protocol/errors.js';
import { IdText } from '../../../protocol/ids.js';
import type { Core } from '../../core/context.js';
import { getCompany, joinCompany } from '../../core/organisation/index.js';
import { type Lang, t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import { csrfValid, pageLanguage, type SessionOf, sameOrigin, type WebSession } from '../web-session.js';
import { codeOf, companyTabPage, type Err, Field, type Status } from './company-shared.js';

/**
 * Import (join) another company into the selected one (seed L31, L273-278; admins only): its id and the
 * login of one of its admins, who thereby agrees. Everything moves here and the other company is
 * deleted, so the page says so and asks for a ticked confirmation. The core (company-join.ts) checks the
 * login like a log-in (rate-limited, every failure answered alike); the API twin is POST /company/join.
 */
type JoinInput = { companyId?: string; email?: string; confirm?: boolean };

export function companyJoinPages(app: Hono, core: Core, session: SessionOf) {
  app.get('/company/join', async (c) => renderJoin(c, core, await session(c), {}, []));

  app.post('/company/join', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = JoinCompanyForm.parse(await c.req.parseBody());
    const input: JoinInput = { companyId: form.companyId, email: form.email, confirm: form.confirm };
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return renderJoin(c, core, s, input, [{ text: t(lang, 'sessionExpired') }], 403);
    const id = IdText.safeParse(form.companyId);
    const errors: Err[] = [];
    if (!id.success) errors.push({ field: 'companyId', text: t(lang, 'companyJoinIdInvalid') });
    if (!z.email().max(254).safeParse(form.email).success)
      errors.push({ field: 'joinEmail', text: t(lang, 'emailInvalid') });
    if (!form.password || form.password.length > 1024)
      errors.push({ field: 'joinPassword', text: t(lang, 'companyJoinPasswordMissing') });
    if (!form.confirm) errors.push({ field: 'confirm', text: t(lang, 'companyJoinConfirmMissing') });
    if (errors.length || !id.success) return renderJoin(c, core, s, input, errors, 400);
    try {
      await joinCompany(core, s.actor, { companyId: id.data, email: form.email, password: form.password });
    } catch (e) {
      const refused = joinRefusal(lang, e);
      if (!refused) throw e;
      return renderJoin(c, core, s, input, [refused.error], refused.status);
    }
    return c.redirect(`/company?done=joined&id=${id.data}`, 303);
  });
}

function joinRefusal(lang: Lang, e: unknown): { error: Err; status: Status } | null {
  switch (codeOf(e)) {
    case 'COMPANY_JOIN_REFUSED':
      return { error: { field: 'companyId', text: t(lang, 'companyJoinRefused') }, status: 403 };
    case 'COMPANY_JOIN_SELF':
      return { error: { field: 'companyId', text: t(lang, 'companyJoinSelf') }, status: 409 };
    case 'FORBIDDEN':
      return { error: { text: t(lang, 'companyJoinAdminsOnly') }, status: 403 };
    case 'USER_LOCKED':
      return { error: { text: t(lang, 'locked') }, status: 403 };
    case 'COMPANY_NOT_FOUND':
      return { error: { text: t(lang, 'noCompany') }, status: 403 };
    case 'RATE_LIMITED': {
      const after = Number(
        ((e as MylicError).details as { retryAfter?: number } | undefined)?.retryAfter ?? 900,
      );
      return {
        error: {
          field: 'joinEmail',
          text: t(lang, 'companyJoinLimited', { minutes: Math.max(1, Math.ceil(after / 60)) }),
        },
        status: 429,
      };
    }
    default:
      return null;
  }
}

function renderJoin(
  c: Context,
  core: Core,
  s: WebSession,
  input: JoinInput,
  errors: Err[],
  status: Status = 200,
) {
  return companyTabPage(
    c,
    core,
    s,
    { title: 'companyJoinTitle', path: '/company/join' },
    async ({ lang, companyName }) => {
      // No company or a locked member: the shell says so (getCompany throws).
      const company = await getCompany(core, s.actor);
      if (!company.admin)
        return (
          <>
            <p class="warning" role="alert">
              {t(lang, 'companyJoinAdminsOnly')}
            </p>
            <p>
              <a href="/company">{t(lang, 'companyBack')}</a>
            </p>
          </>
        );
      const confirmError = errors.find((e) => e.field === 'confirm');
      return (
        <>
          <p class="lead">{t(lang, 'companyJoinIntro', { company: companyName })}</p>
          <p class="warning">
            <strong>{t(lang, 'companyJoinWarning')}</strong>
          </p>
          <ErrorSummary lang={lang} errors={errors} />
          <form class="card" method="post" action="/company/join" novalidate>
            <input type="hidden" name="csrf" value={s.csrf} />
            <Field
              id="companyId"
              label={t(lang, 'companyJoinId')}
              hint={t(lang, 'companyJoinIdHint')}
              value={input.companyId ?? ''}
              maxlength={10}
              autocomplete="off"
              errors={errors}
            />
            <Field
              id="joinEmail"
              name="email"
              type="email"
              label={t(lang, 'companyJoinEmail')}
              value={input.email ?? ''}
              maxlength={254}
              autocomplete="off"
              errors={errors}
            />
            <Field
              id="joinPassword"
              name="password"
              type="password"
              label={t(lang, 'companyJoinPassword')}
              autocomplete="off"
              errors={errors}
            />
            <div class={confirmError ? 'checkbox field-error' : 'checkbox'}>
              {confirmError ? (
                <p class="message" id="confirm-error">
                  {confirmError.text}
                </p>
              ) : null}
              <input
                id="confirm"
                name="confirm"
                type="checkbox"
                value="yes"
                checked={input.confirm ?? false}
                aria-describedby={confirmError ? 'confirm-error' : undefined}
              />
              <label for="confirm">{t(lang, 'companyJoinConfirm')}</label>
            </div>
            <button type="submit" class="primary">
              {t(lang, 'companyJoinButton')}
            </button>
          </form>
          <p>
            <a href="/company">{t(lang, 'companyBack')}</a>
          </p>
        </>
      );
    },
    status,
  );
}
