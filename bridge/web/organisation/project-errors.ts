import type { MylicError } from '../../../protocol/errors.js';
import { t, type Lang } from '../i18n.js';
import type { Status } from './project-shell.js';

/**
 * The core's refusals on the projects pages as sentences of the page's language, beside the field they
 * concern, with the HTTP status the page answers with. Codes the page does not know keep the core's
 * (English) sentence rather than hiding why nothing happened.
 */
export type FieldError = { field?: string; text: string };
export interface Refusal {
  errors: FieldError[];
  status: Status;
}

/** What the page checks itself before asking the core (the core checks the same again). */
export function projectFieldErrors(lang: Lang, form: { name: string; description: string }): FieldError[] {
  const out: FieldError[] = [];
  const name = form.name.trim();
  if (!name || name.length > 100) out.push({ field: 'name', text: t(lang, 'projNameInvalid') });
  if (form.description.length > 2000)
    out.push({ field: 'description', text: t(lang, 'projDescriptionTooLong') });
  return out;
}

export function projectRefusal(lang: Lang, e: MylicError, v: { name?: string; project?: string }): Refusal {
  switch (e.code) {
    case 'VALIDATION_FAILED':
      return { errors: [{ field: 'name', text: t(lang, 'projNameInvalid') }], status: 400 };
    case 'PROJECT_NAME_TAKEN':
      return {
        errors: [{ field: 'name', text: t(lang, 'projNameTaken', { name: v.name ?? '' }) }],
        status: 409,
      };
    case 'FORBIDDEN':
      return { errors: [{ text: t(lang, 'projForbidden') }], status: 403 };
    case 'PROJECT_NOT_EMPTY':
      return { errors: notEmpty(lang, e, v.project ?? ''), status: 409 };
    case 'PROJECT_HAS_RIGHTS':
      return { errors: [{ field: 'intoProjectId', text: t(lang, 'projJoinHasRights') }], status: 409 };
    case 'PROJECT_JOIN_SELF':
    case 'PROJECT_NOT_FOUND':
      return { errors: [{ field: 'intoProjectId', text: t(lang, 'projJoinChoose') }], status: 400 };
    case 'SSA_SUMMARY_CHANGED':
      return { errors: [{ text: t(lang, 'ssaChanged') }], status: 409 };
    case 'BALANCE_INSUFFICIENT':
      return {
        errors: [
          {
            text: t(lang, 'ssaMissing', {
              missing: String((e.details as { missing?: number } | undefined)?.missing ?? ''),
            }),
          },
        ],
        status: 409,
      };
    default:
      return { errors: [{ text: e.message }], status: 409 };
  }
}

/** PROJECT_NOT_EMPTY: one sentence per reason the core found, then the way out (seed: Delete, Join). */
function notEmpty(lang: Lang, e: MylicError, project: string): FieldError[] {
  const reasons = (e.details as { reasons?: { reason: string; count: number }[] } | undefined)?.reasons ?? [];
  const line = (r: { reason: string; count: number }) => {
    const count = r.count;
    switch (r.reason) {
      case 'devices':
        return t(lang, 'projNotEmptyDevices', { count });
      case 'rights':
        return t(lang, 'projNotEmptyRights', { count });
      case 'activation-keys':
        return t(lang, 'projNotEmptyKeys');
      case 'balance':
        return t(lang, 'projNotEmptyBalance', { count });
      case 'licenses':
        return t(lang, 'projNotEmptyLicenses', { count });
      case 'ledger':
        return t(lang, 'projNotEmptyLedger');
      case 'invalidations':
        return t(lang, 'projNotEmptyInvalidations', { count });
      default:
        return t(lang, 'projNotEmptyOther');
    }
  };
  return [
    { text: t(lang, 'projNotEmpty', { project }) },
    ...reasons.map((r) => ({ text: line(r) })),
    { text: t(lang, 'projNotEmptyJoin') },
  ];
}

/** Rights: grant and revoke (seed: Projects → Rights). */
export function rightRefusal(lang: Lang, e: MylicError, companyId: string): Refusal {
  switch (e.code) {
    case 'COMPANY_NOT_FOUND':
      return {
        errors: [{ field: 'companyId', text: t(lang, 'projCompanyUnknown', { id: companyId }) }],
        status: 400,
      };
    case 'RIGHT_OWN_COMPANY':
      return { errors: [{ field: 'companyId', text: t(lang, 'projRightOwnCompany') }], status: 409 };
    case 'ALREADY_EXISTS':
      return {
        errors: [{ field: 'companyId', text: t(lang, 'projRightExists', { id: companyId }) }],
        status: 409,
      };
    case 'RIGHT_NOT_FOUND':
      return { errors: [{ text: t(lang, 'projRightMissing') }], status: 409 };
    case 'FORBIDDEN':
      return { errors: [{ text: t(lang, 'projRightsAdminOnly') }], status: 403 };
    default:
      return { errors: [{ text: e.message }], status: 409 };
  }
}
