/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId, parseHardwareId } from '../../../protocol/hardware-id.js';
import {
  PlayBalanceForm,
  PlayLicenseAddForm,
  PlayLicenseChangeForm,
  PlayLicenseEditForm,
  PlayRmaForm,
} from '../../../protocol/play-forms.js';
import { type Core, isPlay } from '../../core/context.js';
import { deviceIdFor } from '../../core/licenses/index.js';
import { listProjects } from '../../core/organisation/index.js';
import {
  addPlayBalance,
  addPlayLicense,
  changePlayLicense,
  editPlayLicenses,
  PLAY_MAX_LICENSE_UNITS,
  PLAY_MAX_UNITS,
  playBalanceTypes,
  playCopyInfo,
  playDeviceLicenses,
  removePlayRma,
  setPlayRma,
} from '../../core/play/index.js';
import { companyPage } from '../company-page.js';
import { formatDate, type Lang, type MessageKey, t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import { csrfValid, pageLanguage, sameOrigin, type NotFound, type SessionOf } from '../web-session.js';
import { playScope } from './play-banner.js';

/**
 * myplay's own pages (seed L330–350), mounted only when the core is the sandbox (`serve --sandbox`):
 * `/play` (what myplay is, the copy date, the way to a device), `/play/balance` (self-service balance)
 * and `/play/devices/{hardwareId}` (free license editing with D / B / F, the RMA status). On the live
 * portal none of these paths exists, and the core refuses the actions anyway (PLAY_ONLY). Plain forms
 * with the session's CSRF token and a same-origin check, POST-redirect-GET, no script.
 */
const DONE: Record<string, MessageKey> = {
  balance: 'playDoneBalance',
  added: 'playDoneAdded',
  changed: 'playDoneChanged',
  edited: 'playDoneEdited',
  rma: 'playDoneRma',
  rmaRemoved: 'playDoneRmaRemoved',
};
type Err = { field?: string; text: string };
const playPath = (hardwareId: string) => `/play/devices/${encodeURIComponent(hardwareId)}`;

export function playPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  if (!isPlay(core)) return;
  app.use('*', playScope);

  app.get('/play', async (c) => {
    const s = await session(c);
    const hw = c.req.query('device');
    if (hw !== undefined) {
      try {
        return c.redirect(playPath(parseHardwareId(hw).hardwareId), 303);
      } catch {
        return notFound(c);
      }
    }
    const copy = await playCopyInfo(core);
    return companyPage(
      c,
      core,
      s,
      { title: 'playTitle', path: '/play', active: undefined },
      async ({ lang }) => (
        <>
          <p class="lead">{t(lang, 'playIntro')}</p>
          {copy ? <p>{t(lang, 'playCopiedAt', { date: formatDate(lang, copy.copiedAt) })}</p> : null}
          <h2>{t(lang, 'playRulesHeading')}</h2>
          <ul class="play-rules">
            <li>
              <a href="/play/balance">{t(lang, 'playRuleBalance')}</a>
            </li>
            <li>
              <a href="/keys">{t(lang, 'playRuleKeys')}</a>
            </li>
            <li>{t(lang, 'playRuleLicenses')}</li>
            <li>{t(lang, 'playRuleDownload')}</li>
            <li>{t(lang, 'playRuleInvalidation')}</li>
            <li>{t(lang, 'playRuleRma')}</li>
          </ul>
          <form method="get" action="/play" class="card">
            <h2>{t(lang, 'playDeviceGo')}</h2>
            <label for="play-device">{t(lang, 'playDeviceHw')}</label>
            <input id="play-device" type="text" name="device" maxlength={64} required />
            <button type="submit" class="primary">
              {t(lang, 'playDeviceGoButton')}
            </button>
          </form>
        </>
      ),
    );
  });

  // --- self-service balance (seed L336)

  const balancePage = async (c: Context, errors: Err[] = [], status: 200 | 400 | 403 | 404 = 200) => {
    const s = await session(c);
    const done = DONE[c.req.query('done') ?? ''];
    return companyPage(
      c,
      core,
      s,
      { title: 'playBalanceTitle', path: '/play/balance', active: 'balance' },
      async ({ lang }) => {
        const own = (await listProjects(core, s.actor)).projects.filter((p) => !p.external);
        return (
          <>
            <ErrorSummary lang={lang} errors={errors} />
            {done && !errors.length ? <p class="notice">{t(lang, done)}</p> : null}
            <p class="lead">{t(lang, 'playBalanceIntro')}</p>
            {own.length === 0 ? (
              <p>{t(lang, 'playNoProjects')}</p>
            ) : (
              <form method="post" action="/play/balance" class="card">
                <input type="hidden" name="csrf" value={s.csrf} />
                <label for="projectId">{t(lang, 'playProject')}</label>
                <select id="projectId" name="projectId">
                  {own.map((p) => (
                    <option value={String(p.id)} selected={p.selected}>
                      {p.name}
                    </option>
                  ))}
                </select>
                <label for="type">{t(lang, 'playType')}</label>
                <select id="type" name="type">
                  {playBalanceTypes().map((type) => (
                    <option value={type}>{type}</option>
                  ))}
                </select>
                <label for="units">{t(lang, 'playUnits')}</label>
                <input id="units" type="number" name="units" min={1} max={PLAY_MAX_UNITS} required />
                <button type="submit" class="primary">
                  {t(lang, 'playBalanceButton')}
                </button>
              </form>
            )}
            <p>
              <a href="/balance">{t(lang, 'balance')}</a>
            </p>
          </>
        );
      },
      status,
    );
  };
  app.get('/play/balance', (c) => balancePage(c));
  app.post('/play/balance', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = PlayBalanceForm.parse(await c.req.parseBody());
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return balancePage(c, [{ text: t(lang, 'sessionExpired') }], 403);
    if (form.projectId === null)
      return balancePage(c, [{ field: 'projectId', text: t(lang, 'playChooseProject') }], 400);
    if (!playBalanceTypes().includes(form.type))
      return balancePage(c, [{ field: 'type', text: t(lang, 'playChooseType') }], 400);
    if (form.units === null)
      return balancePage(
        c,
        [{ field: 'units', text: t(lang, 'playEnterUnits', { max: PLAY_MAX_UNITS }) }],
        400,
      );
    try {
      await addPlayBalance(core, s.actor, { projectId: form.projectId, type: form.type, units: form.units });
    } catch (e) {
      if (e instanceof MylicError && e.code === 'PROJECT_NOT_FOUND') return notFound(c);
      if (e instanceof MylicError && e.code === 'FORBIDDEN')
        return balancePage(c, [{ field: 'projectId', text: t(lang, 'playChooseProject') }], 403);
      throw e;
    }
    return c.redirect('/play/balance?done=balance', 303);
  });

  // --- a device's licenses and RMA status (seed L340, L346–348, L350)

  /** The device of the path as the actor reaches it; another company's device is "not found", like none. */
  const device = async (c: Context) => {
    const s = await session(c);
    let hardwareId: string;
    try {
      hardwareId = parseHardwareId(decodeURIComponent(c.req.param('hw') ?? '')).hardwareId;
    } catch {
      return { s, id: null };
    }
    try {
      return { s, id: await deviceIdFor(core, s.actor, hardwareId), hardwareId };
    } catch (e) {
      // Another company's device, none at all, or one reached only through a company that locked the
      // user: the same "not found" page, nothing of it shown.
      if (
        e instanceof MylicError &&
        ['DEVICE_NOT_FOUND', 'USER_LOCKED', 'COMPANY_NOT_FOUND'].includes(e.code)
      )
        return { s, id: null };
      throw e;
    }
  };

  const devicePage = async (c: Context, errors: Err[] = [], status: 200 | 400 | 403 | 404 | 409 = 200) => {
    const { s, id } = await device(c);
    if (id === null) return notFound(c);
    const done = DONE[c.req.query('done') ?? ''];
    const v = await playDeviceLicenses(core, s.actor, id);
    const path = playPath(v.hardwareId);
    return companyPage(
      c,
      core,
      s,
      { title: 'playDeviceTitle', path, active: 'devices' },
      async ({ lang }) => (
        <>
          <ErrorSummary lang={lang} errors={errors} />
          {done && !errors.length ? <p class="notice">{t(lang, done)}</p> : null}
          <p class="lead">
            {t(lang, 'playDeviceOf', {
              device: formatHardwareId(v.hardwareId),
              type: v.deviceType,
              project: v.projectName,
            })}
          </p>
          <p>
            {t(lang, 'playDownloadNote')}{' '}
            <a href={`/devices/${encodeURIComponent(v.hardwareId)}`}>{t(lang, 'playToDevicePage')}</a>
          </p>
          <h2>{t(lang, 'playLicenses')}</h2>
          {v.licenses.length === 0 ? (
            <p>{t(lang, 'playNoLicenses')}</p>
          ) : (
            <form method="post" action={`${path}/licenses/edit`}>
              <input type="hidden" name="csrf" value={s.csrf} />
              <table>
                <caption>{t(lang, 'playEditCaption')}</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <span class="visually-hidden">{t(lang, 'playEditAction')}</span>
                    </th>
                    <th scope="col">{t(lang, 'playSerial')}</th>
                    <th scope="col">{t(lang, 'playType')}</th>
                    <th scope="col" class="num">
                      {t(lang, 'playUnits')}
                    </th>
                    <th scope="col">{t(lang, 'playVersion')}</th>
                  </tr>
                </thead>
                <tbody>
                  {v.licenses.map((l) => (
                    <tr>
                      <td>
                        <input
                          type="checkbox"
                          name="serial"
                          value={l.serial}
                          id={`l-${l.serial}`}
                          aria-label={l.serial}
                        />
                      </td>
                      <th scope="row">
                        <label for={`l-${l.serial}`}>{l.serial}</label>
                      </th>
                      <td>{l.type}</td>
                      <td class="num">{l.units}</td>
                      <td>{l.version === null ? '–' : `V${l.version}`}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <fieldset class="play-action" id="action">
                <legend>{t(lang, 'playEditAction')}</legend>
                {(['D', 'B', 'F'] as const).map((a) => (
                  <label>
                    <input type="radio" name="action" value={a} /> {t(lang, `playEdit${a}`)}
                  </label>
                ))}
              </fieldset>
              <button type="submit" class="primary">
                {t(lang, 'playEditButton')}
              </button>
            </form>
          )}
          <div class="play-forms">
            {v.types.length && !v.external ? (
              <form method="post" action={`${path}/licenses/add`} class="card">
                <input type="hidden" name="csrf" value={s.csrf} />
                <h2>{t(lang, 'playAddHeading')}</h2>
                <label for="add-type">{t(lang, 'playType')}</label>
                <select id="add-type" name="type">
                  {v.types.map((type) => (
                    <option value={type}>{type}</option>
                  ))}
                </select>
                <label for="add-units">{t(lang, 'playUnits')}</label>
                <input
                  id="add-units"
                  type="number"
                  name="units"
                  min={1}
                  max={PLAY_MAX_LICENSE_UNITS}
                  value="1"
                  required
                />
                <button type="submit" class="primary">
                  {t(lang, 'playAddButton')}
                </button>
              </form>
            ) : null}
            {v.licenses.length ? (
              <form method="post" action={`${path}/licenses/change`} class="card">
                <input type="hidden" name="csrf" value={s.csrf} />
                <h2>{t(lang, 'playChangeHeading')}</h2>
                <label for="change-serial">{t(lang, 'playLicense')}</label>
                <select id="change-serial" name="serial">
                  {v.licenses.map((l) => (
                    <option value={l.serial}>{`${l.serial} – ${l.units} × ${l.type}`}</option>
                  ))}
                </select>
                <label for="change-units">{t(lang, 'playUnits')}</label>
                <input
                  id="change-units"
                  type="number"
                  name="units"
                  min={1}
                  max={PLAY_MAX_LICENSE_UNITS}
                  required
                />
                <button type="submit" class="primary">
                  {t(lang, 'playChangeButton')}
                </button>
              </form>
            ) : null}
          </div>
          <h2>{t(lang, 'playRmaHeading')}</h2>
          <p>{t(lang, 'playRmaNow', { state: rmaText(lang, v.rmaState) })}</p>
          <div class="play-forms">
            <form method="post" action={`${path}/rma`} class="card">
              <input type="hidden" name="csrf" value={s.csrf} />
              <label for="rma-state">{t(lang, 'playRmaState')}</label>
              <select id="rma-state" name="state">
                <option value="requested">{t(lang, 'playRmaRequested')}</option>
                <option value="arrived">{t(lang, 'playRmaArrived')}</option>
              </select>
              <label for="rma-reason">{t(lang, 'playRmaReason')}</label>
              <input id="rma-reason" type="text" name="reason" maxlength={2000} />
              <button type="submit" class="primary">
                {t(lang, 'playRmaSetButton')}
              </button>
            </form>
            {v.rmaState === 'requested' || v.rmaState === 'arrived' ? (
              <form method="post" action={`${path}/rma/remove`} class="card">
                <input type="hidden" name="csrf" value={s.csrf} />
                <button type="submit" class="secondary">
                  {t(lang, 'playRmaRemoveButton')}
                </button>
              </form>
            ) : null}
          </div>
        </>
      ),
      status,
    );
  };

  app.get('/play/devices/:hw', (c) => devicePage(c));

  /** A POST of the device's myplay page: the device, the form, origin and token — else nothing is done. */
  const action = <F extends { csrf: string }>(
    suffix: string,
    schema: { parse: (x: unknown) => F },
    run: (c: Context, deviceId: number, form: F, lang: Lang) => Promise<string | Err>,
  ) =>
    app.post(`/play/devices/:hw${suffix}`, async (c) => {
      const lang = pageLanguage(c);
      const { s, id, hardwareId } = await device(c);
      if (id === null || hardwareId === undefined) return notFound(c);
      const form = schema.parse(await c.req.parseBody({ all: true }));
      if (!sameOrigin(c) || !csrfValid(s, form.csrf))
        return devicePage(c, [{ text: t(lang, 'sessionExpired') }], 403);
      try {
        const r = await run(c, id, form, lang);
        if (typeof r !== 'string') return devicePage(c, [r], 400);
        return c.redirect(`${playPath(hardwareId)}?done=${r}`, 303);
      } catch (e) {
        if (!(e instanceof MylicError)) throw e;
        if (e.code === 'DEVICE_NOT_FOUND') return notFound(c);
        const [text, status] = refusal(lang, e);
        return devicePage(c, [{ text }], status);
      }
    });

  action('/licenses/add', PlayLicenseAddForm, async (c, id, form, lang) => {
    if (form.units === null)
      return { field: 'add-units', text: t(lang, 'playEnterUnits', { max: PLAY_MAX_LICENSE_UNITS }) };
    await addPlayLicense(core, (await session(c)).actor, id, { type: form.type, units: form.units });
    return 'added';
  });
  action('/licenses/change', PlayLicenseChangeForm, async (c, id, form, lang) => {
    if (form.units === null)
      return { field: 'change-units', text: t(lang, 'playEnterUnits', { max: PLAY_MAX_LICENSE_UNITS }) };
    await changePlayLicense(core, (await session(c)).actor, id, { serial: form.serial, units: form.units });
    return 'changed';
  });
  action('/licenses/edit', PlayLicenseEditForm, async (c, id, form, lang) => {
    const chosen = form.action;
    if (chosen === null || !form.serial.length)
      return { field: 'action', text: t(lang, 'playChooseLicenses') };
    await editPlayLicenses(
      core,
      (await session(c)).actor,
      id,
      form.serial.map((serial) => ({ serial, action: chosen })),
    );
    return 'edited';
  });
  action('/rma', PlayRmaForm, async (c, id, form) => {
    await setPlayRma(core, (await session(c)).actor, id, {
      state: form.state ?? 'requested',
      reason: form.reason,
    });
    return 'rma';
  });
  action('/rma/remove', PlayLicenseChangeForm.pick({ csrf: true }), async (c, id) => {
    await removePlayRma(core, (await session(c)).actor, id);
    return 'rmaRemoved';
  });
}

function rmaText(lang: Lang, state: string | null): string {
  if (state === 'requested') return t(lang, 'playRmaRequested');
  if (state === 'arrived') return t(lang, 'playRmaArrived');
  if (state === 'reshipped') return t(lang, 'playRmaReshipped');
  return t(lang, 'playRmaNone');
}

/** A refusal of the core as a sentence of the page and its status. */
function refusal(lang: Lang, e: MylicError): [string, 400 | 403 | 404 | 409] {
  switch (e.code) {
    case 'AMOUNT_INVALID':
      return [t(lang, 'playEnterUnits', { max: PLAY_MAX_LICENSE_UNITS }), 400];
    case 'LICENSE_TYPE_UNKNOWN':
      return [t(lang, 'playChooseType'), 400];
    case 'LICENSE_TYPE_NOT_FOR_DEVICE':
      return [t(lang, 'playTypeNotForDevice'), 400];
    case 'NOT_FOUND':
    case 'VALIDATION_FAILED':
      return [t(lang, 'playChooseLicenses'), 400];
    case 'FORBIDDEN':
      return [t(lang, 'playOwnOnly'), 403];
    case 'RMA_STATE_INVALID':
      return [t(lang, 'playRmaInvalid'), 409];
    default:
      throw e;
  }
}
