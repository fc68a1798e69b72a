/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { balanceOverview } from '../../core/balance/index.js';
import type { Core } from '../../core/context.js';
import { t } from '../i18n.js';
import { companyPage } from '../company-page.js';
import type { WebSession } from '../web-session.js';

/**
 * Balance (seed: Balance): the licenses and SSC of the selected project, or of all projects of the
 * selected company with a column per project (never external projects). The same core service as
 * `GET /api/v1/balance`.
 */
export function balancePages(app: Hono, core: Core, session: (c: Context) => Promise<WebSession>) {
  app.get('/balance', async (c) => {
    const s = await session(c);
    const scope = c.req.query('scope') === 'all' ? 'all' : 'selected';
    return companyPage(
      c,
      core,
      s,
      { title: 'balance', path: '/balance', active: 'balance' },
      async ({ lang, companyName }) => {
        const fmt = new Intl.NumberFormat(lang);
        const b = await balanceOverview(core, s.actor, { scope });
        const types = [...new Set(b.total.map((l) => l.type))].sort();
        const units = (lines: readonly { type: string; units: number }[], type: string) =>
          lines.find((l) => l.type === type)?.units ?? 0;
        return (
          <>
            <p class="lead">
              {b.scope === 'project'
                ? t(lang, 'balanceOfProject', { project: b.projects[0]?.projectName ?? '' })
                : t(lang, 'balanceIntro', { company: companyName })}
            </p>
            {b.scope === 'project' ? (
              <p>
                <a href="/balance?scope=all">{t(lang, 'balanceAll')}</a>
              </p>
            ) : null}
            {types.length === 0 ? (
              <p>{t(lang, 'noBalance')}</p>
            ) : (
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t(lang, 'licenseType')}</th>
                    <th scope="col" class="num">
                      {t(lang, 'total')}
                    </th>
                    {b.projects.length > 1
                      ? b.projects.map((p) => (
                          <th scope="col" class="num">
                            {p.projectName}
                          </th>
                        ))
                      : null}
                  </tr>
                </thead>
                <tbody>
                  {types.map((type) => (
                    <tr>
                      <th scope="row">{type}</th>
                      <td class="num">{fmt.format(units(b.total, type))}</td>
                      {b.projects.length > 1
                        ? b.projects.map((p) => <td class="num">{fmt.format(units(p.licenses, type))}</td>)
                        : null}
                    </tr>
                  ))}
                </tbody>
              </table>
            )}
          </>
        );
      },
    );
  });
}
