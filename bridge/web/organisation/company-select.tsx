/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { CompanySelectForm } from '../../../protocol/portal-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import type { Core } from '../../core/context.js';
import { selectCompany } from '../../core/organisation/index.js';
import { companyPage } from '../company-page.js';
import { t } from '../i18n.js';
import { csrfValid, pageLanguage, safeNext, sameOrigin, type WebSession } from '../web-session.js';

/**
 * The company selector at the top right of every page (seed L299-303): switches the session to another
 * company of the user and returns to the page it was sent from. A company the user is locked in, or is
 * not a member of, is refused with a sentence and the selection stays as it was.
 */
export function companySelectPages(app: Hono, core: Core, session: (c: Context) => Promise<WebSession>) {
  app.post('/company/select', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const form = CompanySelectForm.parse(await c.req.parseBody());
    const refuse = (key: 'sessionExpired' | 'locked' | 'notFound', status: 403 | 404) =>
      companyPage(
        c,
        core,
        s,
        { title: 'companySelect', path: '/projects', active: undefined },
        async () => (
          <p class="warning" role="alert">
            {t(lang, key)}
          </p>
        ),
        status,
      );
    if (!sameOrigin(c) || !csrfValid(s, form.csrf)) return refuse('sessionExpired', 403);
    if (form.companyId === undefined) return refuse('notFound', 404);
    try {
      await selectCompany(core, s.actor, form.companyId);
    } catch (e) {
      if (e instanceof MylicError && e.code === 'USER_LOCKED') return refuse('locked', 403);
      if (e instanceof MylicError && e.code === 'COMPANY_NOT_FOUND') return refuse('notFound', 404);
      throw e;
    }
    // Another company's project or key page would only say "not found": land on its projects instead,
    // and from a user of the company left behind (the remove page) on the new company's page.
    const next = safeNext(form.next);
    if (/^\/company\/users\//.test(next)) return c.redirect('/company', 303);
    return c.redirect(/^\/(projects|keys|history|devices)\/\d/.test(next) ? '/projects' : next, 303);
  });
}
