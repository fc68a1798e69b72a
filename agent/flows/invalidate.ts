import { randomUUID } from 'node:crypto';
import { writeFile } from 'node:fs/promises';
import { MylicError } from '../../protocol/errors.js';
import { encodeInvalidation } from '../../protocol/documents/index.js';
import type { DeviceStore } from '../device/store.js';
import { firmwareMajor, type DeviceState, type PendingInvalidation } from '../device/state.js';
import { applyConfirmation } from './confirm.js';
import { preflight } from './checks.js';
import { faultPoint, openDevice, sessionToken, withClient } from './device-context.js';

/**
 * "Invalidate" on the device (seed: Invalidation → Process). The device signs a document naming the
 * returnable licenses it gives up and journals it before anything leaves the box; from then on those
 * licenses are not used, and every later run finishes this same document — online ("Transfer") or as
 * a file for the portal ("Backup") — until its confirmation is applied. A crash at any step therefore
 * neither loses the licenses (the document can still be sent) nor doubles them (the device does not
 * use them, and the portal credits a document once).
 */
/**
 * The user's agreement never to downgrade below V8 (seed L206, L227), signed into a new document: without it
 * the portal keeps V5–V7 licenses on the device (NO_DOWNGRADE_NOT_ACCEPTED). A pending document is finished
 * as it was signed; the agreement cannot be added to it afterwards.
 */
export interface InvalidateOptions {
  acceptNoDowngrade?: boolean;
}

export async function pendingOrNew(
  store: DeviceStore,
  state: DeviceState,
  options: InvalidateOptions = {},
): Promise<{ pending: PendingInvalidation; resumed: boolean }> {
  const existing = await store.pending();
  if (existing) return { pending: existing, resumed: true };
  if (firmwareMajor(state.firmware) < 8) throw new MylicError('FIRMWARE_TOO_OLD');
  const installed = await store.installed();
  const serials = (installed?.licenses ?? []).filter((l) => l.returnable).map((l) => l.serial);
  if (!installed || !serials.length)
    throw new MylicError(
      'NOTHING_TO_INVALIDATE',
      'No returnable licenses are installed (gateway licenses and warranty extensions stay on the device).',
    );
  const counter = state.counter + 1;
  const documentId = randomUUID();
  const documentXml = encodeInvalidation(
    {
      kind: 'invalidation',
      hardwareId: state.hardwareId,
      documentId,
      deviceCounter: counter,
      createdAt: new Date().toISOString(),
      fileId: installed.fileId,
      version: installed.version,
      serials,
      ...(options.acceptNoDowngrade ? { acceptNoDowngrade: true } : {}),
    },
    await store.readText('device.key'),
    await store.readText('device.crt'),
  );
  const pending: PendingInvalidation = {
    documentId,
    counter,
    serials,
    documentXml,
    createdAt: new Date().toISOString(),
    state: 'created',
    backupFile: null,
  };
  // Journal first, counter second: on restart the journal's counter wins, so a counter is never reused.
  await store.savePending(pending);
  await store.update((s) => {
    s.counter = Math.max(s.counter, counter);
  });
  return { pending, resumed: false };
}

export async function invalidateTransfer(dir: string, options: InvalidateOptions = {}) {
  const { store, state } = await openDevice(dir);
  const token = sessionToken(state, new Date());
  // Every check before anything changes: a failing NTP or DNS check leaves no journal behind.
  const warnings = await preflight(store, state, true);
  const { pending, resumed } = await pendingOrNew(store, state, options);
  faultPoint('after-invalidate');
  if (pending.state === 'created') await store.savePending({ ...pending, state: 'sent' });
  const confirmationXml = await withClient(store, state, (c) =>
    c.transferInvalidation(token, pending.documentXml),
  );
  faultPoint('after-transfer');
  const applied = await applyConfirmation(store, confirmationXml);
  return { resumed, ...applied, warnings };
}

export async function invalidateBackup(dir: string, file: string, options: InvalidateOptions = {}) {
  const { store, state } = await openDevice(dir);
  await preflight(store, state, false);
  const { pending, resumed } = await pendingOrNew(store, state, options);
  await writeFile(file, pending.documentXml, { mode: 0o644 });
  await store.savePending({ ...pending, state: 'saved', backupFile: file });
  return {
    documentId: pending.documentId,
    resumed,
    file,
    serials: pending.serials,
    next: 'Upload the file on the portal, then apply the confirmation with `mylic confirm FILE` (Step1).',
  };
}
