/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { CertRequestForm, PlainDownloadForm, TestLicenseForm } from '../../../protocol/cert-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import type { Core } from '../../core/context.js';
import { certificateConfirmationFor, requestCertificateOnPortal } from '../../core/devices/index.js';
import {
  type DeviceView,
  deviceVersions,
  downloadForPortal,
  issueTestLicenseFileForPortal,
} from '../../core/licenses/index.js';
import { type Lang, type MessageKey, t } from '../i18n.js';
import { pageLanguage, type NotFound, type SessionOf } from '../web-session.js';
import { type DeviceState, renderDevice } from './device-body.js';
import { canonicalHardwareId, devicePath, postAllowed, refusal, resolveDevice } from './device-shared.js';

/**
 * The device page's certificate and file actions without a device log-in (issue 15 items 3–5):
 * - Request certificate (seed L247–248): a user with the right gets a new certificate for the device as a
 *   confirmation file (seed L245–246), downloadable again later, that the device applies under Step1.
 *   Also the way for a device whose certificate has expired.
 * - Test licenses (seed L209–211): version, slave or how many PBX licenses; the device's rules.
 * - An unencrypted V8+ file (seed L203–204), only after the user accepts that its licenses can never be
 *   returned; they are then marked non-returnable.
 * Each calls the core with the session's actor (same walls as the device page's other actions).
 */

/** The notices after an action (`?done=`), merged into the device page's own. */
export const CERT_DONE: Record<string, MessageKey> = {
  certificateRequested: 'crtDoneRequested',
};

const REQUEST_FIELD = 'certRequest';
const TEST_VERSION = 'testVersion';
const TEST_PBX = 'testPbx';
const PLAIN_VERSION = 'plainVersion';
const PLAIN_ACCEPT = 'plainAccept';

const SENTENCES: Partial<Record<string, MessageKey>> = {
  TEST_LICENSE_USED: 'crtErrTestUsed',
  AMOUNT_INVALID: 'crtErrTestPbx',
  NON_RETURNABLE_NOT_ACCEPTED: 'crtErrPlainAccept',
};

const attachment = (c: Context, xml: string, name: string) =>
  c.body(xml, 200, {
    'Content-Type': 'application/xml; charset=utf-8',
    'Content-Disposition': `attachment; filename="${name}"`,
    'X-Content-Type-Options': 'nosniff',
  });

export function deviceCertificatePages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  type Ctx = {
    s: Awaited<ReturnType<SessionOf>>;
    lang: Lang;
    deviceId: number;
    hardwareId: string;
    body: unknown;
  };
  const post = (path: string, run: (c: Context, x: Ctx) => Promise<Response>) =>
    app.post(`/devices/:hw${path}`, async (c) => {
      const s = await session(c);
      const lang = pageLanguage(c);
      const r = await resolveDevice(c, core, s, notFound);
      if (!r.ok) return r.response;
      const body = await c.req.parseBody({ all: true });
      return run(c, { s, lang, deviceId: r.deviceId, hardwareId: r.hardwareId, body });
    });
  const expired = (c: Context, x: Ctx) =>
    renderDevice(c, core, x.s, x.deviceId, { errors: [{ text: t(x.lang, 'sessionExpired') }] }, 403);
  const show = (c: Context, x: Ctx, field: string, text: string, status: 400 | 403 | 409, cert = {}) =>
    renderDevice(c, core, x.s, x.deviceId, { errors: [{ field, text }], cert }, status);
  const fail = (c: Context, x: Ctx, e: unknown, field: string, cert: DeviceState['cert'] = {}) => {
    if (!(e instanceof MylicError)) throw e;
    const key = SENTENCES[e.code];
    const status =
      e.code === 'FORBIDDEN' || e.code === 'USER_LOCKED' || e.code === 'LICENSES_OF_ANOTHER_COMPANY'
        ? 403
        : e.code.endsWith('INVALID') || e.code === 'CERT_MISSING'
          ? 400
          : 409;
    return show(c, x, field, key ? t(x.lang, key) : refusal(x.lang, e), status, cert);
  };

  // --- Request certificate: a confirmation file, kept for downloading again (seed L245–248)
  post('/certificate', async (c, x) => {
    const form = CertRequestForm.parse(x.body);
    if (!postAllowed(c, x.s, form.csrf)) return expired(c, x);
    try {
      await requestCertificateOnPortal(core, x.s.actor, x.deviceId);
    } catch (e) {
      if (e instanceof MylicError && e.code === 'FORBIDDEN')
        return show(c, x, REQUEST_FIELD, t(x.lang, 'crtErrForbidden'), 403);
      if (e instanceof MylicError && e.code === 'CERT_MISSING')
        return show(c, x, REQUEST_FIELD, t(x.lang, 'crtErrNoCertificate'), 400);
      return fail(c, x, e, REQUEST_FIELD);
    }
    return c.redirect(`${devicePath(x.hardwareId)}?done=certificateRequested`, 303);
  });

  app.get('/devices/:hw/certificate-confirmations/:doc', async (c) => {
    const s = await session(c);
    const r = await resolveDevice(c, core, s, notFound);
    if (!r.ok) return r.response;
    try {
      const doc = c.req.param('doc');
      const xml = await certificateConfirmationFor(core, s.actor, r.deviceId, doc);
      return attachment(c, xml, `certificate-${doc}.xml`);
    } catch (e) {
      if (e instanceof MylicError && e.code === 'NOT_FOUND') return notFound(c);
      throw e;
    }
  });

  // --- Test licenses (seed L209–211), as a file
  post('/test-licenses', async (c, x) => {
    const form = TestLicenseForm.parse(x.body);
    if (!postAllowed(c, x.s, form.csrf)) return expired(c, x);
    const slave = form.slave === '1';
    const kept = { testVersion: form.version === null ? '' : String(form.version), pbx: form.pbx, slave };
    if (form.version === null) return show(c, x, TEST_VERSION, t(x.lang, 'devpErrVersion'), 400, kept);
    const pbx = /^\d{1,4}$/.test(form.pbx.trim()) ? Number(form.pbx.trim()) : Number.NaN;
    if (!slave && !(pbx >= 1 && pbx <= 1000))
      return show(c, x, TEST_PBX, t(x.lang, 'crtErrTestPbx'), 400, kept);
    try {
      const r = await issueTestLicenseFileForPortal(core, x.s.actor, x.deviceId, {
        version: form.version,
        slave,
        pbx: slave ? 0 : pbx,
      });
      return attachment(c, r.xml, `test-licenses-${r.hardwareId}-V${form.version}.xml`);
    } catch (e) {
      return fail(c, x, e, TEST_VERSION, kept);
    }
  });

  // --- An unencrypted V8+ file, after the acceptance (seed L203–204)
  post('/license-file/unencrypted', async (c, x) => {
    const form = PlainDownloadForm.parse(x.body);
    if (!postAllowed(c, x.s, form.csrf)) return expired(c, x);
    const kept = { plainVersion: form.version === null ? '' : String(form.version) };
    if (form.version === null) return show(c, x, PLAIN_VERSION, t(x.lang, 'devpErrVersion'), 400, kept);
    if (form.acceptNonReturnable !== '1')
      return show(c, x, PLAIN_ACCEPT, t(x.lang, 'crtErrPlainAccept'), 400, kept);
    try {
      const file = await downloadForPortal(core, x.s.actor, x.deviceId, {
        version: form.version,
        encrypted: false,
        acceptNonReturnable: true,
      });
      return attachment(c, file.xml, `licenses-${file.hardwareId}-V${form.version}-unencrypted.xml`);
    } catch (e) {
      return fail(c, x, e, PLAIN_VERSION, kept);
    }
  });

  // The actions' addresses opened with GET (say, after a log-in): the device page.
  for (const path of ['/certificate', '/test-licenses', '/license-file/unencrypted'])
    app.get(`/devices/:hw${path}`, (c) => {
      const hardwareId = canonicalHardwareId(c.req.param('hw'));
      return hardwareId === null ? notFound(c) : c.redirect(devicePath(hardwareId), 303);
    });
}

type SectionProps = {
  lang: Lang;
  csrf: string;
  v: DeviceView;
  errors: readonly { field?: string; text: string }[];
  kept: NonNullable<DeviceState['cert']>;
};

const fieldClassOf = (errors: SectionProps['errors']) => (f: string, extra?: string) =>
  [extra, errors.some((e) => e.field === f) ? 'field-error' : undefined].filter(Boolean).join(' ') ||
  undefined;

const when = (iso: string) => `${iso.slice(0, 10)} ${iso.slice(11, 16)} UTC`;

/** Inside the page's "Device certificate" section: Request certificate and the confirmation files. */
export function CertificateRequest(p: SectionProps) {
  const { lang, csrf, v } = p;
  const base = devicePath(v.detail.hardwareId);
  const fieldClass = fieldClassOf(p.errors);
  // Without a certificate on record nothing could carry the new key (the page says how to get one).
  return (
    <>
      {v.certificate ? (
        <>
          <p>{t(lang, 'crtRequestIntro')}</p>
          <form method="post" action={`${base}/certificate`} class={fieldClass(REQUEST_FIELD, 'card')}>
            <input type="hidden" name="csrf" value={csrf} />
            <button type="submit" class="secondary" id={REQUEST_FIELD}>
              {t(lang, 'crtRequest')}
            </button>
          </form>
        </>
      ) : null}
      {v.certificateConfirmations.length ? (
        <>
          <h3>{t(lang, 'crtConfirmations')}</h3>
          <ul class="device-confirmations">
            {v.certificateConfirmations.map((d) => (
              <li>
                <a href={`${base}/certificate-confirmations/${d.documentId}`}>
                  {t(lang, 'crtConfirmationLink', { date: when(d.at) })}
                </a>
              </li>
            ))}
          </ul>
        </>
      ) : null}
    </>
  );
}

/** After "Download licenses": the unencrypted V8+ file, behind the acceptance checkbox (seed L203–204). */
export function PlainDownloadSection(p: SectionProps) {
  const { lang, csrf, v, kept } = p;
  const options = v.downloads.filter((o) => o.encrypted);
  if (!options.length) return null;
  const base = devicePath(v.detail.hardwareId);
  const fieldClass = fieldClassOf(p.errors);
  return (
    <section aria-labelledby="plain">
      <h2 id="plain">{t(lang, 'crtPlainTitle')}</h2>
      <p class="warning">{t(lang, 'crtPlainIntro')}</p>
      <form method="post" action={`${base}/license-file/unencrypted`} class="card">
        <input type="hidden" name="csrf" value={csrf} />
        <div class={fieldClass(PLAIN_VERSION)}>
          <label for={PLAIN_VERSION}>{t(lang, 'crtPlainVersion')}</label>
          <select id={PLAIN_VERSION} name="version">
            {options.map((o) => (
              <option value={String(o.version)} selected={kept.plainVersion === String(o.version)}>
                {t(lang, 'crtPlainOption', { version: o.version, licenses: o.licenses })}
              </option>
            ))}
          </select>
        </div>
        <div class={fieldClass(PLAIN_ACCEPT, 'device-check')}>
          <input type="checkbox" id={PLAIN_ACCEPT} name="acceptNonReturnable" value="1" />
          <label for={PLAIN_ACCEPT}>{t(lang, 'crtPlainAccept')}</label>
        </div>
        <button type="submit" class="secondary">
          {t(lang, 'crtPlainDownload')}
        </button>
      </form>
    </section>
  );
}

/** Test licenses (seed L209–211): version, slave, or how many PBX licenses. */
export function TestLicensesSection(p: SectionProps) {
  const { lang, csrf, v, kept } = p;
  const versions = deviceVersions({ device_type: v.deviceType, no_downgrade_at: null })
    .filter((n) => n >= 6)
    .sort((a, b) => b - a);
  if (!versions.length) return null;
  const base = devicePath(v.detail.hardwareId);
  const fieldClass = fieldClassOf(p.errors);
  return (
    <section aria-labelledby="tests">
      <h2 id="tests">{t(lang, 'crtTestTitle')}</h2>
      <p>{t(lang, 'crtTestIntro')}</p>
      <form method="post" action={`${base}/test-licenses`} class="card">
        <input type="hidden" name="csrf" value={csrf} />
        <div class={fieldClass(TEST_VERSION)}>
          <label for={TEST_VERSION}>{t(lang, 'crtTestVersion')}</label>
          <select id={TEST_VERSION} name="version">
            {versions.map((n) => (
              <option value={String(n)} selected={kept.testVersion === String(n)}>
                {`V${n}`}
              </option>
            ))}
          </select>
        </div>
        <div class="device-check">
          <input type="checkbox" id="testSlave" name="slave" value="1" checked={kept.slave === true} />
          <label for="testSlave">{t(lang, 'crtTestSlave')}</label>
        </div>
        <div class={fieldClass(TEST_PBX)}>
          <label for={TEST_PBX}>{t(lang, 'crtTestPbx')}</label>
          <input type="text" inputmode="numeric" id={TEST_PBX} name="pbx" value={kept.pbx ?? ''} />
        </div>
        <button type="submit" class="secondary">
          {t(lang, 'crtTestDownload')}
        </button>
      </form>
    </section>
  );
}
