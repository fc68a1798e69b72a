import { MylicError } from '../../../protocol/errors.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import {
  addRmaRequest,
  endRmaRequests,
  placementInScope,
  rmaInfo,
  syncDeviceRmaState,
} from '../devices/index.js';
import { assertPlay } from './play-mode.js';

/**
 * Seed L350 (myplay, Device RMA): "You can put a device under RMA to test this scenario
 * (Licenses->Devices, select a device and ->Properties). You can also remove the RMA status here."
 * Sandbox only (PLAY_ONLY elsewhere): the selected company puts its device under RMA as requested, or
 * as arrived at the vendor (what the operator's `ops rma arrived` does live: its licenses become
 * movable), and removes the status again, arrived or not — which the live portal never allows.
 */
export type PlayRmaState = 'requested' | 'arrived';

export async function setPlayRma(
  core: Core,
  actor: Actor,
  deviceId: number,
  req: { state: PlayRmaState; reason: string },
) {
  assertPlay(core);
  const reason = req.reason.trim() || 'myplay';
  if (reason.length > 2000)
    throw new MylicError('VALIDATION_FAILED', 'Give a reason of at most 2000 characters.');
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const p = await placementInScope(tx, actor, deviceId);
    const base = {
      companyId: p.selectedCompanyId,
      projectId: p.external ? null : p.projectId,
      userId: actor.userId,
      deviceId: p.deviceId,
    };
    const made = await addRmaRequest(tx, at, {
      deviceId: p.deviceId,
      hardwareId: p.hardwareId,
      companyId: p.selectedCompanyId,
      userId: actor.userId,
      reason,
    });
    if (made)
      await recordHistory(tx, at, {
        event: 'device.rma_requested',
        ...base,
        detail: { hardwareId: p.hardwareId, reason, play: true },
      });
    if (req.state === 'arrived') {
      const device = await tx
        .selectFrom('devices')
        .select('rma_state')
        .where('id', '=', p.deviceId)
        .executeTakeFirst();
      if (device?.rma_state !== 'arrived') {
        await tx
          .updateTable('devices')
          .set({ rma_state: 'arrived', rma_arrived_at: at, rma_reshipped_at: null })
          .where('id', '=', p.deviceId)
          .execute();
        await recordHistory(tx, at, {
          event: 'device.rma_arrived',
          ...base,
          detail: { hardwareId: p.hardwareId, requestedBefore: true, by: 'myplay' },
        });
      }
    } else if (!made) {
      throw new MylicError('RMA_STATE_INVALID', 'The device is under RMA already: remove the status first.');
    }
    return rmaInfo(tx, p.deviceId, p.selectedCompanyId);
  });
}

export async function removePlayRma(core: Core, actor: Actor, deviceId: number) {
  assertPlay(core);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const p = await placementInScope(tx, actor, deviceId);
    const device = await tx
      .selectFrom('devices')
      .select('rma_state')
      .where('id', '=', p.deviceId)
      .executeTakeFirst();
    const ended = await endRmaRequests(tx, at, {
      deviceId: p.deviceId,
      hardwareId: p.hardwareId,
      companyId: p.selectedCompanyId,
      userId: actor.userId,
      why: 'withdrawn',
    });
    if (!ended && device?.rma_state !== 'arrived')
      throw new MylicError('RMA_STATE_INVALID', 'The device is not under RMA.');
    if (device?.rma_state === 'arrived') {
      await tx
        .updateTable('devices')
        .set({
          rma_state: null,
          rma_reason: null,
          rma_requested_at: null,
          rma_requested_by: null,
          rma_arrived_at: null,
        })
        .where('id', '=', p.deviceId)
        .execute();
      // Another company's request still open brings the device back to 'requested'.
      await syncDeviceRmaState(tx, p.deviceId);
    }
    await recordHistory(tx, at, {
      event: 'device.rma_withdrawn',
      companyId: p.selectedCompanyId,
      projectId: p.external ? null : p.projectId,
      userId: actor.userId,
      deviceId: p.deviceId,
      detail: { hardwareId: p.hardwareId, why: 'withdrawn', play: true },
    });
    return rmaInfo(tx, p.deviceId, p.selectedCompanyId);
  });
}
