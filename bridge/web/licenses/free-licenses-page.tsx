/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import type { Child } from 'hono/jsx';
import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId } from '../../../protocol/hardware-id.js';
import type { FreeLicense } from '../../../protocol/licenses-api.js';
import {
  FreeAssignForm,
  FreeConvertForm,
  FreeSelectionQuery,
} from '../../../protocol/licenses-keys-forms.js';
import { projectBalanceView } from '../../core/balance/index.js';
import type { Actor, Core } from '../../core/context.js';
import { listDevices } from '../../core/devices/index.js';
import { assignFreeLicenses, listFreeLicenses, previewConversion } from '../../core/licenses/index.js';
import { convertFreeLicenses } from '../../core/licenses/index.js';
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

/**
 * Free licenses (seed: Free licenses; Add licenses from free licenses): the licenses returned from
 * devices, of the selected project or of all. Chosen ones are assigned to a device (its consistency
 * check and, in a project under SSA, the SSC summary confirmed after the first try — seed L188) or
 * converted back to balance for one year of SSC per unit: the summary comes first, the confirmation
 * carries the total shown, and a different total now is refused with a sentence (SSA_SUMMARY_CHANGED).
 * The same core services as /api/v1/free-licenses, so the same walls: another company's license looks
 * absent (the "not found" page), and a company acting through project rights cannot convert.
 */
type Err = { field?: string; text: string };
type Status = 200 | 400 | 403 | 404 | 409;
type Convert = Awaited<ReturnType<typeof previewConversion>>;

const PAGE = { title: 'freeTitle', path: '/free-licenses', active: 'free' } as const;
/** The core's answers that mean "not yours, or not there": the page that shows nothing. */
const ABSENT = ['FREE_LICENSE_NOT_FOUND', 'DEVICE_NOT_FOUND', 'PROJECT_NOT_FOUND', 'NOT_FOUND'];
/** Answers the shell turns into its own sentence (locked member, no company). */
const SHELL = ['USER_LOCKED', 'COMPANY_NOT_FOUND'];

/** Every free license the actor reaches, whatever project is selected (for looking up a selection). */
const allScope = (a: Actor): Actor => ({ ...a, projectId: null });

export function freeLicensePages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  app.get('/free-licenses', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const n = c.req.query('count') ?? '';
    const ssc = c.req.query('ssc') ?? '';
    const device = c.req.query('device') ?? '';
    let notice: string | undefined;
    if (/^\d{1,4}$/.test(n) && /^\d{1,9}$/.test(ssc)) notice = t(lang, 'freeConverted', { count: n, ssc });
    else if (/^\d{1,4}$/.test(n) && /^[0-9A-Fa-f:-]{1,32}$/.test(device))
      notice = t(lang, 'freeAssigned', { count: n, device });
    return listPage(c, core, s, { all: c.req.query('scope') === 'all', notice });
  });

  // --- converting to balance: the summary, then the confirmation

  app.get('/free-licenses/convert', async (c) => {
    const s = await session(c);
    const q = FreeSelectionQuery.parse({
      serial: c.req.queries('serial') ?? [],
      version: c.req.queries('version') ?? [],
    });
    if (!q.serial.length)
      return listPage(c, core, s, { errors: [{ text: t(pageLanguage(c), 'freeChooseSome') }] }, 400);
    return convertPage(c, core, s, notFound, q.serial, q.version, []);
  });

  app.post('/free-licenses/convert', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = FreeConvertForm.parse(await c.req.parseBody({ all: true }));
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return convertPage(
        c,
        core,
        s,
        notFound,
        form.serial,
        form.version,
        [{ text: t(lang, 'sessionExpired') }],
        403,
      );
    if (!form.serial.length)
      return listPage(c, core, s, { errors: [{ text: t(lang, 'freeChooseSome') }] }, 400);
    try {
      const r = await convertFreeLicenses(core, s.actor, {
        licenses: withVersions(form.serial, form.version),
        // The page always shows a total before it asks to pay; without one (-1) nothing is converted.
        expectedSsc: form.expectedSsc,
      });
      return c.redirect(`/free-licenses?count=${r.lines.length}&ssc=${r.ssc}`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (ABSENT.includes(e.code)) return notFound(c);
      const [text, status] = convertError(lang, e);
      return convertPage(c, core, s, notFound, form.serial, form.version, [{ text }], status);
    }
  });

  // --- assigning to a device

  app.get('/free-licenses/assign', async (c) => {
    const s = await session(c);
    const q = FreeSelectionQuery.parse({ serial: c.req.queries('serial') ?? [], version: [] });
    if (!q.serial.length)
      return listPage(c, core, s, { errors: [{ text: t(pageLanguage(c), 'freeChooseSome') }] }, 400);
    const filter = (c.req.query('filter') ?? '').slice(0, 64);
    return assignPage(c, core, s, notFound, { serials: q.serial, filter });
  });

  app.post('/free-licenses/assign', async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = FreeAssignForm.parse(await c.req.parseBody({ all: true }));
    const v: AssignView = {
      serials: form.serial,
      filter: '',
      deviceId: form.deviceId,
      version: form.version > 0 ? form.version : undefined,
    };
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return assignPage(c, core, s, notFound, { ...v, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    if (!form.serial.length)
      return listPage(c, core, s, { errors: [{ text: t(lang, 'freeChooseSome') }] }, 400);
    if (form.deviceId === undefined)
      return assignPage(
        c,
        core,
        s,
        notFound,
        { ...v, errors: [{ field: 'device-choice', text: t(lang, 'freeChooseDevice') }] },
        400,
      );
    try {
      const r = await assignFreeLicenses(core, s.actor, form.deviceId, {
        version: form.version,
        serials: form.serial,
        ...(form.ssaTotal !== undefined ? { ssa: { expectedTotal: form.ssaTotal } } : {}),
      });
      return c.redirect(
        `/free-licenses?count=${r.licenses.length}&device=${encodeURIComponent(formatHardwareId(r.hardwareId))}`,
        303,
      );
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (ABSENT.includes(e.code)) return notFound(c);
      if (SHELL.includes(e.code)) return shellRefusal(c, core, s, e);
      if (e.code === 'SSA_CONFIRMATION_REQUIRED' || e.code === 'SSA_SUMMARY_CHANGED') {
        const d = e.details as { summary?: { total?: number } } | undefined;
        const ssa = { total: Number(d?.summary?.total ?? 0) };
        const errors =
          e.code === 'SSA_SUMMARY_CHANGED' ? [{ text: t(lang, 'freeSsaChanged') }] : ([] as Err[]);
        return assignPage(c, core, s, notFound, { ...v, ssa, errors }, 409);
      }
      const [text, status] = assignError(lang, e, form.version);
      return assignPage(c, core, s, notFound, { ...v, errors: [{ field: 'device-choice', text }] }, status);
    }
  });
}

/** `serial:version` pairs from the version selects, applied to the chosen serials. */
function withVersions(serials: readonly string[], versions: readonly string[]) {
  const chosen = new Map<string, number>();
  for (const p of versions) {
    const m = /^(.+):(\d{1,2})$/.exec(p);
    if (m) chosen.set(m[1]!, Number(m[2]));
  }
  return [...new Set(serials)].map((serial) =>
    chosen.has(serial) ? { serial, version: chosen.get(serial)! } : { serial },
  );
}

function convertError(lang: Lang, e: MylicError): [string, Status] {
  const d = (e.details ?? {}) as { missing?: number; needed?: number; available?: number; version?: number };
  switch (e.code) {
    case 'SSA_SUMMARY_CHANGED':
      return [t(lang, 'freeSscChanged'), 409];
    case 'BALANCE_INSUFFICIENT':
      return [
        t(lang, 'freeSscMissing', {
          missing: d.missing ?? Math.max(0, Number(d.needed ?? 0) - Number(d.available ?? 0)),
        }),
        409,
      ];
    case 'FORBIDDEN':
      return [t(lang, 'freeConvertExternal'), 403];
    case 'CONVERT_VERSION_INVALID':
      return [t(lang, 'freeVersionInvalid', { version: d.version ?? '' }), 400];
    case 'VALIDATION_FAILED':
      return [t(lang, 'freeOneCompany'), 400];
    default:
      throw e;
  }
}

function assignError(lang: Lang, e: MylicError, version: number): [string, Status] {
  const d = (e.details ?? {}) as { maximum?: number; installed?: number; amount?: number };
  switch (e.code) {
    case 'LICENSES_OF_ANOTHER_COMPANY':
      return [t(lang, 'freeOtherCompanyDevice'), 403];
    case 'FORBIDDEN':
    case 'ON_CREDIT_NOT_ALLOWED':
      return [t(lang, 'freeForbidden'), 403];
    case 'BALANCE_INSUFFICIENT':
      return [t(lang, 'freeSsaMissing'), 409];
    case 'LICENSE_MAXIMUM_EXCEEDED':
      return [
        t(lang, 'freeMaximum', {
          maximum: d.maximum ?? '',
          installed: d.installed ?? '',
          amount: d.amount ?? '',
        }),
        409,
      ];
    case 'VERSION_INVALID':
    case 'VERSION_NOT_FOR_DEVICE':
    case 'FREE_LICENSE_NOT_FOR_VERSION':
    case 'LICENSE_VERSION_MISMATCH':
      return [t(lang, 'freeWrongVersion', { version: version > 0 ? version : '' }), 400];
    default:
      if (e.code.startsWith('LICENSE_')) return [t(lang, 'freeNotFit'), 409];
      throw e;
  }
}

/** A locked member (or one without a company) sees the shell's sentence, nothing else. */
function shellRefusal(c: Context, core: Core, s: WebSession, e: MylicError) {
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
// the list

async function listPage(
  c: Context,
  core: Core,
  s: WebSession,
  v: { all?: boolean; notice?: string | undefined; errors?: Err[] },
  status: Status = 200,
) {
  return companyPage(
    c,
    core,
    s,
    PAGE,
    async ({ lang }) => {
      const selected = s.actor.projectId ?? null;
      const all = v.all === true || selected === null;
      const { licenses } = await listFreeLicenses(core, all ? allScope(s.actor) : s.actor, {});
      const projectName = all ? null : (licenses[0]?.projectName ?? (await projectNameOf(core, s)));
      return (
        <>
          <p class="lead">{t(lang, 'freeIntro')}</p>
          {v.notice ? (
            <p class="notice" role="status">
              {v.notice}
            </p>
          ) : null}
          <ErrorSummary lang={lang} errors={v.errors ?? []} />
          <p class="free-scope">
            {all ? t(lang, 'freeOfAll') : t(lang, 'freeOfProject', { project: projectName ?? '' })}{' '}
            {all && selected !== null ? (
              <a href="/free-licenses">{t(lang, 'freeOnlySelected')}</a>
            ) : !all ? (
              <a href="/free-licenses?scope=all">{t(lang, 'freeShowAll')}</a>
            ) : null}
          </p>
          {licenses.length === 0 ? (
            <p>{t(lang, 'freeNone')}</p>
          ) : (
            <form method="get" action="/free-licenses/convert" class="free-list">
              <table>
                <caption class="visually-hidden">{t(lang, 'freeTitle')}</caption>
                <thead>
                  <tr>
                    <th scope="col">
                      <span class="visually-hidden">{t(lang, 'freeChoose')}</span>
                    </th>
                    <LicenseHead lang={lang} project={all} />
                  </tr>
                </thead>
                <tbody>
                  {licenses.map((l) => (
                    <tr>
                      <td>
                        <input
                          type="checkbox"
                          name="serial"
                          value={l.serial}
                          id={`pick-${l.serial}`}
                          aria-label={t(lang, 'freeChooseOne', { serial: l.serial })}
                        />
                      </td>
                      <LicenseCells lang={lang} l={l} project={all} />
                    </tr>
                  ))}
                </tbody>
              </table>
              <div class="free-actions">
                <button type="submit" class="primary">
                  {t(lang, 'freeConvertButton')}
                </button>
                <button type="submit" class="secondary" formaction="/free-licenses/assign">
                  {t(lang, 'freeAssignButton')}
                </button>
              </div>
              <p class="hint">{t(lang, 'freeActionsHint')}</p>
            </form>
          )}
        </>
      );
    },
    status,
  );
}

async function projectNameOf(core: Core, s: WebSession): Promise<string> {
  if (s.actor.projectId === undefined || s.actor.projectId === null) return '';
  return (await projectBalanceView(core, s.actor, s.actor.projectId)).projectName;
}

function LicenseHead(p: { lang: Lang; project: boolean }) {
  const { lang } = p;
  return (
    <>
      <th scope="col">{t(lang, 'freeSerial')}</th>
      <th scope="col">{t(lang, 'licenseType')}</th>
      <th scope="col">{t(lang, 'freeOriginalType')}</th>
      <th scope="col" class="num">
        {t(lang, 'freeUnits')}
      </th>
      <th scope="col">{t(lang, 'freeBindDate')}</th>
      <th scope="col">{t(lang, 'freeSsaEnd')}</th>
      <th scope="col">{t(lang, 'freeExternalKey')}</th>
      {p.project ? <th scope="col">{t(lang, 'project')}</th> : null}
    </>
  );
}

function LicenseCells(p: { lang: Lang; l: FreeLicense; project: boolean }) {
  const { lang, l } = p;
  return (
    <>
      <th scope="row" class="serial">
        {l.serial}
      </th>
      <td>{l.typeUnderSsa}</td>
      <td>{l.typeUnderSsa !== l.type ? l.type : ''}</td>
      <td class="num">{new Intl.NumberFormat(lang).format(l.units)}</td>
      <td>{formatDate(lang, l.bindDate)}</td>
      <td>{l.ssaEnd ? formatDate(lang, l.ssaEnd) : t(lang, 'noSsa')}</td>
      <td>{l.externalKey ?? ''}</td>
      {p.project ? <td>{l.projectName}</td> : null}
    </>
  );
}

/** The chosen licenses among those the actor reaches; null when one is not there (or not theirs). */
async function chosen(core: Core, s: WebSession, serials: readonly string[]): Promise<FreeLicense[] | null> {
  const { licenses } = await listFreeLicenses(core, allScope(s.actor), {});
  const out: FreeLicense[] = [];
  for (const serial of new Set(serials)) {
    const l = licenses.find((x) => x.serial === serial);
    if (!l) return null;
    out.push(l);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// converting

async function convertPage(
  c: Context,
  core: Core,
  s: WebSession,
  notFound: NotFound,
  serials: readonly string[],
  versions: readonly string[],
  errors: Err[],
  status: Status = 200,
) {
  const lang = pageLanguage(c);
  let licenses: FreeLicense[] | null;
  let preview: Convert | null = null;
  const errs = [...errors];
  try {
    licenses = await chosen(core, s, serials);
    if (licenses === null) return notFound(c);
    try {
      preview = await previewConversion(core, s.actor, { licenses: withVersions(serials, versions) });
    } catch (e) {
      if (!(e instanceof MylicError) || ABSENT.includes(e.code) || SHELL.includes(e.code)) throw e;
      const [text, st] = convertError(lang, e);
      errs.push({ field: e.code === 'CONVERT_VERSION_INVALID' ? 'versions' : 'convert', text });
      if (status === 200) status = st;
    }
  } catch (e) {
    if (!(e instanceof MylicError)) throw e;
    if (ABSENT.includes(e.code)) return notFound(c);
    if (SHELL.includes(e.code)) return shellRefusal(c, core, s, e);
    throw e;
  }
  const chosenLicenses = licenses;
  // The SSC each pool project holds now (the conversion is paid from the licenses' own projects).
  const pools: { name: string; ssc: number }[] = [];
  if (preview)
    for (const pid of new Set(preview.lines.map((l) => l.projectId))) {
      const b = await projectBalanceView(core, s.actor, pid);
      pools.push({ name: b.projectName, ssc: b.licenses.find((x) => x.type === 'SSC')?.units ?? 0 });
    }
  const available = pools.reduce((a, p) => a + p.ssc, 0);
  const versionOf = new Map(withVersions(serials, versions).map((l) => [l.serial, l.version]));
  return companyPage(
    c,
    core,
    s,
    { title: 'freeConvertTitle', path: '/free-licenses/convert', active: 'free' },
    async ({ lang }) => {
      const fmt = new Intl.NumberFormat(lang);
      const line = (serial: string) => preview?.lines.find((l) => l.serial === serial);
      return (
        <>
          <p class="lead">{t(lang, 'freeConvertIntro')}</p>
          <ErrorSummary lang={lang} errors={errs} />
          <form method="get" action="/free-licenses/convert" id="versions">
            {chosenLicenses.map((l) => (
              <input type="hidden" name="serial" value={l.serial} />
            ))}
            <table>
              <caption>{t(lang, 'freeConvertCaption')}</caption>
              <thead>
                <tr>
                  <th scope="col">{t(lang, 'freeSerial')}</th>
                  <th scope="col">{t(lang, 'freeOriginalType')}</th>
                  <th scope="col" class="num">
                    {t(lang, 'freeUnits')}
                  </th>
                  <th scope="col">{t(lang, 'freeBindDate')}</th>
                  <th scope="col">{t(lang, 'freeSsaEnd')}</th>
                  <th scope="col">{t(lang, 'freeExternalKey')}</th>
                  <th scope="col">{t(lang, 'freeConvertTo')}</th>
                  <th scope="col" class="num">
                    {t(lang, 'ssaSsc')}
                  </th>
                </tr>
              </thead>
              <tbody>
                {chosenLicenses.map((l) => {
                  const targets =
                    l.version !== null && l.ssaEnd !== null
                      ? l.versions.filter((x) => x >= (l.version ?? 0))
                      : [];
                  const current = versionOf.get(l.serial) ?? l.version;
                  return (
                    <tr>
                      <th scope="row" class="serial">
                        {l.serial}
                      </th>
                      <td>{l.type}</td>
                      <td class="num">{fmt.format(l.units)}</td>
                      <td>{formatDate(lang, l.bindDate)}</td>
                      <td>{l.ssaEnd ? formatDate(lang, l.ssaEnd) : t(lang, 'noSsa')}</td>
                      <td>
                        {l.externalKey ? (
                          <>
                            {l.externalKey} <span class="tag lost">{t(lang, 'freeLost')}</span>
                          </>
                        ) : (
                          ''
                        )}
                      </td>
                      <td>
                        {targets.length > 1 ? (
                          <>
                            <label for={`v-${l.serial}`} class="visually-hidden">
                              {t(lang, 'freeVersionFor', { serial: l.serial })}
                            </label>
                            <select id={`v-${l.serial}`} name="version">
                              {targets.map((x) => (
                                <option value={`${l.serial}:${x}`} selected={x === current}>
                                  {`V${x}`}
                                </option>
                              ))}
                            </select>{' '}
                          </>
                        ) : null}
                        {line(l.serial)?.toType ?? l.type}
                      </td>
                      <td class="num">{line(l.serial) ? fmt.format(line(l.serial)!.ssc) : ''}</td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
            {chosenLicenses.some((l) => l.version !== null && l.ssaEnd !== null && l.versions.length > 1) ? (
              <button type="submit" class="secondary">
                {t(lang, 'freeRecalculate')}
              </button>
            ) : null}
          </form>
          {preview ? (
            <section class="confirm" aria-labelledby="convert-total">
              <h2 id="convert-total">{t(lang, 'freeSscTotal', { ssc: fmt.format(preview.ssc) })}</h2>
              <p>
                {pools
                  .map((p) => t(lang, 'freeSscIn', { project: p.name, ssc: fmt.format(p.ssc) }))
                  .join(' · ')}
              </p>
              <p class="warning">{t(lang, 'freeConvertLoses')}</p>
              {available < preview.ssc ? (
                <p class="warning">{t(lang, 'freeSscMissing', { missing: preview.ssc - available })}</p>
              ) : (
                <form method="post" action="/free-licenses/convert">
                  <input type="hidden" name="csrf" value={s.csrf} />
                  {preview.lines.map((l) => (
                    <input type="hidden" name="serial" value={l.serial} />
                  ))}
                  {[...versionOf].map(([serial, v]) =>
                    v !== undefined ? <input type="hidden" name="version" value={`${serial}:${v}`} /> : null,
                  )}
                  <input type="hidden" name="expectedSsc" value={String(preview.ssc)} />
                  <button type="submit" class="primary">
                    {t(lang, 'freeConvertConfirm', {
                      count: preview.lines.length,
                      ssc: fmt.format(preview.ssc),
                    })}
                  </button>
                </form>
              )}
            </section>
          ) : null}
          <p>
            <a href="/free-licenses">{t(lang, 'freeBack')}</a>
          </p>
        </>
      );
    },
    status,
  );
}

// ---------------------------------------------------------------------------------------------
// assigning

interface AssignView {
  serials: readonly string[];
  filter: string;
  deviceId?: number | undefined;
  version?: number | undefined;
  /** The SSC summary the device's project asks to confirm (seed L188). */
  ssa?: { total: number };
  errors?: Err[];
}

async function assignPage(
  c: Context,
  core: Core,
  s: WebSession,
  notFound: NotFound,
  v: AssignView,
  status: Status = 200,
) {
  let licenses: FreeLicense[] | null;
  let devices: Awaited<ReturnType<typeof listDevices>>;
  try {
    licenses = await chosen(core, s, v.serials);
    if (licenses === null) return notFound(c);
    devices = await listDevices(core, s.actor, { filter: v.filter, limit: 25 });
  } catch (e) {
    if (!(e instanceof MylicError)) throw e;
    if (ABSENT.includes(e.code)) return notFound(c);
    if (SHELL.includes(e.code)) return shellRefusal(c, core, s, e);
    throw e;
  }
  const chosenLicenses = licenses;
  // Versions every chosen license can be used in (its own, downgrades, what its SSA reaches).
  const common = chosenLicenses.map((l) => l.versions).reduce((a, b) => a.filter((x) => b.includes(x)));
  const version = v.version ?? common[common.length - 1];
  const errors = v.errors ?? [];
  const bad = (field: string) => (errors.some((e) => e.field === field) ? 'field-error' : undefined);
  return companyPage(
    c,
    core,
    s,
    { title: 'freeAssignTitle', path: '/free-licenses/assign', active: 'free' },
    async ({ lang }) => {
      const hiddenSerials: Child = chosenLicenses.map((l) => (
        <input type="hidden" name="serial" value={l.serial} />
      ));
      return (
        <>
          <p class="lead">{t(lang, 'freeAssignIntro')}</p>
          <ErrorSummary lang={lang} errors={errors} />
          <table>
            <caption>{t(lang, 'freeAssignCaption')}</caption>
            <thead>
              <tr>
                <LicenseHead lang={lang} project={true} />
              </tr>
            </thead>
            <tbody>
              {chosenLicenses.map((l) => (
                <tr>
                  <LicenseCells lang={lang} l={l} project={true} />
                </tr>
              ))}
            </tbody>
          </table>
          {common.length === 0 ? (
            <p class="warning">{t(lang, 'freeNoCommonVersion')}</p>
          ) : (
            <>
              <form method="get" action="/free-licenses/assign" class="inline free-filter">
                {hiddenSerials}
                <label for="filter">{t(lang, 'freeDeviceFilter')}</label>
                <input id="filter" name="filter" type="text" value={v.filter} maxlength={64} />
                <button type="submit" class="secondary">
                  {t(lang, 'freeFindDevices')}
                </button>
              </form>
              <form method="post" action="/free-licenses/assign" class="free-assign">
                <input type="hidden" name="csrf" value={s.csrf} />
                {hiddenSerials}
                <fieldset class={bad('device-choice')} id="device-choice">
                  <legend>{t(lang, 'freeDevice')}</legend>
                  {devices.devices.length === 0 ? (
                    <p>{t(lang, 'freeNoDevices')}</p>
                  ) : (
                    devices.devices.map((d) => (
                      <div class="choice">
                        <input
                          type="radio"
                          name="deviceId"
                          id={`dev-${d.id}`}
                          value={String(d.id)}
                          checked={d.id === v.deviceId}
                        />
                        <label for={`dev-${d.id}`}>
                          {d.display} · {d.type}
                          {d.name ? ` · ${d.name}` : ''} · {d.projectName}
                        </label>
                      </div>
                    ))
                  )}
                  {devices.total > devices.devices.length ? (
                    <p class="hint">
                      {t(lang, 'freeMoreDevices', { shown: devices.devices.length, total: devices.total })}
                    </p>
                  ) : null}
                </fieldset>
                <div>
                  <label for="version">{t(lang, 'freeVersion')}</label>
                  <select id="version" name="version">
                    {common.map((x) => (
                      <option value={String(x)} selected={x === version}>
                        {`V${x}`}
                      </option>
                    ))}
                  </select>
                </div>
                {v.ssa ? (
                  <section class="confirm">
                    <p>
                      {t(lang, 'freeSsaNeeded', { total: new Intl.NumberFormat(lang).format(v.ssa.total) })}
                    </p>
                    <input type="hidden" name="ssaTotal" value={String(v.ssa.total)} />
                    <button type="submit" class="primary">
                      {t(lang, 'freeSsaConfirm', { total: v.ssa.total })}
                    </button>
                  </section>
                ) : (
                  <button type="submit" class="primary">
                    {t(lang, 'freeAssignConfirm', { count: chosenLicenses.length })}
                  </button>
                )}
              </form>
            </>
          )}
          <p>
            <a href="/free-licenses">{t(lang, 'freeBack')}</a>
          </p>
        </>
      );
    },
    status,
  );
}
