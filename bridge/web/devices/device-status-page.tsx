/** @jsxImportSource hono/jsx */
import type { Hono } from 'hono';
import { MylicError } from '../../../protocol/errors.js';
import type { Core } from '../../core/context.js';
import { foreignDeviceStatus } from '../../core/licenses/device-status.js';
import { formatDate, t } from '../i18n.js';
import { companyPage } from '../company-page.js';
import { ErrorSummary } from '../layout.js';
import type { NotFound, SessionOf } from '../web-session.js';

/**
 * Check licence, SSA and warranty status of a device (seed L152-153: a device that is not in one of
 * your projects, "just available with the needed right"): a GET form with the MAC or IPEI, then the
 * device's bound licenses with their SSA end and its warranty end — never who holds it. The same core
 * function as GET /api/v1/device-status, so the same wall: without the right check-foreign-device the
 * page says the right is needed and shows no form and nothing of any device.
 */
export function deviceStatusPages(app: Hono, core: Core, session: SessionOf, _notFound: NotFound): void {
  app.get('/devices/status', async (c) => {
    const s = await session(c);
    const hw = (c.req.query('hw') ?? '').trim().slice(0, 40);
    // Asking the core with nothing typed tells whether the right is there (it checks the right first).
    let status: Awaited<ReturnType<typeof foreignDeviceStatus>> | null = null;
    let error: { key: 'dxNoSuchDevice' | 'dxBadHardwareId' } | null = null;
    let forbidden = false;
    let httpStatus: 200 | 400 | 403 | 404 = 200;
    let lockedError: unknown = null;
    try {
      status = await foreignDeviceStatus(core, s.actor, hw);
    } catch (e) {
      if (!(e instanceof MylicError)) throw e;
      if (e.code === 'FORBIDDEN') {
        forbidden = true;
        httpStatus = 403;
      } else if (e.code === 'DEVICE_NOT_FOUND') {
        error = { key: 'dxNoSuchDevice' };
        httpStatus = 404;
      } else if (e.code === 'USER_LOCKED' || e.code === 'COMPANY_NOT_FOUND') {
        lockedError = e;
      } else if (hw !== '') {
        error = { key: 'dxBadHardwareId' };
        httpStatus = 400;
      }
    }
    return companyPage(
      c,
      core,
      s,
      { title: 'dxStatusTitle', path: '/devices/status', active: 'devices' },
      async ({ lang }) => {
        if (lockedError) throw lockedError;
        if (forbidden) return <p class="notice">{t(lang, 'dxStatusNeedsRight')}</p>;
        const errors = error ? [{ field: 'hw', text: t(lang, error.key, { device: hw }) }] : [];
        return (
          <>
            <p class="lead">{t(lang, 'dxStatusIntro')}</p>
            <ErrorSummary lang={lang} errors={errors} />
            <form method="get" action="/devices/status" class="inline">
              <div class={error ? 'field-error' : undefined}>
                <label for="hw">{t(lang, 'dxHardwareId')}</label>
                <input id="hw" name="hw" type="text" value={hw} maxlength={40} required />
              </div>
              <button type="submit" class="primary">
                {t(lang, 'dxCheck')}
              </button>
            </form>
            {status ? (
              <section aria-labelledby="dx-device">
                <h2 id="dx-device">
                  {status.display} · {status.type}
                </h2>
                {status.inYourCompany ? <p class="notice">{t(lang, 'dxInYourCompany')}</p> : null}
                {status.inRma ? <p class="warning">{t(lang, 'dxInRma')}</p> : null}
                <h3>{t(lang, 'dxLicenses')}</h3>
                {status.licenses.length === 0 ? (
                  <p>{t(lang, 'dxNoLicenses')}</p>
                ) : (
                  <table>
                    <thead>
                      <tr>
                        <th scope="col">{t(lang, 'dxSerial')}</th>
                        <th scope="col">{t(lang, 'dxLicense')}</th>
                        <th scope="col" class="num">
                          {t(lang, 'dxLicUnits')}
                        </th>
                        <th scope="col">{t(lang, 'dxVersion')}</th>
                        <th scope="col">{t(lang, 'dxBound')}</th>
                        <th scope="col">{t(lang, 'dxSsaEnd')}</th>
                      </tr>
                    </thead>
                    <tbody>
                      {status.licenses.map((l) => (
                        <tr>
                          <td>{l.serial}</td>
                          <td>{l.type}</td>
                          <td class="num">{new Intl.NumberFormat(lang).format(l.units)}</td>
                          <td>{l.version ?? ''}</td>
                          <td>{l.bindDate ? formatDate(lang, l.bindDate) : ''}</td>
                          <td>{l.ssaEnd ? formatDate(lang, l.ssaEnd) : t(lang, 'dxNoSsa')}</td>
                        </tr>
                      ))}
                    </tbody>
                  </table>
                )}
                <h3>{t(lang, 'dxWarranty')}</h3>
                <ul>
                  <li>
                    {t(lang, 'dxWarrantyStart', {
                      date: formatDate(lang, status.warranty.start),
                      source: t(
                        lang,
                        status.warranty.startSource === 'shipped' ? 'dxStartShipped' : 'dxStartAdded',
                      ),
                    })}
                  </li>
                  <li>
                    {t(lang, 'dxWarrantyYears', {
                      base: status.warranty.baseYears,
                      ext: status.warranty.extensionYears,
                    })}
                  </li>
                  <li>
                    <strong>
                      {t(lang, 'dxWarrantyEnd', { date: formatDate(lang, status.warranty.end) })}
                    </strong>
                  </li>
                </ul>
              </section>
            ) : null}
          </>
        );
      },
      httpStatus,
    );
  });
}
