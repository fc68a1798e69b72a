/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { MylicError } from '../../protocol/errors.js';
import { getProfile } from '../core/accounts/index.js';
import type { Core } from '../core/context.js';
import { type MessageKey, t, type Lang } from './i18n.js';
import { Layout, type LayoutProps } from './layout.js';
import { pageLanguage, type WebSession } from './web-session.js';

/**
 * A page of the selected company (projects, balance, activations …): the layout with the user and the
 * company, the title as heading, and the body the page builds. A member without a company, or locked in
 * it, gets a sentence saying so instead of the body — never another company's data.
 */
export async function companyPage(
  c: Context,
  core: Core,
  s: WebSession,
  page: { title: MessageKey; path: string; active: LayoutProps['active'] },
  body: (ctx: { lang: Lang; companyName: string }) => Promise<Child>,
  status: 200 | 400 | 403 | 404 | 409 | 429 = 200,
) {
  const lang = pageLanguage(c);
  const profile = await getProfile(core, s.actor);
  const companyName = profile.companies.find((x) => x.id === profile.selectedCompanyId)?.name ?? null;
  let content: Child;
  try {
    content = await body({ lang, companyName: companyName ?? '' });
  } catch (e) {
    if (
      !(e instanceof MylicError) ||
      !['COMPANY_NOT_FOUND', 'USER_LOCKED', 'PROJECT_NOT_FOUND'].includes(e.code)
    )
      throw e;
    const key =
      e.code === 'USER_LOCKED' ? 'locked' : e.code === 'PROJECT_NOT_FOUND' ? 'notFound' : 'noCompany';
    content = <p class="notice">{t(lang, key)}</p>;
  }
  return c.html(
    <Layout
      lang={lang}
      title={t(lang, page.title)}
      path={page.path}
      active={page.active}
      user={{
        email: profile.email,
        companyName,
        csrf: s.csrf,
        companies: profile.companies,
        selectedCompanyId: profile.selectedCompanyId,
      }}
    >
      <h1>{t(lang, page.title)}</h1>
      {content}
    </Layout>,
    status,
  );
}
