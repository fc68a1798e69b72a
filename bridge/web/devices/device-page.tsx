/** @jsxImportSource hono/jsx */
import type { Context, Hono } from 'hono';
import {
  DeviceDownloadForm,
  DeviceLicenseMoveForm,
  DeviceMoveForm,
  DeviceRmaForm,
  DeviceWarrantyForm,
} from '../../../protocol/device-page-forms.js';
import { MAX_INVALIDATION_BYTES, openInvalidation } from '../../../protocol/documents/index.js';
import { MylicError } from '../../../protocol/errors.js';
import { CsrfForm } from '../../../protocol/portal-forms.js';
import type { Core } from '../../core/context.js';
import { moveDevices, previewDeviceMove, requestRma, withdrawRma } from '../../core/devices/index.js';
import {
  acceptInvalidation,
  confirmationFor,
  deviceIdFor,
  deviceView,
  downloadForPortal,
  extendDeviceWarranty,
  moveLicenses,
  previewDeviceWarranty,
} from '../../core/licenses/index.js';
import { getProject } from '../../core/organisation/index.js';
import { type MessageKey, t } from '../i18n.js';
import { pageLanguage, type NotFound, type SessionOf } from '../web-session.js';
import { deviceLicensePages } from './device-licenses-pages.js';
import { type DeviceState, renderDevice } from './device-body.js';
import { CERT_DONE, deviceCertificatePages } from './device-certificate.js';
import { deviceFloatingPages, FLOATING_DONE } from './device-floating.js';
import { canonicalHardwareId, devicePath, postAllowed, refusal, resolveDevice } from './device-shared.js';

/** Notices after an action (POST-redirect-GET: `?done=`), only these. */
const DONE: Record<string, MessageKey> = {
  rma: 'devpDoneRma',
  withdrawn: 'devpDoneRmaWithdrawn',
  warranty: 'devpDoneWarranty',
  moved: 'devpDoneMoved',
  licensesMoved: 'devpDoneLicensesMoved',
  invalidated: 'devpDoneInvalidated',
  added: 'devpDoneAdded',
  free: 'devpDoneFree',
  ...FLOATING_DONE,
  ...CERT_DONE,
};

/**
 * The device page `/devices/{hardwareId}` (issue 14, item 3; seed: Devices → Properties, Licenses,
 * Move, Invalidation, Download licenses; the device web interface's "my.innovaphone" link lands here):
 * the device's licenses, warranty, certificate, RMA and history, and its actions as plain forms with the
 * session's CSRF token. Every action calls the same core function as its API twin with the session's
 * actor (same walls, same history event); money or non-returnability is shown and confirmed first.
 * Test licenses, a new device certificate (a confirmation file) and the unencrypted V8+ file are in
 * device-certificate.tsx (issue 15 items 4–5).
 */
export function devicePages(app: Hono, core: Core, session: SessionOf, notFound: NotFound): void {
  deviceLicensePages(app, core, session, notFound);
  deviceFloatingPages(app, core, session, notFound);
  deviceCertificatePages(app, core, session, notFound);

  app.get('/devices/:hw', async (c) => {
    const raw = c.req.param('hw');
    const canonical = canonicalHardwareId(raw);
    if (canonical !== null && canonical !== raw) {
      const q = new URL(c.req.url).search;
      return c.redirect(`${devicePath(canonical)}${q}`, 301);
    }
    const s = await session(c);
    const r = await resolveDevice(c, core, s, notFound);
    if (!r.ok) return r.response;
    const lang = pageLanguage(c);
    const done = DONE[c.req.query('done') ?? ''];
    return renderDevice(c, core, s, r.deviceId, { notice: done ? t(lang, done) : undefined });
  });

  /** A POST of the device page: session, device, form, origin and token — else 403 and nothing done. */
  const action = <F extends { csrf: string }>(
    path: string,
    schema: { parse: (x: unknown) => F },
    run: (
      c: Context,
      ctx: {
        deviceId: number;
        hardwareId: string;
        form: F;
        s: Awaited<ReturnType<SessionOf>>;
        lang: ReturnType<typeof pageLanguage>;
      },
    ) => Promise<Response>,
  ) =>
    app.post(`/devices/:hw${path}`, async (c) => {
      const s = await session(c);
      const lang = pageLanguage(c);
      const r = await resolveDevice(c, core, s, notFound);
      if (!r.ok) return r.response;
      const form = schema.parse(await c.req.parseBody({ all: true }));
      if (!postAllowed(c, s, form.csrf))
        return renderDevice(c, core, s, r.deviceId, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
      return run(c, { deviceId: r.deviceId, hardwareId: r.hardwareId, form, s, lang });
    });

  const fail = (
    c: Context,
    ctx: { s: Awaited<ReturnType<SessionOf>>; deviceId: number; lang: ReturnType<typeof pageLanguage> },
    e: unknown,
    field: string,
    kept: DeviceState['kept'] = {},
  ) => {
    if (!(e instanceof MylicError)) throw e;
    const status =
      e.code === 'FORBIDDEN' || e.code === 'USER_LOCKED' ? 403 : e.code.endsWith('INVALID') ? 400 : 409;
    return renderDevice(
      c,
      core,
      ctx.s,
      ctx.deviceId,
      { errors: [{ field, text: refusal(ctx.lang, e) }], kept },
      status,
    );
  };

  // --- RMA (seed: Properties → "Request RMA"; RMA)
  action('/rma', DeviceRmaForm, async (c, x) => {
    if (!x.form.reason.trim())
      return renderDevice(
        c,
        core,
        x.s,
        x.deviceId,
        { errors: [{ field: 'reason', text: t(x.lang, 'devpErrReason') }] },
        400,
      );
    try {
      await requestRma(core, x.s.actor, x.deviceId, x.form.reason);
    } catch (e) {
      return fail(c, x, e, 'reason', { reason: x.form.reason });
    }
    return c.redirect(`${devicePath(x.hardwareId)}?done=rma`, 303);
  });
  action('/rma/withdraw', CsrfForm, async (c, x) => {
    try {
      await withdrawRma(core, x.s.actor, x.deviceId);
    } catch (e) {
      return fail(c, x, e, 'rma');
    }
    return c.redirect(`${devicePath(x.hardwareId)}?done=withdrawn`, 303);
  });

  // --- warranty extension (seed: Add warranty extension licenses): overview first, then confirm
  action('/warranty/preview', DeviceWarrantyForm, async (c, x) => {
    if (x.form.years === null)
      return renderDevice(
        c,
        core,
        x.s,
        x.deviceId,
        { errors: [{ field: 'years', text: t(x.lang, 'devpErrYears') }] },
        400,
      );
    const req = { years: x.form.years, ...(x.form.type ? { type: x.form.type } : {}) };
    try {
      const o = await previewDeviceWarranty(core, x.s.actor, x.deviceId, req);
      return renderDevice(c, core, x.s, x.deviceId, {
        warranty: {
          years: x.form.years,
          type: x.form.type,
          lines: o.lines,
          totals: o.totals,
          sufficient: o.sufficient,
        },
      });
    } catch (e) {
      return fail(c, x, e, 'years', { years: String(x.form.years) });
    }
  });
  action('/warranty', DeviceWarrantyForm, async (c, x) => {
    if (x.form.years === null)
      return renderDevice(
        c,
        core,
        x.s,
        x.deviceId,
        { errors: [{ field: 'years', text: t(x.lang, 'devpErrYears') }] },
        400,
      );
    try {
      await extendDeviceWarranty(core, x.s.actor, x.deviceId, {
        years: x.form.years,
        ...(x.form.type ? { type: x.form.type } : {}),
      });
    } catch (e) {
      return fail(c, x, e, 'years', { years: String(x.form.years) });
    }
    return c.redirect(`${devicePath(x.hardwareId)}?done=warranty`, 303);
  });

  // --- move the device to another project (seed: Move device): into SSA the SSC total is confirmed first
  action('/move', DeviceMoveForm, async (c, x) => {
    const projectId = x.form.projectId;
    if (projectId === null)
      return renderDevice(
        c,
        core,
        x.s,
        x.deviceId,
        { errors: [{ field: 'projectId', text: t(x.lang, 'devpErrProject') }] },
        400,
      );
    const kept = { projectId: String(projectId) };
    try {
      const preview = await previewDeviceMove(core, x.s.actor, [x.deviceId], projectId);
      const total = preview.summary?.total ?? 0;
      if (preview.confirmationRequired && x.form.expectedTotal !== total) {
        const project = await getProject(core, x.s.actor, projectId);
        const changed = x.form.expectedTotal !== -1;
        return renderDevice(
          c,
          core,
          x.s,
          x.deviceId,
          {
            kept,
            move: { projectId, projectName: project.name, total, endDate: preview.summary!.endDate },
            ...(changed ? { errors: [{ text: t(x.lang, 'devpErrSsaChanged') }] } : {}),
          },
          changed ? 409 : 200,
        );
      }
      await moveDevices(
        core,
        x.s.actor,
        [x.deviceId],
        projectId,
        preview.confirmationRequired ? { expectedTotal: total } : undefined,
      );
    } catch (e) {
      return fail(c, x, e, 'projectId', kept);
    }
    return c.redirect(`${devicePath(x.hardwareId)}?done=moved`, 303);
  });

  // --- move all licenses to another device (seed: Move licenses): the source becomes an RMA device
  action(
    '/licenses/move',
    DeviceLicenseMoveForm.extend({ expectedTotal: DeviceMoveForm.shape.expectedTotal }),
    async (c, x) => {
      const kept = { target: x.form.target };
      if (!x.form.confirm)
        return renderDevice(
          c,
          core,
          x.s,
          x.deviceId,
          { errors: [{ field: 'confirm', text: t(x.lang, 'devpErrConfirmMove') }], kept },
          400,
        );
      try {
        const targetDeviceId = await deviceIdFor(core, x.s.actor, x.form.target);
        await moveLicenses(core, x.s.actor, x.deviceId, {
          targetDeviceId,
          ...(x.form.expectedTotal >= 0 ? { ssa: { expectedTotal: x.form.expectedTotal } } : {}),
        });
      } catch (e) {
        if (e instanceof MylicError && e.code === 'SSA_CONFIRMATION_REQUIRED') {
          const total = Number(
            (e.details as { summary?: { total?: number } } | undefined)?.summary?.total ?? 0,
          );
          return renderDevice(
            c,
            core,
            x.s,
            x.deviceId,
            { licenseMove: { target: x.form.target, total } },
            409,
          );
        }
        return fail(c, x, e, 'target', kept);
      }
      return c.redirect(`${devicePath(x.hardwareId)}?done=licensesMoved`, 303);
    },
  );

  // --- the license file of a version (seed: Download licenses), as an attachment
  action('/license-file', DeviceDownloadForm, async (c, x) => {
    const kept = { version: x.form.version === null ? '' : String(x.form.version) };
    if (x.form.version === null)
      return renderDevice(
        c,
        core,
        x.s,
        x.deviceId,
        { errors: [{ field: 'version', text: t(x.lang, 'devpErrVersion') }] },
        400,
      );
    try {
      const file = await downloadForPortal(core, x.s.actor, x.deviceId, {
        version: x.form.version,
        acceptNonReturnable: x.form.acceptNonReturnable === '1',
      });
      return c.body(file.xml, 200, {
        'Content-Type': 'application/xml; charset=utf-8',
        'Content-Disposition': `attachment; filename="licenses-${file.hardwareId}-V${x.form.version}.xml"`,
        'X-Content-Type-Options': 'nosniff',
      });
    } catch (e) {
      const field =
        e instanceof MylicError && e.code === 'NON_RETURNABLE_NOT_ACCEPTED'
          ? 'acceptNonReturnable'
          : 'version';
      return fail(c, x, e, field, kept);
    }
  });

  // --- upload an invalidation backup (seed: Upload the invalidation document), then its confirmation
  app.post('/devices/:hw/invalidation', async (c) => {
    const s = await session(c);
    const lang = pageLanguage(c);
    const r = await resolveDevice(c, core, s, notFound);
    if (!r.ok) return r.response;
    const x = { s, lang, deviceId: r.deviceId };
    const declared = Number(c.req.header('content-length') ?? '0');
    // The form's own fields are small: a body far above the document's limit is not read at all.
    const body =
      declared > MAX_INVALIDATION_BYTES + 64 * 1024 ? null : await c.req.parseBody().catch(() => null);
    const { csrf } = CsrfForm.parse(body ?? {});
    if (!postAllowed(c, s, csrf))
      return renderDevice(c, core, s, r.deviceId, { errors: [{ text: t(lang, 'sessionExpired') }] }, 403);
    const file = body?.document;
    if (!(file instanceof File) || file.size === 0 || file.size > MAX_INVALIDATION_BYTES)
      return renderDevice(
        c,
        core,
        s,
        r.deviceId,
        {
          errors: [
            {
              field: 'document',
              text: t(lang, file instanceof File && file.size > 0 ? 'devpErrFileTooLarge' : 'devpErrFile', {
                kib: Math.floor(MAX_INVALIDATION_BYTES / 1024),
              }),
            },
          ],
        },
        400,
      );
    try {
      const xml = await file.text();
      // The device page takes this device's documents only (the API's upload takes any of the user's).
      if (openInvalidation(xml).payload.hardwareId !== r.hardwareId)
        throw new MylicError('DOC_HARDWARE_MISMATCH');
      await acceptInvalidation(core, s.actor, xml);
    } catch (e) {
      return fail(c, x, e, 'document');
    }
    return c.redirect(`${devicePath(r.hardwareId)}?done=invalidated`, 303);
  });

  // A form's address opened with GET (say, after the log-in a POST without a session led to): the page.
  for (const path of [
    '/rma',
    '/rma/withdraw',
    '/warranty',
    '/warranty/preview',
    '/move',
    '/licenses/move',
    '/license-file',
    '/invalidation',
    '/licenses/balance/preview',
  ])
    app.get(`/devices/:hw${path}`, (c) => {
      const hardwareId = canonicalHardwareId(c.req.param('hw'));
      return hardwareId === null ? notFound(c) : c.redirect(devicePath(hardwareId), 303);
    });

  app.get('/devices/:hw/confirmations/:doc', async (c) => {
    const s = await session(c);
    const r = await resolveDevice(c, core, s, notFound);
    if (!r.ok) return r.response;
    const doc = c.req.param('doc');
    const v = await deviceView(core, s.actor, r.deviceId);
    if (!v.invalidations.some((i) => i.documentId === doc)) return notFound(c);
    const xml = await confirmationFor(core, s.actor, doc);
    return c.body(xml, 200, {
      'Content-Type': 'application/xml; charset=utf-8',
      'Content-Disposition': `attachment; filename="confirmation-${doc}.xml"`,
      'X-Content-Type-Options': 'nosniff',
    });
  });
}
