import { X509Certificate, randomUUID } from 'node:crypto';
import { issueDeviceCertificate } from '../../../certs/issue.js';
import { generateKeyPair } from '../../../certs/keys.js';
import { encodeCertificateDocument } from '../../../protocol/documents/index.js';
import { MylicError } from '../../../protocol/errors.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { deviceForActor } from '../licenses/device-licenses.js';
import { hasRight } from '../rights.js';

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
