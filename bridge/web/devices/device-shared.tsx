/** @jsxImportSource hono/jsx */
import type { Context } from 'hono';
import type { Child } from 'hono/jsx';
import { MylicError } from '../../../protocol/errors.js';
import { parseHardwareId } from '../../../protocol/hardware-id.js';
import type { Core } from '../../core/context.js';
import { deviceIdFor } from '../../core/licenses/index.js';
import { companyPage } from '../company-page.js';
import { type Lang, type MessageKey, t } from '../i18n.js';
import { csrfValid, pageLanguage, sameOrigin, type NotFound, type WebSession } from '../web-session.js';

/** The device page's path of a stored hardware id (the canonical form: 12 hex digits, or the IPEI). */
export const devicePath = (hardwareId: string) => `/devices/${encodeURIComponent(hardwareId)}`;

/** The hardware id of a path in any form the core parses, canonical; null: no hardware id at all. */
export function canonicalHardwareId(raw: string): string | null {
  try {
    return parseHardwareId(decodeURIComponent(raw)).hardwareId;
  } catch {
    return null;
  }
}

export type Resolved =
  | { ok: true; deviceId: number; hardwareId: string }
  | { ok: false; response: Response | Promise<Response> };

/**
 * The device of a device page as the actor reaches it. No hardware id → the "not found" page; a
 * device in none of the user's projects (another company's or none at all: the same page, nothing of it
 * shown) → the page that says so and what to do; a locked member → the locked sentence.
 */
export async function resolveDevice(
  c: Context,
  core: Core,
  s: WebSession,
  notFound: NotFound,
): Promise<Resolved> {
  const hardwareId = canonicalHardwareId(c.req.param('hw') ?? '');
  if (hardwareId === null) return { ok: false, response: notFound(c) };
  try {
    return { ok: true, deviceId: await deviceIdFor(core, s.actor, hardwareId), hardwareId };
  } catch (e) {
    if (!(e instanceof MylicError)) throw e;
    if (e.code === 'DEVICE_NOT_FOUND') return { ok: false, response: notInProjects(c, core, s) };
    if (['USER_LOCKED', 'COMPANY_NOT_FOUND'].includes(e.code))
      return {
        ok: false,
        response: companyPage(
          c,
          core,
          s,
          { title: 'devpPageTitle', path: c.req.path, active: 'devices' },
          async () => {
            throw e;
          },
          403,
        ),
      };
    throw e;
  }
}

/** Seed (Warnings): the device must be in one of your projects; add it to one (Devices → Add new devices). */
function notInProjects(c: Context, core: Core, s: WebSession) {
  return companyPage(
    c,
    core,
    s,
    { title: 'devpPageTitle', path: c.req.path, active: 'devices' },
    async ({ lang }) => (
      <>
        <p class="notice">{t(lang, 'devpNotInProjects')}</p>
        <p>{t(lang, 'devpNotInProjectsWhat')}</p>
        <ul class="device-links">
          <li>
            <a href="/devices/add">{t(lang, 'devpToAdd')}</a>
          </li>
          <li>
            <a href="/devices">{t(lang, 'devpToList')}</a>
          </li>
        </ul>
      </>
    ),
    404,
  );
}

/** A form POST must come from this origin with the session's token; else nothing happens. */
export const postAllowed = (c: Context, s: WebSession, csrf: string) => sameOrigin(c) && csrfValid(s, csrf);

/** The sentence for a core refusal: the page's own for the usual ones, else the core's message. */
const SENTENCES: Partial<Record<string, MessageKey>> = {
  BALANCE_INSUFFICIENT: 'devpErrBalance',
  VERSION_NOT_FOR_DEVICE: 'devpErrVersionNotForDevice',
  VERSION_NOT_AVAILABLE: 'devpErrVersionNotAvailable',
  NON_RETURNABLE_NOT_ACCEPTED: 'devpErrAcceptNonReturnable',
  DOWNLOAD_NO_DOWNGRADE: 'devpErrNoDowngrade',
  CERT_MISSING: 'devpErrCertMissing',
  NO_LICENSES: 'devpErrNoLicenses',
  LICENSES_OF_ANOTHER_COMPANY: 'devpErrOtherCompany',
  SSA_SUMMARY_CHANGED: 'devpErrSsaChanged',
  MOVE_TARGET_HAS_LICENSES: 'devpErrTargetHasLicenses',
  MOVE_SAME_DEVICE: 'devpErrSameDevice',
  DEVICE_NOT_FOUND: 'devpErrTargetNotFound',
  FORBIDDEN: 'devpErrForbidden',
  RMA_STATE_INVALID: 'devpErrRmaState',
  WARRANTY_MAXIMUM_EXCEEDED: 'devpErrWarrantyMax',
  WARRANTY_WINDOW_CLOSED: 'devpErrWarrantyWindow',
  DOC_HARDWARE_MISMATCH: 'devpErrDocOtherDevice',
  DOC_REPLAYED: 'devpErrDocReplayed',
  PROJECT_NOT_FOUND: 'devpErrProject',
};
export function refusal(lang: Lang, e: MylicError): string {
  const key = SENTENCES[e.code];
  if (key) return t(lang, key);
  if (e.code.startsWith('DOC_') || e.code.startsWith('XML_') || e.code.startsWith('CERT_'))
    return t(lang, 'devpErrDocument');
  return e.message;
}

export const langOf = pageLanguage;
export type { Child };
