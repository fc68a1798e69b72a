import type { Actor, Core } from '../../bridge/core/context.js';
import {
  addDevice,
  macRange,
  parseDeviceFile,
  registerVendorDevices,
} from '../../bridge/core/devices/index.js';
import { parseHardwareId } from '../../protocol/hardware-id.js';

/**
 * The vendor's device database for tests (issue 15 item 8): a device must be registered by the vendor
 * before anyone adds it to a project, and its type is the database's. Fixtures register as the
 * vendor does (`ops device register --type T --mac M`), so the tests keep their meaning.
 */
export async function registerAsVendor(core: Core, deviceType: string, ...devices: string[]) {
  return registerVendorDevices(core, { deviceType, devices });
}

/** The vendor registers the device with `deviceType` (unless known with it), then the actor adds it to the project. */
export async function addKnownDevice(
  core: Core,
  actor: Actor,
  projectId: number,
  device: string,
  deviceType: string,
) {
  await registerAsVendor(core, deviceType, device);
  return addDevice(core, actor, projectId, device);
}

/**
 * For an add request as the tests wrote it before issue 15 item 8 ({device|from,to|text, type, …}):
 * the vendor registers the devices it names that its database does not know yet, with that type, and
 * the request goes without the type (the API refuses one). Input the core would refuse (a bad MAC, a
 * range over 50) registers nothing, so the request still meets its own error.
 */
export async function known<
  T extends { type?: string; device?: string; from?: string; to?: string; text?: string },
>(core: Core, body: T): Promise<Omit<T, 'type'>> {
  const { type, ...rest } = body;
  if (type === undefined) return rest;
  let ids: string[];
  try {
    ids =
      body.device !== undefined
        ? [parseHardwareId(body.device).hardwareId]
        : body.text !== undefined
          ? parseDeviceFile(body.text).map((i) => i.hardwareId)
          : macRange(body.from ?? '', body.to ?? '').map((i) => i.hardwareId);
  } catch {
    return rest;
  }
  const there = new Set(
    (
      await core.store.db
        .selectFrom('devices')
        .select('hardware_id')
        .where('hardware_id', 'in', ids)
        .execute()
    ).map((r) => r.hardware_id),
  );
  const fresh = [...new Set(ids)].filter((id) => !there.has(id));
  if (fresh.length) await registerAsVendor(core, type, ...fresh);
  return rest;
}
