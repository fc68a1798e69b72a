/** @jsxImportSource hono/jsx */
import { Hono, type Context } from 'hono';
import type { Core } from '../core/context.js';
import { loginPages } from './accounts/login.js';
import { passwordResetPages } from './accounts/password-reset.js';
import { registrationPages } from './accounts/register.js';
import { t } from './i18n.js';
import { Layout, PORTAL_CSS } from './layout.js';
import { balancePages } from './balance/balance-page.js';
import { activationsPages } from './keys/activations-page.js';
import { companySelectPages } from './organisation/company-select.js';
import { companyPages } from './organisation/company-pages.js';
import { accountSettingsPages } from './accounts/settings-pages.js';
import { freeLicensePages } from './licenses/free-licenses-page.js';
import { ownKeyPages } from './keys/own-keys-page.js';
import { historyPages } from './history/history-page.js';
import { searchPages } from './search/search-page.js';
import { deviceListPages } from './devices/device-list-page.js';
import { devicePages } from './devices/device-page.js';
import { deviceStatusPages } from './devices/device-status-page.js';
import { warrantyBatchPages } from './devices/warranty-batch-page.js';
import { projectsPages } from './organisation/projects.js';
import { importPages } from './organisation/import-page.js';
import { ssaPages } from './ssa/ssa-page.js';
import { helpPages } from './help/help-pages.js';
import { playPages } from './play/play-pages.js';
import { pageLanguage, webSession, type WebSession } from './web-session.js';

const PAGE_CSP =
  "default-src 'none'; style-src 'self'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'";

/** Thrown by a page that needs a session; answered with the way to the log-in and back. */
class LoginNeeded extends Error {}

/**
 * The portal pages for people (issue 13, ARCHITECTURE §8), mounted at `/` beside `/api/v1` and
 * `/device/v1`. Built so far: log-in, log-out, Register Now with its activation link, the forgotten
 * password, the projects list, the balance, activations (redeem a key after seeing its licenses) and a project's SSA (the page the SSA
 * expiry mail links to); the other menus exist in the API so far.
 * Pages call the core services directly, never the API over HTTP. Every page answer is `no-store` and
 * carries its own CSP: its stylesheet from this origin, forms to this origin, nothing framed, no script.
 */
export function portalPages(core: Core) {
  const app = new Hono();
  app.use('*', async (c, next) => {
    await next();
    // Only what the pages answer (HTML, the stylesheet, their redirects): a path that is no page falls
    // through to the bridge's 404 with the API's headers.
    if (c.res.status === 404 && !(c.res.headers.get('content-type') ?? '').startsWith('text/html')) return;
    c.header('Cache-Control', c.req.path.startsWith('/static/') ? 'public, max-age=3600' : 'no-store');
    c.header('Content-Security-Policy', PAGE_CSP);
    // Browsers then send Origin on same-origin form posts, which the CSRF check reads.
    c.header('Referrer-Policy', 'same-origin');
  });
  app.onError((e, c) => {
    if (e instanceof LoginNeeded) return c.redirect(`/login?next=${encodeURIComponent(c.req.path)}`, 303);
    throw e;
  });
  const session = async (c: Context): Promise<WebSession> => {
    const s = await webSession(core, c);
    if (!s) throw new LoginNeeded();
    return s;
  };
  // myplay, the sandbox portal: its banner on every page and its own pages; nothing on the live portal.
  playPages(app, core, session, notFoundPage);
  app.get('/static/portal.css', (c) =>
    c.body(PORTAL_CSS, 200, { 'Content-Type': 'text/css; charset=utf-8' }),
  );
  app.get('/', async (c) => c.redirect((await webSession(core, c)) ? '/projects' : '/login', 303));
  loginPages(app, core);
  registrationPages(app, core);
  passwordResetPages(app, core);
  helpPages(app, core);
  projectsPages(app, core, session, notFoundPage);
  importPages(app, core, session, notFoundPage);
  ssaPages(app, core, session, notFoundPage);
  balancePages(app, core, session);
  activationsPages(app, core, session);
  companySelectPages(app, core, session);
  companyPages(app, core, session, notFoundPage);
  accountSettingsPages(app, core, session, notFoundPage);
  freeLicensePages(app, core, session, notFoundPage);
  ownKeyPages(app, core, session, notFoundPage);
  historyPages(app, core, session, notFoundPage);
  searchPages(app, core, session, notFoundPage);
  deviceListPages(app, core, session, notFoundPage);
  // Fixed paths under /devices/ before the device page's /devices/{hardwareId}.
  warrantyBatchPages(app, core, session, notFoundPage);
  deviceStatusPages(app, core, session, notFoundPage);
  devicePages(app, core, session, notFoundPage);
  return app;
}

/** The page for paths that are no page (also what another company's object answers: nothing, no hint). */
export function notFoundPage(c: Context) {
  const lang = pageLanguage(c);
  c.header('Content-Security-Policy', PAGE_CSP);
  c.header('Referrer-Policy', 'same-origin');
  c.header('Cache-Control', 'no-store');
  return c.html(
    <Layout lang={lang} title={t(lang, 'notFoundTitle')} path="/">
      <h1>{t(lang, 'notFoundTitle')}</h1>
      <p>{t(lang, 'notFound')}</p>
    </Layout>,
    404,
  );
}
