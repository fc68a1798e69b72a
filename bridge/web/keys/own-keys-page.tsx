/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { SEARCH_KEYS_MIN } from '../../../protocol/devices-api.js';
import { MylicError } from '../../../protocol/errors.js';
import { IdListText, IdText } from '../../../protocol/ids.js';
import type { OwnKey } from '../../../protocol/keys-api.js';
import { OwnKeyForm } from '../../../protocol/licenses-keys-forms.js';
import { projectBalanceView } from '../../core/balance/index.js';
import type { Core } from '../../core/context.js';
import {
  createOwnKey,
  getOwnKey,
  keyCertificateData,
  listOwnKeys,
  previewOwnKey,
  searchOwnKeys,
  type CertificateData,
  type OwnKeyPreview,
} from '../../core/keys/index.js';
import { listProjects } from '../../core/organisation/index.js';
import { companyPage } from '../company-page.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import { ownKeyEditPages } from './own-key-edit-page.js';
import { keyLines, redeemedText } from './key-text.js';
import {
  csrfValid,
  pageLanguage,
  sameOrigin,
  type NotFound,
  type SessionOf,
  type WebSession,
} from '../web-session.js';

/**
 * Own Activations (seed: Own Activations, L109-122; Search L39-40; License certificate L107-108): the
 * activation keys the company created from its balance — in the selected project or all — with who
 * redeemed them; a search by key or comment (at least five characters); a new key from one project's
 * balance, shown before it is made (what leaves the balance is what the key holds); and the printable
 * license certificate of a key. The same core services as /api/v1/own-keys and
 * /api/v1/activation-keys/{id}/certificate: another company's key answers the "not found" page, and a
 * company acting through project rights cannot make keys from the owner's balance.
 */
type Err = { field?: string; text: string };
type Status = 200 | 400 | 403 | 404 | 409;

const PAGE = { title: 'ownKeyTitle', path: '/keys', active: 'keys' } as const;
const SHELL = ['USER_LOCKED', 'COMPANY_NOT_FOUND'];

interface Draft {
  projectId?: number | undefined;
  /** Units typed per license type, as typed. */
  units: Map<string, string>;
  comment: string;
  orderNumber: string;
  orderReference: string;
}

interface View {
  q?: string | undefined;
  created?: number | undefined;
  /** A key was deleted: the projects whose balance received its licenses (ids from the redirect). */
  deletedTo?: number[] | undefined;
  draft?: Draft;
  preview?: OwnKeyPreview;
  errors?: Err[];
}

const idOf = (c: Context) => {
  const r = IdText.safeParse(c.req.param('id') ?? '');
  return r.success ? r.data : null;
};

export function ownKeyPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  app.get('/keys', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const q = c.req.query('q');
    const created = IdText.safeParse(c.req.query('created') ?? '');
    const project = IdText.safeParse(c.req.query('projectId') ?? '');
    const deletedTo = IdListText(20).safeParse(c.req.query('deletedTo') ?? '');
    const errors: Err[] = [];
    if (q !== undefined && q.trim().length < SEARCH_KEYS_MIN)
      errors.push({ field: 'key-q', text: t(lang, 'ownKeySearchShort', { min: SEARCH_KEYS_MIN }) });
    return render(
      c,
      core,
      s,
      notFound,
      {
        q: q?.slice(0, 64),
        created: created.success ? created.data : undefined,
        deletedTo: deletedTo.success ? deletedTo.data : undefined,
        ...(project.success ? { draft: emptyDraft(project.data) } : {}),
        errors,
      },
      errors.length ? 400 : 200,
    );
  });

  app.post('/keys/preview', async (c) => post(c, false));
  app.post('/keys', async (c) => post(c, true));

  /** The key as a draft shown before it is made (preview), or made (create); both check the form the same way. */
  async function post(c: Context, create: boolean) {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = OwnKeyForm.parse(await c.req.parseBody({ all: true }));
    const draft: Draft = {
      projectId: form.projectId,
      units: new Map(form.type.map((type, i) => [type, (form.units[i] ?? '').trim()])),
      comment: form.comment,
      orderNumber: form.orderNumber,
      orderReference: form.orderReference,
    };
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, notFound, { draft, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const licenses: { type: string; units: number }[] = [];
    const errors: Err[] = [];
    for (const [type, text] of draft.units) {
      if (text === '' || /^0+$/.test(text)) continue;
      if (/^\d{1,9}$/.test(text)) licenses.push({ type, units: Number(text) });
      else errors.push({ field: unitsId(type), text: t(lang, 'ownKeyUnitsInvalid', { type }) });
    }
    if (!errors.length && !licenses.length)
      errors.push({ field: 'key-lines', text: t(lang, 'ownKeyChooseUnits') });
    if (errors.length) return render(c, core, s, notFound, { draft, errors }, 400);
    try {
      if (!create) {
        const preview = await previewOwnKey(core, s.actor, { projectId: form.projectId, licenses });
        return render(c, core, s, notFound, { draft, preview });
      }
      const key = await createOwnKey(core, s.actor, {
        projectId: form.projectId,
        licenses,
        comment: form.comment,
        orderNumber: form.orderNumber,
        orderReference: form.orderReference,
      });
      return c.redirect(`/keys?created=${key.keyId}`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'PROJECT_NOT_FOUND') return notFound(c);
      if (SHELL.includes(e.code)) return render(c, core, s, notFound, {}, 403);
      const [text, status, field] = createError(lang, e);
      return render(c, core, s, notFound, { draft, errors: [{ field, text }] }, status);
    }
  }

  app.get('/keys/:id/certificate', async (c) => {
    const s = await session(c);
    const id = idOf(c);
    if (id === null) return notFound(c);
    let data: CertificateData;
    try {
      data = await keyCertificateData(core, s.actor, id);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'KEY_NOT_FOUND') return notFound(c);
      if (SHELL.includes(e.code)) return refusal(c, core, s, e);
      throw e;
    }
    return companyPage(
      c,
      core,
      s,
      { title: 'ownKeyCertTitle', path: `/keys/${id}/certificate`, active: 'keys' },
      async ({ lang }) => <Certificate lang={lang} d={data} />,
    );
  });

  ownKeyEditPages(app, core, session, notFound);
}

const unitsId = (type: string) => `units-${type.replace(/[^A-Za-z0-9_-]/g, '_')}`;

const emptyDraft = (projectId?: number): Draft => ({
  projectId,
  units: new Map(),
  comment: '',
  orderNumber: '',
  orderReference: '',
});

function createError(lang: Lang, e: MylicError): [string, Status, string] {
  const d = (e.details ?? {}) as { licenseType?: string; available?: number };
  switch (e.code) {
    case 'BALANCE_INSUFFICIENT':
      return [
        t(lang, 'ownKeyBalanceShort', { type: d.licenseType ?? '', available: d.available ?? 0 }),
        409,
        unitsId(d.licenseType ?? ''),
      ];
    case 'FORBIDDEN':
      return [t(lang, 'ownKeyExternal'), 403, 'key-project'];
    case 'PROJECT_NOT_SELECTED':
      return [t(lang, 'ownKeyChooseProject'), 400, 'key-project'];
    case 'AMOUNT_INVALID':
    case 'LICENSE_TYPE_UNKNOWN':
      return [t(lang, 'ownKeyChooseUnits'), 400, 'key-lines'];
    case 'VALIDATION_FAILED':
      return [t(lang, 'ownKeyTextTooLong'), 400, 'key-comment'];
    default:
      throw e;
  }
}

function refusal(c: Context, core: Core, s: WebSession, e: MylicError) {
  return companyPage(
    c,
    core,
    s,
    PAGE,
    async () => {
      throw e;
    },
    403,
  );
}

// ---------------------------------------------------------------------------------------------
// the page

async function render(
  c: Context,
  core: Core,
  s: WebSession,
  _notFound: NotFound,
  v: View,
  status: Status = 200,
) {
  return companyPage(
    c,
    core,
    s,
    PAGE,
    async ({ lang }) => {
      const errors = v.errors ?? [];
      const { projects } = await listProjects(core, s.actor);
      const own = projects.filter((p) => !p.external);
      const selected = s.actor.projectId ?? null;
      const draft = v.draft ?? emptyDraft();
      const projectId =
        own.find((p) => p.id === (v.preview?.projectId ?? draft.projectId))?.id ??
        own.find((p) => p.id === selected)?.id ??
        own[0]?.id;
      const balance =
        projectId !== undefined
          ? (await projectBalanceView(core, s.actor, projectId)).licenses.filter((l) => l.units > 0)
          : [];
      let created: OwnKey | null = null;
      if (v.created !== undefined) created = await getOwnKey(core, s.actor, v.created).catch(() => null);
      const q = v.q?.trim();
      const searching = q !== undefined && q.length >= SEARCH_KEYS_MIN;
      const listed = searching
        ? await searchOwnKeys(core, s.actor, q)
        : { ...(await listOwnKeys(core, s.actor)), truncated: false };
      const selectedName = projects.find((p) => p.id === selected)?.name;
      const bad = (field: string) => (errors.some((e) => e.field === field) ? 'field-error' : undefined);
      const fmt = new Intl.NumberFormat(lang);
      return (
        <>
          <p class="lead">{t(lang, 'ownKeyIntro')}</p>
          {created ? (
            <p class="notice" role="status">
              {t(lang, 'ownKeyCreated', { key: created.key })}{' '}
              <a href={`/keys/${created.keyId}/certificate`}>{t(lang, 'ownKeyCertificateLink')}</a>
            </p>
          ) : null}
          {v.deletedTo ? (
            <p class="notice" role="status">
              {t(lang, 'keyDeleted', {
                projects: projects
                  .filter((p) => v.deletedTo?.includes(p.id))
                  .map((p) => p.name)
                  .join(', '),
              })}
            </p>
          ) : null}
          <ErrorSummary lang={lang} errors={errors} />
          {v.preview ? (
            <section class="confirm key-preview" aria-labelledby="key-preview-h">
              <h2 id="key-preview-h">{t(lang, 'ownKeyPreviewHeading')}</h2>
              <p>{t(lang, 'ownKeyPreviewFrom', { project: v.preview.projectName })}</p>
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t(lang, 'licenseType')}</th>
                    <th scope="col" class="num">
                      {t(lang, 'ownKeyInKey')}
                    </th>
                    <th scope="col" class="num">
                      {t(lang, 'ownKeyBalanceNow')}
                    </th>
                    <th scope="col" class="num">
                      {t(lang, 'ownKeyBalanceAfter')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {v.preview.lines.map((l) => (
                    <tr>
                      <th scope="row">{l.type}</th>
                      <td class="num">{fmt.format(l.units)}</td>
                      <td class="num">{fmt.format(l.balance)}</td>
                      <td class="num">{fmt.format(l.after)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              {draft.comment || draft.orderNumber || draft.orderReference ? (
                <dl class="key-texts">
                  {draft.comment ? (
                    <>
                      <dt>{t(lang, 'ownKeyComment')}</dt>
                      <dd>{draft.comment}</dd>
                    </>
                  ) : null}
                  {draft.orderNumber ? (
                    <>
                      <dt>{t(lang, 'ownKeyOrderNumber')}</dt>
                      <dd>{draft.orderNumber}</dd>
                    </>
                  ) : null}
                  {draft.orderReference ? (
                    <>
                      <dt>{t(lang, 'ownKeyOrderReference')}</dt>
                      <dd>{draft.orderReference}</dd>
                    </>
                  ) : null}
                </dl>
              ) : null}
              <form method="post" action="/keys">
                <input type="hidden" name="csrf" value={s.csrf} />
                <input type="hidden" name="projectId" value={String(v.preview.projectId)} />
                {v.preview.lines.map((l) => (
                  <>
                    <input type="hidden" name="type" value={l.type} />
                    <input type="hidden" name="units" value={String(l.units)} />
                  </>
                ))}
                <input type="hidden" name="comment" value={draft.comment} />
                <input type="hidden" name="orderNumber" value={draft.orderNumber} />
                <input type="hidden" name="orderReference" value={draft.orderReference} />
                <button type="submit" class="primary">
                  {t(lang, 'ownKeyCreateButton')}
                </button>
              </form>
              <p class="hint">{t(lang, 'ownKeyChangeHint')}</p>
            </section>
          ) : null}
          <details class="key-create" open={v.draft !== undefined || errors.length > 0}>
            <summary>{t(lang, 'ownKeyCreateHeading')}</summary>
            {own.length === 0 ? (
              <p>{t(lang, 'ownKeyNoOwnProject')}</p>
            ) : (
              <>
                <form method="get" action="/keys" class="inline key-project">
                  <div class={bad('key-project')}>
                    <label for="key-project">{t(lang, 'ownKeyFromProject')}</label>
                    <select id="key-project" name="projectId">
                      {own.map((p) => (
                        <option value={String(p.id)} selected={p.id === projectId}>
                          {p.name}
                        </option>
                      ))}
                    </select>{' '}
                    <button type="submit" class="secondary">
                      {t(lang, 'ownKeyShowBalance')}
                    </button>
                  </div>
                </form>
                {balance.length === 0 ? (
                  <p>{t(lang, 'ownKeyNoBalance')}</p>
                ) : (
                  <form method="post" action="/keys/preview" class="key-form" novalidate>
                    <input type="hidden" name="csrf" value={s.csrf} />
                    <input type="hidden" name="projectId" value={String(projectId)} />
                    <table id="key-lines">
                      <caption>{t(lang, 'ownKeyLinesCaption')}</caption>
                      <thead>
                        <tr>
                          <th scope="col">{t(lang, 'licenseType')}</th>
                          <th scope="col" class="num">
                            {t(lang, 'ownKeyBalanceNow')}
                          </th>
                          <th scope="col">{t(lang, 'ownKeyUnitsForKey')}</th>
                        </tr>
                      </thead>
                      <tbody>
                        {balance.map((l) => (
                          <tr class={bad(unitsId(l.type))}>
                            <th scope="row">{l.type}</th>
                            <td class="num">{fmt.format(l.units)}</td>
                            <td>
                              <input type="hidden" name="type" value={l.type} />
                              <label for={unitsId(l.type)} class="visually-hidden">
                                {t(lang, 'ownKeyUnitsOf', { type: l.type })}
                              </label>
                              <input
                                id={unitsId(l.type)}
                                name="units"
                                type="text"
                                inputmode="numeric"
                                class="units"
                                value={draft.units.get(l.type) ?? ''}
                                size={6}
                              />
                            </td>
                          </tr>
                        ))}
                      </tbody>
                    </table>
                    <div class={bad('key-comment')}>
                      <label for="key-comment">{t(lang, 'ownKeyComment')}</label>
                      <input
                        id="key-comment"
                        name="comment"
                        type="text"
                        maxlength={500}
                        value={draft.comment}
                      />
                    </div>
                    <label for="key-order-number">{t(lang, 'ownKeyOrderNumber')}</label>
                    <p class="hint">{t(lang, 'ownKeyOrderNumberHint')}</p>
                    <input
                      id="key-order-number"
                      name="orderNumber"
                      type="text"
                      maxlength={100}
                      value={draft.orderNumber}
                    />
                    <label for="key-order-reference">{t(lang, 'ownKeyOrderReference')}</label>
                    <p class="hint">{t(lang, 'ownKeyOrderReferenceHint')}</p>
                    <input
                      id="key-order-reference"
                      name="orderReference"
                      type="text"
                      maxlength={100}
                      value={draft.orderReference}
                    />
                    <button type="submit" class="primary">
                      {t(lang, 'ownKeyPreviewButton')}
                    </button>
                  </form>
                )}
              </>
            )}
          </details>
          <h2>{t(lang, 'ownKeyListHeading')}</h2>
          <search>
            <form method="get" action="/keys" class="inline key-search" novalidate>
              <div class={bad('key-q')}>
                <label for="key-q">{t(lang, 'ownKeySearch')}</label>
                <p class="hint" id="key-q-hint">
                  {t(lang, 'ownKeySearchHint', { min: SEARCH_KEYS_MIN })}
                </p>
                <input
                  id="key-q"
                  name="q"
                  type="search"
                  maxlength={64}
                  value={v.q ?? ''}
                  aria-describedby="key-q-hint"
                />{' '}
                <button type="submit" class="secondary">
                  {t(lang, 'searchButton')}
                </button>
              </div>
            </form>
          </search>
          <p class="key-scope">
            {searching
              ? t(lang, 'ownKeyFound', { count: listed.keys.length, q })
              : selectedName !== undefined && selected !== null
                ? t(lang, 'ownKeyOfProject', { project: selectedName })
                : t(lang, 'ownKeyOfAll')}{' '}
            {searching ? <a href="/keys">{t(lang, 'ownKeyShowAll')}</a> : null}
          </p>
          {listed.truncated ? <p class="hint">{t(lang, 'ownKeyMore')}</p> : null}
          {listed.keys.length === 0 ? (
            <p>{searching ? t(lang, 'ownKeyNoneFound') : t(lang, 'ownKeyNone')}</p>
          ) : (
            <KeyTable lang={lang} keys={listed.keys} />
          )}
        </>
      );
    },
    status,
  );
}

function KeyTable(p: { lang: Lang; keys: readonly OwnKey[] }) {
  const { lang } = p;
  return (
    <table class="keys">
      <thead>
        <tr>
          <th scope="col">{t(lang, 'key')}</th>
          <th scope="col">{t(lang, 'licenses')}</th>
          <th scope="col">{t(lang, 'ownKeyPaidFrom')}</th>
          <th scope="col">{t(lang, 'ownKeyComment')}</th>
          <th scope="col">{t(lang, 'ownKeyOrderNumber')}</th>
          <th scope="col">{t(lang, 'ownKeyOrderReference')}</th>
          <th scope="col">{t(lang, 'ownKeyCreatedAt')}</th>
          <th scope="col">{t(lang, 'ownKeyStatus')}</th>
          <th scope="col">{t(lang, 'ownKeyCertificate')}</th>
        </tr>
      </thead>
      <tbody>
        {p.keys.map((k) => (
          <tr>
            <th scope="row">
              <a href={`/keys/${k.keyId}`}>
                <code>{k.key}</code>
              </a>
            </th>
            <td>{keyLines(k.licenses)}</td>
            <td>{[...new Set(k.sources.map((x) => x.projectName))].join(', ')}</td>
            <td>{k.comment}</td>
            <td>{k.orderNumber}</td>
            <td>{k.orderReference}</td>
            <td>{formatDate(lang, k.createdAt)}</td>
            <td>
              {k.redeemed ? <span class="tag">{t(lang, 'ownKeyRedeemedTag')}</span> : null}{' '}
              {redeemedText(lang, k)}
            </td>
            <td>
              <a
                href={`/keys/${k.keyId}/certificate`}
                aria-label={t(lang, 'ownKeyCertificateOf', { key: k.key })}
              >
                {t(lang, 'ownKeyCertificateLink')}
              </a>
            </td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}

/** The license certificate as a page of its own: the portal's stylesheet prints only the certificate. */
function Certificate(p: { lang: Lang; d: CertificateData }) {
  const { lang, d } = p;
  const fmt = new Intl.NumberFormat(lang);
  return (
    <>
      <article class="certificate" aria-label={t(lang, 'ownKeyCertTitle')}>
        <dl class="cert-facts">
          <dt>{t(lang, 'activationKey')}</dt>
          <dd class="cert-key">{d.key}</dd>
          <dt>{t(lang, 'ownKeyIssuedBy')}</dt>
          <dd>{d.issuer}</dd>
          <dt>{t(lang, 'ownKeyIssuedOn')}</dt>
          <dd>{formatDate(lang, d.issuedAt)}</dd>
          <dt>{t(lang, 'ownKeyOrderNumber')}</dt>
          <dd>{d.orderNumber || '–'}</dd>
          <dt>{t(lang, 'ownKeyOrderReference')}</dt>
          <dd>{d.orderReference || '–'}</dd>
          {d.redeemed ? (
            <>
              <dt>{t(lang, 'redeemedAt')}</dt>
              <dd>
                {d.redeemed.projectName !== null
                  ? t(lang, 'ownKeyRedeemedInto', {
                      date: formatDate(lang, d.redeemed.at),
                      project: d.redeemed.projectName,
                    })
                  : formatDate(lang, d.redeemed.at)}
              </dd>
            </>
          ) : null}
        </dl>
        <table class="cert-licenses">
          <caption>{t(lang, 'licenses')}</caption>
          <thead>
            <tr>
              <th scope="col">{t(lang, 'licenseType')}</th>
              <th scope="col" class="num">
                {t(lang, 'ownKeyUnits')}
              </th>
            </tr>
          </thead>
          <tbody>
            {d.licenses.map((l) => (
              <tr>
                <th scope="row">{l.type}</th>
                <td class="num">{fmt.format(l.units)}</td>
              </tr>
            ))}
          </tbody>
        </table>
        <p class="cert-foot">{t(lang, 'ownKeyCertFoot')}</p>
      </article>
      <p class="cert-actions">
        {t(lang, 'ownKeyCertPrint')} <a href="/keys">{t(lang, 'ownKeyBack')}</a>
      </p>
    </>
  );
}
