/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import {
  DeviceAddFileForm,
  DeviceAddOrderForm,
  DeviceAddRangeForm,
  DeviceAddSingleForm,
} from '../../../protocol/device-list-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId, parseHardwareId } from '../../../protocol/hardware-id.js';
import type { Core } from '../../core/context.js';
import { addDevice, addDeviceFile, addDeviceOrder, addDeviceRange } from '../../core/devices/index.js';
import { getProfile } from '../../core/accounts/index.js';
import { listProjects } from '../../core/organisation/index.js';
import { companyPage } from '../company-page.js';
import { t, type Lang } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import {
  csrfValid,
  pageLanguage,
  sameOrigin,
  type NotFound,
  type SessionOf,
  type WebSession,
} from '../web-session.js';
import { batchRows, reasonText, ResultTable, warningTexts, type ResultRow } from './device-add-results.js';

/**
 * Devices → "Add new devices" (seed L133-147, Errors and Warnings L305-321): one device (a MAC in every
 * form of the seed, or an IPEI), a MAC range, a text file (multipart, at most 64 KB, one MAC/IPEI per
 * line) and the devices of an order — the core's addDevice / addDeviceRange / addDeviceFile /
 * addDeviceOrder with the session's actor, as the API's POST /devices, /devices/range, /file, /order.
 *
 * No form asks for a device type: it is the vendor database's (issue 15 item 8), and a device the
 * database does not know is refused with the seed's Not Found (L146, L312–314) in the page's language.
 *
 * What happened is shown as one row per input line: added (with the seed's warnings), already there,
 * refused with the reason. The core's rule for a batch: the input is checked whole first (a wrong line,
 * more than 50 devices: nothing is added, and the page says which lines are wrong); then every device
 * is added in its own transaction, so a device is added whole or not at all and each row says which. The results are the POST's answer (nothing to redirect to: sending it again
 * answers "already there" row by row).
 */
const MAX_FILE_BYTES = 65536;
const PAGE = { title: 'dlAddTitle', path: '/devices/add', active: 'devices' } as const;

interface View {
  values?: Record<string, string>;
  errors?: { field?: string; text: string }[];
  result?: { rows: ResultRow[]; sentence?: string };
}
type Status = 200 | 400 | 403 | 404 | 409;

export function deviceAddPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound) {
  app.get('/devices/add', async (c) => render(c, core, await session(c), {}));

  app.post('/devices/add/single', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const f = DeviceAddSingleForm.parse(await c.req.parseBody());
    const values = { device: f.device, projectId: String(f.projectId ?? '') };
    if (!sameOrigin(c) || !csrfValid(s, f.csrf))
      return render(c, core, s, { values, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    if (!f.device) return fieldError(c, core, s, values, 'da-device', t(lang, 'daEnterDevice'));
    const projectId = f.projectId ?? s.actor.projectId ?? undefined;
    if (projectId === undefined)
      return fieldError(c, core, s, values, 'da-project', t(lang, 'daChooseProject'));
    try {
      const r = await addDevice(core, s.actor, projectId, f.device);
      const row: ResultRow = {
        line: 1,
        input: f.device,
        display: r.display,
        hardwareId: r.hardwareId,
        outcome: 'added',
        notes: warningTexts(lang, r.warnings),
      };
      return render(c, core, s, { values: { ...values, device: '' }, result: { rows: [row] } });
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'MAC_INVALID' || e.code === 'IPEI_INVALID')
        return fieldError(c, core, s, values, 'da-device', reasonText(lang, e.code));
      if (
        ['DEVICE_ALREADY_IN_COMPANY', 'DEVICE_UNKNOWN', 'DEVICE_ADD_NEEDS_SSA', 'FORBIDDEN'].includes(e.code)
      ) {
        let hardwareId: string | null = null;
        try {
          hardwareId = parseHardwareId(f.device).hardwareId;
        } catch {}
        const row: ResultRow = {
          line: 1,
          input: f.device,
          display: hardwareId ? formatHardwareId(hardwareId) : null,
          hardwareId,
          outcome: e.code === 'DEVICE_ALREADY_IN_COMPANY' ? 'there' : 'refused',
          notes: [reasonText(lang, e.code)],
        };
        const status = e.code === 'DEVICE_UNKNOWN' ? 404 : 409;
        return render(c, core, s, { values, result: { rows: [row] } }, status);
      }
      return common(c, core, s, notFound, lang, values, e, 'da-device');
    }
  });

  app.post('/devices/add/range', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const f = DeviceAddRangeForm.parse(await c.req.parseBody());
    const values = { from: f.from, to: f.to, projectId: String(f.projectId ?? '') };
    if (!sameOrigin(c) || !csrfValid(s, f.csrf))
      return render(c, core, s, { values, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    try {
      const r = await addDeviceRange(core, s.actor, f);
      return render(c, core, s, { values, result: { rows: batchRows(lang, r) } });
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'MAC_INVALID') {
        let field = 'da-to';
        try {
          parseHardwareId(f.from);
        } catch {
          field = 'da-from';
        }
        return fieldError(c, core, s, values, field, reasonText(lang, e.code));
      }
      if (e.code === 'DEVICE_RANGE_INVALID')
        return fieldError(c, core, s, values, 'da-to', t(lang, 'daRangeInvalid'));
      if (e.code === 'DEVICE_BATCH_TOO_LARGE')
        return fieldError(c, core, s, values, 'da-to', t(lang, 'daTooManyRange', { count: countOf(e) }));
      return common(c, core, s, notFound, lang, values, e, 'da-from');
    }
  });

  // The file's size is judged before the body is read (Content-Length, else while it streams).
  const fileLimit = bodyLimit({
    maxSize: MAX_FILE_BYTES + 16 * 1024,
    onError: async (c) => {
      const s = await session(c);
      return render(
        c,
        core,
        s,
        { errors: [{ field: 'da-file', text: t(pageLanguage(c), 'daFileTooLarge') }] },
        400,
      );
    },
  });
  app.post('/devices/add/file', fileLimit, async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const body = await c.req.parseBody();
    const f = DeviceAddFileForm.parse(body);
    const values = { projectId: String(f.projectId ?? '') };
    if (!sameOrigin(c) || !csrfValid(s, f.csrf))
      return render(c, core, s, { values, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const file = body.file;
    if (!(file instanceof File) || file.size === 0)
      return fieldError(c, core, s, values, 'da-file', t(lang, 'daFileMissing'));
    if (file.size > MAX_FILE_BYTES)
      return fieldError(c, core, s, values, 'da-file', t(lang, 'daFileTooLarge'));
    const text = await file.text();
    try {
      const r = await addDeviceFile(core, s.actor, { text, projectId: f.projectId });
      return render(c, core, s, { values, result: { rows: batchRows(lang, r) } });
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'MAC_INVALID') {
        const rows = fileLines(lang, text);
        const bad = rows.filter((r) => r.outcome === 'refused').length;
        return render(
          c,
          core,
          s,
          {
            values,
            errors: [{ field: 'da-file', text: t(lang, 'daFileBadLines', { count: bad }) }],
            result: { rows, sentence: t(lang, 'daFileBadLines', { count: bad }) },
          },
          400,
        );
      }
      if (e.code === 'VALIDATION_FAILED')
        return fieldError(c, core, s, values, 'da-file', t(lang, 'daFileEmpty'));
      if (e.code === 'DEVICE_BATCH_TOO_LARGE')
        return fieldError(c, core, s, values, 'da-file', t(lang, 'daTooManyFile', { count: countOf(e) }));
      return common(c, core, s, notFound, lang, values, e, 'da-file');
    }
  });

  app.post('/devices/add/order', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const f = DeviceAddOrderForm.parse(await c.req.parseBody());
    const values = { orderNumber: f.orderNumber, projectId: String(f.projectId ?? '') };
    if (!sameOrigin(c) || !csrfValid(s, f.csrf))
      return render(c, core, s, { values, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    try {
      const r = await addDeviceOrder(core, s.actor, f);
      return render(c, core, s, { values, result: { rows: batchRows(lang, r) } });
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'VALIDATION_FAILED')
        return fieldError(c, core, s, values, 'da-order', t(lang, 'daOrderInvalid'));
      if (e.code === 'ORDER_NOT_FOUND')
        return fieldError(c, core, s, values, 'da-order', t(lang, 'daOrderNotFound'), 404);
      return common(c, core, s, notFound, lang, values, e, 'da-order');
    }
  });
}

const countOf = (e: MylicError) => Number((e.details as { count?: number } | undefined)?.count ?? 0);

/** Per line of a file the core refused whole: which lines are wrong, and that the others were not added. */
function fileLines(lang: Lang, text: string): ResultRow[] {
  const rows: ResultRow[] = [];
  text
    .replace(/^\uFEFF/, '')
    .split(/\r\n|\r|\n/)
    .forEach((raw, i) => {
      const line = raw.trim();
      if (!line) return;
      let ok = true;
      let hardwareId: string | null = null;
      try {
        hardwareId = parseHardwareId(line).hardwareId;
      } catch {
        try {
          for (const tok of line.split(/[\s,;]+/).filter(Boolean)) parseHardwareId(tok);
          ok = line.split(/[\s,;]+/).filter(Boolean).length > 1;
        } catch {
          ok = false;
        }
      }
      rows.push({
        line: i + 1,
        input: line.slice(0, 64),
        display: hardwareId ? formatHardwareId(hardwareId) : null,
        hardwareId,
        outcome: ok ? 'notTried' : 'refused',
        notes: [ok ? t(lang, 'daFileGoodLine') : reasonText(lang, 'MAC_INVALID')],
      });
    });
  return rows;
}

/** Refusals every form shares: the walls, the project, a device field the core refused. */
function common(
  c: Context,
  core: Core,
  s: WebSession,
  notFound: NotFound,
  lang: Lang,
  values: Record<string, string>,
  e: MylicError,
  deviceField: string,
) {
  switch (e.code) {
    case 'PROJECT_NOT_FOUND':
      return notFound(c);
    case 'PROJECT_NOT_SELECTED':
      return fieldError(c, core, s, values, 'da-project', t(lang, 'daChooseProject'));
    case 'VALIDATION_FAILED':
      return fieldError(c, core, s, values, deviceField, reasonText(lang, e.code));
    case 'FORBIDDEN':
      return render(c, core, s, { values, errors: [{ text: t(lang, 'daErrForbidden') }] }, 403);
    case 'USER_LOCKED':
    case 'COMPANY_NOT_FOUND':
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
    default:
      return render(c, core, s, { values, errors: [{ text: t(lang, 'daErrOther') }] }, 409);
  }
}

function fieldError(
  c: Context,
  core: Core,
  s: WebSession,
  values: Record<string, string>,
  field: string,
  text: string,
  status: Status = 400,
) {
  return render(c, core, s, { values, errors: [{ field, text }] }, status);
}

async function render(c: Context, core: Core, s: WebSession, v: View, status: Status = 200) {
  return companyPage(
    c,
    core,
    s,
    PAGE,
    async ({ lang }) => {
      const { projects } = await listProjects(core, s.actor);
      const profile = await getProfile(core, s.actor);
      const val = v.values ?? {};
      const chosen =
        Number(val.projectId) || profile.selectedProjectId || projects.find((p) => !p.external)?.id;
      const errors = v.errors ?? [];
      const err = (id: string) => errors.find((e) => e.field === id)?.text;
      const Field = (p: {
        id: string;
        name: string;
        label: string;
        value?: string | undefined;
        hint?: string;
      }) => (
        <div class={err(p.id) ? 'field-error' : undefined}>
          <label for={p.id}>{p.label}</label>
          {p.hint ? <p class="hint">{p.hint}</p> : null}
          {err(p.id) ? <p class="message">{err(p.id)}</p> : null}
          <input
            id={p.id}
            name={p.name}
            type="text"
            autocomplete="off"
            spellcheck={false}
            value={p.value ?? ''}
          />
        </div>
      );
      const ProjectSelect = (p: { id: string }) => (
        <div class={err('da-project') && p.id === 'da-project' ? 'field-error' : undefined}>
          <label for={p.id}>{t(lang, 'intoProject')}</label>
          {err('da-project') && p.id === 'da-project' ? <p class="message">{err('da-project')}</p> : null}
          <select id={p.id} name="projectId">
            {projects.map((pr) => (
              <option value={String(pr.id)} selected={pr.id === chosen}>
                {pr.external ? `${pr.name} (${pr.companyName})` : pr.name}
              </option>
            ))}
          </select>
        </div>
      );
      const Hidden = () => <input type="hidden" name="csrf" value={s.csrf} />;
      return (
        <>
          <p class="lead">{t(lang, 'daIntro')}</p>
          <p>
            <a href="/devices">{t(lang, 'daBackToList')}</a>
          </p>
          <ErrorSummary lang={lang} errors={errors} />
          {v.result ? <ResultTable lang={lang} rows={v.result.rows} sentence={v.result.sentence} /> : null}
          <div class="da-forms">
            <form
              class="card"
              method="post"
              action="/devices/add/single"
              novalidate
              aria-labelledby="da-h-single"
            >
              <h2 id="da-h-single">{t(lang, 'daSingle')}</h2>
              <Hidden />
              <Field id="da-device" name="device" label={t(lang, 'daDevice')} value={val.device} />
              <ProjectSelect id="da-project" />
              <button type="submit" class="primary">
                {t(lang, 'daAddOne')}
              </button>
            </form>
            <form
              class="card"
              method="post"
              action="/devices/add/range"
              novalidate
              aria-labelledby="da-h-range"
            >
              <h2 id="da-h-range">{t(lang, 'daRange')}</h2>
              <p class="hint">{t(lang, 'daRangeHint')}</p>
              <Hidden />
              <Field id="da-from" name="from" label={t(lang, 'daFrom')} value={val.from} />
              <Field id="da-to" name="to" label={t(lang, 'daTo')} value={val.to} />
              <ProjectSelect id="da-range-project" />
              <button type="submit" class="primary">
                {t(lang, 'daAddRange')}
              </button>
            </form>
            <form
              class="card"
              method="post"
              action="/devices/add/file"
              enctype="multipart/form-data"
              novalidate
              aria-labelledby="da-h-file"
            >
              <h2 id="da-h-file">{t(lang, 'daFile')}</h2>
              <Hidden />
              <div class={err('da-file') ? 'field-error' : undefined}>
                <label for="da-file">{t(lang, 'daFileLabel')}</label>
                <p class="hint">{t(lang, 'daFileHint')}</p>
                {err('da-file') ? <p class="message">{err('da-file')}</p> : null}
                <input id="da-file" name="file" type="file" accept=".txt,.csv,text/plain" />
              </div>
              <ProjectSelect id="da-file-project" />
              <button type="submit" class="primary">
                {t(lang, 'daAddFile')}
              </button>
            </form>
            <form
              class="card"
              method="post"
              action="/devices/add/order"
              novalidate
              aria-labelledby="da-h-order"
            >
              <h2 id="da-h-order">{t(lang, 'daOrder')}</h2>
              <p class="hint">{t(lang, 'daOrderHint')}</p>
              <Hidden />
              <Field
                id="da-order"
                name="orderNumber"
                label={t(lang, 'daOrderNumber')}
                value={val.orderNumber}
              />
              <ProjectSelect id="da-order-project" />
              <button type="submit" class="primary">
                {t(lang, 'daAddOrder')}
              </button>
            </form>
          </div>
        </>
      );
    },
    status,
  );
}
