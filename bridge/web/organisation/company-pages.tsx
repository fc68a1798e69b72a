/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { CompanyDataForm } from '../../../protocol/company-forms.js';
import type { Core } from '../../core/context.js';
import { getCompany, updateCompany } from '../../core/organisation/index.js';
import { t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import {
  csrfValid,
  type NotFound,
  pageLanguage,
  type SessionOf,
  sameOrigin,
  type WebSession,
} from '../web-session.js';
import { companyJoinPages } from './company-join.js';
import { CompanyDataFields, companyNewPages } from './company-new.js';
import { renderOverview } from './company-overview.js';
import { codeOf, companyTabPage, dataErrors, type Err, type Status } from './company-shared.js';
import { companyUserPages } from './company-users.js';

/**
 * Licenses → Company (seed L262-287): GET /company (data, id, users), /company/edit (the data, admins,
 * not for a company from the vendor's records), the users' actions (company-users.tsx), the import of
 * another company (company-join.tsx) and a new company (company-new.tsx). The selector at the top
 * right is company-select.tsx. Pages call the core's organisation services with the session's actor,
 * the same calls as the API's /company routes.
 */
export function companyPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  app.get('/company', async (c) => renderOverview(c, core, await session(c), {}));

  app.get('/company/edit', async (c) => renderEdit(c, core, await session(c), null, []));

  app.post('/company/edit', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf, ...input } = CompanyDataForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, csrf))
      return renderEdit(c, core, s, input, [{ text: t(lang, 'sessionExpired') }], 403);
    const errors = dataErrors(lang, input);
    if (errors.length) return renderEdit(c, core, s, input, errors, 400);
    try {
      await updateCompany(core, s.actor, input);
    } catch (e) {
      const code = codeOf(e);
      if (code === 'FORBIDDEN')
        return renderEdit(c, core, s, input, [{ text: t(lang, 'companyAdminsOnly') }], 403);
      if (code === 'USER_LOCKED' || code === 'COMPANY_NOT_FOUND')
        return renderEdit(c, core, s, input, [], 403);
      if (code === 'COMPANY_DATA_FROM_VENDOR') return renderEdit(c, core, s, input, [], 409);
      if (code === 'VALIDATION_FAILED')
        return renderEdit(c, core, s, input, [{ field: 'name', text: t(lang, 'companyNameRequired') }], 400);
      throw e;
    }
    return c.redirect('/company?done=updated', 303);
  });

  companyUserPages(app, core, session, notFound);
  companyJoinPages(app, core, session);
  companyNewPages(app, core, session);
}

type DataInput = { name: string; street: string; postalCode: string; city: string; country: string };

/** The company's data as a form for admins; for anyone else, or a vendor-record company, the sentence why not. */
function renderEdit(
  c: Context,
  core: Core,
  s: WebSession,
  input: DataInput | null,
  errors: Err[],
  status: Status = 200,
) {
  return companyTabPage(
    c,
    core,
    s,
    { title: 'companyEditTitle', path: '/company/edit' },
    async ({ lang }) => {
      const company = await getCompany(core, s.actor);
      const why = !company.admin
        ? t(lang, 'companyReadOnly')
        : company.vendorAccountId
          ? t(lang, 'companyFromVendor', { account: company.vendorAccountId })
          : null;
      if (why)
        return (
          <>
            <ErrorSummary lang={lang} errors={errors} />
            <p class="warning" role="alert">
              {why}
            </p>
            <p>
              <a href="/company">{t(lang, 'companyBack')}</a>
            </p>
          </>
        );
      return (
        <>
          <ErrorSummary lang={lang} errors={errors} />
          <form class="card" method="post" action="/company/edit" novalidate>
            <input type="hidden" name="csrf" value={s.csrf} />
            <CompanyDataFields lang={lang} input={input ?? company} errors={errors} />
            <button type="submit" class="primary">
              {t(lang, 'companySave')}
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
