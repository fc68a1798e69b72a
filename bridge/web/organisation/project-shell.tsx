/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { MylicError } from '../../../protocol/errors.js';
import { getProfile } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { t, type Lang } from '../i18n.js';
import { Layout } from '../layout.js';
import { pageLanguage, type NotFound, type WebSession } from '../web-session.js';

export type Status = 200 | 400 | 403 | 404 | 409;

/** The profile facts the projects pages need: the selected company, whether the user is its admin. */
export interface Who {
  lang: Lang;
  companyId: number | null;
  companyName: string;
  /** Admin of a company of the user, by company id (rights are granted by the owner's admins). */
  adminOf: (companyId: number) => boolean;
}

/**
 * The frame of a projects page whose heading names the project (companyPage takes a fixed title): the
 * layout with the user, the company selector and the Projects tab. A missing project, or another
 * company's, answers the "not found" page (404, nothing of it shown); a locked member gets the
 * 'locked' sentence instead of the body.
 */
export async function projectShell(
  c: Context,
  core: Core,
  s: WebSession,
  notFound: NotFound,
  page: { title: (lang: Lang) => string; path: string },
  body: (who: Who) => Promise<Child>,
  status: Status = 200,
) {
  const lang = pageLanguage(c);
  const profile = await getProfile(core, s.actor);
  const selected = profile.companies.find((x) => x.id === profile.selectedCompanyId) ?? null;
  const who: Who = {
    lang,
    companyId: selected?.id ?? null,
    companyName: selected?.name ?? '',
    adminOf: (id) => profile.companies.some((x) => x.id === id && x.admin && !x.locked),
  };
  let content: Child;
  let title: string;
  let code: Status = status;
  try {
    content = await body(who);
    title = page.title(lang);
  } catch (e) {
    if (!(e instanceof MylicError)) throw e;
    if (e.code === 'PROJECT_NOT_FOUND') return notFound(c);
    if (!['COMPANY_NOT_FOUND', 'USER_LOCKED'].includes(e.code)) throw e;
    title = t(lang, 'projects');
    content = <p class="notice">{t(lang, e.code === 'USER_LOCKED' ? 'locked' : 'noCompany')}</p>;
    code = 403;
  }
  return c.html(
    <Layout
      lang={lang}
      title={title}
      path={page.path}
      active="projects"
      user={{
        email: profile.email,
        companyName: selected?.name ?? null,
        csrf: s.csrf,
        companies: profile.companies,
        selectedCompanyId: profile.selectedCompanyId,
      }}
    >
      <h1>{title}</h1>
      {content}
    </Layout>,
    code,
  );
}
