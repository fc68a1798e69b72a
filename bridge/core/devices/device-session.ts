import { X509Certificate, createPublicKey, randomBytes, verify, constants } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import { deviceProofBytes } from '../../../protocol/device-protocol.js';
import { devicePlacementFor } from '../access.js';
import { authenticateLimited, openSession } from '../accounts/index.js';
import { assertDeviceCertificateOf } from './certificates.js';
import { type Core, isoNow } from '../context.js';
import { findDevice, unknownDevice } from './devices.js';
import { recordHistory } from '../history.js';

/**
 * The device's portal login (seed: Invalidation → Process, "enter your my.innovaphone account, the
 * device must be in one of your projects"). The device proves it holds the key of its certificate by
 * signing a one-time challenge, so a stolen certificate file alone logs nobody in.
 */
const CHALLENGE_TTL_MS = 120_000;

export async function createChallenge(core: Core, hardwareId: string) {
  const challenge = randomBytes(32).toString('base64url');
  const expiresAt = new Date(core.clock.now().getTime() + CHALLENGE_TTL_MS).toISOString();
  await core.store.write(async (tx) => {
    await tx.deleteFrom('device_challenges').where('expires_at', '<', isoNow(core)).execute();
    await tx
      .insertInto('device_challenges')
      .values({ challenge, hardware_id: hardwareId, expires_at: expiresAt, used: 0 })
      .execute();
  });
  return { challenge, expiresAt };
}

export interface DeviceLoginInput {
  email: string;
  password: string;
  hardwareId: string;
  certificate: string;
  challenge: string;
  signature: string;
}

export async function deviceLogin(core: Core, input: DeviceLoginInput, address: string | null = null) {
  const user = await authenticateLimited(core, input.email, input.password, address);
  const _now = core.clock.now();
  // The Device Certification Authority is pinned as the issuer, and the certificate must be a device's.
  assertDeviceCertificateOf(core, input.certificate, input.hardwareId);
  const proofOk = verify(
    'sha256',
    deviceProofBytes(input.challenge, input.hardwareId),
    { key: createPublicKey(input.certificate), padding: constants.RSA_PKCS1_PSS_PADDING, saltLength: 32 },
    Buffer.from(input.signature, 'base64'),
  );
  if (!proofOk) throw new MylicError('DEVICE_PROOF_INVALID');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    // One use only: the update succeeds for exactly one login.
    const used = await tx
      .updateTable('device_challenges')
      .set({ used: 1 })
      .where('challenge', '=', input.challenge)
      .where('hardware_id', '=', input.hardwareId)
      .where('used', '=', 0)
      .where('expires_at', '>', at)
      .executeTakeFirst();
    if (Number(used.numUpdatedRows) !== 1) throw new MylicError('CHALLENGE_INVALID');
    // A device the vendor never registered (the factory's registration, issue 15 items 3 and 8) is
    // not in the device database and so in nobody's project: said as such, with what to do.
    const device = await findDevice(tx, input.hardwareId).catch(() => {
      throw unknownDevice(input.hardwareId);
    });
    const placement = await devicePlacementFor(tx, user.id, device.id);
    // The portal encrypts license files to the key of the certificate the device proved last. This is
    // also where a certificate from "request certificate" takes effect: only once the device shows it
    // and signs the challenge with its new key (certificates.ts does not switch on issuing).
    const changed = device.cert_pem !== null && device.cert_pem !== input.certificate;
    await tx
      .updateTable('devices')
      .set({ cert_pem: input.certificate })
      .where('id', '=', device.id)
      .execute();
    const session = await openSession(core, tx, user.id, 'device', device.id);
    await recordHistory(tx, at, {
      event: 'device.logged_in',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: user.id,
      deviceId: device.id,
      ...(changed
        ? {
            detail: {
              certificateChanged: true,
              fingerprint256: new X509Certificate(input.certificate).fingerprint256,
            },
          }
        : {}),
    });
    return {
      ...session,
      company: { id: placement.companyId, name: placement.companyName },
      project: { id: placement.projectId, name: placement.projectName },
    };
  });
}
