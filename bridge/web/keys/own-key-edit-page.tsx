/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { MylicError } from '../../../protocol/errors.js';
import { IdText } from '../../../protocol/ids.js';
import type { OwnKey } from '../../../protocol/keys-api.js';
import { OwnKeyDeleteForm, OwnKeyUpdateForm } from '../../../protocol/own-key-edit-forms.js';
import { projectBalanceView } from '../../core/balance/index.js';
import type { Core } from '../../core/context.js';
import { deleteOwnKey, getOwnKey, updateOwnKey } from '../../core/keys/index.js';
import { listProjects } from '../../core/organisation/index.js';
import { companyPage } from '../company-page.js';
import { formatDate, t, type Lang, type MessageKey } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import {
  csrfValid,
  pageLanguage,
  sameOrigin,
  type NotFound,
  type SessionOf,
  type WebSession,
} from '../web-session.js';
import { keyLines, redeemedText } from './key-text.js';

/**
 * An own key's page (seed: Own Activations, L115-122): what the key holds and who paid for it, and while
 * it is not redeemed, Update (add units from a project's balance, take some back with a negative amount,
 * change comment, order number and order reference) and Delete (the licenses go back into the balance of
 * the selected project, or of the projects that paid). The same core services as PATCH and DELETE
 * /api/v1/own-keys/{id}: another company's key, or a project of another company named in the form,
 * answers the "not found" page and changes nothing; a redeemed key refuses both with a sentence.
 */
type Err = { field?: string; text: string };
type Status = 200 | 400 | 403 | 404 | 409;
const SHELL = ['USER_LOCKED', 'COMPANY_NOT_FOUND'];

interface Draft {
  projectId?: number | undefined;
  /** The change typed per license type, as typed. */
  change: Map<string, string>;
  comment: string;
  orderNumber: string;
  orderReference: string;
}

interface View {
  saved?: boolean;
  /** The project chosen to pay and receive (GET ?projectId=). */
  payer?: number;
  draft?: Draft;
  deleteProjectId?: number | undefined;
  errors?: Err[];
}

const idOf = (c: Context) => {
  const r = IdText.safeParse(c.req.param('id') ?? '');
  return r.success ? r.data : null;
};
const changeId = (type: string) => `change-${type.replace(/[^A-Za-z0-9_-]/g, '_')}`;
/** A signed whole number other than 0: "3", "+3", "-2". */
const CHANGE = /^[+-]?\d{1,9}$/;

export function ownKeyEditPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  /** The key, or null for the "not found" page (another company's key answers like a missing one). */
  async function keyOr404(c: Context, s: WebSession, id: number): Promise<OwnKey | Response> {
    try {
      return await getOwnKey(core, s.actor, id);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'KEY_NOT_FOUND') return notFound(c);
      if (SHELL.includes(e.code)) return refusal(c, core, s, id, e);
      throw e;
    }
  }

  app.get('/keys/:id', async (c) => {
    const s = await session(c);
    const id = idOf(c);
    if (id === null) return notFound(c);
    const key = await keyOr404(c, s, id);
    if (key instanceof Response) return key;
    const project = IdText.safeParse(c.req.query('projectId') ?? '');
    return render(c, core, s, key, {
      saved: c.req.query('saved') === '1',
      ...(project.success ? { payer: project.data } : {}),
    });
  });

  app.post('/keys/:id/update', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const id = idOf(c);
    if (id === null) return notFound(c);
    const form = OwnKeyUpdateForm.parse(await c.req.parseBody({ all: true }));
    const draft: Draft = {
      projectId: form.projectId,
      change: new Map(form.type.map((type, i) => [type, (form.change[i] ?? '').trim()])),
      comment: form.comment,
      orderNumber: form.orderNumber,
      orderReference: form.orderReference,
    };
    const key = await keyOr404(c, s, id);
    if (key instanceof Response) return key;
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, key, { draft, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const errors: Err[] = [];
    const licenses: { type: string; units: number; projectId?: number }[] = [];
    for (const [type, text] of draft.change) {
      if (text === '' || /^[+-]?0+$/.test(text)) continue;
      if (CHANGE.test(text))
        licenses.push({
          type,
          units: Number(text),
          ...(form.projectId ? { projectId: form.projectId } : {}),
        });
      else errors.push({ field: changeId(type), text: t(lang, 'keyEditAmountInvalid', { type }) });
    }
    const textsChanged =
      form.comment !== key.comment ||
      form.orderNumber !== key.orderNumber ||
      form.orderReference !== key.orderReference;
    if (!errors.length && !licenses.length && !textsChanged)
      errors.push({ field: 'key-edit-lines', text: t(lang, 'keyEditNothing') });
    if (errors.length) return render(c, core, s, key, { draft, errors }, 400);
    try {
      await updateOwnKey(core, s.actor, id, {
        licenses,
        comment: form.comment,
        orderNumber: form.orderNumber,
        orderReference: form.orderReference,
      });
      return c.redirect(`/keys/${id}?saved=1`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'KEY_NOT_FOUND' || e.code === 'PROJECT_NOT_FOUND') return notFound(c);
      if (SHELL.includes(e.code)) return refusal(c, core, s, id, e);
      const [text, status, field] = changeError(lang, e);
      return render(c, core, s, key, { draft, errors: [{ field, text }] }, status);
    }
  });

  app.post('/keys/:id/delete', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const id = idOf(c);
    if (id === null) return notFound(c);
    const form = OwnKeyDeleteForm.parse(await c.req.parseBody({ all: true }));
    const key = await keyOr404(c, s, id);
    if (key instanceof Response) return key;
    const view = { deleteProjectId: form.projectId };
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, key, { ...view, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    if (form.confirm !== 'yes')
      return render(
        c,
        core,
        s,
        key,
        { ...view, errors: [{ field: 'key-delete-confirm', text: t(lang, 'keyDeleteNotConfirmed') }] },
        400,
      );
    try {
      const done = await deleteOwnKey(core, s.actor, id, { projectId: form.projectId });
      const to = [...new Set(done.returned.map((r) => r.projectId))];
      return c.redirect(`/keys?deletedTo=${to.join(',')}`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'KEY_NOT_FOUND' || e.code === 'PROJECT_NOT_FOUND') return notFound(c);
      if (SHELL.includes(e.code)) return refusal(c, core, s, id, e);
      const [text, status] = changeError(lang, e);
      return render(c, core, s, key, { ...view, errors: [{ field: 'key-delete-project', text }] }, status);
    }
  });
}

/** The sentence, status and field for a refusal of Update or Delete. */
function changeError(lang: Lang, e: MylicError): [string, Status, string] {
  const d = (e.details ?? {}) as { licenseType?: string; available?: number; inKey?: number };
  const type = d.licenseType ?? '';
  const at = (key: MessageKey, status: Status, field: string): [string, Status, string] => [
    t(lang, key, { type, available: d.available ?? 0, inKey: d.inKey ?? 0 }),
    status,
    field,
  ];
  switch (e.code) {
    case 'KEY_ALREADY_REDEEMED':
      return at('keyEditRedeemed', 409, 'key-edit-lines');
    case 'BALANCE_INSUFFICIENT':
      return at('keyEditBalanceShort', 409, changeId(type));
    case 'KEY_LICENSES_INSUFFICIENT':
      return at('keyEditKeyShort', 409, changeId(type));
    case 'KEY_EMPTY':
      return at('keyEditEmpty', 409, 'key-edit-lines');
    case 'FORBIDDEN':
      return at('keyEditExternal', 403, 'key-edit-project');
    case 'PROJECT_NOT_SELECTED':
      return at('keyEditChooseProject', 400, 'key-edit-project');
    case 'AMOUNT_INVALID':
    case 'LICENSE_TYPE_UNKNOWN':
      return at('keyEditAmountInvalid', 400, 'key-edit-lines');
    case 'VALIDATION_FAILED':
      return at('keyEditTextTooLong', 400, 'key-edit-comment');
    default:
      throw e;
  }
}

function refusal(c: Context, core: Core, s: WebSession, id: number, e: MylicError) {
  return companyPage(
    c,
    core,
    s,
    { title: 'ownKeyDetailTitle', path: `/keys/${id}`, active: 'keys' },
    async () => {
      throw e;
    },
    403,
  );
}

// ---------------------------------------------------------------------------------------------
// the page

async function render(c: Context, core: Core, s: WebSession, k: OwnKey, v: View, status: Status = 200) {
  return companyPage(
    c,
    core,
    s,
    { title: 'ownKeyDetailTitle', path: `/keys/${k.keyId}`, active: 'keys' },
    async ({ lang }) => {
      const errors = v.errors ?? [];
      const { projects } = await listProjects(core, s.actor);
      const own = projects.filter((p) => !p.external);
      const ownIds = new Set(own.map((p) => p.id));
      const selected = s.actor.projectId ?? undefined;
      const fallback = selected !== undefined && ownIds.has(selected) ? selected : undefined;
      const draft: Draft = v.draft ?? {
        projectId: v.payer !== undefined && ownIds.has(v.payer) ? v.payer : fallback,
        change: new Map(),
        comment: k.comment,
        orderNumber: k.orderNumber,
        orderReference: k.orderReference,
      };
      // The types a change can name: those in the key, then those the paying project's balance holds.
      const payer = draft.projectId ?? fallback ?? k.sources.find((x) => ownIds.has(x.projectId))?.projectId;
      const balance =
        payer !== undefined && ownIds.has(payer)
          ? (await projectBalanceView(core, s.actor, payer)).licenses.filter((l) => l.units > 0)
          : [];
      const inKey = new Map(k.licenses.map((l) => [l.type, l.units]));
      const types = [...inKey.keys(), ...balance.map((l) => l.type).filter((x) => !inKey.has(x))];
      const bad = (field: string) => (errors.some((e) => e.field === field) ? 'field-error' : undefined);
      const fmt = new Intl.NumberFormat(lang);
      const deleteTo = v.deleteProjectId ?? fallback;
      const ProjectSelect = (p: { id: string; name: string; value: number | undefined }) => (
        <select id={p.id} name={p.name}>
          <option value="" selected={p.value === undefined}>
            {t(lang, 'keyEditWhereFrom')}
          </option>
          {own.map((x) => (
            <option value={String(x.id)} selected={x.id === p.value}>
              {x.name}
            </option>
          ))}
        </select>
      );
      return (
        <>
          {v.saved ? (
            <p class="notice" role="status">
              {t(lang, 'keyEditSaved')}
            </p>
          ) : null}
          <ErrorSummary lang={lang} errors={errors} />
          <p class="cert-key">
            <code>{k.key}</code>
          </p>
          <dl class="key-facts">
            <dt>{t(lang, 'licenses')}</dt>
            <dd>{keyLines(k.licenses)}</dd>
            <dt>{t(lang, 'ownKeyPaidFrom')}</dt>
            <dd>{k.sources.map((x) => `${x.units} × ${x.type} (${x.projectName})`).join(', ')}</dd>
            <dt>{t(lang, 'ownKeyComment')}</dt>
            <dd>{k.comment || '–'}</dd>
            <dt>{t(lang, 'ownKeyOrderNumber')}</dt>
            <dd>{k.orderNumber || '–'}</dd>
            <dt>{t(lang, 'ownKeyOrderReference')}</dt>
            <dd>{k.orderReference || '–'}</dd>
            <dt>{t(lang, 'ownKeyCreatedAt')}</dt>
            <dd>{formatDate(lang, k.createdAt)}</dd>
            <dt>{t(lang, 'ownKeyStatus')}</dt>
            <dd>{redeemedText(lang, k)}</dd>
          </dl>
          <p>
            <a href={`/keys/${k.keyId}/certificate`}>{t(lang, 'ownKeyCertificateLink')}</a> ·{' '}
            <a href="/keys">{t(lang, 'ownKeyBack')}</a>
          </p>
          {k.redeemed ? (
            <p class="notice">{t(lang, 'keyEditRedeemed')}</p>
          ) : (
            <>
              <section class="key-edit" aria-labelledby="key-edit-h">
                <h2 id="key-edit-h">{t(lang, 'keyEditHeading')}</h2>
                <p class="hint">{t(lang, 'keyEditIntro')}</p>
                <form method="get" action={`/keys/${k.keyId}`} class="inline">
                  <div class={bad('key-edit-project')}>
                    <label for="key-edit-project">{t(lang, 'keyEditProject')}</label>
                    <ProjectSelect id="key-edit-project" name="projectId" value={draft.projectId} />{' '}
                    <button type="submit" class="secondary">
                      {t(lang, 'ownKeyShowBalance')}
                    </button>
                  </div>
                </form>
                <form method="post" action={`/keys/${k.keyId}/update`} class="key-form" novalidate>
                  <input type="hidden" name="csrf" value={s.csrf} />
                  <input
                    type="hidden"
                    name="projectId"
                    value={draft.projectId === undefined ? '' : String(draft.projectId)}
                  />
                  <table id="key-edit-lines" class={bad('key-edit-lines')}>
                    <caption>{t(lang, 'keyEditCaption')}</caption>
                    <thead>
                      <tr>
                        <th scope="col">{t(lang, 'licenseType')}</th>
                        <th scope="col" class="num">
                          {t(lang, 'keyEditInKey')}
                        </th>
                        <th scope="col" class="num">
                          {t(lang, 'ownKeyBalanceNow')}
                        </th>
                        <th scope="col">{t(lang, 'keyEditChange')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {types.map((type) => (
                        <tr class={bad(changeId(type))}>
                          <th scope="row">{type}</th>
                          <td class="num">{fmt.format(inKey.get(type) ?? 0)}</td>
                          <td class="num">{fmt.format(balance.find((l) => l.type === type)?.units ?? 0)}</td>
                          <td>
                            <input type="hidden" name="type" value={type} />
                            <label for={changeId(type)} class="visually-hidden">
                              {t(lang, 'keyEditChangeOf', { type })}
                            </label>
                            <input
                              id={changeId(type)}
                              name="change"
                              type="text"
                              inputmode="numeric"
                              class="units"
                              size={6}
                              value={draft.change.get(type) ?? ''}
                            />
                          </td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                  <div class={bad('key-edit-comment')}>
                    <label for="key-edit-comment">{t(lang, 'ownKeyComment')}</label>
                    <input
                      id="key-edit-comment"
                      name="comment"
                      type="text"
                      maxlength={500}
                      value={draft.comment}
                    />
                  </div>
                  <label for="key-edit-order-number">{t(lang, 'ownKeyOrderNumber')}</label>
                  <input
                    id="key-edit-order-number"
                    name="orderNumber"
                    type="text"
                    maxlength={100}
                    value={draft.orderNumber}
                  />
                  <label for="key-edit-order-reference">{t(lang, 'ownKeyOrderReference')}</label>
                  <input
                    id="key-edit-order-reference"
                    name="orderReference"
                    type="text"
                    maxlength={100}
                    value={draft.orderReference}
                  />
                  <p>
                    <button type="submit" class="primary">
                      {t(lang, 'keyEditSave')}
                    </button>
                  </p>
                </form>
              </section>
              <section class="confirm key-delete" aria-labelledby="key-delete-h">
                <h2 id="key-delete-h">{t(lang, 'keyDeleteHeading')}</h2>
                <p>{t(lang, 'keyDeleteIntro', { licenses: keyLines(k.licenses) })}</p>
                <form method="post" action={`/keys/${k.keyId}/delete`} novalidate>
                  <input type="hidden" name="csrf" value={s.csrf} />
                  <div class={bad('key-delete-project')}>
                    <label for="key-delete-project">{t(lang, 'keyDeleteProject')}</label>
                    <ProjectSelect id="key-delete-project" name="projectId" value={deleteTo} />
                  </div>
                  <div class={['checkbox', bad('key-delete-confirm')].filter(Boolean).join(' ')}>
                    <input type="checkbox" id="key-delete-confirm" name="confirm" value="yes" />{' '}
                    <label for="key-delete-confirm">{t(lang, 'keyDeleteConfirm', { key: k.key })}</label>
                  </div>
                  <p>
                    <button type="submit" class="secondary">
                      {t(lang, 'keyDeleteButton')}
                    </button>
                  </p>
                </form>
              </section>
            </>
          )}
        </>
      );
    },
    status,
  );
}
