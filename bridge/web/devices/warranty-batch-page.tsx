/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId } from '../../../protocol/hardware-id.js';
import { parseWarrantyBatch } from '../../../protocol/device-extra-forms.js';
import { getProfile } from '../../core/accounts/index.js';
import { catalog } from '../../core/catalog.js';
import { type Core, today } from '../../core/context.js';
import { extendProjectWarranty, previewProjectWarranty } from '../../core/licenses/warranty.js';
import { getProject } from '../../core/organisation/index.js';
import { formatDate, t, type Lang } from '../i18n.js';
import { companyPage } from '../company-page.js';
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
 * Devices → Add warranty extensions (seed L148-151): every device of the selected project with its
 * warranty license type and a years field (plus one field in the header for all devices: without
 * JavaScript its button fills every row), then the overview of all needed licenses (the core's preview,
 * nothing changes), then the confirmation. The confirmation carries the totals the overview showed; when
 * the overview has changed since (another extension, the balance), nothing is added and the new overview
 * is shown. Same core functions as POST /api/v1/projects/:projectId/warranty(/preview), so the same walls.
 */
type Err = { field?: string; text: string };
type Overview = Awaited<ReturnType<typeof previewProjectWarranty>>;

interface View {
  projectId?: number | undefined;
  years: Map<number, string>;
  all: string;
  errors?: Err[];
  overview?: Overview;
  notice?: string | undefined;
}

const PATH = '/devices/warranty';
const MAX = catalog.warranty.maxExtensionYears;
const typeName = (w: 'early' | 'late') =>
  catalog.licenseTypes.find((x) => x.family === 'warranty' && x.warranty === w)?.name ?? '';

/** The years as typed: empty is 0; anything else than 0 … MAX is an error. */
const yearsOf = (text: string) =>
  text === '' ? 0 : /^\d{1,2}$/.test(text) && Number(text) <= MAX ? Number(text) : null;

const WALL = ['PROJECT_NOT_FOUND', 'DEVICE_NOT_FOUND'];
const LOCKED = ['USER_LOCKED', 'COMPANY_NOT_FOUND'];

export function warrantyBatchPages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  app.get(PATH, async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const years = c.req.query('done');
    const devices = c.req.query('n');
    const notice =
      years && devices && /^\d{1,6}$/.test(years) && /^\d{1,6}$/.test(devices)
        ? t(lang, 'dxDone', { years, devices })
        : undefined;
    return render(c, core, s, { years: new Map(), all: '', notice });
  });

  app.post(PATH, async (c) => {
    const lang = pageLanguage(c);
    const s = await session(c);
    const form = parseWarrantyBatch(await c.req.parseBody());
    const kept: View = { projectId: form.projectId, years: form.years, all: form.all };
    if (!sameOrigin(c) || !csrfValid(s, form.csrf))
      return render(c, core, s, { ...kept, errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    if (form.projectId === undefined) return notFound(c);
    const projectId = form.projectId;
    try {
      if (form.step === 'apply') {
        if (yearsOf(form.all) === null)
          return render(
            c,
            core,
            s,
            { ...kept, errors: [{ field: 'all', text: t(lang, 'dxYearsInvalid', { max: MAX }) }] },
            400,
          );
        // Every device of the project gets the header's years (the core says which devices these are).
        const base = await previewProjectWarranty(core, s.actor, projectId, { years: 0 });
        return render(c, core, s, { ...kept, years: new Map(base.lines.map((l) => [l.deviceId, form.all])) });
      }
      if (form.step === 'change') return render(c, core, s, kept);
      const errors: Err[] = [];
      const devices: { deviceId: number; years: number }[] = [];
      for (const [deviceId, text] of form.years) {
        const y = yearsOf(text);
        if (y === null)
          errors.push({ field: `y-${deviceId}`, text: t(lang, 'dxYearsInvalid', { max: MAX }) });
        else if (y > 0) devices.push({ deviceId, years: y });
      }
      // The walls first: a device id of another project or company is refused even with errors.
      const overview = await previewProjectWarranty(core, s.actor, projectId, {
        devices: devices.length
          ? devices
          : [...form.years.keys()].map((deviceId) => ({ deviceId, years: 0 })),
      });
      if (!errors.length && !devices.length) errors.push({ text: t(lang, 'dxNoYears') });
      if (errors.length) return render(c, core, s, { ...kept, errors }, 400);
      if (form.step === 'preview') return render(c, core, s, { ...kept, overview });
      const same =
        form.expected !== null &&
        form.expected.size === overview.totals.length &&
        overview.totals.every((x) => form.expected?.get(x.type) === x.units);
      if (!same)
        return render(c, core, s, { ...kept, overview, errors: [{ text: t(lang, 'dxChanged') }] }, 409);
      // Judged again inside the confirming transaction: a plan that changed since this preview is refused.
      const done = await extendProjectWarranty(
        core,
        s.actor,
        projectId,
        { devices },
        null,
        form.expected ?? undefined,
      );
      const added = done.lines.filter((l) => l.serial !== null);
      return c.redirect(`${PATH}?done=${added.reduce((n, l) => n + l.years, 0)}&n=${added.length}`, 303);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (WALL.includes(e.code)) return notFound(c);
      if (e.code === 'WARRANTY_OVERVIEW_CHANGED')
        return render(c, core, s, { ...kept, errors: [{ text: t(lang, 'dxChanged') }] }, 409);
      if (LOCKED.includes(e.code)) return render(c, core, s, kept, 403);
      const d = (e.details ?? {}) as {
        deviceId?: number;
        installedYears?: number;
        maximum?: number;
        missing?: { type: string; missing: number }[];
      };
      if (e.code === 'WARRANTY_MAXIMUM_EXCEEDED') {
        const hw = await hardwareIdOf(core, s, projectId, d.deviceId);
        return render(
          c,
          core,
          s,
          {
            ...kept,
            errors: [
              {
                field: `y-${d.deviceId}`,
                text: t(lang, 'dxMaximum', {
                  device: hw,
                  installed: d.installedYears ?? 0,
                  max: d.maximum ?? MAX,
                }),
              },
            ],
          },
          400,
        );
      }
      if (e.code === 'LICENSES_OF_ANOTHER_COMPANY') {
        const device = /Device (.+?) holds/.exec(e.message)?.[1] ?? '';
        return render(
          c,
          core,
          s,
          { ...kept, errors: [{ text: t(lang, 'dxOthersLicenses', { device }) }] },
          409,
        );
      }
      if (e.code === 'BALANCE_INSUFFICIENT') {
        const missing = (d.missing ?? []).map((m) => `${m.missing} × ${m.type}`).join(', ');
        return render(c, core, s, { ...kept, errors: [{ text: t(lang, 'dxMissing', { missing }) }] }, 409);
      }
      return render(c, core, s, { ...kept, errors: [{ text: e.message }] }, 409);
    }
  });
}

async function hardwareIdOf(core: Core, s: WebSession, projectId: number, deviceId: number | undefined) {
  const base = await previewProjectWarranty(core, s.actor, projectId, { years: 0 });
  const hw = base.lines.find((l) => l.deviceId === deviceId)?.hardwareId;
  return hw ? formatHardwareId(hw) : '';
}

async function render(c: Context, core: Core, s: WebSession, v: View, status: 200 | 400 | 403 | 409 = 200) {
  return companyPage(
    c,
    core,
    s,
    { title: 'dxWarrantyTitle', path: PATH, active: 'devices' },
    async ({ lang }) => {
      const profile = await getProfile(core, s.actor);
      const projectId = v.projectId ?? profile.selectedProjectId;
      const errors = v.errors ?? [];
      if (projectId === null || projectId === undefined)
        return (
          <>
            <ErrorSummary lang={lang} errors={errors} />
            <p class="notice">
              {t(lang, 'dxSelectProject')} <a href="/projects">{t(lang, 'dxSelectProjectLink')}</a>
            </p>
          </>
        );
      const project = await getProject(core, s.actor, projectId);
      const base = await previewProjectWarranty(core, s.actor, projectId, { years: 0 });
      const day = today(core);
      const errorOf = (field: string) => errors.some((e) => e.field === field);
      return (
        <>
          <p class="lead">{t(lang, 'dxWarrantyIntro')}</p>
          {v.notice ? (
            <p class="notice" role="status">
              {v.notice}
            </p>
          ) : null}
          <ErrorSummary lang={lang} errors={errors} />
          <h2>{t(lang, 'dxProject', { project: project.name })}</h2>
          {base.lines.length === 0 ? (
            <p>{t(lang, 'dxNoDevices')}</p>
          ) : v.overview ? (
            <OverviewSection lang={lang} csrf={s.csrf} v={v} overview={v.overview} />
          ) : (
            <form method="post" action={PATH}>
              <input type="hidden" name="csrf" value={s.csrf} />
              <input type="hidden" name="projectId" value={String(projectId)} />
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t(lang, 'dxDevice')}</th>
                    <th scope="col">{t(lang, 'dxType')}</th>
                    <th scope="col">{t(lang, 'dxReceipt')}</th>
                    <th scope="col" class="num">
                      {t(lang, 'dxInstalled')}
                    </th>
                    <th scope="col">{t(lang, 'dxLicenseType')}</th>
                    <th scope="col">
                      <div class={errorOf('all') ? 'field-error' : undefined}>
                        <label for="all">{t(lang, 'dxYearsAll')}</label>
                        <input
                          id="all"
                          name="all"
                          type="number"
                          min="0"
                          max={String(MAX)}
                          inputmode="numeric"
                          value={v.all}
                        />
                      </div>
                      <button type="submit" name="step" value="apply" class="secondary">
                        {t(lang, 'dxApplyAll')}
                      </button>
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {base.lines.map((l) => {
                    const id = `y-${l.deviceId}`;
                    const hw = formatHardwareId(l.hardwareId);
                    return (
                      <tr>
                        <th scope="row">{hw}</th>
                        <td>{l.deviceType}</td>
                        <td>{formatDate(lang, l.receipt)}</td>
                        <td class="num">{l.installedYears}</td>
                        <td>{typeName(day <= l.earlyUntil ? 'early' : 'late')}</td>
                        <td class={errorOf(id) ? 'field-error' : undefined}>
                          <label for={id} class="visually-hidden">
                            {t(lang, 'dxYearsFor', { device: hw })}
                          </label>
                          <input
                            id={id}
                            name={id}
                            type="number"
                            min="0"
                            max={String(MAX)}
                            inputmode="numeric"
                            value={v.years.get(l.deviceId) ?? ''}
                          />
                        </td>
                      </tr>
                    );
                  })}
                </tbody>
              </table>
              <button type="submit" name="step" value="preview" class="primary">
                {t(lang, 'dxShowOverview')}
              </button>
            </form>
          )}
        </>
      );
    },
    status,
  );
}

function OverviewSection(p: { lang: Lang; csrf: string; v: View; overview: Overview }) {
  const { lang, overview } = p;
  const lines = overview.lines.filter((l) => l.years > 0 && l.type !== null);
  const fmt = new Intl.NumberFormat(lang);
  return (
    <section class="confirm" aria-labelledby="dx-overview">
      <h2 id="dx-overview">{t(lang, 'dxOverview')}</h2>
      <table>
        <thead>
          <tr>
            <th scope="col">{t(lang, 'dxDevice')}</th>
            <th scope="col">{t(lang, 'dxType')}</th>
            <th scope="col">{t(lang, 'dxLicenseType')}</th>
            <th scope="col" class="num">
              {t(lang, 'dxYears')}
            </th>
          </tr>
        </thead>
        <tbody>
          {lines.map((l) => (
            <tr>
              <th scope="row">{formatHardwareId(l.hardwareId)}</th>
              <td>{l.deviceType}</td>
              <td>{l.type}</td>
              <td class="num">{fmt.format(l.years)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      <table>
        <thead>
          <tr>
            <th scope="col">{t(lang, 'dxLicenseType')}</th>
            <th scope="col" class="num">
              {t(lang, 'dxUnits')}
            </th>
            <th scope="col" class="num">
              {t(lang, 'dxBalance')}
            </th>
          </tr>
        </thead>
        <tbody>
          {overview.totals.map((x) => (
            <tr>
              <th scope="row">{x.type}</th>
              <td class="num">{fmt.format(x.units)}</td>
              <td class="num">{fmt.format(x.projectBalance)}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {overview.sufficient ? null : <p class="warning">{t(lang, 'dxInsufficient')}</p>}
      <form method="post" action={PATH}>
        <input type="hidden" name="csrf" value={p.csrf} />
        <input type="hidden" name="projectId" value={String(overview.projectId)} />
        {lines.map((l) => (
          <input type="hidden" name={`y-${l.deviceId}`} value={String(l.years)} />
        ))}
        {overview.totals.map((x) => (
          <input type="hidden" name={`exp-${x.type}`} value={String(x.units)} />
        ))}
        {overview.sufficient ? (
          <button type="submit" name="step" value="confirm" class="primary">
            {t(lang, 'dxConfirm')}
          </button>
        ) : null}{' '}
        <button type="submit" name="step" value="change" class="secondary">
          {t(lang, 'dxChange')}
        </button>
      </form>
    </section>
  );
}
