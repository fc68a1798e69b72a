import { X509Certificate } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import { parseCsr } from '../../../certs/csr.js';
import { issueDeviceCertificate } from '../../../certs/issue.js';
import { assertDeviceCertificate } from '../../../certs/verify.js';
import { devicePlacementFor } from '../access.js';
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
