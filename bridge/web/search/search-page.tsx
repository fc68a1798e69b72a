/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { SEARCH_KEYS_MIN, SEARCH_MIN, type SearchResult } from '../../../protocol/devices-api.js';
import { SearchParams } from '../../../protocol/history-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import type { Core } from '../../core/context.js';
import { search, searchTuning } from '../../core/devices/index.js';
import { companyPage } from '../company-page.js';
import { type Lang, t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import { type NotFound, pageLanguage, type SessionOf } from '../web-session.js';

/**
 * Search (seed: Search, L35-41): the field at the top right of every page sends GET /search?q=…; this
 * page answers with the selected company's devices (name, comment, MAC/IPEI), projects (name,
 * description) and own activation keys (key, comment), grouped, each linking to its page; "PBX-Port14"
 * or "PBX-Port14=100" adds the devices with such licenses. At least 3 characters, 5 for keys (L40).
 * The same core search as GET /api/v1/search: only what the company holds, and of a device another
 * company holds too only this company's own name and comment.
 */
export function searchPages(app: Hono, core: Core, session: SessionOf, _notFound: NotFound): void {
  app.get('/search', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const raw = SearchParams.parse(c.req.query()).q;
    const q = (raw ?? '').trim();
    const tooShort = raw !== undefined && q.length < SEARCH_MIN;
    const errors = tooShort
      ? [{ field: 'search-q', text: t(lang, 'searchTooShort', { min: SEARCH_MIN }) }]
      : [];
    const path = raw === undefined ? '/search' : `/search?${new URLSearchParams({ q: raw }).toString()}`;
    let result: SearchResult | undefined;
    let failure: unknown;
    if (raw !== undefined && !tooShort) {
      try {
        result = await search(core, s.actor, q);
      } catch (e) {
        failure = e;
      }
    }
    const locked = failure instanceof MylicError && failure.code === 'USER_LOCKED';
    return companyPage(
      c,
      core,
      s,
      { title: 'searchTitle', path, active: 'search' },
      async ({ lang }) => {
        if (failure) throw failure;
        return (
          <>
            <p class="lead">{t(lang, 'searchIntro')}</p>
            <ErrorSummary lang={lang} errors={errors} />
            <form class="search-page" method="get" action="/search" novalidate>
              <div class={tooShort ? 'field-error' : undefined}>
                <label for="search-q">{t(lang, 'searchFor')}</label>
                {tooShort ? <p class="message">{errors[0]!.text}</p> : null}
                <p class="hint" id="search-q-hint">
                  {t(lang, 'searchKeysFrom', { min: SEARCH_KEYS_MIN })}
                </p>
                <input
                  id="search-q"
                  name="q"
                  type="search"
                  maxlength={64}
                  value={raw ?? ''}
                  aria-describedby="search-q-hint"
                />
              </div>
              <button type="submit" class="primary">
                {t(lang, 'searchButton')}
              </button>
            </form>
            {result ? <Results lang={lang} r={result} /> : null}
          </>
        );
      },
      tooShort ? 400 : locked ? 403 : 200,
    );
  });
}

function More(p: { lang: Lang; shown: boolean }) {
  return p.shown ? (
    <p class="warning">{t(p.lang, 'searchMore', { count: searchTuning.resultLimit })}</p>
  ) : null;
}

function DeviceCells(p: { lang: Lang; d: SearchResult['devices'][number] }) {
  return (
    <>
      <td class="device">
        <a href={`/devices/${p.d.hardwareId}`}>{p.d.display}</a>
        {p.d.inRma ? <span class="tag rma">{t(p.lang, 'searchInRma')}</span> : null}
      </td>
      <td>{p.d.type}</td>
      <td>{p.d.name ?? ''}</td>
    </>
  );
}

function ProjectCell(p: { lang: Lang; name: string; external: boolean }) {
  return (
    <td>
      {p.name}
      {p.external ? <span class="tag">{t(p.lang, 'searchShared')}</span> : null}
    </td>
  );
}

function Results({ lang, r }: { lang: Lang; r: SearchResult }) {
  return (
    <>
      <h2 class="search-results">{t(lang, 'searchResults', { q: r.query })}</h2>
      {r.licenses ? (
        <section class="search-group" aria-labelledby="search-licenses">
          <h3 id="search-licenses">
            {t(lang, 'searchLicensesHead', { units: r.licenses.minUnits, type: r.licenses.type })}
          </h3>
          {r.licenses.devices.length === 0 ? (
            <p>{t(lang, 'searchNoDevices')}</p>
          ) : (
            <table class="search-devices">
              <thead>
                <tr>
                  <th scope="col">{t(lang, 'searchColDevice')}</th>
                  <th scope="col">{t(lang, 'searchColType')}</th>
                  <th scope="col">{t(lang, 'searchColName')}</th>
                  <th scope="col">{t(lang, 'searchColProject')}</th>
                  <th scope="col" class="num">
                    {t(lang, 'searchColUnits')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {r.licenses.devices.map((d) => (
                  <tr>
                    <DeviceCells lang={lang} d={d} />
                    <ProjectCell lang={lang} name={d.projectName} external={d.external} />
                    <td class="num">{new Intl.NumberFormat(lang).format(d.units)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
          <More lang={lang} shown={r.licenses.truncated} />
        </section>
      ) : null}
      <section class="search-group" aria-labelledby="search-devices">
        <h3 id="search-devices">{t(lang, 'searchDevicesHead')}</h3>
        {r.devices.length === 0 ? (
          <p>{t(lang, 'searchNoDevices')}</p>
        ) : (
          <table class="search-devices">
            <thead>
              <tr>
                <th scope="col">{t(lang, 'searchColDevice')}</th>
                <th scope="col">{t(lang, 'searchColType')}</th>
                <th scope="col">{t(lang, 'searchColName')}</th>
                <th scope="col">{t(lang, 'searchColComment')}</th>
                <th scope="col">{t(lang, 'searchColProject')}</th>
              </tr>
            </thead>
            <tbody>
              {r.devices.map((d) => (
                <tr>
                  <DeviceCells lang={lang} d={d} />
                  <td>{d.comment}</td>
                  <ProjectCell lang={lang} name={d.projectName} external={d.external} />
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <More lang={lang} shown={r.devicesTruncated} />
      </section>
      <section class="search-group" aria-labelledby="search-projects">
        <h3 id="search-projects">{t(lang, 'searchProjectsHead')}</h3>
        {r.projects.length === 0 ? (
          <p>{t(lang, 'searchNoProjects')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t(lang, 'searchColProject')}</th>
                <th scope="col">{t(lang, 'searchColDescription')}</th>
              </tr>
            </thead>
            <tbody>
              {r.projects.map((p) => (
                <tr>
                  <td>
                    <a href={`/projects/${p.id}`}>{p.name}</a>
                    {p.external ? <span class="tag">{t(lang, 'searchShared')}</span> : null}
                  </td>
                  <td>{p.description}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
        <More lang={lang} shown={r.projectsTruncated} />
      </section>
      <section class="search-group" aria-labelledby="search-keys">
        <h3 id="search-keys">{t(lang, 'searchKeysHead')}</h3>
        {r.keys === null ? (
          <p>{t(lang, 'searchKeysFrom', { min: SEARCH_KEYS_MIN })}</p>
        ) : r.keys.length === 0 ? (
          <p>{t(lang, 'searchNoKeys')}</p>
        ) : (
          <table>
            <thead>
              <tr>
                <th scope="col">{t(lang, 'searchColKey')}</th>
                <th scope="col">{t(lang, 'searchColComment')}</th>
                <th scope="col">{t(lang, 'searchColOrder')}</th>
                <th scope="col">{t(lang, 'searchColState')}</th>
              </tr>
            </thead>
            <tbody>
              {r.keys.map((k) => (
                <tr>
                  <td>
                    <a href={`/keys/${k.keyId}/certificate`}>
                      <code>{k.key}</code>
                    </a>
                  </td>
                  <td>{k.comment}</td>
                  <td>{k.orderNumber}</td>
                  <td>{t(lang, k.redeemed ? 'searchRedeemed' : 'searchOpen')}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </>
  );
}
