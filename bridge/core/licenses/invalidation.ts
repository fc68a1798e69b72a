import { createHash } from 'node:crypto';
import { MylicError } from '../../../protocol/errors.js';
import type { ConfirmationPayload } from '../../../protocol/documents/payloads.js';
import { encodeConfirmation, openConfirmation, openInvalidation } from '../../../protocol/documents/index.js';
import { assertDeviceCertificateOf } from '../devices/index.js';
import { devicePlacementFor } from '../access.js';
import { needsNoDowngradeConsent, noDowngradeAfterReturn } from './device-licenses.js';
import { type Actor, type Core, isPlay, isoNow } from '../context.js';
import { findDevice } from '../devices/index.js';
import { recordHistory } from '../history.js';
import {
  previousQuery,
  placementsQuery,
  returnLicense,
  raiseCounter,
  insertInvalidation,
} from '../../db/device-path-queries.js';

/**
 * Returning licenses (seed: Invalidation; Upload the invalidation document; Download confirmation file).
 *
 * The device signs an invalidation document; it reaches the portal online ("Transfer") or as a file a
 * user uploads ("Backup"). In one transaction the portal moves the returnable licenses into the free
 * pool of the device's project, stores the document and the signed confirmation, and writes history.
 * The same document again (say, online and then as a file) credits nothing more and gets the same
 * confirmation back; any other document that does not raise the device counter is a replay.
 *
 * V7 returns need consent (seed L206, L227): a serial whose return puts the device under "No downgrade"
 * (a V5–V7 license, or any license of a device that got a V5–V7 file and is not under it yet) is taken
 * back only when the signed document carries `acceptNoDowngrade: true`; else it is rejected with the code
 * NO_DOWNGRADE_NOT_ACCEPTED and stays bound (the device uses it again), the rest is processed as always.
 */
export interface InvalidationResult {
  confirmationXml: string;
  confirmation: ConfirmationPayload;
  replay: boolean;
}

// The transaction's fixed queries, compiled once (access.ts, precompiled).

export async function acceptInvalidation(
  core: Core,
  actor: Actor,
  documentXml: string,
): Promise<InvalidationResult> {
  // Seed L344 (myplay): "Invalidation: Won't be possible here, because this is hardware related and can't be simulated."
  if (isPlay(core)) throw new MylicError('PLAY_NO_INVALIDATION');
  const { payload, deviceCertPem } = openInvalidation(documentXml);
  // The device CA itself must have issued it, for a device (issue 11): not any certificate the root signed.
  assertDeviceCertificateOf(core, deviceCertPem, payload.hardwareId);
  const digest = createHash('sha256').update(documentXml).digest('hex');

  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const device = await findDevice(tx, payload.hardwareId);
    if (actor.deviceId !== undefined && actor.deviceId !== device.id) {
      throw new MylicError('DOC_HARDWARE_MISMATCH', 'A device can only return its own licenses.');
    }
    const placement = await devicePlacementFor(tx, actor.userId, device.id);

    const previous = (await previousQuery(tx, { documentId: payload.documentId })).rows[0];
    if (previous) {
      // Compare what was signed, not the envelope's bytes: the same payload is the same document.
      const same =
        previous.document_sha256 === digest ||
        JSON.stringify(openInvalidation(previous.document).payload) === JSON.stringify(payload);
      if (previous.device_id !== device.id || !same)
        throw new MylicError('DOC_REPLAYED', 'Another document with this id was already used.');
      return {
        confirmationXml: previous.confirmation,
        confirmation: openConfirmation(previous.confirmation, core.keys.licenseAuthorityCertPem),
        replay: true,
      };
    }
    if (payload.deviceCounter <= device.invalidation_counter) {
      throw new MylicError(
        'DOC_REPLAYED',
        `The device counter ${payload.deviceCounter} is not above the last accepted ${device.invalidation_counter}.`,
      );
    }

    const rows = await tx.selectFrom('licenses').selectAll().where('serial', 'in', payload.serials).execute();
    const bySerial = new Map(rows.map((r) => [r.serial, r]));
    const accepted: string[] = [];
    const rejected: ConfirmationPayload['rejected'] = [];
    for (const serial of new Set(payload.serials)) {
      const l = bySerial.get(serial);
      if (l?.state !== 'bound' || l.device_id !== device.id)
        rejected.push({ serial, reason: 'not bound to this device' });
      else if (!l.returnable) rejected.push({ serial, reason: 'license type is not returnable' });
      else if (l.downloaded_unencrypted)
        rejected.push({ serial, reason: 'downloaded unencrypted (V5-V7), no longer returnable' });
      else if (payload.acceptNoDowngrade !== true && needsNoDowngradeConsent(device, l))
        rejected.push({
          serial,
          reason: 'V5-V7: returning it needs the agreement never to downgrade below V8',
          code: 'NO_DOWNGRADE_NOT_ACCEPTED',
        });
      else accepted.push(serial);
    }
    // A returned license goes to the free pool of the company that paid for it: the device's project in
    // that company, or, if the device has left that company, the project it was paid from. A device can
    // be in several companies (seed: Warnings, "Several Companies"); none of them gains another's units.
    const placements = (await placementsQuery(tx, { deviceId: device.id })).rows;
    const paying = accepted.length
      ? await tx
          .selectFrom('projects')
          .select(['id', 'company_id'])
          .where(
            'id',
            'in',
            accepted.map((s) => bySerial.get(s)!.project_id),
          )
          .execute()
      : [];
    const returnedTo = new Map<number, { projectId: number; serials: string[] }>();
    for (const serial of accepted) {
      const license = bySerial.get(serial)!;
      const companyId = paying.find((p) => p.id === license.project_id)!.company_id;
      const target = placements.find((p) => p.company_id === companyId)?.project_id ?? license.project_id;
      const back = returnedTo.get(companyId) ?? { projectId: target, serials: [] };
      back.serials.push(serial);
      returnedTo.set(companyId, back);
      const moved = await returnLicense(tx, { id: license.id, deviceId: device.id, target, at });
      if (Number(moved.numAffectedRows) !== 1)
        throw new MylicError('INTERNAL', 'License rows changed during the invalidation.');
    }
    await raiseCounter(tx, { id: device.id, counter: payload.deviceCounter });
    await noDowngradeAfterReturn(
      tx,
      at,
      device,
      accepted.map((s) => bySerial.get(s)!),
    );

    const confirmation: ConfirmationPayload = {
      kind: 'confirmation',
      hardwareId: device.hardware_id,
      documentId: payload.documentId,
      deviceCounter: payload.deviceCounter,
      issuedAt: at,
      accepted,
      rejected,
    };
    const confirmationXml = encodeConfirmation(confirmation, core.keys.licenseAuthorityKeyPem);
    await insertInvalidation(tx, {
      document_id: payload.documentId,
      device_id: device.id,
      project_id: placement.projectId,
      user_id: actor.userId,
      device_counter: payload.deviceCounter,
      document_sha256: digest,
      document: documentXml,
      confirmation: confirmationXml,
      created_at: at,
    });
    await recordHistory(tx, at, {
      event: 'license.invalidated',
      companyId: placement.companyId,
      projectId: placement.projectId,
      userId: actor.userId,
      deviceId: device.id,
      detail: {
        documentId: payload.documentId,
        accepted,
        rejected,
        via: actor.deviceId !== undefined ? 'transfer' : 'upload',
      },
    });
    // Every other company whose licenses came back sees it in its own history (without the user of the
    // company that sent the document: issue 11 review).
    for (const [companyId, back] of returnedTo) {
      if (companyId === placement.companyId) continue;
      await recordHistory(tx, at, {
        event: 'license.invalidated',
        companyId,
        projectId: back.projectId,
        deviceId: device.id,
        detail: { documentId: payload.documentId, accepted: back.serials, byAnotherCompany: true },
      });
    }
    return { confirmationXml, confirmation, replay: false };
  });
}

/** The confirmation again, for a user whose company holds the device (seed: Download confirmation file). */
export async function confirmationFor(core: Core, actor: Actor, documentId: string): Promise<string> {
  const tx = core.store.db;
  const row = await tx
    .selectFrom('invalidations')
    .select(['device_id', 'confirmation'])
    .where('document_id', '=', documentId)
    .executeTakeFirst();
  if (!row) throw new MylicError('CONFIRMATION_NOT_FOUND');
  // Another company's document answers as not found: nothing leaks across the wall.
  await devicePlacementFor(tx, actor.userId, row.device_id).catch(() => {
    throw new MylicError('CONFIRMATION_NOT_FOUND');
  });
  return row.confirmation;
}
