import { constants, randomUUID, sign } from 'node:crypto';
import { expect } from 'vitest';
import { createUser } from '../../bridge/core/accounts/index.js';
import { DEFAULT_PROJECT, createCompany } from '../../bridge/core/organisation/index.js';
import type { Actor } from '../../bridge/core/context.js';
import { addKnownDevice } from '../support/vendor-devices.js';
import { companyCounts, type TypeCounts } from '../../bridge/core/balance/index.js';
import { bindFromBalance } from '../../bridge/core/licenses/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import {
  createRootCa,
  generateKeyPair,
  issueCertificate,
  issueDeviceCertificate,
  DEV_DEVICE_CA_CN,
  DEV_ROOT_CN,
  type CertAndKey,
  type KeyPair,
} from '../../certs/index.js';
import { DEVICE_API, deviceProofBytes, XML_CONTENT_TYPE } from '../../protocol/device-protocol.js';
import { encodeInvalidation } from '../../protocol/documents/index.js';
import type { ErrorCode } from '../../protocol/errors.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import type { TestCore } from '../support/core.js';

/**
 * Fixtures for bridge tests: a company with a user, balance, a device with bound licenses, and the
 * device's own key and factory certificate so it can log in over HTTP like the agent does.
 *
 * RSA keys are the slow part, so device keys are made once per hardware id and test file (module
 * cache) and reused by every core of the file; the PKI is shared the same way by the caller.
 */

export const PORT_TYPE = 'PBX-Port13';
export const GW_TYPE = 'GW-Channel';
export const DEVICE_TYPE = 'IP811';

// ---------------------------------------------------------------------------------------------
// device identities

export interface DeviceIdentity {
  hardwareId: string;
  keyPem: string;
  certPem: string;
}

const keyCache = new Map<string, KeyPair>();

/** The key of a hardware id: one per test file, generated on first use. */
export function deviceKeys(hardwareId: string): KeyPair {
  let keys = keyCache.get(hardwareId);
  if (!keys) {
    keys = generateKeyPair();
    keyCache.set(hardwareId, keys);
  }
  return keys;
}

/** A device key and a factory certificate (CN = hardware id) from `deviceCa`. */
export function deviceIdentity(
  deviceCa: CertAndKey,
  hardwareId: string,
  keys: KeyPair = deviceKeys(hardwareId),
): DeviceIdentity {
  return {
    hardwareId,
    keyPem: keys.privateKeyPem,
    certPem: issueDeviceCertificate(deviceCa, keys.publicKeyPem, hardwareId),
  };
}

/**
 * A second, unrelated root and device CA with the same names as the dev PKI's: a certificate it
 * issues looks right by name and must still be refused by its signature.
 */
export function foreignDeviceCa(): CertAndKey {
  const root = createRootCa({ commonName: DEV_ROOT_CN, organization: 'mylic development', validDays: 3650 });
  const caKeys = generateKeyPair();
  const certPem = issueCertificate({
    issuer: root,
    subjectPublicKeyPem: caKeys.publicKeyPem,
    commonName: DEV_DEVICE_CA_CN,
    organization: 'mylic development',
    usage: 'ca',
    pathLen: 0,
    validDays: 3650,
  });
  return { certPem, keyPem: caKeys.privateKeyPem };
}

// ---------------------------------------------------------------------------------------------
// companies, devices, licenses

export interface FixtureUser {
  id: number;
  email: string;
  password: string;
}

export interface FixtureDevice extends DeviceIdentity {
  deviceId: number;
}

export interface BoundLicense {
  serial: string;
  type: string;
  units: number;
}

export interface Tenant {
  user: FixtureUser;
  actor: Actor;
  companyId: number;
  projectId: number;
  device: FixtureDevice;
  /** The returnable PBX-Port13 license of the device. */
  port: BoundLicense;
  /** The gateway license of the device: never returnable. */
  gw: BoundLicense;
}

export interface TenantOptions {
  /** Used in the e-mail address and company name. */
  name: string;
  mac: string;
  password?: string;
  /** Units credited to the DEFAULT project before binding. */
  credit?: { port?: number; gw?: number };
  /** Units bound to the device. */
  bind?: { port?: number; gw?: number };
}

export async function makeUser(
  tc: TestCore,
  email: string,
  opts: { password?: string; active?: boolean } = {},
): Promise<FixtureUser> {
  const password = opts.password ?? `pw-${email}-secret`;
  const user = await createUser(tc.core, {
    email,
    password,
    name: email.split('@')[0]!,
    active: opts.active ?? true,
  });
  return { id: user.id, email: user.email, password };
}

/**
 * A user (active), their company with its DEFAULT project, a balance of PBX-Port13 and GW-Channel,
 * a device placed in the project, one bound PBX-Port13 license (returnable) and one GW-Channel
 * license (not returnable), and the device's key and certificate from the dev device CA.
 */
export async function makeTenant(tc: TestCore, opts: TenantOptions): Promise<Tenant> {
  const user = await makeUser(
    tc,
    `${opts.name}@example.test`,
    opts.password !== undefined ? { password: opts.password } : {},
  );
  const { companyId, defaultProjectId } = await createCompany(tc.core, user.id, `Company ${opts.name}`);
  const credit = { port: 10, gw: 8, ...opts.credit };
  const bind = { port: 4, gw: 2, ...opts.bind };
  if (credit.port > 0)
    await operatorCredit(tc.core, companyId, DEFAULT_PROJECT, PORT_TYPE, credit.port, `fixture-${opts.name}`);
  if (credit.gw > 0)
    await operatorCredit(tc.core, companyId, DEFAULT_PROJECT, GW_TYPE, credit.gw, `fixture-${opts.name}`);
  const actor: Actor = { userId: user.id };
  const device = await addFixtureDevice(tc, actor, defaultProjectId, opts.mac);
  const port = await bind1(tc, actor, defaultProjectId, device.hardwareId, PORT_TYPE, bind.port);
  const gw = await bind1(tc, actor, defaultProjectId, device.hardwareId, GW_TYPE, bind.gw);
  return { user, actor, companyId, projectId: defaultProjectId, device, port, gw };
}

/** Places a device (given as a MAC in any form) in a project and makes its key and certificate. */
export async function addFixtureDevice(
  tc: TestCore,
  actor: Actor,
  projectId: number,
  mac: string,
): Promise<FixtureDevice> {
  const { deviceId, hardwareId } = await addKnownDevice(tc.core, actor, projectId, mac, DEVICE_TYPE);
  return { deviceId, ...deviceIdentity(tc.pki.deviceCa, hardwareId) };
}

export async function bind1(
  tc: TestCore,
  actor: Actor,
  projectId: number,
  hardwareId: string,
  licenseType: string,
  units: number,
): Promise<BoundLicense> {
  const r = await bindFromBalance(tc.core, actor, { projectId, hardwareId, licenseType, units });
  return { serial: r.serial, type: r.licenseType, units: r.units };
}

/** companyCounts keyed by license type. */
export async function countsOf(tc: TestCore, companyId: number): Promise<Record<string, TypeCounts>> {
  const rows = await companyCounts(tc.core.store.db, companyId);
  return Object.fromEntries(rows.map((r) => [r.type, r]));
}

export async function licenseRow(tc: TestCore, serial: string) {
  return tc.core.store.db
    .selectFrom('licenses')
    .selectAll()
    .where('serial', '=', serial)
    .executeTakeFirstOrThrow();
}

export async function deviceRow(tc: TestCore, deviceId: number) {
  return tc.core.store.db
    .selectFrom('devices')
    .selectAll()
    .where('id', '=', deviceId)
    .executeTakeFirstOrThrow();
}

export async function countRows(
  tc: TestCore,
  table: 'sessions' | 'invalidations' | 'history' | 'licenses' | 'devices' | 'ledger_entries',
): Promise<number> {
  const row = await tc.core.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}

// ---------------------------------------------------------------------------------------------
// HTTP

export type App = TestCore['app'];

const auth = (token?: string): Record<string, string> => (token ? { authorization: `Bearer ${token}` } : {});

export function postJson(app: App, path: string, body: unknown, token?: string): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...auth(token) },
      body: JSON.stringify(body),
    }),
  );
}

export function postXml(
  app: App,
  path: string,
  xml: string | Uint8Array,
  token?: string,
  contentType = XML_CONTENT_TYPE,
): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      headers: { 'content-type': contentType, ...auth(token) },
      body: xml,
    }),
  );
}

export function get(app: App, path: string, token?: string): Promise<Response> {
  return Promise.resolve(app.request(path, { headers: auth(token) }));
}

/** Asserts the status and the error code of an error answer; returns the error body. */
export async function expectError(
  res: Response,
  status: number,
  code: ErrorCode,
): Promise<{ code: string; message: string; details?: unknown }> {
  const text = await res.text();
  let body: { error?: { code: string; message: string; details?: unknown } };
  try {
    body = JSON.parse(text);
  } catch {
    throw new Error(`expected a JSON error body with ${code}, got ${res.status}: ${text.slice(0, 300)}`);
  }
  expect({ status: res.status, code: body.error?.code }, `answer: ${text.slice(0, 500)}`).toEqual({
    status,
    code,
  });
  return body.error!;
}

export async function expectOk(res: Response, status = 200): Promise<Response> {
  if (res.status !== status)
    throw new Error(`expected ${status}, got ${res.status}: ${(await res.text()).slice(0, 500)}`);
  return res;
}

export async function requestChallenge(app: App, hardwareId: string): Promise<string> {
  const res = await expectOk(await postJson(app, `${DEVICE_API}/challenge`, { hardwareId }));
  return ((await res.json()) as { challenge: string }).challenge;
}

/** RSA-PSS-SHA256 (salt 32) over deviceProofBytes, base64: what the agent sends as its proof. */
export function proveDevice(keyPem: string, challenge: string, hardwareId: string): string {
  return sign('sha256', deviceProofBytes(challenge, hardwareId), {
    key: keyPem,
    padding: constants.RSA_PKCS1_PSS_PADDING,
    saltLength: 32,
  }).toString('base64');
}

export interface LoginAttempt {
  email: string;
  password: string;
  hardwareId: string;
  certificate: string;
  challenge: string;
  signature: string;
}

/** A complete, correct login request for `device`; tests override single fields to break it. */
export async function loginRequest(
  app: App,
  user: { email: string; password: string },
  device: DeviceIdentity,
): Promise<LoginAttempt> {
  const challenge = await requestChallenge(app, device.hardwareId);
  return {
    email: user.email,
    password: user.password,
    hardwareId: device.hardwareId,
    certificate: device.certPem,
    challenge,
    signature: proveDevice(device.keyPem, challenge, device.hardwareId),
  };
}

export function postLogin(app: App, attempt: LoginAttempt): Promise<Response> {
  return postJson(app, `${DEVICE_API}/login`, attempt);
}

/** Logs the device in over HTTP (challenge, proof, login) and returns the device session token. */
export async function loginDevice(
  app: App,
  user: { email: string; password: string },
  device: DeviceIdentity,
): Promise<string> {
  const res = await expectOk(await postLogin(app, await loginRequest(app, user, device)));
  return ((await res.json()) as { token: string }).token;
}

/** A portal session (POST /api/v1/session). */
export async function loginPortal(app: App, user: { email: string; password: string }): Promise<string> {
  const res = await expectOk(
    await postJson(app, `${PORTAL_API}/session`, { email: user.email, password: user.password }),
    201,
  );
  return ((await res.json()) as { token: string }).token;
}

// ---------------------------------------------------------------------------------------------
// documents

export interface InvalidationInput {
  serials: string[];
  counter: number;
  documentId?: string;
  fileId?: string;
  version?: number;
  createdAt?: string;
  /** The user's agreement never to downgrade below V8 (seed L227), signed into the document. */
  acceptNoDowngrade?: boolean;
}

/** An invalidation document signed by the device, as the agent builds it (agent/flows/invalidate.ts). */
export function invalidationDocument(
  device: DeviceIdentity,
  input: InvalidationInput,
): { xml: string; documentId: string } {
  const documentId = input.documentId ?? randomUUID();
  const xml = encodeInvalidation(
    {
      kind: 'invalidation',
      hardwareId: device.hardwareId,
      documentId,
      deviceCounter: input.counter,
      createdAt: input.createdAt ?? new Date().toISOString(),
      fileId: input.fileId ?? randomUUID(),
      version: input.version ?? 13,
      serials: input.serials,
      ...(input.acceptNoDowngrade === undefined ? {} : { acceptNoDowngrade: input.acceptNoDowngrade }),
    },
    device.keyPem,
    device.certPem,
  );
  return { xml, documentId };
}

/** The base64 text of the <payload> element and where it sits in the document. */
export function payloadText(xml: string): { text: string; start: number } {
  const m = /<payload encoding="base64">([^<]+)<\/payload>/.exec(xml);
  if (!m) throw new Error('no <payload> in the document');
  return { text: m[1]!, start: m.index + m[0].indexOf('>') + 1 };
}
