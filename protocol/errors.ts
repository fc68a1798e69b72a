/**
 * The closed set of error codes that agent, bridge and scripts share.
 *
 * Each code has the HTTP status the bridge answers with and the exit code the agent CLI ends with.
 * This table is the one place where domain failures are mapped to transport: the bridge's error
 * handler and the agent's CLI both read it, nothing else decides a status.
 *
 * Exit codes (documented in README.md):
 *   0 ok · 2 usage / bad input · 3 authentication or permission · 4 not found ·
 *   5 conflict with the current state · 6 document refused (signature, hardware id, version, replay) ·
 *   7 network / portal unreachable · 8 device check failed (certificate, clock) · 10 internal error
 */
export const EXIT = {
  OK: 0,
  USAGE: 2,
  AUTH: 3,
  NOT_FOUND: 4,
  CONFLICT: 5,
  DOCUMENT: 6,
  NETWORK: 7,
  CHECK: 8,
  INTERNAL: 10,
} as const;

interface CodeSpec {
  readonly status: number;
  readonly exit: number;
  readonly message: string;
}

const spec = (status: number, exit: number, message: string): CodeSpec => ({ status, exit, message });

export const ERROR_CODES = {
  // input
  BAD_REQUEST: spec(400, EXIT.USAGE, 'The request is not valid.'),
  VALIDATION_FAILED: spec(400, EXIT.USAGE, 'Some fields are missing or not valid.'),
  USAGE: spec(400, EXIT.USAGE, 'The command line is not valid.'),
  MAC_INVALID: spec(400, EXIT.USAGE, 'This is not a valid MAC address.'),
  VERSION_INVALID: spec(400, EXIT.USAGE, 'This license version does not exist.'),
  LICENSE_TYPE_UNKNOWN: spec(400, EXIT.USAGE, 'This license type does not exist.'),
  AMOUNT_INVALID: spec(400, EXIT.USAGE, 'The amount must be a positive whole number.'),
  PAYLOAD_TOO_LARGE: spec(413, EXIT.USAGE, 'The upload is too large.'),
  UNSUPPORTED_MEDIA_TYPE: spec(415, EXIT.USAGE, 'This content type is not accepted here.'),
  // XML
  XML_MALFORMED: spec(400, EXIT.DOCUMENT, 'The XML document is not well-formed.'),
  XML_DTD_REFUSED: spec(400, EXIT.DOCUMENT, 'XML documents with a DTD or entity declarations are refused.'),
  XML_TOO_LARGE: spec(413, EXIT.DOCUMENT, 'The XML document is too large.'),
  XML_TOO_DEEP: spec(400, EXIT.DOCUMENT, 'The XML document is nested too deeply.'),
  XML_TOO_COMPLEX: spec(400, EXIT.DOCUMENT, 'The XML document has too many elements or attributes.'),
  // documents (license file, invalidation, confirmation)
  DOC_MALFORMED: spec(400, EXIT.DOCUMENT, 'The document does not have the expected structure.'),
  DOC_KIND_MISMATCH: spec(400, EXIT.DOCUMENT, 'This is a different kind of document than expected.'),
  DOC_ALGORITHM_UNSUPPORTED: spec(400, EXIT.DOCUMENT, 'The document uses an algorithm that is not allowed.'),
  DOC_SIGNATURE_INVALID: spec(
    400,
    EXIT.DOCUMENT,
    'The document signature is not valid: it was altered or signed by another key.',
  ),
  DOC_DECRYPT_FAILED: spec(400, EXIT.DOCUMENT, 'The document could not be decrypted with this device key.'),
  DOC_HARDWARE_MISMATCH: spec(400, EXIT.DOCUMENT, 'The document belongs to another device.'),
  DOC_VERSION_MISMATCH: spec(
    400,
    EXIT.DOCUMENT,
    'The license file is for a version this device does not run.',
  ),
  DOC_STALE: spec(
    409,
    EXIT.DOCUMENT,
    'The license file was issued before the last invalidation of this device.',
  ),
  DOC_NOT_YET_VALID: spec(
    400,
    EXIT.CHECK,
    'The document was issued later than the device clock: the device clock is behind.',
  ),
  DOC_REPLAYED: spec(409, EXIT.DOCUMENT, 'This document was already used.'),
  CONFIRMATION_MISMATCH: spec(
    400,
    EXIT.DOCUMENT,
    'The confirmation does not belong to the pending invalidation of this device.',
  ),
  // certificates
  CERT_MISSING: spec(400, EXIT.CHECK, 'The device certificate is missing.'),
  CERT_CHAIN: spec(
    400,
    EXIT.CHECK,
    'The device certificate was not issued by the device certification authority.',
  ),
  CERT_HW_MISMATCH: spec(400, EXIT.CHECK, 'The device certificate belongs to another hardware id.'),
  CERT_EXPIRED: spec(400, EXIT.CHECK, 'The device certificate has expired.'),
  CERT_NOT_YET_VALID: spec(400, EXIT.CHECK, 'The device certificate is not valid yet.'),
  CERT_KEY_MISMATCH: spec(400, EXIT.CHECK, 'The device private key does not match its certificate.'),
  CERT_MALFORMED: spec(400, EXIT.CHECK, 'The certificate cannot be read.'),
  CERT_USAGE: spec(
    400,
    EXIT.CHECK,
    'The certificate is not a device certificate (its key usage or CA flag is for another use).',
  ),
  // device checks (agent: `mylic check`)
  NTP_NOT_CONFIGURED: spec(400, EXIT.CHECK, 'No NTP server is configured on the device.'),
  NTP_UNREACHABLE: spec(504, EXIT.CHECK, 'The NTP server does not answer.'),
  NTP_UNSYNCHRONISED: spec(502, EXIT.CHECK, 'The NTP server is not synchronised itself.'),
  NTP_CLOCK_OFF: spec(400, EXIT.CHECK, 'The device clock is off by more than the tolerance.'),
  CLOCK_SET_BACK: spec(
    400,
    EXIT.CHECK,
    'The device clock was set back behind a time it had already trusted.',
  ),
  DNS_NOT_CONFIGURED: spec(400, EXIT.CHECK, 'No DNS server is configured on the device.'),
  DNS_NXDOMAIN: spec(502, EXIT.CHECK, 'The portal host name does not exist in DNS.'),
  DNS_SERVFAIL: spec(502, EXIT.CHECK, 'The DNS server failed to answer the question.'),
  DNS_TIMEOUT: spec(504, EXIT.CHECK, 'The DNS server does not answer.'),
  DNS_TRUNCATED: spec(502, EXIT.CHECK, 'The DNS answer was truncated.'),
  DNS_ID_MISMATCH: spec(502, EXIT.CHECK, 'The DNS answer does not belong to the question (wrong id).'),
  DNS_NO_ADDRESS: spec(502, EXIT.CHECK, 'The portal host name has no address.'),
  DNS_MALFORMED: spec(502, EXIT.CHECK, 'The DNS answer cannot be read.'),
  // auth
  UNAUTHENTICATED: spec(401, EXIT.AUTH, 'Log in first.'),
  LOGIN_FAILED: spec(401, EXIT.AUTH, 'E-mail or password is wrong.'),
  ACCOUNT_NOT_ACTIVATED: spec(403, EXIT.AUTH, 'The account is not activated yet.'),
  SESSION_EXPIRED: spec(401, EXIT.AUTH, 'The session has expired: log in again.'),
  CHALLENGE_INVALID: spec(401, EXIT.AUTH, 'The device challenge is unknown, used or expired.'),
  DEVICE_PROOF_INVALID: spec(
    401,
    EXIT.AUTH,
    'The device could not prove that it holds the key of its certificate.',
  ),
  FORBIDDEN: spec(403, EXIT.AUTH, 'You are not allowed to do this.'),
  LICENSES_OF_ANOTHER_COMPANY: spec(
    403,
    EXIT.AUTH,
    'These licenses belong to another company that holds this device: only that company can move, delete or change them.',
  ),
  DEVICE_NOT_IN_PROJECTS: spec(403, EXIT.AUTH, 'The device is not in one of your projects.'),
  USER_LOCKED: spec(403, EXIT.AUTH, 'Your account is locked in this company.'),
  RATE_LIMITED: spec(429, EXIT.AUTH, 'Too many attempts: wait and try again.'),
  TOKEN_SCOPE_MISSING: spec(
    403,
    EXIT.AUTH,
    'This API token does not have the scope this route needs: create a token with that scope.',
  ),
  PASSWORD_SESSION_REQUIRED: spec(
    403,
    EXIT.AUTH,
    'This needs a session opened with your password (POST /api/v1/session): an API token cannot do it.',
  ),
  // state
  NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'Not found.'),
  USER_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'There is no such user.'),
  COMPANY_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'There is no such company.'),
  PROJECT_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'There is no such project.'),
  DEVICE_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'There is no such device.'),
  CONFIRMATION_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'There is no confirmation for this document.'),
  NO_LICENSES: spec(404, EXIT.NOT_FOUND, 'There are no licenses for this device and version.'),
  NOT_INITIALISED: spec(
    404,
    EXIT.NOT_FOUND,
    'The device store is not initialised: run `mylic device init` first.',
  ),
  ALREADY_EXISTS: spec(409, EXIT.CONFLICT, 'This already exists.'),
  EMAIL_TAKEN: spec(409, EXIT.CONFLICT, 'An account with this e-mail address already exists.'),
  PROJECT_NAME_TAKEN: spec(409, EXIT.CONFLICT, 'A project with this name already exists in the company.'),
  DEVICE_ALREADY_IN_COMPANY: spec(409, EXIT.CONFLICT, 'This device already exists in your company.'),
  // the old license manager's import (bridge/core/legacy, docs/legacy-import.md)
  LEGACY_EXPORT_INVALID: spec(400, EXIT.DOCUMENT, 'The old license manager export is not valid.'),
  LEGACY_LOGIN_EXPIRED: spec(
    401,
    EXIT.AUTH,
    'The log-in to the old account has expired or is not yours: log in to it again.',
  ),
  LEGACY_ALREADY_IMPORTED: spec(409, EXIT.CONFLICT, 'This device has been imported already.'),
  LEGACY_GROUP_ELSEWHERE: spec(
    409,
    EXIT.CONFLICT,
    'This old account was imported into another company: the rest of it can only be imported there.',
  ),
  LEGACY_IMPORT_INTO_SSA: spec(
    409,
    EXIT.CONFLICT,
    'The project is under SSA: import into a project without SSA, then move the devices into this one and confirm the SSC summary.',
  ),
  LEGACY_DEVICE_NOT_IN_ACCOUNT: spec(404, EXIT.NOT_FOUND, 'This device is not in the old account.'),
  BALANCE_INSUFFICIENT: spec(409, EXIT.CONFLICT, 'The project balance is not sufficient.'),
  LICENSE_NOT_RETURNABLE: spec(409, EXIT.CONFLICT, 'These licenses cannot be returned.'),
  LICENSE_NOT_BOUND: spec(409, EXIT.CONFLICT, 'The license is not bound to this device.'),
  VERSION_NOT_AVAILABLE: spec(409, EXIT.CONFLICT, 'Licenses cannot be downloaded in this version.'),
  TEST_LICENSE_USED: spec(
    409,
    EXIT.CONFLICT,
    'This device already had its test license (since V11 there is one per device).',
  ),
  INVALIDATION_PENDING: spec(409, EXIT.CONFLICT, 'An invalidation is pending: finish it first.'),
  NOTHING_PENDING: spec(409, EXIT.CONFLICT, 'There is no pending invalidation.'),
  NOTHING_TO_INVALIDATE: spec(409, EXIT.CONFLICT, 'No returnable licenses are installed.'),
  FIRMWARE_TOO_OLD: spec(409, EXIT.CONFLICT, 'Invalidation needs firmware V8 or higher.'),
  // --- accounts (issue 4) ---
  MAIL_UNAVAILABLE: spec(503, EXIT.NETWORK, 'The mail could not be sent right now; try again later.'),
  // --- companies, users, projects, rights (issue 4) ---
  VENDOR_ACCOUNT_NOT_FOUND: spec(
    404,
    EXIT.NOT_FOUND,
    'There is no vendor account with this id and postal code.',
  ),
  VENDOR_ACCOUNT_TAKEN: spec(
    409,
    EXIT.CONFLICT,
    'A company with this vendor account already exists: ask one of its admins to add you.',
  ),
  COMPANY_DATA_FROM_VENDOR: spec(
    409,
    EXIT.CONFLICT,
    "This company's data comes from the vendor's records and cannot be edited here.",
  ),
  ALREADY_MEMBER: spec(409, EXIT.CONFLICT, 'This user already belongs to the company.'),
  LAST_ADMIN: spec(
    409,
    EXIT.CONFLICT,
    'The last company admin cannot be removed, locked or lose the admin right: make another user admin first.',
  ),
  COMPANY_JOIN_SELF: spec(409, EXIT.CONFLICT, 'A company cannot join itself.'),
  COMPANY_JOIN_REFUSED: spec(
    403,
    EXIT.AUTH,
    'There is no company with this id, or the login given is not one of its admins.',
  ),
  RIGHT_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'This company has no rights on the project.'),
  RIGHT_OWN_COMPANY: spec(409, EXIT.CONFLICT, 'The company owns this project: it needs no rights on it.'),
  PROJECT_HAS_RIGHTS: spec(
    409,
    EXIT.CONFLICT,
    'The project grants rights to another company: revoke them first.',
  ),
  PROJECT_JOIN_SELF: spec(409, EXIT.CONFLICT, 'A project cannot be joined into itself.'),
  PROJECT_NOT_EMPTY: spec(
    409,
    EXIT.CONFLICT,
    'The project is not empty and cannot be deleted: join it into another project instead.',
  ),
  // --- balance and activation keys (issue 4) ---
  KEY_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'There is no such activation key.'),
  KEY_ALREADY_REDEEMED: spec(409, EXIT.CONFLICT, 'This activation key has already been redeemed.'),
  KEY_LICENSES_INSUFFICIENT: spec(
    409,
    EXIT.CONFLICT,
    'The activation key does not hold that many licenses of this type.',
  ),
  KEY_EMPTY: spec(
    409,
    EXIT.CONFLICT,
    'An activation key keeps at least one license: delete the key instead.',
  ),
  PROJECT_NOT_SELECTED: spec(400, EXIT.USAGE, 'Select a project first, or name one.'),
  // --- devices, orders, RMA, search (issue 5) ---
  IPEI_INVALID: spec(
    400,
    EXIT.USAGE,
    'This is not a valid IPEI (5-digit manufacturer, 7-digit serial, check digit).',
  ),
  DEVICE_TYPE_MISMATCH: spec(
    400,
    EXIT.USAGE,
    'This device type does not fit the device id: DECT handsets have an IPEI, other devices a MAC address.',
  ),
  DEVICE_BATCH_TOO_LARGE: spec(400, EXIT.USAGE, 'At most 50 devices can be added at once.'),
  DEVICE_RANGE_INVALID: spec(400, EXIT.USAGE, 'The MAC address range is not valid.'),
  DEVICE_NAME_INVALID: spec(400, EXIT.USAGE, 'A device name cannot be a MAC address or an IPEI.'),
  DEVICE_ALREADY_IMPORTED: spec(409, EXIT.CONFLICT, 'This device has been already imported.'),
  ORDER_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'There is no such order.'),
  DEVICE_UNKNOWN: spec(
    404,
    EXIT.NOT_FOUND,
    "This device was not found in the vendor's device database: check the MAC address or IPEI; if it is right, contact the administrator.",
  ),
  RMA_STATE_INVALID: spec(409, EXIT.CONFLICT, 'The device is not in the RMA state this step needs.'),
  SEARCH_TOO_SHORT: spec(400, EXIT.USAGE, 'Enter at least 3 characters to search (5 for activation keys).'),
  // --- licenses on devices, free licenses, warranty (issue 5) ---
  VERSION_NOT_FOR_DEVICE: spec(400, EXIT.USAGE, 'This device type does not run this version.'),
  LICENSE_TYPE_NOT_FOR_DEVICE: spec(400, EXIT.USAGE, 'This device type does not take this license type.'),
  LICENSE_TYPE_NOT_OFFERED: spec(
    400,
    EXIT.USAGE,
    'This license type is not added here (warranty extensions, floating licenses and SSC have their own ways).',
  ),
  LICENSE_VERSION_MISMATCH: spec(
    400,
    EXIT.USAGE,
    'This license type belongs to another version than the one selected.',
  ),
  LICENSE_MAXIMUM_EXCEEDED: spec(
    409,
    EXIT.CONFLICT,
    'The device type does not take that many licenses of this kind.',
  ),
  LICENSE_AMOUNT_NOT_EQUAL_PBX: spec(
    409,
    EXIT.CONFLICT,
    'Voicemail and Standby licenses must have the same amount as the PBX licenses.',
  ),
  LICENSE_AMOUNT_ABOVE_PBX: spec(
    409,
    EXIT.CONFLICT,
    'There must not be more Registration licenses than PBX licenses.',
  ),
  LICENSE_UPGRADE_WITHOUT_BASE: spec(
    409,
    EXIT.CONFLICT,
    'An upgrade license needs as many base licenses of the previous version on the device.',
  ),
  FLOATING_EXCLUSIVE: spec(
    409,
    EXIT.CONFLICT,
    'A device with a V7 floating license cannot have V7 PBX licenses, and the other way round.',
  ),
  FLOATING_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'The device has no V7 floating license.'),
  FREE_LICENSE_NOT_FOUND: spec(404, EXIT.NOT_FOUND, 'There is no such license in your free licenses.'),
  FREE_LICENSE_NOT_FOR_VERSION: spec(
    409,
    EXIT.CONFLICT,
    'This free license cannot be used in the selected version.',
  ),
  CONVERT_VERSION_INVALID: spec(
    400,
    EXIT.USAGE,
    'The license cannot be converted to this version: its SSA does not reach it.',
  ),
  WARRANTY_MAXIMUM_EXCEEDED: spec(409, EXIT.CONFLICT, 'The warranty can be extended by four years at most.'),
  WARRANTY_WINDOW_CLOSED: spec(
    409,
    EXIT.CONFLICT,
    'The cheaper warranty extension is only available shortly after the receipt of the device.',
  ),
  DOWNLOAD_NO_DOWNGRADE: spec(
    409,
    EXIT.CONFLICT,
    'No downgrade: licenses downloaded for V5/V6/V7 were returned from this device, so no V5–V7 downloads any more.',
  ),
  NO_DOWNGRADE_NOT_ACCEPTED: spec(
    409,
    EXIT.CONFLICT,
    'Returning V5–V7 licenses needs the agreement never to downgrade below V8 (mylic invalidate --accept-no-downgrade).',
  ),
  NON_RETURNABLE_NOT_ACCEPTED: spec(
    409,
    EXIT.CONFLICT,
    'An unencrypted download (V5–V7, or V8+ with encrypted: false) makes its licenses non-returnable: confirm with acceptNonReturnable.',
  ),
  MOVE_TARGET_HAS_LICENSES: spec(
    409,
    EXIT.CONFLICT,
    'Licenses can only be moved to a device without licenses.',
  ),
  MOVE_SAME_DEVICE: spec(400, EXIT.USAGE, 'Licenses cannot be moved to the same device.'),
  // --- SSA (issue 6) ---
  SSA_END_IN_PAST: spec(400, EXIT.USAGE, 'The SSA end date must not be in the past.'),
  SSA_NOT_TODAY: spec(
    400,
    EXIT.USAGE,
    'Only a calculation for today can be confirmed; other calculation dates are a preview.',
  ),
  SSA_END_BEFORE_CURRENT: spec(
    409,
    EXIT.CONFLICT,
    "The SSA end date is before the project's current one: SSA can only be extended.",
  ),
  SSA_SUMMARY_CHANGED: spec(
    409,
    EXIT.CONFLICT,
    'The SSC summary has changed since it was shown: look at it again before confirming.',
  ),
  WARRANTY_OVERVIEW_CHANGED: spec(
    409,
    EXIT.CONFLICT,
    'The warranty extensions needed have changed since the overview was shown: look at it again before confirming.',
  ),
  SSA_CONFIRMATION_REQUIRED: spec(
    409,
    EXIT.CONFLICT,
    'The target project is under SSA: look at the SSC summary and confirm it first.',
  ),
  DEVICE_ADD_NEEDS_SSA: spec(
    409,
    EXIT.CONFLICT,
    "The device has licenses without this project's SSA: add it to a project without SSA, then move it into this one and confirm the SSC summary.",
  ),
  ON_CREDIT_NOT_ALLOWED: spec(403, EXIT.AUTH, 'Your account may not buy on credit.'),
  // --- myplay, the sandbox portal (issue 15 item 2; bridge/core/play, seed L330-350) ---
  PLAY_ONLY: spec(
    403,
    EXIT.AUTH,
    'This works only in myplay, the sandbox portal (mylic-bridge serve --sandbox); the live portal does not offer it.',
  ),
  PLAY_KEY_NOT_LIVE: spec(
    409,
    EXIT.CONFLICT,
    'This is a myplay activation key (PLAY-…): it was made in the sandbox portal and can never be redeemed on the live portal.',
  ),
  PLAY_NO_INVALIDATION: spec(
    409,
    EXIT.CONFLICT,
    'Invalidation is not possible in myplay: it is hardware related and cannot be simulated.',
  ),
  // operations
  DB_COPY_TARGET_NOT_EMPTY: spec(
    409,
    EXIT.CONFLICT,
    'The PostgreSQL database is not empty: db copy goes into an empty database only.',
  ),
  DB_COPY_MISMATCH: spec(500, EXIT.INTERNAL, 'The copy does not match the source database.'),
  // transport
  PORTAL_UNREACHABLE: spec(502, EXIT.NETWORK, 'The portal cannot be reached.'),
  PORTAL_TLS: spec(502, EXIT.NETWORK, 'The portal TLS certificate is not trusted.'),
  PORTAL_PROTOCOL: spec(502, EXIT.NETWORK, 'The portal answered something unexpected.'),
  INTERNAL: spec(500, EXIT.INTERNAL, 'Something went wrong on our side.'),
} as const satisfies Record<string, CodeSpec>;

export type ErrorCode = keyof typeof ERROR_CODES;

export const isErrorCode = (s: unknown): s is ErrorCode =>
  typeof s === 'string' && Object.hasOwn(ERROR_CODES, s);

/** The one error class the domain throws; the code says which failure it is. */
export class MylicError extends Error {
  readonly code: ErrorCode;
  readonly details: Record<string, unknown> | undefined;
  constructor(code: ErrorCode, message?: string, details?: Record<string, unknown>) {
    super(message ?? ERROR_CODES[code].message);
    this.name = 'MylicError';
    this.code = code;
    this.details = details;
  }
  get status(): number {
    return ERROR_CODES[this.code].status;
  }
  get exitCode(): number {
    return ERROR_CODES[this.code].exit;
  }
  toBody(): ErrorBody {
    return {
      error: { code: this.code, message: this.message, ...(this.details ? { details: this.details } : {}) },
    };
  }
}

export interface ErrorBody {
  error: { code: ErrorCode; message: string; details?: Record<string, unknown> };
}

export const fail = (code: ErrorCode, message?: string, details?: Record<string, unknown>): never => {
  throw new MylicError(code, message, details);
};
