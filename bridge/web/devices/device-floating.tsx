/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { MylicError } from '../../../protocol/errors.js';
import { FloatingAddForm, FloatingDeleteForm } from '../../../protocol/floating-forms.js';
import { catalog } from '../../core/catalog.js';
import type { Core } from '../../core/context.js';
import { addFloating, type DeviceView, deleteFloating } from '../../core/licenses/index.js';
import { type Lang, type MessageKey, t } from '../i18n.js';
import { pageLanguage, type NotFound, type SessionOf } from '../web-session.js';
import { renderDevice } from './device-body.js';
import { canonicalHardwareId, devicePath, postAllowed, refusal, resolveDevice } from './device-shared.js';

/**
 * The V7 floating license of a device (seed: Add V7 floating license (slave pbx); Delete V7 floating
 * license): a section of the device page and its two actions, through the same core functions as the
 * API twins `POST`/`DELETE /api/v1/devices/{deviceId}/licenses/floating` with the session's actor (same
 * walls: never with V7 PBX licenses; a company that holds the same device deletes nothing of the
 * owner's). Delete asks for a ticked confirmation first.
 */

/** The notices after an action (`?done=`), merged into the device page's own. */
export const FLOATING_DONE: Record<string, MessageKey> = {
  floatingAdded: 'flDoneAdded',
  floatingDeleted: 'flDoneDeleted',
};

/** Field ids of the section (the error summary links to them). */
const ADD_FIELD = 'floatingAdd';
const DELETE_FIELD = 'floatingConfirm';

const isFloating = (type: string) => {
  try {
    return catalog.licenseType(type).kind === 'floating';
  } catch {
    return false;
  }
};
const takesFloating = (deviceType: string | null) => {
  if (!deviceType) return false;
  try {
    return catalog.deviceType(deviceType).maxima.floating !== undefined;
  } catch {
    return false;
  }
};

const SENTENCES: Partial<Record<string, MessageKey>> = {
  FLOATING_EXCLUSIVE: 'flErrExclusive',
  FLOATING_NOT_FOUND: 'flErrNone',
};

export function deviceFloatingPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  const post = (path: string, run: (c: Context, x: Ctx) => Promise<Response>) =>
    app.post(`/devices/:hw${path}`, async (c) => {
      const s = await session(c);
      const lang = pageLanguage(c);
      const r = await resolveDevice(c, core, s, notFound);
      if (!r.ok) return r.response;
      const body = await c.req.parseBody({ all: true });
      return run(c, { s, lang, deviceId: r.deviceId, hardwareId: r.hardwareId, body });
    });
  type Ctx = {
    s: Awaited<ReturnType<SessionOf>>;
    lang: Lang;
    deviceId: number;
    hardwareId: string;
    body: unknown;
  };
  const expired = (c: Context, x: Ctx) =>
    renderDevice(c, core, x.s, x.deviceId, { errors: [{ text: t(x.lang, 'sessionExpired') }] }, 403);
  const fail = (c: Context, x: Ctx, e: unknown, field: string, deleting: boolean) => {
    if (!(e instanceof MylicError)) throw e;
    const key =
      deleting && e.code === 'LICENSES_OF_ANOTHER_COMPANY' ? 'flErrOtherCompany' : SENTENCES[e.code];
    const status =
      e.code === 'FORBIDDEN' || e.code === 'USER_LOCKED' || e.code === 'LICENSES_OF_ANOTHER_COMPANY'
        ? 403
        : e.code.endsWith('INVALID')
          ? 400
          : 409;
    return renderDevice(
      c,
      core,
      x.s,
      x.deviceId,
      { errors: [{ field, text: key ? t(x.lang, key) : refusal(x.lang, e) }] },
      status,
    );
  };

  post('/floating', async (c, x) => {
    const form = FloatingAddForm.parse(x.body);
    if (!postAllowed(c, x.s, form.csrf)) return expired(c, x);
    try {
      await addFloating(core, x.s.actor, x.deviceId);
    } catch (e) {
      return fail(c, x, e, ADD_FIELD, false);
    }
    return c.redirect(`${devicePath(x.hardwareId)}?done=floatingAdded`, 303);
  });

  post('/floating/delete', async (c, x) => {
    const form = FloatingDeleteForm.parse(x.body);
    if (!postAllowed(c, x.s, form.csrf)) return expired(c, x);
    if (!form.confirm)
      return renderDevice(
        c,
        core,
        x.s,
        x.deviceId,
        { errors: [{ field: DELETE_FIELD, text: t(x.lang, 'flErrConfirm') }] },
        400,
      );
    try {
      await deleteFloating(core, x.s.actor, x.deviceId);
    } catch (e) {
      return fail(c, x, e, DELETE_FIELD, true);
    }
    return c.redirect(`${devicePath(x.hardwareId)}?done=floatingDeleted`, 303);
  });

  // The actions' addresses opened with GET (say, after a log-in): the device page.
  for (const path of ['/floating', '/floating/delete'])
    app.get(`/devices/:hw${path}`, (c) => {
      const hardwareId = canonicalHardwareId(c.req.param('hw'));
      return hardwareId === null ? notFound(c) : c.redirect(devicePath(hardwareId), 303);
    });
}

/**
 * The section "Floating license (V7)": what it is (seed), whether the device has one (of the company
 * the page shows the licenses of), and Add or Delete (with a confirmation checkbox). Shown for device
 * types that take a floating license, or when the device has one.
 */
export function FloatingSection(p: {
  lang: Lang;
  csrf: string;
  v: DeviceView;
  errors: readonly { field?: string; text: string }[];
}) {
  const { lang, csrf, v } = p;
  const floating = v.licenses.find((l) => isFloating(l.type));
  if (!floating && !takesFloating(v.detail.type)) return null;
  const base = devicePath(v.detail.hardwareId);
  const fieldClass = (f: string, extra?: string) =>
    [extra, p.errors.some((e) => e.field === f) ? 'field-error' : undefined].filter(Boolean).join(' ') ||
    undefined;
  return (
    <section aria-labelledby="floating">
      <h2 id="floating">{t(lang, 'flTitle')}</h2>
      <p>{t(lang, 'flIntro')}</p>
      <p>{floating ? t(lang, 'flHas', { serial: floating.serial }) : t(lang, 'flNone')}</p>
      {floating ? (
        <form method="post" action={`${base}/floating/delete`} class="card">
          <input type="hidden" name="csrf" value={csrf} />
          <p>{t(lang, 'flDeleteIntro')}</p>
          <div class={fieldClass(DELETE_FIELD, 'device-check')}>
            <input type="checkbox" id={DELETE_FIELD} name="confirm" value="1" />
            <label for={DELETE_FIELD}>{t(lang, 'flDeleteConfirm')}</label>
          </div>
          <button type="submit" class="secondary">
            {t(lang, 'flDelete')}
          </button>
        </form>
      ) : (
        <form method="post" action={`${base}/floating`} class={fieldClass(ADD_FIELD, 'card')}>
          <input type="hidden" name="csrf" value={csrf} />
          <button type="submit" class="secondary" id={ADD_FIELD}>
            {t(lang, 'flAdd')}
          </button>
        </form>
      )}
    </section>
  );
}
