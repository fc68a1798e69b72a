/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import {
  DeviceBatchForm,
  DeviceEditForm,
  DeviceListParams,
  DeviceListQuery,
} from '../../../protocol/device-list-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import type { Core } from '../../core/context.js';
import {
  type DeviceListPage,
  type DeviceListRow,
  getDevice,
  listDevicesKeyset,
  moveDevices,
  orderCsv,
  removeDevices,
  updateDevice,
} from '../../core/devices/index.js';
import { listProjects } from '../../core/organisation/index.js';
import { companyPage } from '../company-page.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import {
  csrfValid,
  pageLanguage,
  sameOrigin,
  type NotFound,
  type SessionOf,
  type WebSession,
} from '../web-session.js';
import { deviceAddPages } from './device-add-page.js';
import { devicesCsv } from './device-list-csv.js';
import {
  DeviceRow,
  FilterForm,
  ListHiddenFields,
  listHref,
  Pager,
  type ProjectOption,
} from './device-list-view.js';

/**
 * Devices → List (seed L123-132): the devices of the selected project, or of all projects ("You can
 * deselect the current project … to list all your devices"), filtered by part of name, comment or
 * MAC/IPEI (GET, so a filtered list is a link), in pages of 50 read by keyset (core
 * device-list-keyset.ts: no OFFSET, no count per page). Each row links to its device page; RMA devices
 * are marked red (seed L126) and with a tag; a device that is in another company too carries the
 * seed's "Several Companies" warning. Name and comment are edited in the row (`?edit=<id>`, a plain
 * form). Selected rows are moved to another project or removed (seed L132) — the same core functions
 * and walls as POST /api/v1/devices/move and /remove, all or none. The filtered list downloads as CSV.
 *
 * Decided: the list shows at once (the seed's "click Show first" was the old portal's guard against
 * slow lists; a keyset page costs the same at any size). The filter's button is the seed's "Show".
 */
const PAGE_SIZE = 50;
const PAGE = { title: 'tabDevices', path: '/devices', active: 'devices' } as const;

interface View {
  params: DeviceListParams;
  edit?: number | undefined;
  editValues?: { name: string; comment: string } | undefined;
  editError?: string | undefined;
  errors?: { field?: string; text: string }[];
  notice?: string | undefined;
  /** The order number typed for the order's CSV (kept after a refusal). */
  order?: string | undefined;
  /** A confirmation to show above the list (remove, SSA move). */
  confirm?: (lang: Lang) => Child;
}

type Status = 200 | 400 | 403 | 404 | 409;

const scopeOf = (p: DeviceListParams) => (p.project === 'all' ? null : p.project);

export function deviceListPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  // Before the device page's /devices/:hardwareId, so these fixed paths are never read as one.
  deviceAddPages(app, core, session, notFound);

  app.get('/devices.csv', async (c) => {
    const s = await session(c);
    const params = DeviceListParams.parse(c.req.query());
    try {
      const { filename, csv } = await devicesCsv(core, s, pageLanguage(c), params);
      return c.body(csv, 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${filename}"`,
        'X-Content-Type-Options': 'nosniff',
      });
    } catch (e) {
      return show(c, core, s, notFound, { params }, 200, e);
    }
  });

  // Seed L155: "Enter an order number to retrieve all devices for this order in a CSV file."
  app.get('/devices/order.csv', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const number = (c.req.query('order') ?? '').trim().slice(0, 40);
    const params = DeviceListParams.parse({});
    try {
      const { filename, csv } = await orderCsv(core, s.actor, number);
      return c.body(csv, 200, {
        'Content-Type': 'text/csv; charset=utf-8',
        'Content-Disposition': `attachment; filename="${filename}"`,
        'X-Content-Type-Options': 'nosniff',
      });
    } catch (e) {
      if (e instanceof MylicError && (e.code === 'ORDER_NOT_FOUND' || e.code === 'VALIDATION_FAILED')) {
        const text = t(lang, e.code === 'ORDER_NOT_FOUND' ? 'daOrderNotFound' : 'daOrderInvalid');
        return show(
          c,
          core,
          s,
          notFound,
          { params, order: number, errors: [{ field: 'dl-order', text }] },
          e.code === 'ORDER_NOT_FOUND' ? 404 : 400,
        );
      }
      return show(c, core, s, notFound, { params }, 200, e);
    }
  });

  app.get('/devices', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const q = DeviceListQuery.parse(c.req.query());
    const { edit, ...params } = q;
    return show(c, core, s, notFound, { params, edit, notice: await noticeOf(c, core, s, lang) });
  });

  app.post('/devices/list/edit', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = DeviceEditForm.parse(await c.req.parseBody());
    const params = DeviceListParams.parse(form);
    const values = { name: form.name, comment: form.comment };
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return show(
        c,
        core,
        s,
        notFound,
        { params, edit: form.deviceId, editValues: values, errors: [{ text: t(lang, 'sessionExpired') }] },
        403,
      );
    if (form.deviceId === undefined) return notFound(c);
    try {
      await updateDevice(core, s.actor, form.deviceId, { name: form.name, comment: form.comment });
      return c.redirect(listHref(params, { saved: form.deviceId }), 303);
    } catch (e) {
      if (e instanceof MylicError && e.code === 'DEVICE_NOT_FOUND') return notFound(c);
      if (e instanceof MylicError && (e.code === 'DEVICE_NAME_INVALID' || e.code === 'VALIDATION_FAILED')) {
        const text =
          e.code === 'DEVICE_NAME_INVALID'
            ? t(lang, 'dlNameInvalid', { name: form.name.trim() })
            : t(lang, 'dlTooLong');
        return show(
          c,
          core,
          s,
          notFound,
          {
            params,
            edit: form.deviceId,
            editValues: values,
            editError: text,
            errors: [{ field: 'dl-edit-name', text }],
          },
          400,
        );
      }
      return show(c, core, s, notFound, { params }, 403, e);
    }
  });

  app.post('/devices/list/batch', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = DeviceBatchForm.parse(await c.req.parseBody({ all: true }));
    const params = DeviceListParams.parse(form);
    const fail = (text: string, status: Status, field?: string) =>
      show(c, core, s, notFound, { params, errors: [field ? { field, text } : { text }] }, status);
    if (!sameOrigin(c) || !csrfValid(s, form.csrf)) return fail(t(lang, 'sessionExpired'), 403);
    const ids = [...new Set(form.deviceIds)];
    if (!ids.length) return fail(t(lang, 'dlSelectSome'), 400);
    try {
      if (form.action === 'remove') {
        if (form.confirmed !== 'yes') {
          // The seed states no confirmation; removing is not undone by a click, so one comes first.
          const devices: DeviceListRow[] = [];
          for (const id of ids)
            devices.push({ ...(await getDevice(core, s.actor, id)), otherCompanies: false });
          if (devices.some((d) => d.external)) return fail(t(lang, 'dlForbiddenExternal'), 403);
          return show(c, core, s, notFound, {
            params,
            confirm: (l) => <RemoveConfirm lang={l} devices={devices} csrf={s.csrf} params={params} />,
          });
        }
        const r = await removeDevices(core, s.actor, ids);
        return c.redirect(listHref({ ...params, after: undefined }, { removed: r.removed.length }), 303);
      }
      if (form.action === 'move') {
        if (form.targetProjectId === undefined) return fail(t(lang, 'dlChooseTarget'), 400, 'dl-target');
        const target = form.targetProjectId;
        const r = await moveDevices(
          core,
          s.actor,
          ids,
          target,
          form.expectedTotal >= 0 ? { expectedTotal: form.expectedTotal } : undefined,
        );
        return c.redirect(
          listHref(params, { moved: r.moved.length + r.unchanged.length, into: target }),
          303,
        );
      }
      return fail(t(lang, 'dlFailed'), 400);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      switch (e.code) {
        case 'DEVICE_NOT_FOUND':
        case 'PROJECT_NOT_FOUND':
          return notFound(c);
        case 'FORBIDDEN':
          return fail(t(lang, 'dlForbiddenExternal'), 403);
        case 'SSA_CONFIRMATION_REQUIRED': {
          const d = e.details as { summary?: { total?: number }; target?: { ssaEnd?: string | null } };
          const total = Number(d?.summary?.total ?? 0);
          const ssaEnd = d?.target?.ssaEnd ?? '';
          const { projects } = await listProjects(core, s.actor);
          const name = projects.find((p) => p.id === form.targetProjectId)?.name ?? '';
          return show(c, core, s, notFound, {
            params,
            confirm: (l) => (
              <SsaMoveConfirm
                lang={l}
                ids={ids}
                target={form.targetProjectId!}
                project={name}
                date={ssaEnd ? formatDate(l, ssaEnd) : ''}
                total={total}
                csrf={s.csrf}
                params={params}
              />
            ),
          });
        }
        case 'SSA_SUMMARY_CHANGED':
          return fail(t(lang, 'ssaChanged'), 409);
        case 'BALANCE_INSUFFICIENT':
          return fail(t(lang, 'dlSsaShort'), 409);
        case 'USER_LOCKED':
        case 'COMPANY_NOT_FOUND':
          return show(c, core, s, notFound, { params }, 403, e);
        default:
          return fail(t(lang, 'dlFailed'), 409);
      }
    }
  });
}

async function noticeOf(c: Context, core: Core, s: WebSession, lang: Lang): Promise<string | undefined> {
  const n = (k: string) => {
    const v = c.req.query(k);
    return v && /^[0-9]{1,6}$/.test(v) ? Number(v) : undefined;
  };
  const removed = n('removed');
  if (removed !== undefined) return t(lang, 'dlRemoved', { count: removed });
  const moved = n('moved');
  const into = n('into');
  if (moved !== undefined && into !== undefined) {
    const { projects } = await listProjects(core, s.actor).catch(() => ({ projects: [] }));
    const p = projects.find((x) => x.id === into);
    if (p) return t(lang, 'dlMoved', { count: moved, project: p.name });
  }
  const saved = n('saved');
  if (saved !== undefined) {
    const d = await getDevice(core, s.actor, saved).catch(() => null);
    if (d) return t(lang, 'dlSaved', { device: d.display });
  }
  return undefined;
}

/**
 * The list page. The list is read before the page is drawn: another company's project in the query
 * answers the not-found page; a locked member or one without company gets companyPage's sentence.
 * `failure`: an error the caller caught, drawn the same way.
 */
async function show(
  c: Context,
  core: Core,
  s: WebSession,
  notFound: NotFound,
  v: View,
  status: Status = 200,
  failure?: unknown,
) {
  let page: DeviceListPage;
  let projects: ProjectOption[];
  try {
    if (failure !== undefined) throw failure;
    page = await listDevicesKeyset(core, s.actor, {
      filter: v.params.q,
      projectId: scopeOf(v.params),
      sort: v.params.sort,
      after: v.params.after,
      limit: PAGE_SIZE,
    });
    projects = (await listProjects(core, s.actor)).projects;
  } catch (e) {
    if (e instanceof MylicError && e.code === 'PROJECT_NOT_FOUND') return notFound(c);
    if (e instanceof MylicError && (e.code === 'USER_LOCKED' || e.code === 'COMPANY_NOT_FOUND'))
      return companyPage(
        c,
        core,
        s,
        PAGE,
        async () => {
          throw e;
        },
        e.code === 'USER_LOCKED' ? 403 : 200,
      );
    throw e;
  }
  return companyPage(
    c,
    core,
    s,
    PAGE,
    async ({ lang }) => {
      const { params } = v;
      const own = projects.filter((p) => !p.external);
      const errors = v.errors ?? [];
      return (
        <>
          <p class="lead">{t(lang, 'dlIntro')}</p>
          <p class="dl-links">
            <a href="/devices/add">{t(lang, 'dlAddTitle')}</a>
            <a
              href={`/devices.csv${listHref({ ...params, after: undefined }).slice('/devices'.length)}`}
              download
            >
              {t(lang, 'dlExportCsv')}
            </a>
            <a href="/devices/warranty">{t(lang, 'dxLinkWarranty')}</a>
            <a href="/devices/status">{t(lang, 'dxLinkStatus')}</a>
          </p>
          {v.notice ? (
            <p class="notice" role="status">
              {v.notice}
            </p>
          ) : null}
          <ErrorSummary lang={lang} errors={errors} />
          {v.confirm ? v.confirm(lang) : null}
          <FilterForm lang={lang} params={params} scope={page.projectId} projects={projects} />
          {page.devices.length === 0 ? (
            <p>{params.q ? t(lang, 'dlNoMatch') : t(lang, 'dlEmpty')}</p>
          ) : (
            <>
              <table class="dl-table">
                <thead>
                  <tr>
                    <th scope="col">
                      <span class="visually-hidden">{t(lang, 'dlColSelect')}</span>
                    </th>
                    <th scope="col">{t(lang, 'dlColDevice')}</th>
                    <th scope="col">{t(lang, 'dlColName')}</th>
                    <th scope="col">{t(lang, 'dlColType')}</th>
                    <th scope="col">{t(lang, 'project')}</th>
                    <th scope="col">{t(lang, 'dlColComment')}</th>
                    <th scope="col" class="num">
                      {t(lang, 'dlColLicenses')}
                    </th>
                    <th scope="col">{t(lang, 'dlColNotes')}</th>
                    <th scope="col">{t(lang, 'dlColActions')}</th>
                  </tr>
                </thead>
                <tbody>
                  {page.devices.map((d) => {
                    const editing = v.edit === d.id && !d.external;
                    return (
                      <DeviceRow
                        lang={lang}
                        d={d}
                        params={params}
                        csrf={s.csrf}
                        editing={editing}
                        values={editing ? v.editValues : undefined}
                        nameError={editing ? v.editError : undefined}
                      />
                    );
                  })}
                </tbody>
              </table>
              <Pager lang={lang} params={params} page={page} />
              <form id="dl-batch" method="post" action="/devices/list/batch">
                <input type="hidden" name="csrf" value={s.csrf} />
                <ListHiddenFields params={params} />
                <fieldset class="dl-batch">
                  <legend>{t(lang, 'dlBatchLegend')}</legend>
                  <div class={errors.some((e) => e.field === 'dl-target') ? 'field-error' : undefined}>
                    <label for="dl-target">{t(lang, 'dlMoveTo')}</label>
                    <select id="dl-target" name="targetProjectId">
                      <option value="">–</option>
                      {own.map((p) => (
                        <option value={String(p.id)}>{p.name}</option>
                      ))}
                    </select>
                  </div>
                  <button type="submit" class="secondary" name="action" value="move">
                    {t(lang, 'dlMoveButton')}
                  </button>
                  <button type="submit" class="secondary" name="action" value="remove">
                    {t(lang, 'dlRemoveButton')}
                  </button>
                </fieldset>
              </form>
            </>
          )}
          <form method="get" action="/devices/order.csv" class="dl-filter dl-order">
            <div class={errors.some((e) => e.field === 'dl-order') ? 'field-error' : undefined}>
              <label for="dl-order">{t(lang, 'daOrderNumber')}</label>
              {errors
                .filter((e) => e.field === 'dl-order')
                .map((e) => (
                  <p class="message">{e.text}</p>
                ))}
              <input id="dl-order" name="order" type="text" maxlength={40} value={v.order ?? ''} />
            </div>
            <button type="submit" class="secondary">
              {t(lang, 'dlOrderCsv')}
            </button>
          </form>
        </>
      );
    },
    status,
  );
}

function RemoveConfirm(p: { lang: Lang; devices: DeviceListRow[]; csrf: string; params: DeviceListParams }) {
  const { lang } = p;
  return (
    <section class="confirm" aria-labelledby="dl-remove-title">
      <h2 id="dl-remove-title">{t(lang, 'dlRemoveConfirmTitle', { count: p.devices.length })}</h2>
      <p>{t(lang, 'dlRemoveConfirmText')}</p>
      <ul>
        {p.devices.map((d) => (
          <li>
            <code>{d.display}</code>
            {d.name ? ` ${d.name}` : ''} ({d.projectName})
          </li>
        ))}
      </ul>
      <form method="post" action="/devices/list/batch">
        <input type="hidden" name="csrf" value={p.csrf} />
        <ListHiddenFields params={p.params} />
        <input type="hidden" name="action" value="remove" />
        <input type="hidden" name="confirmed" value="yes" />
        {p.devices.map((d) => (
          <input type="hidden" name="deviceIds" value={String(d.id)} />
        ))}
        <button type="submit" class="primary">
          {t(lang, 'dlRemoveConfirm', { count: p.devices.length })}
        </button>{' '}
        <a href={listHref(p.params)}>{t(lang, 'dlCancel')}</a>
      </form>
    </section>
  );
}

function SsaMoveConfirm(p: {
  lang: Lang;
  ids: number[];
  target: number;
  project: string;
  date: string;
  total: number;
  csrf: string;
  params: DeviceListParams;
}) {
  const { lang } = p;
  return (
    <section class="confirm" aria-labelledby="dl-ssa-title">
      <h2 id="dl-ssa-title">{t(lang, 'dlMoveSsaTitle', { project: p.project, date: p.date })}</h2>
      <p>{t(lang, 'dlMoveSsaText', { total: p.total })}</p>
      <form method="post" action="/devices/list/batch">
        <input type="hidden" name="csrf" value={p.csrf} />
        <ListHiddenFields params={p.params} />
        <input type="hidden" name="action" value="move" />
        <input type="hidden" name="targetProjectId" value={String(p.target)} />
        <input type="hidden" name="expectedTotal" value={String(p.total)} />
        {p.ids.map((id) => (
          <input type="hidden" name="deviceIds" value={String(id)} />
        ))}
        <button type="submit" class="primary">
          {t(lang, 'dlMoveSsaConfirm', { total: p.total })}
        </button>{' '}
        <a href={listHref(p.params)}>{t(lang, 'dlCancel')}</a>
      </form>
    </section>
  );
}
