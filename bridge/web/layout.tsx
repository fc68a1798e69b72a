/** @jsxImportSource hono/jsx */
import { raw } from 'hono/html';
import type { Child } from 'hono/jsx';
import { accountCss } from './styles/account.js';
import { companyCss } from './styles/company.js';
import { deviceListCss } from './styles/device-list.js';
import { devicePageCss } from './styles/device-page.js';
import { historySearchCss } from './styles/history-search.js';
import { licensesKeysCss } from './styles/licenses-keys.js';
import { projectsCss } from './styles/projects.js';
import { HELP_CHROME, helpPath } from './help/content.js';
import { PlayBanner, playCss } from './play/play-banner.js';
import { LANGUAGES, MESSAGES, t, type Lang, type MessageKey } from './i18n.js';

/**
 * The one layout of the portal pages (seed: the tab menu, the company selection at the top right, the
 * language selection on every page). Server-rendered HTML that works without JavaScript; hono/jsx
 * escapes every value. Only pages that exist are in the menu.
 */
export interface LayoutProps {
  lang: Lang;
  title: string;
  /** The path the language links keep. */
  path: string;
  user?:
    | {
        email: string;
        companyName: string | null;
        csrf: string;
        /** The companies of the account (the selector shows when there are several, seed L300). */
        companies?: readonly { id: number; name: string }[];
        selectedCompanyId?: number | null;
      }
    | undefined;
  active?: Tab | undefined;
  children?: Child;
}

/** The tab menu under Licenses (seed L42-287, in the seed's order) and the wiki page each one explains. */
export const TABS = [
  { id: 'projects', path: '/projects', label: 'projects' },
  { id: 'balance', path: '/balance', label: 'balance' },
  { id: 'free', path: '/free-licenses', label: 'tabFreeLicenses' },
  { id: 'activations', path: '/activations', label: 'activations' },
  { id: 'keys', path: '/keys', label: 'tabOwnKeys' },
  { id: 'devices', path: '/devices', label: 'tabDevices' },
  { id: 'history', path: '/history', label: 'tabHistory' },
  { id: 'company', path: '/company', label: 'tabCompany' },
] as const satisfies readonly { id: string; path: string; label: MessageKey }[];
export type Tab = (typeof TABS)[number]['id'] | 'account' | 'search';

/** Seed L33: the help link at the right of the tab menu opens the portal's own help of the menu you are in. */
export const HELP_URL = '/help';

export function Layout(p: LayoutProps) {
  const sep = p.path.includes('?') ? '&' : '?';
  return (
    <>
      {raw('<!doctype html>')}
      <html lang={p.lang}>
        <head>
          <meta charset="utf-8" />
          <meta name="viewport" content="width=device-width, initial-scale=1" />
          <title>{`${p.title} – mylic ${t(p.lang, 'portal')}`}</title>
          <link rel="stylesheet" href="/static/portal.css" />
        </head>
        <body>
          <a class="skip" href="#main">
            {t(p.lang, 'skipToContent')}
          </a>
          <PlayBanner lang={p.lang} path={p.path} />
          <header class="top">
            <div class="brand">
              mylic <span>{t(p.lang, 'portal')}</span>
            </div>
            <nav class="languages" aria-label={t(p.lang, 'language')}>
              <ul>
                {LANGUAGES.map((l) => (
                  <li>
                    <a
                      href={`${p.path}${sep}lang=${l}`}
                      lang={l}
                      hreflang={l}
                      aria-current={l === p.lang ? 'true' : undefined}
                    >
                      {MESSAGES[l].languageName}
                    </a>
                  </li>
                ))}
              </ul>
            </nav>
            {p.user ? (
              <search class="search">
                <form method="get" action="/search">
                  <label for="top-search" class="visually-hidden">
                    {t(p.lang, 'searchLabel')}
                  </label>
                  <input id="top-search" type="search" name="q" minlength={3} maxlength={64} />
                  <button type="submit">{t(p.lang, 'searchButton')}</button>
                </form>
              </search>
            ) : null}
            {p.user ? (
              <div class="who">
                {p.user.companies && p.user.companies.length > 1 ? (
                  <form method="post" action="/company/select" class="company-select">
                    <input type="hidden" name="csrf" value={p.user.csrf} />
                    <input type="hidden" name="next" value={p.path} />
                    <label for="company-select">{t(p.lang, 'companySelect')}</label>
                    <select id="company-select" name="companyId">
                      {p.user.companies.map((co) => (
                        <option value={String(co.id)} selected={co.id === p.user?.selectedCompanyId}>
                          {co.name}
                        </option>
                      ))}
                    </select>
                    <button type="submit" class="link">
                      {t(p.lang, 'companySwitch')}
                    </button>
                  </form>
                ) : p.user.companyName ? (
                  <span>
                    {t(p.lang, 'company')}: {p.user.companyName}
                  </span>
                ) : null}
                <a href="/account" aria-current={p.active === 'account' ? 'page' : undefined}>
                  {p.user.email}
                </a>
                <form method="post" action="/logout">
                  <input type="hidden" name="csrf" value={p.user.csrf} />
                  <button type="submit" class="link">
                    {t(p.lang, 'logOut')}
                  </button>
                </form>
              </div>
            ) : null}
          </header>
          {p.user ? (
            <nav class="tabs" aria-label="Menu">
              <ul>
                {TABS.map((tab) => (
                  <li>
                    <a href={tab.path} aria-current={p.active === tab.id ? 'page' : undefined}>
                      {t(p.lang, tab.label)}
                    </a>
                  </li>
                ))}
                <li class="help">
                  <a href={helpPath(p.active)} title={HELP_CHROME[p.lang].linkTitle} rel="help">
                    {t(p.lang, 'help')}
                  </a>
                </li>
              </ul>
            </nav>
          ) : null}
          <main id="main">{p.children}</main>
        </body>
      </html>
    </>
  );
}

/** The error summary at the top of a failed form (GOV.UK pattern): links to the fields. */
export function ErrorSummary(p: { lang: Lang; errors: readonly { field?: string; text: string }[] }) {
  if (!p.errors.length) return null;
  return (
    <div class="error-summary" role="alert" tabindex={-1}>
      <h2>{t(p.lang, 'errorSummary')}</h2>
      <ul>
        {p.errors.map((e) => (
          <li>{e.field ? <a href={`#${e.field}`}>{e.text}</a> : e.text}</li>
        ))}
      </ul>
    </div>
  );
}

export const PORTAL_CSS = `
:root{--ink:#1d2733;--muted:#5b6673;--line:#d5dbe1;--brand:#0b5cab;--bad:#b3261e;--bg:#f6f8fa}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--ink);background:#fff}
.skip{position:absolute;left:-999px}.skip:focus{left:8px;top:8px;background:#fff;padding:4px 8px;z-index:2}
.top{display:flex;align-items:center;gap:24px;padding:12px 24px;background:var(--brand);color:#fff;flex-wrap:wrap}
.brand{font-weight:700;font-size:20px}.brand span{font-weight:400;opacity:.9}
.languages ul,.tabs ul{list-style:none;margin:0;padding:0;display:flex;gap:12px}
.languages a{color:#fff;text-decoration:none;font-size:14px;opacity:.85}.languages a[aria-current]{opacity:1;text-decoration:underline}
.who{display:flex;gap:12px;align-items:center;font-size:14px}
.who form{margin:0}button.link{background:none;border:0;color:#fff;text-decoration:underline;cursor:pointer;font:inherit;padding:0}
.visually-hidden{position:absolute;width:1px;height:1px;overflow:hidden;clip:rect(0 0 0 0);white-space:nowrap}
.search{margin-left:auto}.search form{display:flex;gap:4px}.search input{padding:4px 8px;font:inherit;border:2px solid #fff;border-radius:4px;width:14em}
.search button,.company-select select{font:inherit;padding:3px 8px;border-radius:4px;border:2px solid #fff}
.who a{color:#fff}.company-select{display:flex;gap:6px;align-items:center}.company-select label{font-weight:400;margin:0}
.tabs li.help{margin-left:auto}.tabs ul{flex-wrap:wrap}
.tabs{border-bottom:1px solid var(--line);background:var(--bg);padding:0 24px}
.tabs a{display:inline-block;padding:10px 4px;color:var(--ink);text-decoration:none;border-bottom:3px solid transparent}
.tabs a[aria-current]{border-bottom-color:var(--brand);font-weight:600}
main{max-width:1100px;padding:24px}
h1{font-size:28px;margin:0 0 8px}p.lead{color:var(--muted);margin-top:0}
table{border-collapse:collapse;width:100%;margin-top:16px}th,td{text-align:left;padding:8px 10px;border-bottom:1px solid var(--line)}
th{background:var(--bg);font-weight:600}tbody th{background:none}
.tag{display:inline-block;font-size:12px;padding:1px 6px;border-radius:8px;background:#e6eef8;color:var(--brand);margin-left:6px}
form.card{max-width:420px;border:1px solid var(--line);border-radius:8px;padding:20px 24px;background:#fff}
label{display:block;font-weight:600;margin:14px 0 4px}p.hint{color:var(--muted);margin:0 0 4px;font-size:14px}
select{padding:8px 10px;font:inherit;border:2px solid #8a96a3;border-radius:4px}
input[type=email],input[type=password],input[type=text]{width:100%;padding:8px 10px;font:inherit;border:2px solid #8a96a3;border-radius:4px}
input:focus,button:focus,a:focus{outline:3px solid #ffbf47;outline-offset:1px}
.field-error input{border-color:var(--bad)}.field-error .message{color:var(--bad);font-weight:600;margin:2px 0}
button.primary{margin-top:18px;background:var(--brand);color:#fff;border:0;border-radius:4px;padding:10px 18px;font:inherit;font-weight:600;cursor:pointer}
.error-summary{border:4px solid var(--bad);padding:12px 16px;margin-bottom:16px;max-width:640px}.error-summary h2{margin:0 0 6px;font-size:18px}
.error-summary a{color:var(--bad);font-weight:600}
.notice{background:#eaf4ea;border-left:4px solid #2e7d32;padding:8px 12px;max-width:640px}
.warning{background:#fdf0e6;border-left:4px solid #b35c00;padding:8px 12px;max-width:640px}
td.num,th.num{text-align:right;font-variant-numeric:tabular-nums}caption{text-align:left;font-weight:600;padding:6px 0}
input[type=date]{padding:6px 8px;font:inherit;border:2px solid #8a96a3;border-radius:4px}
button.secondary{margin-top:12px;background:#fff;color:var(--brand);border:2px solid var(--brand);border-radius:4px;padding:8px 16px;font:inherit;font-weight:600;cursor:pointer}
section.confirm{margin-top:20px;border-top:1px solid var(--line);padding-top:12px}
${[accountCss, companyCss, projectsCss, licensesKeysCss, historySearchCss, deviceListCss, devicePageCss, playCss].join('\n')}
`;
