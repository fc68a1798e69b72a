import { X509Certificate, randomUUID } from 'node:crypto';
import { parseCsr } from '../../../certs/csr.js';
import { issueDeviceCertificate } from '../../../certs/issue.js';
import { generateKeyPair } from '../../../certs/keys.js';
import { assertDeviceCertificate } from '../../../certs/verify.js';
import { encodeCertificateDocument } from '../../../protocol/documents/index.js';
import { MylicError } from '../../../protocol/errors.js';
import { deviceForActor, devicePlacementFor } from '../access.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { hasRight } from '../rights.js';

/**
 * Whether `certPem` is the device certificate of `hardwareId` at the core's time (issue 11): issued and
 * signed by the portal's Device Certification Authority itself (which chains to the root), for a
 * device (no CA; digitalSignature, keyEncipherment, clientAuth), valid, CN = hardware id. Every place
 * the bridge accepts a certificate from a device uses this, never the plain chain check: the root
 * also signs the license authority and the TLS server.
 */
export function assertDeviceCertificateOf(core: Core, certPem: string, hardwareId: string): void {
  const [root] = core.keys.deviceCertIssuers.slice(-1);
  if (root === undefined) throw new TypeError('core.keys.deviceCertIssuers must end with the root CA');
  assertDeviceCertificate(certPem, {
    deviceCa: core.keys.deviceCa.certPem,
    root,
    at: core.clock.now(),
    hardwareId,
  });
}

/**
 * Request certificate (seed: "If you have the needed rights, you can request a new device certificate
 * for your device"). The device sends a CSR for its hardware id; the Device Certification Authority
 * signs it for a user with the right, for a device in one of the user's projects.
 *
 * The portal does not switch to the new certificate here. It keeps encrypting license files to the
 * certificate the device last proved in a login (`devices.cert_pem`, see device-session.ts) until the
 * device logs in with the new one, signing the challenge with the new key. A device that refuses the
 * answer, or crashes before it has installed the new pair, therefore never finds files encrypted to
 * a key it does not hold; the agent logs in again right after installing (see
 * agent/flows/request-certificate.ts), so the two sides agree again within the same command.
 */
export async function requestDeviceCertificate(core: Core, actor: Actor, csrPem: string) {
  if (actor.deviceId === undefined)
    throw new MylicError('FORBIDDEN', 'Only a logged-in device may request its certificate.');
  const csr = parseCsr(csrPem);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const device = await tx
      .selectFrom('devices')
      .selectAll()
      .where('id', '=', actor.deviceId!)
      .executeTakeFirstOrThrow();
    const placement = await devicePlacementFor(tx, actor.userId, device.id);
    // Seed L272: the right is held per company: the one whose project holds the device.
    if (!(await hasRight(tx, actor.userId, 'request-certificate', placement.companyId))) {
      throw new MylicError('FORBIDDEN', 'Your account does not have the "request certificate" right.');
    }
    if (csr.commonName !== device.hardware_id) {
      throw new MylicError(
        'CERT_HW_MISMATCH',
        `The request is for ${csr.commonName}, the device is ${device.hardware_id}.`,
      );
    }
    const certificate = issueDeviceCertificate(core.keys.deviceCa, csr.publicKeyPem, device.hardware_id, {
      notBefore: new Date(core.clock.now().getTime() - 5 * 60_000),
    });
    const issued = new X509Certificate(certificate);
    await recordHistory(tx, at, {
      event: 'device.certificate_issued',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: {
        serialNumber: issued.serialNumber,
        fingerprint256: issued.fingerprint256,
        validTo: new Date(issued.validTo).toISOString(),
      },
    });
    return { certificate, issuer: core.keys.deviceCa.certPem };
  });
}

/**
 * Request certificate from the portal (issue 15 item 4; seed L247–248 "If you have the needed rights,
 * you can request a new device certificate for your device", L245–246 "If you created a new certificate
 * … you can later download the confirmation file, which you have to upload on the box").
 *
 * No device log-in: the portal makes the key pair, the Device Certification Authority signs the
 * certificate, and the new key travels in the confirmation file encrypted to the key of the certificate
 * on record (from the factory registration, a device log-in or an earlier request). That key opens it
 * even when that certificate has expired, so an expired device gets a new certificate this way; the
 * device applies the file under Step1 (`mylic confirm FILE`, or the Step1 upload of its page).
 *
 * The portal switches to the new certificate at once: license files made after the request are
 * encrypted to it, so the confirmation is applied first (the device keeps its previous key for files
 * made before). A device with no certificate on record gets CERT_MISSING: nothing could carry the key.
 */
export async function requestCertificateOnPortal(core: Core, actor: Actor, deviceId: number) {
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { device, placement } = await deviceForActor(tx, actor, deviceId);
    // The right held in the company the user acts for (the selected one).
    if (!(await hasRight(tx, actor.userId, 'request-certificate', actor.companyId ?? null)))
      throw new MylicError('FORBIDDEN', 'Your account does not have the "request certificate" right.');
    if (device.cert_pem === null)
      throw new MylicError(
        'CERT_MISSING',
        'No certificate of this device is on record, so a new key cannot be sent to it: the vendor registers the factory certificate (mylic-bridge ops device register), or log in once from the device.',
      );
    const keys = generateKeyPair();
    const certificate = issueDeviceCertificate(core.keys.deviceCa, keys.publicKeyPem, device.hardware_id, {
      notBefore: new Date(core.clock.now().getTime() - 5 * 60_000),
    });
    const issued = new X509Certificate(certificate);
    const documentId = randomUUID();
    const xml = encodeCertificateDocument(
      {
        hardwareId: device.hardware_id,
        documentId,
        issuedAt: at,
        certificatePem: certificate,
        privateKeyPem: keys.privateKeyPem,
      },
      core.keys.licenseAuthorityKeyPem,
      device.cert_pem,
    );
    await tx
      .insertInto('certificate_documents')
      .values({
        document_id: documentId,
        device_id: device.id,
        project_id: placement.projectId,
        user_id: actor.userId,
        issued_at: at,
        certificate,
        xml,
      })
      .execute();
    await tx.updateTable('devices').set({ cert_pem: certificate }).where('id', '=', device.id).execute();
    await recordHistory(tx, at, {
      event: 'device.certificate_issued',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: {
        serialNumber: issued.serialNumber,
        fingerprint256: issued.fingerprint256,
        validTo: new Date(issued.validTo).toISOString(),
        documentId,
        via: 'portal',
      },
    });
    return { documentId, xml, hardwareId: device.hardware_id };
  });
}

/** The certificate confirmations of a device the actor reaches, newest first. */
export async function certificateConfirmations(core: Core, actor: Actor, deviceId: number) {
  const tx = core.store.db;
  const { device, placement } = await deviceForActor(tx, actor, deviceId);
  return tx
    .selectFrom('certificate_documents as d')
    .innerJoin('projects as p', 'p.id', 'd.project_id')
    .select(['d.document_id as documentId', 'd.issued_at as at'])
    .where('d.device_id', '=', device.id)
    .where('p.company_id', '=', placement.companyId)
    .orderBy('d.issued_at', 'desc')
    .orderBy('d.id', 'desc')
    .execute();
}

/** One certificate confirmation again (seed L246 "you can later download the confirmation file"). */
export async function certificateConfirmationFor(
  core: Core,
  actor: Actor,
  deviceId: number,
  documentId: string,
) {
  const tx = core.store.db;
  const { device, placement } = await deviceForActor(tx, actor, deviceId);
  // Only the company whose project the device was in when it was requested (as invalidations).
  const row = await tx
    .selectFrom('certificate_documents as d')
    .innerJoin('projects as p', 'p.id', 'd.project_id')
    .select(['d.xml'])
    .where('d.device_id', '=', device.id)
    .where('d.document_id', '=', documentId)
    .where('p.company_id', '=', placement.companyId)
    .executeTakeFirst();
  if (!row) throw new MylicError('NOT_FOUND');
  return row.xml;
}
