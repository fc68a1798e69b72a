/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { KeyForm } from '../../../protocol/portal-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import { getProfile } from '../../core/accounts/index.js';
import type { Core } from '../../core/context.js';
import { listActivations, previewKey, redeemKey } from '../../core/keys/index.js';
import { listProjects } from '../../core/organisation/index.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import { companyPage } from '../company-page.js';
import { csrfValid, pageLanguage, sameOrigin, type WebSession } from '../web-session.js';

/**
 * Activations (seed: Activations, "enter the activation key … You will then get a listing of all
 * contained licenses", then redeem it into a project): the key is typed, its licenses shown (POST, so the
 * key stays out of URLs and logs), then redeemed on a second button. Below: the keys redeemed in the
 * selected project, or in all. The same core services as the API, with the same wrong-key limit.
 */
type Err = { field?: string; text: string };

export function activationsPages(app: Hono, core: Core, session: (c: Context) => Promise<WebSession>) {
  app.get('/activations', async (c) => {
    const s = await session(c);
    const done = c.req.query('done');
    const into = c.req.query('into');
    return render(c, core, s, {
      notice: done && into ? t(pageLanguage(c), 'keyRedeemed', { key: done, project: into }) : undefined,
    });
  });

  app.post('/activations/preview', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf, key, projectId } = KeyForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, csrf))
      return render(c, core, s, { key, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    try {
      const preview = await previewKey(core, s.actor, { key, projectId });
      return render(c, core, s, { key, preview });
    } catch (e) {
      return keyError(c, core, s, lang, key, e);
    }
  });

  app.post('/activations/redeem', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const { csrf, key, projectId, comment } = KeyForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, csrf))
      return render(c, core, s, { key, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    try {
      const r = await redeemKey(core, s.actor, { key, comment, projectId });
      return c.redirect(
        `/activations?done=${encodeURIComponent(r.key)}&into=${encodeURIComponent(r.projectName)}`,
        303,
      );
    } catch (e) {
      return keyError(c, core, s, lang, key, e);
    }
  });
}

function keyError(c: Context, core: Core, s: WebSession, lang: Lang, key: string, e: unknown) {
  if (!(e instanceof MylicError)) throw e;
  const text =
    e.code === 'KEY_NOT_FOUND' || e.code === 'VALIDATION_FAILED'
      ? t(lang, 'keyNotFound')
      : e.code === 'KEY_ALREADY_REDEEMED'
        ? t(lang, 'keyAlreadyRedeemed')
        : e.code === 'PLAY_KEY_NOT_LIVE'
          ? t(lang, 'playKeyNotLive')
          : e.code === 'RATE_LIMITED'
            ? t(lang, 'keyLookupsLimited', {
                minutes: Math.ceil(
                  Number((e.details as { retryAfter?: number } | undefined)?.retryAfter ?? 900) / 60,
                ),
              })
            : e.code === 'PROJECT_NOT_FOUND' || e.code === 'PROJECT_NOT_SELECTED'
              ? t(lang, 'notFound')
              : e.message;
  return render(
    c,
    core,
    s,
    { key, errors: [{ field: 'key', text }] },
    e.code === 'RATE_LIMITED' ? 429 : e.code === 'KEY_ALREADY_REDEEMED' ? 409 : 400,
  );
}

interface View {
  key?: string;
  preview?: Awaited<ReturnType<typeof previewKey>>;
  errors?: Err[];
  notice?: string | undefined;
}

async function render(
  c: Context,
  core: Core,
  s: WebSession,
  v: View,
  status: 200 | 400 | 403 | 409 | 429 = 200,
) {
  return companyPage(
    c,
    core,
    s,
    { title: 'activations', path: '/activations', active: 'activations' },
    async ({ lang }) => {
      const profile = await getProfile(core, s.actor);
      const { projects } = await listProjects(core, s.actor);
      // Own projects and those shared through rights: the seed lets a rights holder add keys (Rights).
      const selectable = projects;
      const chosen = v.preview?.projectId ?? profile.selectedProjectId ?? selectable[0]?.id;
      const { keys } = await listActivations(core, s.actor, {});
      const errors = v.errors ?? [];
      return (
        <>
          <p class="lead">{t(lang, 'activationsIntro')}</p>
          {v.notice ? (
            <p class="notice" role="status">
              {v.notice}
            </p>
          ) : null}
          <ErrorSummary lang={lang} errors={errors} />
          {v.preview ? (
            <form class="card" method="post" action="/activations/redeem">
              <input type="hidden" name="csrf" value={s.csrf} />
              <input type="hidden" name="key" value={v.preview.key} />
              <input type="hidden" name="projectId" value={String(v.preview.projectId)} />
              <p>
                <strong>{v.preview.key}</strong>
              </p>
              <p>{t(lang, 'keyLicenses')}</p>
              <ul>
                {v.preview.licenses.map((l) => (
                  <li>
                    {l.units} × {l.type}
                  </li>
                ))}
              </ul>
              <label for="comment">{t(lang, 'comment')}</label>
              <input id="comment" name="comment" type="text" maxlength={500} />
              <button type="submit" class="primary">
                {t(lang, 'redeemInto', { project: v.preview.projectName })}
              </button>
            </form>
          ) : (
            <form class="card" method="post" action="/activations/preview" novalidate>
              <input type="hidden" name="csrf" value={s.csrf} />
              <div class={errors.some((e) => e.field === 'key') ? 'field-error' : undefined}>
                <label for="key">{t(lang, 'activationKey')}</label>
                <p class="hint">{t(lang, 'keyHint')}</p>
                <input
                  id="key"
                  name="key"
                  type="text"
                  autocomplete="off"
                  spellcheck={false}
                  value={v.key ?? ''}
                />
              </div>
              <label for="projectId">{t(lang, 'intoProject')}</label>
              <select id="projectId" name="projectId">
                {selectable.map((p) => (
                  <option value={String(p.id)} selected={p.id === chosen}>
                    {p.external ? `${p.name} (${p.companyName})` : p.name}
                  </option>
                ))}
              </select>
              <button type="submit" class="primary">
                {t(lang, 'showLicenses')}
              </button>
            </form>
          )}
          {keys.length === 0 ? (
            <p>{t(lang, 'noActivations')}</p>
          ) : (
            <table>
              <thead>
                <tr>
                  <th scope="col">{t(lang, 'key')}</th>
                  <th scope="col">{t(lang, 'licenses')}</th>
                  <th scope="col">{t(lang, 'project')}</th>
                  <th scope="col">{t(lang, 'redeemedAt')}</th>
                  <th scope="col">{t(lang, 'comment')}</th>
                </tr>
              </thead>
              <tbody>
                {keys.map((k) => (
                  <tr>
                    <td>
                      <code>{k.key}</code>
                    </td>
                    <td>{k.licenses.map((l) => `${l.units} × ${l.type}`).join(', ')}</td>
                    <td>{k.projectName}</td>
                    <td>{formatDate(lang, k.redeemedAt)}</td>
                    <td>{k.comment}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          )}
        </>
      );
    },
    status,
  );
}
