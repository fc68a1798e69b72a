/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import { DeviceBalanceForm, DeviceFreeForm } from '../../../protocol/device-page-forms.js';
import { MylicError } from '../../../protocol/errors.js';
import type { LicenseOffer } from '../../../protocol/licenses-api.js';
import { catalog } from '../../core/catalog.js';
import type { Core } from '../../core/context.js';
import { getDevice } from '../../core/devices/index.js';
import {
  addFromBalance,
  assignFreeLicenses,
  freeOffer,
  licenseOffer,
  previewFromBalanceSsa,
} from '../../core/licenses/index.js';
import { companyPage } from '../company-page.js';
import { formatDate, type Lang, t } from '../i18n.js';
import { ErrorSummary } from '../layout.js';
import type { NotFound, SessionOf, WebSession } from '../web-session.js';
import { devicePath, postAllowed, refusal, resolveDevice } from './device-shared.js';

/**
 * Add licenses to a device (seed: Devices → Licenses → Add licenses from balance, Add licenses from
 * free licenses). From balance: version (and whether the current licensing is summed up) → the types the
 * device takes with balances, installed amounts, maxima and their rules, the cheapest V8+ PBX pack mix
 * for a wished total → what would be bound, its price and the SSC summary → confirm (the total the user
 * saw is sent along: another total now pays nothing). From free licenses: version → the free licenses
 * that fit → assign (with the SSC total to confirm first when the project is under SSA).
 */
type Line = { type: string; units: number };

export function deviceLicensePages(app: Hono, core: Core, session: SessionOf, notFound: NotFound) {
  const page = (
    c: Context,
    s: WebSession,
    body: (lang: Lang) => Promise<unknown>,
    status: 200 | 400 | 403 | 409 = 200,
  ) =>
    companyPage(
      c,
      core,
      s,
      { title: 'devpAddTitle', path: c.req.path, active: 'devices' },
      async ({ lang }) => (await body(lang)) as never,
      status,
    );

  const versionsOf = async (s: WebSession, deviceId: number) => {
    const d = await getDevice(core, s.actor, deviceId);
    const type = catalog.devices.find((x) => x.name === d.type);
    return {
      d,
      versions: type ? catalog.versions.map((v) => v.version).filter((v) => catalog.runs(type, v)) : [],
    };
  };

  const VersionStep = (p: {
    lang: Lang;
    action: string;
    versions: number[];
    version: number | null;
    summate?: boolean;
  }) => (
    <form method="get" action={p.action} class="card">
      <label for="v">{t(p.lang, 'devpVersion')}</label>
      <select id="v" name="version">
        {p.versions.map((v) => (
          <option value={String(v)} selected={p.version === v}>
            V{v}
          </option>
        ))}
      </select>
      {p.summate !== undefined ? (
        <div class="device-check">
          <input type="checkbox" id="summate" name="summate" value="1" checked={p.summate} />
          <label for="summate">{t(p.lang, 'devpSummate')}</label>
        </div>
      ) : null}
      <button type="submit" class="secondary">
        {t(p.lang, 'devpNext')}
      </button>
    </form>
  );

  // ---------------------------------------------------------------- from balance
  const balanceBody = async (
    lang: Lang,
    s: WebSession,
    r: { deviceId: number; hardwareId: string },
    q: { version: number | null; summate: boolean; ports: number | null; lines?: Line[] },
    errors: { field?: string; text: string }[] = [],
  ) => {
    const base = devicePath(r.hardwareId);
    const { d, versions } = await versionsOf(s, r.deviceId);
    let offer: LicenseOffer | null = null;
    if (q.version !== null) {
      try {
        offer = await licenseOffer(core, s.actor, r.deviceId, {
          version: q.version,
          summate: q.summate,
          ...(q.ports !== null ? { ports: q.ports } : {}),
        });
      } catch (e) {
        if (!(e instanceof MylicError) || e.code === 'DEVICE_NOT_FOUND') throw e;
        errors.push({ field: 'v', text: refusal(lang, e) });
      }
    }
    const prefill = new Map<string, number>((offer?.packPlan?.choice ?? []).map((l) => [l.type, l.units]));
    for (const l of q.lines ?? []) prefill.set(l.type, l.units);
    const maxOf = (kind: string) => offer?.kinds.find((k) => k.kind === kind)?.maximum;
    const pbxPacks = offer?.licenses.some((l) => l.family === 'pbx' && l.packSize > 1);
    return (
      <>
        <p class="lead">
          <a href={base}>{d.display}</a> · {d.type} · {t(lang, 'devpProject')}: {d.projectName}
        </p>
        <h2>{t(lang, 'devpAddFromBalance')}</h2>
        <ErrorSummary lang={lang} errors={errors} />
        <VersionStep
          lang={lang}
          action={`${base}/licenses/balance`}
          versions={versions}
          version={q.version}
          summate={q.summate}
        />
        {offer ? (
          <>
            <p>{t(lang, 'devpRules')}</p>
            {pbxPacks ? (
              <form method="get" action={`${base}/licenses/balance`} class="card">
                <input type="hidden" name="version" value={String(offer.version)} />
                {offer.summate ? <input type="hidden" name="summate" value="1" /> : null}
                <label for="ports">{t(lang, 'devpPorts')}</label>
                <input id="ports" name="ports" type="number" min={0} max={100000} value={q.ports ?? ''} />
                <button type="submit" class="secondary">
                  {t(lang, 'devpCheapest')}
                </button>
                {offer.packPlan ? (
                  <p>
                    {offer.packPlan.choice
                      ? t(lang, 'devpCheapestIs', {
                          ports: offer.packPlan.ports,
                          packs: offer.packPlan.choice.map((l) => `${l.units} × ${l.type}`).join(', '),
                          price: offer.packPlan.price ?? 0,
                        })
                      : t(lang, 'devpCheapestNone', { ports: offer.packPlan.ports })}
                  </p>
                ) : null}
              </form>
            ) : null}
            <form method="post" action={`${base}/licenses/balance/preview`}>
              <input type="hidden" name="csrf" value={s.csrf} />
              <input type="hidden" name="version" value={String(offer.version)} />
              {offer.summate ? <input type="hidden" name="summate" value="1" /> : null}
              <table class="device-offer">
                <thead>
                  <tr>
                    <th scope="col">{t(lang, 'devpLicenseType')}</th>
                    <th scope="col">{t(lang, 'devpRule')}</th>
                    <th scope="col" class="num">
                      {t(lang, 'devpProjectBalance')}
                    </th>
                    <th scope="col" class="num">
                      {t(lang, 'devpAllBalance')}
                    </th>
                    <th scope="col" class="num">
                      {t(lang, 'devpInstalled')}
                    </th>
                    <th scope="col" class="num">
                      {t(lang, 'devpMaximum')}
                    </th>
                    <th scope="col" class="num">
                      {t(lang, 'devpNewUnits')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {offer.licenses.map((l, i) => (
                    <tr>
                      <th scope="row">{l.type}</th>
                      <td>
                        {[
                          l.dependsOnPbx === 'equal' ? t(lang, 'devpRuleEqual') : null,
                          l.dependsOnPbx === 'at-most' ? t(lang, 'devpRuleAtMost') : null,
                          l.upgradeFrom !== null
                            ? t(lang, 'devpRuleUpgrade', { version: l.upgradeFrom })
                            : null,
                          l.packSize > 1 ? t(lang, 'devpRulePack', { size: l.packSize }) : null,
                          l.returnable ? null : t(lang, 'devpNotReturnable'),
                        ]
                          .filter(Boolean)
                          .join(' · ') || '–'}
                      </td>
                      <td class="num">{l.projectBalance}</td>
                      <td class="num">{l.allProjectsBalance ?? '–'}</td>
                      <td class="num">{l.installedUnits}</td>
                      <td class="num">{maxOf(l.kind) ?? '–'}</td>
                      <td class="num">
                        <input type="hidden" name="type" value={l.type} />
                        <label for={`u${i}`} class="visually-hidden">
                          {t(lang, 'devpNewUnitsOf', { type: l.type })}
                        </label>
                        <input
                          id={`u${i}`}
                          name="units"
                          type="number"
                          min={0}
                          max={100000}
                          value={prefill.has(l.type) ? String(prefill.get(l.type)) : ''}
                        />
                      </td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <button type="submit" class="primary">
                {t(lang, 'devpShowCost')}
              </button>
            </form>
          </>
        ) : null}
      </>
    );
  };

  const readLines = (form: { type: string[]; units: string[] }): Line[] | null => {
    const lines: Line[] = [];
    for (let i = 0; i < form.type.length; i++) {
      const u = (form.units[i] ?? '').trim();
      if (u === '' || u === '0') continue;
      if (!/^[1-9]\d{0,5}$/.test(u)) return null;
      lines.push({ type: form.type[i]!, units: Number(u) });
    }
    return lines;
  };

  app.get('/devices/:hw/licenses/balance', async (c) => {
    const s = await session(c);
    const r = await resolveDevice(c, core, s, notFound);
    if (!r.ok) return r.response;
    const version = /^(5|6|7|8|9|1[0-4])$/.test(c.req.query('version') ?? '')
      ? Number(c.req.query('version'))
      : null;
    const ports = /^\d{1,6}$/.test(c.req.query('ports') ?? '') ? Number(c.req.query('ports')) : null;
    const summate = version === null || c.req.query('summate') === '1';
    return page(c, s, (lang) => balanceBody(lang, s, r, { version, summate, ports }));
  });

  /** Preview (changes nothing) and confirm share the form; confirm carries the SSC total shown. */
  const balancePost = (confirm: boolean) => async (c: Context) => {
    const s = await session(c);
    const r = await resolveDevice(c, core, s, notFound);
    if (!r.ok) return r.response;
    const form = DeviceBalanceForm.parse(await c.req.parseBody({ all: true }));
    const summate = form.summate === '1';
    const lines = readLines(form);
    const q = { version: form.version, summate, ports: null, lines: lines ?? [] };
    if (!postAllowed(c, s, form.csrf))
      return page(c, s, (l) => balanceBody(l, s, r, q, [{ text: t(l, 'sessionExpired') }]), 403);
    if (form.version === null || lines === null || lines.length === 0)
      return page(c, s, (l) => balanceBody(l, s, r, q, [{ text: t(l, 'devpErrLines') }]), 400);
    const req = { version: form.version, summate, lines };
    const base = devicePath(r.hardwareId);
    try {
      const preview = await previewFromBalanceSsa(core, s.actor, r.deviceId, req);
      const total = preview.summary?.total ?? 0;
      if (confirm && (!preview.confirmationRequired || form.expectedTotal === total)) {
        await addFromBalance(core, s.actor, r.deviceId, {
          ...req,
          ...(preview.confirmationRequired ? { ssa: { expectedTotal: total } } : {}),
        });
        return c.redirect(`${base}?done=added`, 303);
      }
      const changed = confirm;
      const price = lines.reduce((sum, l) => sum + catalog.licenseType(l.type).price * l.units, 0);
      return page(
        c,
        s,
        async (l) => (
          <>
            <p class="lead">
              <a href={base}>{r.hardwareId}</a>
            </p>
            <h2>{t(l, 'devpAddFromBalance')}</h2>
            <ErrorSummary lang={l} errors={changed ? [{ text: t(l, 'devpErrSsaChanged') }] : []} />
            <section class="confirm">
              <table>
                <caption>{t(l, 'devpWillBind', { version: req.version })}</caption>
                <thead>
                  <tr>
                    <th scope="col">{t(l, 'devpLicenseType')}</th>
                    <th scope="col" class="num">
                      {t(l, 'devpUnits')}
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {lines.map((x) => (
                    <tr>
                      <th scope="row">{x.type}</th>
                      <td class="num">{x.units}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <p>{t(l, 'devpPrice', { price })}</p>
              <p>
                {preview.summary
                  ? t(l, 'devpSscTotal', {
                      total,
                      date: formatDate(l, preview.summary.endDate),
                    })
                  : t(l, 'devpNoSsc')}
              </p>
              <form method="post" action={`${base}/licenses/balance`}>
                <input type="hidden" name="csrf" value={s.csrf} />
                <input type="hidden" name="version" value={String(req.version)} />
                {summate ? <input type="hidden" name="summate" value="1" /> : null}
                {lines.map((x) => (
                  <>
                    <input type="hidden" name="type" value={x.type} />
                    <input type="hidden" name="units" value={String(x.units)} />
                  </>
                ))}
                <input type="hidden" name="expectedTotal" value={String(total)} />
                <button type="submit" class="primary">
                  {preview.confirmationRequired ? t(l, 'devpConfirmSsc', { total }) : t(l, 'devpConfirmAdd')}
                </button>
              </form>
              <p>
                <a href={`${base}/licenses/balance?version=${req.version}${summate ? '&summate=1' : ''}`}>
                  {t(l, 'devpChange')}
                </a>
              </p>
            </section>
          </>
        ),
        changed ? 409 : 200,
      );
    } catch (e) {
      if (!(e instanceof MylicError) || e.code === 'DEVICE_NOT_FOUND') throw e;
      return page(c, s, (l) => balanceBody(l, s, r, q, [{ text: refusal(l, e) }]), 409);
    }
  };
  app.post('/devices/:hw/licenses/balance/preview', balancePost(false));
  app.post('/devices/:hw/licenses/balance', balancePost(true));

  // ---------------------------------------------------------------- from free licenses
  const freeBody = async (
    lang: Lang,
    s: WebSession,
    r: { deviceId: number; hardwareId: string },
    version: number | null,
    state: { errors?: { field?: string; text: string }[]; chosen?: string[]; sscTotal?: number } = {},
  ) => {
    const base = devicePath(r.hardwareId);
    const { d, versions } = await versionsOf(s, r.deviceId);
    const errors = [...(state.errors ?? [])];
    let offer: Awaited<ReturnType<typeof freeOffer>> | null = null;
    if (version !== null) {
      try {
        offer = await freeOffer(core, s.actor, r.deviceId, version);
      } catch (e) {
        if (!(e instanceof MylicError) || e.code === 'DEVICE_NOT_FOUND') throw e;
        errors.push({ field: 'v', text: refusal(lang, e) });
      }
    }
    const chosen = new Set(state.chosen ?? []);
    return (
      <>
        <p class="lead">
          <a href={base}>{d.display}</a> · {d.type} · {t(lang, 'devpProject')}: {d.projectName}
        </p>
        <h2>{t(lang, 'devpAddFromFree')}</h2>
        <ErrorSummary lang={lang} errors={errors} />
        <VersionStep lang={lang} action={`${base}/licenses/free`} versions={versions} version={version} />
        {offer && version !== null ? (
          offer.licenses.length ? (
            <form method="post" action={`${base}/licenses/free`}>
              <input type="hidden" name="csrf" value={s.csrf} />
              <input type="hidden" name="version" value={String(version)} />
              {state.sscTotal !== undefined ? (
                <section class="confirm">
                  <p>{t(lang, 'devpFreeSsc', { total: state.sscTotal })}</p>
                  <input type="hidden" name="expectedTotal" value={String(state.sscTotal)} />
                </section>
              ) : null}
              <table>
                <thead>
                  <tr>
                    <th scope="col">{t(lang, 'devpChoose')}</th>
                    <th scope="col">{t(lang, 'devpSerial')}</th>
                    <th scope="col">{t(lang, 'devpLicenseType')}</th>
                    <th scope="col">{t(lang, 'devpOriginalType')}</th>
                    <th scope="col" class="num">
                      {t(lang, 'devpUnits')}
                    </th>
                    <th scope="col">{t(lang, 'devpBound')}</th>
                    <th scope="col">{t(lang, 'devpSsaEnd')}</th>
                    <th scope="col">{t(lang, 'devpProject')}</th>
                  </tr>
                </thead>
                <tbody>
                  {offer.licenses.map((l) => (
                    <tr>
                      <td>
                        <input
                          type="checkbox"
                          name="serial"
                          value={l.serial}
                          id={`f-${l.serial}`}
                          checked={chosen.has(l.serial)}
                          aria-label={`${t(lang, 'devpChoose')} ${l.serial}`}
                        />
                      </td>
                      <th scope="row">{l.serial}</th>
                      <td>{l.typeUnderSsa}</td>
                      <td>{l.type}</td>
                      <td class="num">{l.units}</td>
                      <td>{formatDate(lang, l.bindDate)}</td>
                      <td>{l.ssaEnd ? formatDate(lang, l.ssaEnd) : '–'}</td>
                      <td>{l.projectName}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
              <button type="submit" class="primary">
                {state.sscTotal !== undefined
                  ? t(lang, 'devpConfirmSsc', { total: state.sscTotal })
                  : t(lang, 'devpConfirmAdd')}
              </button>
            </form>
          ) : (
            <p>{t(lang, 'devpNoFree')}</p>
          )
        ) : null}
      </>
    );
  };

  app.get('/devices/:hw/licenses/free', async (c) => {
    const s = await session(c);
    const r = await resolveDevice(c, core, s, notFound);
    if (!r.ok) return r.response;
    const version = /^(5|6|7|8|9|1[0-4])$/.test(c.req.query('version') ?? '')
      ? Number(c.req.query('version'))
      : null;
    return page(c, s, (lang) => freeBody(lang, s, r, version));
  });

  app.post('/devices/:hw/licenses/free', async (c) => {
    const s = await session(c);
    const r = await resolveDevice(c, core, s, notFound);
    if (!r.ok) return r.response;
    const form = DeviceFreeForm.parse(await c.req.parseBody({ all: true }));
    if (!postAllowed(c, s, form.csrf))
      return page(
        c,
        s,
        (l) => freeBody(l, s, r, form.version, { errors: [{ text: t(l, 'sessionExpired') }] }),
        403,
      );
    if (form.version === null || !form.serial.length)
      return page(
        c,
        s,
        (l) => freeBody(l, s, r, form.version, { errors: [{ text: t(l, 'devpErrChooseFree') }] }),
        400,
      );
    try {
      await assignFreeLicenses(core, s.actor, r.deviceId, {
        version: form.version,
        serials: form.serial,
        ...(form.expectedTotal >= 0 ? { ssa: { expectedTotal: form.expectedTotal } } : {}),
      });
    } catch (e) {
      if (!(e instanceof MylicError) || e.code === 'DEVICE_NOT_FOUND') throw e;
      if (e.code === 'SSA_CONFIRMATION_REQUIRED' || e.code === 'SSA_SUMMARY_CHANGED') {
        const total = Number(
          (e.details as { summary?: { total?: number } } | undefined)?.summary?.total ?? 0,
        );
        return page(
          c,
          s,
          (l) =>
            freeBody(l, s, r, form.version, {
              chosen: form.serial,
              sscTotal: total,
              ...(e.code === 'SSA_SUMMARY_CHANGED' ? { errors: [{ text: t(l, 'devpErrSsaChanged') }] } : {}),
            }),
          409,
        );
      }
      return page(
        c,
        s,
        (l) => freeBody(l, s, r, form.version, { chosen: form.serial, errors: [{ text: refusal(l, e) }] }),
        409,
      );
    }
    return c.redirect(`${devicePath(r.hardwareId)}?done=free`, 303);
  });
}
