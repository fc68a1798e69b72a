import { readFile } from 'node:fs/promises';
import { MylicError } from '../../protocol/errors.js';
import { openConfirmation, peekKind } from '../../protocol/documents/index.js';
import type { DeviceStore } from '../device/store.js';
import { advanceTrustedTime } from '../checks/clock.js';
import { openDevice } from './device-context.js';
import { assertIssuedNotAhead } from './install.js';
import { applyCertificateConfirmation } from './certificate-confirm.js';
import { trustedAuthorities } from './license-authorities.js';

/**
 * Applies a confirmation (seed: "upload this on the device (under Step1)"). It must be signed by the
 * license authority and answer exactly the pending invalidation of this device; then the accepted
 * licenses leave the device, the rejected ones are used again, and the device asks for a reset.
 * Applying the same confirmation twice changes nothing more. The confirmation comes as the bytes it
 * was given: decoded strictly (invalid UTF-8 is XML_MALFORMED, as on the portal) and kept as those bytes.
 */
export async function applyConfirmation(store: DeviceStore, xml: Uint8Array) {
  const state = await store.state();
  const pending = await store.pending();
  const payload = openConfirmation(xml, await trustedAuthorities(store, new Date()));
  if (payload.hardwareId !== state.hardwareId) {
    throw new MylicError(
      'CONFIRMATION_MISMATCH',
      `The confirmation is for device ${payload.hardwareId}, this is ${state.hardwareId}.`,
    );
  }
  assertIssuedNotAhead(state, payload.issuedAt, new Date(), 'confirmation');
  if (!pending) {
    // The same confirmation again (the journal was already cleared): nothing more to do.
    const applied = await store.readOptionalBytes('confirmations', `${payload.documentId}.xml`);
    if (applied !== null && Buffer.from(xml).equals(applied))
      return {
        documentId: payload.documentId,
        returned: payload.accepted,
        kept: payload.rejected,
        resetRequired: state.resetRequired,
        alreadyApplied: true,
      };
    throw new MylicError('NOTHING_PENDING', 'There is no pending invalidation on this device to confirm.');
  }
  if (payload.documentId !== pending.documentId || payload.deviceCounter !== pending.counter) {
    throw new MylicError(
      'CONFIRMATION_MISMATCH',
      `The confirmation answers document ${payload.documentId}; the pending one is ${pending.documentId}.`,
    );
  }
  const strays = payload.accepted.filter((s) => !pending.serials.includes(s));
  if (strays.length)
    throw new MylicError(
      'CONFIRMATION_MISMATCH',
      `The confirmation names licenses this device did not invalidate: ${strays.join(', ')}.`,
    );

  const installed = await store.installed();
  if (installed) {
    const gone = new Set(payload.accepted);
    await store.saveInstalled({
      ...installed,
      licenses: installed.licenses.filter((l) => !gone.has(l.serial)),
    });
  }
  await store.saveConfirmation(payload.documentId, xml);
  await store.update((s) => {
    s.confirmedCounter = Math.max(s.confirmedCounter, payload.deviceCounter);
    s.resetRequired = true;
    advanceTrustedTime(s, new Date(payload.issuedAt));
  });
  // Last: until the journal is gone, a rerun applies the same confirmation again, harmlessly.
  await store.clearPending();
  return {
    documentId: payload.documentId,
    returned: payload.accepted,
    kept: payload.rejected,
    resetRequired: true,
    alreadyApplied: false,
  };
}

/**
 * Any confirmation file of the portal, applied under Step1: an invalidation's, or a new certificate's
 * (seed L246: "If you created a new certificate or you invalidated your licenses, you can later download
 * the confirmation file, which you have to upload on the box").
 */
export async function applyAnyConfirmation(store: DeviceStore, xml: Uint8Array) {
  if (peekKind(xml) === 'certificate') return applyCertificateConfirmation(store, xml);
  return applyConfirmation(store, xml);
}

export async function confirmFromFile(dir: string, file: string) {
  const { store } = await openDevice(dir);
  return applyAnyConfirmation(store, await readFile(file));
}
