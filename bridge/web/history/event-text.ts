import { formatHardwareId } from '../../../protocol/hardware-id.js';
import type { HistoryEventName } from '../../core/history.js';
import type { HistoryNames } from '../../core/history-view.js';
import { formatDate, type Lang, type MessageKey, t } from '../i18n.js';

/**
 * Every history event as a sentence in the reader's language (seed: History). The label of an event is
 * the message `hist.<event>`; a few events have variants (`hist.<event>#<variant>`) when the detail
 * changes what happened. EVENT_TEXT is typed over every HistoryEventName, so a new event fails the type
 * check until it has its sentence here, and test/unit/history-labels.test.ts checks the five languages.
 */

export interface HistoryRow {
  event: string;
  userId: number | null;
  projectId: number | null;
  deviceId: number | null;
  detail: Record<string, unknown>;
}

interface Ctx {
  lang: Lang;
  row: HistoryRow;
  names: HistoryNames;
  /** The row's device as shown, or the hardware id the detail names. */
  device: string;
}

type Vars = Record<string, string | number>;
type Out = { variant?: string; vars?: Vars };
type Text = (d: Record<string, unknown>, c: Ctx) => Out;

const DASH = '–';
const str = (v: unknown): string =>
  typeof v === 'string' && v !== '' ? v : typeof v === 'number' ? String(v) : DASH;
const num = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);
const count = (v: unknown): number => (Array.isArray(v) ? v.length : num(v));
const obj = (v: unknown): Record<string, unknown> =>
  v !== null && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : {};
const hw = (v: unknown): string => {
  if (typeof v !== 'string' || v === '') return DASH;
  try {
    return formatHardwareId(v);
  } catch {
    return v;
  }
};
const list = (lang: Lang, items: string[]): string =>
  items.length ? new Intl.ListFormat(lang, { type: 'conjunction' }).format(items) : DASH;
/** `[{type, units}]` as "4 × PBX-Port13 and 1 × Relay-PRI". */
const licenses = (lang: Lang, v: unknown): string =>
  list(
    lang,
    (Array.isArray(v) ? v : []).map((l) => `${num(obj(l).units)} × ${str(obj(l).type)}`),
  );
const date = (lang: Lang, v: unknown): string =>
  typeof v === 'string' && /^\d{4}-\d{2}-\d{2}/.test(v) ? formatDate(lang, v) : DASH;
const units = (lang: Lang, n: number) => new Intl.NumberFormat(lang).format(n);

const ssaVars = (d: Record<string, unknown>, c: Ctx): Vars => ({
  date: date(c.lang, d.endDate),
  total: units(c.lang, num(d.total)),
});

export const EVENT_TEXT: { readonly [E in HistoryEventName]: Text } = {
  'user.registered': (d) => ({ vars: { email: str(d.email) } }),
  'user.registration_attempted': (d) => ({ vars: { email: str(d.email) } }),
  'user.activated': (d) => ({ vars: { email: str(d.email) } }),
  'user.activation_resent': (d) => ({ vars: { email: str(d.email) } }),
  'user.created': (d) => ({ vars: { email: str(d.email) } }),
  'user.logged_in': () => ({}),
  'user.logged_out': (d) => (d.kind === 'api' ? { variant: 'api', vars: { label: str(d.label) } } : {}),
  'user.updated': (d) => (d.passwordChanged === true ? { variant: 'password' } : {}),
  'user.email_change_requested': (d) => ({ vars: { from: str(d.from), to: str(d.to) } }),
  'user.email_changed': (d) => ({ vars: { from: str(d.from), to: str(d.to) } }),
  'user.email_change_failed': (d) => ({ vars: { from: str(d.from), to: str(d.to) } }),
  'user.password_reset_requested': (d) => ({ vars: { email: str(d.email) } }),
  'user.password_reset': (d) => ({ vars: { email: str(d.email) } }),
  'user.api_token_created': (d) => ({ vars: { label: str(d.label) } }),
  'user.api_token_revoked': () => ({}),
  'user.right_granted': (d) => ({ vars: { right: str(d.right) } }),
  'user.right_revoked': (d) => ({ vars: { right: str(d.right) } }),
  'company.created': (d): Out =>
    d.vendorAccountId !== undefined
      ? { variant: 'vendor', vars: { account: str(d.vendorAccountId) } }
      : { vars: { name: str(d.name) } },
  'company.updated': (d): Out => {
    const from = obj(d.before).name;
    const to = obj(d.after).name;
    return typeof from === 'string' && typeof to === 'string' && from !== to
      ? { variant: 'renamed', vars: { from, to } }
      : {};
  },
  'company.joined': (d) => ({ vars: { name: str(d.joinedCompanyName) } }),
  'company.user_added': (d) => ({
    ...(d.admin === true ? { variant: 'admin' } : {}),
    vars: { email: str(d.email) },
  }),
  'company.user_changed': (d, c) => {
    const changes: string[] = [];
    if (d.admin === true) changes.push(t(c.lang, 'hist#adminOn'));
    if (d.admin === false) changes.push(t(c.lang, 'hist#adminOff'));
    if (d.locked === true) changes.push(t(c.lang, 'hist#lockedOn'));
    if (d.locked === false) changes.push(t(c.lang, 'hist#lockedOff'));
    return { vars: { email: str(d.email), changes: list(c.lang, changes) } };
  },
  'company.user_removed': (d) => ({ vars: { email: str(d.email) } }),
  'user.company_selected': () => ({}),
  'project.created': (d) => ({ vars: { name: str(d.name) } }),
  'project.updated': (d, c): Out => {
    const before = obj(d.before);
    const after = obj(d.after);
    return before.name !== after.name
      ? { variant: 'renamed', vars: { from: str(before.name), to: str(after.name) } }
      : { vars: { name: str(after.name ?? c.names.projects[c.row.projectId ?? 0]) } };
  },
  'project.deleted': (d) => ({ vars: { name: str(d.name) } }),
  'project.joined': (d) => ({ vars: { from: str(obj(d.from).name), devices: num(d.devices) } }),
  'user.project_selected': () => ({}),
  'project.right_granted': (d, c) => ({
    vars: { company: c.names.companies[num(d.company)] ?? str(d.company) },
  }),
  'project.right_revoked': (d, c) => ({
    vars: { company: c.names.companies[num(d.company)] ?? str(d.company) },
  }),
  'vendor_account.created': (d) => ({ vars: { account: str(d.accountId) } }),
  'vendor_account.updated': (d) => ({ vars: { account: str(d.accountId) } }),
  'balance.credited': (d, c) => ({ vars: { units: units(c.lang, num(d.units)), type: str(d.type) } }),
  'key.issued': (d, c) => ({ vars: { licenses: licenses(c.lang, d.licenses) } }),
  'key.redeemed': (d, c) => ({
    ...(d.kind === 'own' ? { variant: 'own' } : {}),
    vars: { licenses: licenses(c.lang, d.licenses) },
  }),
  'key.created': (d, c) => ({ vars: { licenses: licenses(c.lang, d.licenses) } }),
  'key.updated': (d, c) => ({ vars: { ref: str(d.ref), licenses: licenses(c.lang, d.licenses) } }),
  'key.deleted': (d) => ({ vars: { ref: str(d.ref) } }),
  'order.registered': (d) => ({ vars: { order: str(d.orderNumber), count: count(d.devices) } }),
  'device.added': (d, c): Out =>
    typeof d.orderNumber === 'string'
      ? { variant: 'order', vars: { device: c.device, order: d.orderNumber } }
      : { vars: { device: c.device } },
  'device.updated': (d, c): Out => {
    const before = obj(d.before);
    const after = obj(d.after);
    return before.name !== after.name && typeof after.name === 'string' && after.name !== ''
      ? { variant: 'renamed', vars: { device: c.device, name: after.name } }
      : { vars: { device: c.device } };
  },
  'device.removed': (_d, c) => ({ vars: { device: c.device } }),
  'device.moved': (d, c) => ({
    vars: {
      device: c.device,
      from: str(obj(d.from).name),
      to: str(obj(d.to).name),
      licenses: num(d.licenses),
    },
  }),
  'device.certificate_issued': (d, c) => ({ vars: { device: c.device, date: date(c.lang, d.validTo) } }),
  'device.logged_in': (d, c) => ({
    ...(d.certificateChanged === true ? { variant: 'cert' } : {}),
    vars: { device: c.device },
  }),
  'device.rma_requested': (d, c): Out =>
    d.byAnotherCompany === true
      ? { variant: 'other', vars: { device: c.device } }
      : { vars: { device: c.device, reason: str(d.reason) } },
  'device.rma_withdrawn': (d, c) => ({
    ...(d.byAnotherCompany === true ? { variant: 'other' } : {}),
    vars: { device: c.device },
  }),
  'device.rma_arrived': (_d, c) => ({ vars: { device: c.device } }),
  'device.rma_reshipped': (_d, c) => ({ vars: { device: c.device } }),
  'licenses.added': (d, c) => ({ vars: { device: c.device, licenses: licenses(c.lang, d.licenses) } }),
  'license.bound': (d, c) => ({
    vars: { device: c.device, units: units(c.lang, num(d.units)), type: str(d.type), serial: str(d.serial) },
  }),
  'license.downloaded': (d, c) => ({
    vars: { device: c.device, version: str(d.version), count: count(d.serials) },
  }),
  'license.test_issued': (d, c) => ({
    vars: {
      device: c.device,
      units: units(c.lang, num(d.units)),
      type: str(d.type),
      version: str(d.version),
      date: date(c.lang, d.endsOn),
    },
  }),
  'licenses.assigned': (d, c) => ({ vars: { device: c.device, count: count(d.serials) } }),
  'licenses.converted': (d, c) => ({ vars: { count: count(d.lines), ssc: units(c.lang, num(d.ssc)) } }),
  'licenses.moved': (d) => ({ vars: { from: hw(d.from), to: hw(d.to), count: count(d.serials) } }),
  'license.floating_added': (d, c) => ({ vars: { device: c.device, serial: str(d.serial) } }),
  'license.floating_deleted': (d, c) => ({ vars: { device: c.device, serial: str(d.serial) } }),
  'license.invalidated': (d, c) => ({
    ...(d.byAnotherCompany === true ? { variant: 'other' } : {}),
    vars: { device: c.device, count: count(d.accepted) },
  }),
  'warranty.extended': (d, c) => ({
    vars: {
      lines: list(
        c.lang,
        (Array.isArray(d.lines) ? d.lines : []).map((l) =>
          t(c.lang, 'hist#warrantyLine', { device: hw(obj(l).hardwareId), years: num(obj(l).years) }),
        ),
      ),
    },
  }),
  'ssa.applied': (d, c) => ({ vars: ssaVars(d, c) }),
  'project.ssa_set': (d, c) => ({ vars: ssaVars(d, c) }),
  'project.ssa_extended': (d, c) => ({ vars: { ...ssaVars(d, c), before: date(c.lang, d.before) } }),
  'project.ssa_mails_changed': (d) => (d.sendMails === false ? { variant: 'off' } : {}),
  // myplay, the sandbox portal (texts in bridge/web/play/messages.ts)
  'play.copied': () => ({}),
  'play.balance_added': (d, c) => ({ vars: { units: units(c.lang, num(d.units)), type: str(d.type) } }),
  'play.licenses_edited': (_d, c) => ({ vars: { device: c.device } }),
};

/** Every variant an event may use (the label test checks their texts too). */
export const EVENT_VARIANTS: Readonly<Partial<Record<HistoryEventName, readonly string[]>>> = {
  'user.logged_out': ['api'],
  'user.updated': ['password'],
  'company.created': ['vendor'],
  'company.updated': ['renamed'],
  'company.user_added': ['admin'],
  'project.updated': ['renamed'],
  'key.redeemed': ['own'],
  'device.added': ['order'],
  'device.updated': ['renamed'],
  'device.logged_in': ['cert'],
  'device.rma_requested': ['other'],
  'device.rma_withdrawn': ['other'],
  'license.invalidated': ['other'],
  'project.ssa_mails_changed': ['off'],
};

export const eventKey = (event: string, variant?: string) =>
  (variant ? `hist.${event}#${variant}` : `hist.${event}`) as MessageKey;

const isEvent = (e: string): e is HistoryEventName => Object.hasOwn(EVENT_TEXT, e);

/** The sentence of one event in `lang`; an event name the portal does not know is shown as it is. */
export function describeEvent(lang: Lang, row: HistoryRow, names: HistoryNames): string {
  if (!isEvent(row.event)) return row.event;
  const device =
    (row.deviceId !== null ? names.devices[row.deviceId] : undefined) ?? hw(row.detail.hardwareId);
  const { variant, vars } = EVENT_TEXT[row.event](row.detail, { lang, row, names, device });
  return t(lang, eventKey(row.event, variant), vars ?? {});
}
