import type { Context, Hono } from 'hono';
import type { Core } from '../../core/context.js';
import { operatorSettings } from '../../core/settings.js';
import type { Lang } from '../i18n.js';
import { Layout } from '../layout.js';
import { getProfile } from '../../core/accounts/index.js';
import { pageLanguage, webSession } from '../web-session.js';
import { HELP_CHROME, HELP_TOPICS, type HelpPage, helpPage, isHelpTopic } from './content.js';

/**
 * The portal's own help pages (issue 15 item 6): /help lists the quickstart and SSA guides (seed L14–25)
 * and the help of each menu; /help/{topic} shows one. The help link at the right of the tab menu (seed
 * L33) leads to the page of the menu you are in. Readable without a log-in. The Configurator link (seed
 * L294) is an operator setting (MYLIC_CONFIGURATOR_URL); unset, the help shows none.
 */
const GUIDES = ['quickstart', 'ssa'] as const;

function Body(p: { page: HelpPage }) {
  const blocks: (string | string[])[] = [];
  for (const line of p.page.body) {
    const last = blocks[blocks.length - 1];
    if (line.startsWith('- ')) {
      if (Array.isArray(last)) last.push(line.slice(2));
      else blocks.push([line.slice(2)]);
    } else blocks.push(line);
  }
  return (
    <>
      {blocks.map((b) =>
        Array.isArray(b) ? (
          <ul>
            {b.map((item) => (
              <li>{item}</li>
            ))}
          </ul>
        ) : (
          <p>{b}</p>
        ),
      )}
    </>
  );
}

function TopicLinks(p: { lang: Lang; topics: readonly string[] }) {
  return (
    <ul>
      {p.topics.filter(isHelpTopic).map((topic) => (
        <li>
          <a href={`/help/${topic}`}>{helpPage(p.lang, topic).page.title}</a>
        </li>
      ))}
    </ul>
  );
}

/** The menu and the account for a logged-in reader; the help itself needs no log-in. */
async function readerOf(c: Context, core: Core) {
  const s = await webSession(core, c).catch(() => null);
  if (!s) return undefined;
  try {
    const profile = await getProfile(core, s.actor);
    return {
      email: profile.email,
      companyName: profile.companies.find((x) => x.id === profile.selectedCompanyId)?.name ?? null,
      csrf: s.csrf,
      companies: profile.companies,
      selectedCompanyId: profile.selectedCompanyId,
    };
  } catch {
    return undefined;
  }
}

export function helpPages(app: Hono, core: Core) {
  app.get('/help', async (c) => {
    const lang = pageLanguage(c);
    const user = await readerOf(c, core);
    const words = HELP_CHROME[lang];
    const configurator = operatorSettings().configuratorUrl;
    return c.html(
      <Layout lang={lang} title={words.indexTitle} path="/help" user={user}>
        <h1>{words.indexTitle}</h1>
        <p>{words.indexIntro}</p>
        <h2>{words.guides}</h2>
        <TopicLinks lang={lang} topics={GUIDES} />
        <h2>{words.menus}</h2>
        <TopicLinks
          lang={lang}
          topics={HELP_TOPICS.filter((t) => !(GUIDES as readonly string[]).includes(t))}
        />
        {configurator ? (
          <>
            <h2>{words.configurator}</h2>
            <p>
              {words.configuratorIntro}{' '}
              <a href={configurator} rel="noopener noreferrer">
                {configurator}
              </a>
            </p>
          </>
        ) : null}
      </Layout>,
    );
  });
  app.get('/help/:topic', async (c: Context) => {
    const topic = c.req.param('topic') ?? '';
    const lang = pageLanguage(c);
    if (!isHelpTopic(topic)) return c.notFound();
    const user = await readerOf(c, core);
    const { page, translated } = helpPage(lang, topic);
    const words = HELP_CHROME[lang];
    return c.html(
      <Layout lang={lang} title={page.title} path={`/help/${topic}`} user={user}>
        <p>
          <a href="/help">{words.back}</a>
        </p>
        <h1>{page.title}</h1>
        {translated ? null : (
          <p class="notice" lang={lang}>
            {words.notTranslated}
          </p>
        )}
        <div lang={translated ? lang : 'en'}>
          <Body page={page} />
        </div>
      </Layout>,
    );
  });
}
