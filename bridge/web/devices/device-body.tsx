/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import { MAX_INVALIDATION_BYTES } from '../../../protocol/documents/index.js';
import type { Core } from '../../core/context.js';
import { type DeviceView, deviceView } from '../../core/licenses/index.js';
import { listProjects } from '../../core/organisation/index.js';
import { companyPage } from '../company-page.js';
import { describeEvent } from '../history/event-text.js';
import { historyHref } from '../history/history-page.js';
import { ErrorSummary } from '../layout.js';
import { formatDate, type Lang, t } from '../i18n.js';
import type { WebSession } from '../web-session.js';
import { CertificateRequest, PlainDownloadSection, TestLicensesSection } from './device-certificate.js';
import { FloatingSection } from './device-floating.js';
import { devicePath } from './device-shared.js';

/** What a device page shows besides the device: a notice, refusals, kept input, a step to confirm. */
export interface DeviceState {
  notice?: string | undefined;
  errors?: { field?: string; text: string }[];
  kept?: {
    reason?: string;
    years?: string;
    warrantyType?: string;
    projectId?: string;
    target?: string;
    version?: string;
  };
  /** Warranty extension: the overview to confirm. */
  warranty?: {
    years: number;
    type: 'early' | 'late' | undefined;
    lines: { type: string | null; years: number }[];
    totals: { type: string; units: number; projectBalance: number }[];
    sufficient: boolean;
  };
  /** Move into a project under SSA: the SSC total to confirm. */
  move?: { projectId: number; projectName: string; total: number; endDate: string };
  /** Move licenses to a device in a project under SSA: the SSC total to confirm. */
  licenseMove?: { target: string; total: number };
  /** Input kept by the certificate, test license and unencrypted-download forms (device-certificate.tsx). */
  cert?: { testVersion?: string; pbx?: string; slave?: boolean; plainVersion?: string };
}

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** The device page (seed: Devices → Properties, Licenses, Move, Invalidation; the "my.innovaphone" link). */
export async function renderDevice(
  c: Context,
  core: Core,
  s: WebSession,
  deviceId: number,
  state: DeviceState = {},
  status: 200 | 400 | 403 | 404 | 409 = 200,
) {
  return companyPage(
    c,
    core,
    s,
    { title: 'devpPageTitle', path: c.req.path, active: 'devices' },
    async ({ lang }) => {
      const v = await deviceView(core, s.actor, deviceId);
      const projects = v.detail.external ? [] : (await listProjects(core, s.actor)).projects;
      return <DeviceBody lang={lang} csrf={s.csrf} v={v} projects={projects} state={state} />;
    },
    status,
  );
}

function DeviceBody(p: {
  lang: Lang;
  csrf: string;
  v: DeviceView;
  projects: { id: number; name: string; external: boolean }[];
  state: DeviceState;
}) {
  const { lang, csrf, v, state } = p;
  const d = v.detail;
  const base = devicePath(d.hardwareId);
  const errors = state.errors ?? [];
  const kept = state.kept ?? {};
  const fieldClass = (f: string) => (errors.some((e) => e.field === f) ? 'field-error' : undefined);
  const Csrf = () => <input type="hidden" name="csrf" value={csrf} />;
  const unencrypted = v.downloads.filter((o) => !o.encrypted);
  const warrantyLeft = Math.max(0, v.warranty.maximum - v.warranty.extensionYears);
  const moveTargets = p.projects.filter((x) => !x.external && x.id !== d.projectId);
  return (
    <div class="device-page">
      <p class="lead">
        <span class="device-id">{d.display}</span> · {d.type} · {t(lang, 'devpProject')}: {d.projectName}
      </p>
      {state.notice ? (
        <p class="notice" role="status">
          {state.notice}
        </p>
      ) : null}
      <ErrorSummary lang={lang} errors={errors} />
      {d.inRma ? <p class="warning">{t(lang, 'devpInRma')}</p> : null}

      <section aria-labelledby="props">
        <h2 id="props">{t(lang, 'devpProperties')}</h2>
        <dl class="device-facts">
          <dt>{d.idKind === 'ipei' ? 'IPEI' : 'MAC'}</dt>
          <dd>{d.display}</dd>
          <dt>{t(lang, 'devpType')}</dt>
          <dd>{d.type}</dd>
          <dt>{t(lang, 'devpName')}</dt>
          <dd>{d.name ?? '–'}</dd>
          <dt>{t(lang, 'devpComment')}</dt>
          <dd>{d.comment || '–'}</dd>
          <dt>{t(lang, 'devpProject')}</dt>
          <dd>{d.projectName}</dd>
          {d.shippedOn ? (
            <>
              <dt>{t(lang, 'devpShipped')}</dt>
              <dd>
                {formatDate(lang, d.shippedOn)}
                {d.orderNumber ? ` (${d.orderNumber})` : ''}
              </dd>
            </>
          ) : null}
        </dl>
        {d.otherCompanies ? <p class="notice">{t(lang, 'devpOtherCompanies')}</p> : null}
      </section>

      <section aria-labelledby="lic">
        <h2 id="lic">{t(lang, 'devpLicenses')}</h2>
        {v.licenses.length ? (
          <table class="device-licenses">
            <thead>
              <tr>
                <th scope="col">{t(lang, 'devpSerial')}</th>
                <th scope="col">{t(lang, 'devpLicenseType')}</th>
                <th scope="col">{t(lang, 'devpVersion')}</th>
                <th scope="col" class="num">
                  {t(lang, 'devpUnits')}
                </th>
                <th scope="col">{t(lang, 'devpBound')}</th>
                <th scope="col">{t(lang, 'devpSsaEnd')}</th>
                <th scope="col">{t(lang, 'devpReturnable')}</th>
              </tr>
            </thead>
            <tbody>
              {v.licenses.map((l) => (
                <tr data-serial={l.serial}>
                  <th scope="row">{l.serial}</th>
                  <td>{l.type}</td>
                  <td>{l.version === null ? '–' : `V${l.version}`}</td>
                  <td class="num">{new Intl.NumberFormat(lang).format(l.units)}</td>
                  <td>{formatDate(lang, l.bindDate)}</td>
                  <td>{l.ssaEnd ? formatDate(lang, l.ssaEnd) : '–'}</td>
                  <td>
                    {l.returnable ? (
                      t(lang, 'devpYes')
                    ) : (
                      <span class="tag">{t(lang, 'devpNotReturnable')}</span>
                    )}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{t(lang, 'devpNoLicenses')}</p>
        )}
        <ul class="device-links">
          <li>
            <a href={`${base}/licenses/balance`}>{t(lang, 'devpAddFromBalance')}</a>
          </li>
          <li>
            <a href={`${base}/licenses/free`}>{t(lang, 'devpAddFromFree')}</a>
          </li>
        </ul>
      </section>

      <FloatingSection lang={lang} csrf={csrf} v={v} errors={errors} />

      <section aria-labelledby="dl">
        <h2 id="dl">{t(lang, 'devpDownloadTitle')}</h2>
        {v.downloads.length ? (
          <form method="post" action={`${base}/license-file`} class="card">
            <Csrf />
            <div class={fieldClass('version')}>
              <label for="version">{t(lang, 'devpVersion')}</label>
              <select id="version" name="version">
                {v.downloads.map((o) => (
                  <option value={String(o.version)} selected={kept.version === String(o.version)}>
                    {t(lang, o.encrypted ? 'devpOptionEncrypted' : 'devpOptionUnencrypted', {
                      version: o.version,
                      licenses: o.licenses,
                    })}
                  </option>
                ))}
              </select>
            </div>
            {unencrypted.length ? (
              <div class={fieldClass('acceptNonReturnable')}>
                <p class="warning">{t(lang, 'devpUnencryptedWarning')}</p>
                <div class="device-check">
                  <input type="checkbox" id="acceptNonReturnable" name="acceptNonReturnable" value="1" />
                  <label for="acceptNonReturnable">{t(lang, 'devpAcceptNonReturnable')}</label>
                </div>
              </div>
            ) : null}
            <button type="submit" class="primary">
              {t(lang, 'devpDownload')}
            </button>
          </form>
        ) : (
          <p>{t(lang, 'devpNoDownloads')}</p>
        )}
        {v.noDowngrade ? <p class="notice">{t(lang, 'devpNoDowngrade')}</p> : null}
      </section>

      <PlainDownloadSection lang={lang} csrf={csrf} v={v} errors={errors} kept={state.cert ?? {}} />
      <TestLicensesSection lang={lang} csrf={csrf} v={v} errors={errors} kept={state.cert ?? {}} />

      <section aria-labelledby="inv">
        <h2 id="inv">{t(lang, 'devpInvalidationTitle')}</h2>
        <p>{t(lang, 'devpInvalidationIntro')}</p>
        <form method="post" action={`${base}/invalidation`} enctype="multipart/form-data" class="card">
          <Csrf />
          <div class={fieldClass('document')}>
            <label for="document">
              {t(lang, 'devpInvalidationFile', { kib: Math.floor(MAX_INVALIDATION_BYTES / 1024) })}
            </label>
            <input
              type="file"
              id="document"
              name="document"
              accept=".xml,application/xml,text/xml"
              required
            />
          </div>
          <button type="submit" class="primary">
            {t(lang, 'devpUpload')}
          </button>
        </form>
        {v.invalidations.length ? (
          <>
            <h3>{t(lang, 'devpConfirmations')}</h3>
            <ul class="device-confirmations">
              {v.invalidations.map((i) => (
                <li>
                  <a href={`${base}/confirmations/${i.documentId}`}>
                    {t(lang, 'devpConfirmationLink', { date: when(i.at) })}
                  </a>
                </li>
              ))}
            </ul>
          </>
        ) : null}
      </section>

      <section aria-labelledby="war">
        <h2 id="war">{t(lang, 'devpWarrantyTitle')}</h2>
        <p>
          {t(lang, 'devpWarrantyState', {
            receipt: formatDate(lang, v.warranty.receipt),
            years: v.warranty.extensionYears,
            maximum: v.warranty.maximum,
          })}{' '}
          {t(lang, 'devpWarrantyEarly', { until: formatDate(lang, v.warranty.earlyUntil) })}
        </p>
        {state.warranty ? (
          <section class="confirm">
            <p>
              {t(lang, 'devpWarrantyPreview', {
                lines: state.warranty.totals.map((x) => `${x.units} × ${x.type}`).join(', ') || '–',
              })}
            </p>
            <ul>
              {state.warranty.totals.map((x) => (
                <li>{t(lang, 'devpWarrantyBalance', { type: x.type, units: x.projectBalance })}</li>
              ))}
            </ul>
            {state.warranty.sufficient ? (
              <form method="post" action={`${base}/warranty`}>
                <Csrf />
                <input type="hidden" name="years" value={String(state.warranty.years)} />
                {state.warranty.type ? <input type="hidden" name="type" value={state.warranty.type} /> : null}
                <button type="submit" class="primary">
                  {t(lang, 'devpWarrantyConfirm', { years: state.warranty.years })}
                </button>
              </form>
            ) : (
              <p class="warning">{t(lang, 'devpErrBalance')}</p>
            )}
          </section>
        ) : warrantyLeft > 0 && v.detail.type ? (
          <form method="post" action={`${base}/warranty/preview`} class="card">
            <Csrf />
            <div class={fieldClass('years')}>
              <label for="years">{t(lang, 'devpWarrantyYears')}</label>
              <select id="years" name="years">
                {Array.from({ length: warrantyLeft }, (_, i) => String(i + 1)).map((y) => (
                  <option value={y} selected={kept.years === y}>
                    {y}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="secondary">
              {t(lang, 'devpWarrantyPreviewButton')}
            </button>
          </form>
        ) : (
          <p>{t(lang, 'devpWarrantyFull')}</p>
        )}
      </section>

      <section aria-labelledby="cert">
        <h2 id="cert">{t(lang, 'devpCertificateTitle')}</h2>
        <p>{t(lang, v.certificate ? 'devpCertificateYes' : 'devpCertificateNo')}</p>
        <CertificateRequest lang={lang} csrf={csrf} v={v} errors={errors} kept={state.cert ?? {}} />
      </section>

      <section aria-labelledby="rma">
        <h2 id="rma">{t(lang, 'devpRmaTitle')}</h2>
        <p>
          {d.rma
            ? t(lang, 'devpRmaState', {
                state: t(lang, d.rma.state === 'arrived' ? 'devpRmaArrived' : 'devpRmaRequested'),
                date: d.rma.requestedAt ? formatDate(lang, d.rma.requestedAt) : '–',
              })
            : t(lang, 'devpRmaNone')}
        </p>
        {d.rma?.reason ? <p>{t(lang, 'devpRmaReason', { reason: d.rma.reason })}</p> : null}
        {d.rma?.requests.some((r) => r.yours) && d.rma.state === 'requested' ? (
          <form method="post" action={`${base}/rma/withdraw`}>
            <Csrf />
            <button type="submit" class="secondary">
              {t(lang, 'devpRmaWithdraw')}
            </button>
          </form>
        ) : !d.rma?.requests.some((r) => r.yours) ? (
          <form method="post" action={`${base}/rma`} class="card">
            <Csrf />
            <div class={fieldClass('reason')}>
              <label for="reason">{t(lang, 'devpRmaReasonLabel')}</label>
              <textarea id="reason" name="reason" rows={3} maxlength={2000} required>
                {kept.reason ?? ''}
              </textarea>
            </div>
            <button type="submit" class="secondary">
              {t(lang, 'devpRmaRequest')}
            </button>
          </form>
        ) : null}
      </section>

      {moveTargets.length ? (
        <section aria-labelledby="mv">
          <h2 id="mv">{t(lang, 'devpMoveTitle')}</h2>
          {state.move ? (
            <section class="confirm">
              <p>
                {t(lang, 'devpMoveSsa', {
                  project: state.move.projectName,
                  date: formatDate(lang, state.move.endDate),
                  total: state.move.total,
                })}
              </p>
              <form method="post" action={`${base}/move`}>
                <Csrf />
                <input type="hidden" name="projectId" value={String(state.move.projectId)} />
                <input type="hidden" name="expectedTotal" value={String(state.move.total)} />
                <button type="submit" class="primary">
                  {t(lang, 'devpMoveConfirm', { total: state.move.total })}
                </button>
              </form>
            </section>
          ) : null}
          <form method="post" action={`${base}/move`} class="card">
            <Csrf />
            <div class={fieldClass('projectId')}>
              <label for="projectId">{t(lang, 'devpMoveTarget')}</label>
              <select id="projectId" name="projectId">
                {moveTargets.map((x) => (
                  <option value={String(x.id)} selected={kept.projectId === String(x.id)}>
                    {x.name}
                  </option>
                ))}
              </select>
            </div>
            <button type="submit" class="secondary">
              {t(lang, 'devpMoveButton')}
            </button>
          </form>
        </section>
      ) : null}

      {v.licenses.length ? (
        <section aria-labelledby="ml">
          <h2 id="ml">{t(lang, 'devpMoveLicensesTitle')}</h2>
          <p>{t(lang, 'devpMoveLicensesIntro')}</p>
          <form method="post" action={`${base}/licenses/move`} class="card">
            <Csrf />
            {state.licenseMove ? (
              <>
                <p class="warning">{t(lang, 'devpMoveLicensesSsa', { total: state.licenseMove.total })}</p>
                <input type="hidden" name="expectedTotal" value={String(state.licenseMove.total)} />
              </>
            ) : null}
            <div class={fieldClass('target')}>
              <label for="target">{t(lang, 'devpMoveLicensesTarget')}</label>
              <input
                id="target"
                name="target"
                type="text"
                maxlength={40}
                required
                value={kept.target ?? state.licenseMove?.target ?? ''}
              />
            </div>
            <div class={['device-check', fieldClass('confirm')].filter(Boolean).join(' ')}>
              <input type="checkbox" id="confirm" name="confirm" value="1" />
              <label for="confirm">{t(lang, 'devpMoveLicensesConfirm')}</label>
            </div>
            <button type="submit" class="secondary">
              {t(lang, 'devpMoveLicensesButton')}
            </button>
          </form>
        </section>
      ) : null}

      <section aria-labelledby="hist">
        <h2 id="hist">{t(lang, 'devpHistoryTitle')}</h2>
        {v.history.length ? (
          <table class="device-history">
            <thead>
              <tr>
                <th scope="col">{t(lang, 'devpWhen')}</th>
                <th scope="col">{t(lang, 'devpEvent')}</th>
              </tr>
            </thead>
            <tbody>
              {v.history.map((h) => (
                <tr>
                  <td>{when(h.at)}</td>
                  <td>{describeEvent(lang, h, v.historyNames)}</td>
                </tr>
              ))}
            </tbody>
          </table>
        ) : (
          <p>{t(lang, 'devpNoHistory')}</p>
        )}
        <p>
          <a href={historyHref({ context: 'device', device: d.display, period: 'always' })}>
            {t(lang, 'devpAllHistory')}
          </a>
        </p>
      </section>
    </div>
  );
}
