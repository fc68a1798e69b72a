/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { ApiTokenForm } from '../../../protocol/account-forms.js';
import { API_SCOPES, type ApiScope } from '../../../protocol/account-api.js';
import { CsrfForm } from '../../../protocol/portal-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import {
  assertCurrentPassword,
  createApiToken,
  listApiTokens,
  revokeApiToken,
} from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { t, type Lang, type MessageKey } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import {
  csrfValid,
  pageLanguage,
  sameOrigin,
  type NotFound,
  type SessionOf,
  type WebSession,
} from '../web-session.js';
import {
  accountPage,
  clientAddress,
  CurrentPassword,
  FieldError,
  formatDateTime,
  passwordError,
  type Err,
  type Status,
} from './settings-shell.js';

/**
 * Account → API tokens (issue 11: tokens for provisioning scripts): make one with a name and the scopes
 * it may use (protocol/account-api.ts API_SCOPES), list them (name, scopes, company, made, last used,
 * valid until — never the token), revoke one. The token itself is shown once, in the answer to the form
 * post (never in a URL), with the sentence that it will not be shown again. Making a token asks for the
 * current password like every change of the account (seed L297); revoking one does not (it only takes
 * access away). The same core services as `/api/v1/account/tokens`, with the session's own walls:
 * another account's token id is "not found".
 */
const SCOPE_TEXT: Record<ApiScope, MessageKey> = {
  read: 'accountScopeRead',
  devices: 'accountScopeDevices',
  licenses: 'accountScopeLicenses',
  keys: 'accountScopeKeys',
  invalidations: 'accountScopeInvalidations',
  ssa: 'accountScopeSsa',
  organisation: 'accountScopeOrganisation',
};
const TOKEN_ID = /^[0-9a-f]{16}$/;

export function tokenPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound) {
  app.get('/account/tokens', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    return render(c, core, s, lang, {
      notice: c.req.query('done') === 'revoked' ? t(lang, 'accountTokenRevoked') : undefined,
    });
  });

  app.post('/account/tokens', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const form = ApiTokenForm.parse(await c.req.parseBody({ all: true }));
    const scopes = API_SCOPES.filter((x) => form.scopes.includes(x));
    const kept = { label: form.label, scopes };
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, lang, { ...kept, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const errors: Err[] = [
      ...(form.label && form.label.length <= 100
        ? []
        : [{ field: 'token-label', text: t(lang, 'accountTokenLabelMissing') }]),
      ...(scopes.length ? [] : [{ field: 'token-scope-read', text: t(lang, 'accountTokenScopesMissing') }]),
      ...(form.currentPassword
        ? []
        : [{ field: 'token-current', text: t(lang, 'accountCurrentPasswordMissing') }]),
    ];
    if (errors.length) return render(c, core, s, lang, { ...kept, errors }, 400);
    try {
      await assertCurrentPassword(core, s.actor.userId, form.currentPassword, clientAddress(c));
      const made = await createApiToken(core, s.actor, s.info, form.label, scopes);
      return render(c, core, s, lang, { made }, 201);
    } catch (e) {
      const failed = passwordError(c, lang, e, 'token-current');
      if (failed) return render(c, core, s, lang, { ...kept, errors: failed.errors }, failed.status);
      if (e instanceof MylicError && (e.code === 'USER_LOCKED' || e.code === 'COMPANY_NOT_FOUND'))
        return render(
          c,
          core,
          s,
          lang,
          { ...kept, errors: [{ text: t(lang, e.code === 'USER_LOCKED' ? 'locked' : 'noCompany') }] },
          403,
        );
      throw e;
    }
  });

  app.post('/account/tokens/:id/revoke', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const { csrf } = CsrfForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, csrf))
      return render(c, core, s, lang, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const id = c.req.param('id');
    if (!TOKEN_ID.test(id)) return notFound(c);
    try {
      await revokeApiToken(core, s.actor, id);
    } catch (e) {
      // Another account's token, or one already revoked: the same page as a missing one.
      if (e instanceof MylicError && e.code === 'NOT_FOUND') return notFound(c);
      throw e;
    }
    return c.redirect('/account/tokens?done=revoked', 303);
  });
}

interface View {
  notice?: string | undefined;
  label?: string;
  scopes?: readonly ApiScope[];
  errors?: Err[];
  made?: Awaited<ReturnType<typeof createApiToken>>;
}

function render(c: Context, core: Core, s: WebSession, lang: Lang, v: View, status: Status = 200) {
  const errors = v.errors ?? [];
  const chosen = v.made ? ['read'] : (v.scopes ?? ['read']);
  return accountPage(
    c,
    core,
    s,
    { lang, title: 'accountNavTokens', path: '/account/tokens' },
    async (profile) => {
      const tokens = await listApiTokens(core, s.actor);
      const companyName = (id: number | null) =>
        id === null
          ? t(lang, 'accountTokenNoCompany')
          : (profile.companies.find((x) => x.id === id)?.name ?? `#${id}`);
      const labelError = errors.some((e) => e.field === 'token-label');
      const scopeError = errors.some((e) => e.field === 'token-scope-read');
      return (
        <>
          <p class="lead">{t(lang, 'accountTokensIntro')}</p>
          {v.notice ? (
            <p class="notice" role="status">
              {v.notice}
            </p>
          ) : null}
          {v.made ? (
            <section class="token-made">
              <p class="notice" role="status">
                {t(lang, 'accountTokenCreated', { label: v.made.label })}
              </p>
              <label for="token-value">{t(lang, 'accountTokenValue')}</label>
              <input
                id="token-value"
                class="token-value"
                type="text"
                readonly
                value={v.made.token}
                autocomplete="off"
                spellcheck={false}
              />
              <p>
                {t(lang, 'accountTokenValidUntil', { date: formatDateTime(lang, v.made.expiresAt) })}{' '}
                {v.made.scopes.map((x) => (
                  <span class="tag">{x}</span>
                ))}
              </p>
            </section>
          ) : null}
          <ErrorSummary lang={lang} errors={errors} />
          <h2>{t(lang, 'accountTokensList')}</h2>
          {tokens.length === 0 ? (
            <p>{t(lang, 'accountTokensNone')}</p>
          ) : (
            <table class="tokens">
              <thead>
                <tr>
                  <th scope="col">{t(lang, 'name')}</th>
                  <th scope="col">{t(lang, 'accountTokenColScopes')}</th>
                  <th scope="col">{t(lang, 'company')}</th>
                  <th scope="col">{t(lang, 'accountTokenColCreated')}</th>
                  <th scope="col">{t(lang, 'accountTokenColLastUsed')}</th>
                  <th scope="col">{t(lang, 'accountTokenColExpires')}</th>
                  <th scope="col">{t(lang, 'accountTokenColAction')}</th>
                </tr>
              </thead>
              <tbody>
                {tokens.map((tok) => (
                  <tr>
                    <th scope="row">{tok.label}</th>
                    <td>
                      {tok.scopes.map((x) => (
                        <span class="tag">{x}</span>
                      ))}
                    </td>
                    <td>{companyName(tok.companyId)}</td>
                    <td>{formatDateTime(lang, tok.createdAt)}</td>
                    <td>
                      {tok.lastUsedAt ? formatDateTime(lang, tok.lastUsedAt) : t(lang, 'accountTokenNever')}
                    </td>
                    <td>{formatDateTime(lang, tok.expiresAt)}</td>
                    <td>
                      <form method="post" action={`/account/tokens/${tok.id}/revoke`}>
                        <input type="hidden" name="csrf" value={s.csrf} />
                        <button type="submit" class="secondary">
                          {t(lang, 'accountTokenRevoke', { label: tok.label })}
                        </button>
                      </form>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <h2>{t(lang, 'accountTokenNewHeading')}</h2>
          <form class="card" method="post" action="/account/tokens" novalidate>
            <input type="hidden" name="csrf" value={s.csrf} />
            <div class={labelError ? 'field-error' : undefined}>
              <label for="token-label">{t(lang, 'accountTokenLabel')}</label>
              <p class="hint" id="token-label-hint">
                {t(lang, 'accountTokenLabelHint')}
              </p>
              <FieldError errors={errors} field="token-label" />
              <input
                id="token-label"
                name="label"
                type="text"
                required
                maxlength={100}
                value={v.made ? '' : (v.label ?? '')}
                aria-describedby="token-label-hint"
                aria-invalid={labelError ? 'true' : undefined}
              />
            </div>
            <fieldset class={scopeError ? 'field-error' : undefined}>
              <legend>{t(lang, 'accountTokenScopes')}</legend>
              <FieldError errors={errors} field="token-scope-read" />
              {API_SCOPES.map((x) => (
                <div class="check">
                  <input
                    id={`token-scope-${x}`}
                    name="scopes"
                    type="checkbox"
                    value={x}
                    checked={(chosen as readonly string[]).includes(x)}
                  />
                  <label for={`token-scope-${x}`}>{t(lang, SCOPE_TEXT[x])}</label>
                </div>
              ))}
            </fieldset>
            <CurrentPassword lang={lang} id="token-current" errors={errors} />
            <button type="submit" class="primary">
              {t(lang, 'accountTokenCreate')}
            </button>
          </form>
        </>
      );
    },
    status,
  );
}
