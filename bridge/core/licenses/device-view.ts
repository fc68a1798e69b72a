import { MylicError } from '../../../protocol/errors.js';
import { parseHardwareId } from '../../../protocol/hardware-id.js';
import { catalog, downloadableVersions } from '../catalog.js';
import type { Actor, Core } from '../context.js';
import { getDevice, placementInScope } from '../devices/index.js';
import { type HistoryNames, historyView } from '../history-view.js';
import { boundLicenses, deviceForActor, downloadOptions } from './device-licenses.js';
import { splitByOwner } from './license-ownership.js';
import { warrantyStatus } from './warranty.js';

/**
 * The device page of the portal (`/devices/{hardwareId}`; the device's "my.innovaphone" link lands
 * there): one device as the actor reaches it, by MAC (any form) or IPEI. Same walls as the API's device
 * routes: a device in none of the actor's projects — another company's or none at all — answers
 * DEVICE_NOT_FOUND, a text that is no hardware id too; a locked member gets USER_LOCKED.
 */
export async function deviceIdFor(core: Core, actor: Actor, input: string): Promise<number> {
  let hardwareId: string;
  try {
    hardwareId = parseHardwareId(input).hardwareId;
  } catch {
    throw new MylicError('DEVICE_NOT_FOUND');
  }
  const tx = core.store.db;
  const device = await tx
    .selectFrom('devices')
    .select('id')
    .where('hardware_id', '=', hardwareId)
    .executeTakeFirst();
  // Checked with a placement even when there is no such device: the locked member learns the same.
  const p = await placementInScope(tx, actor, device?.id ?? -1);
  return p.deviceId;
}

/**
 * What the device page shows: properties, the licenses of the company whose placement the actor reaches
 * (a device two companies hold shows each only its own licenses), warranty, certificate, RMA, the
 * versions a license file can be downloaded in, the company's invalidations of this device (their
 * confirmation files again) and its recent history.
 */
export async function deviceView(core: Core, actor: Actor, deviceId: number) {
  const tx = core.store.db;
  const detail = await getDevice(core, actor, deviceId);
  const { device, placement } = await deviceForActor(tx, actor, deviceId);
  const { own } = await splitByOwner(tx, await boundLicenses(tx, device.id), placement.companyId);
  const licenses = own.map((l) => ({
    serial: l.serial,
    type: l.license_type,
    family: catalog.licenseType(l.license_type).family,
    units: l.units,
    version: l.version,
    returnable: l.returnable === 1 && l.downloaded_unencrypted === 0,
    bindDate: l.bind_date,
    ssaEnd: l.ssa_end,
    versions: downloadableVersions({ version: l.version, ssaEnd: l.ssa_end }),
  }));
  const warranty = await warrantyStatus(tx, device);
  const downloads = await downloadOptions(core, actor, deviceId);
  const invalidations = await tx
    .selectFrom('invalidations as i')
    .innerJoin('projects as p', 'p.id', 'i.project_id')
    .select(['i.document_id', 'i.created_at'])
    .where('i.device_id', '=', device.id)
    .where('p.company_id', '=', placement.companyId)
    .orderBy('i.created_at', 'desc')
    .limit(20)
    .execute();
  // Certificates requested on the portal (issue 15 item 4): their confirmation files, again (seed L246).
  const certificateConfirmations = await tx
    .selectFrom('certificate_documents as d')
    .innerJoin('projects as p', 'p.id', 'd.project_id')
    .select(['d.document_id', 'd.issued_at'])
    .where('d.device_id', '=', device.id)
    .where('p.company_id', '=', placement.companyId)
    .orderBy('d.issued_at', 'desc')
    .orderBy('d.id', 'desc')
    .limit(20)
    .execute();
  let history: Awaited<ReturnType<typeof historyView>>['events'] = [];
  let names: HistoryNames = { users: {}, projects: {}, devices: {}, companies: {} };
  try {
    const page = await historyView(core, actor, {
      context: 'device',
      hardwareId: device.hardware_id,
      period: 'always',
      page: 1,
      pageSize: 20,
    });
    history = page.events;
    names = page.names;
  } catch (e) {
    // No event of the selected company about this device yet.
    if (!(e instanceof MylicError) || e.code !== 'DEVICE_NOT_FOUND') throw e;
  }
  return {
    detail,
    deviceType: device.device_type,
    certificate: device.cert_pem !== null,
    noDowngrade: device.no_downgrade_at !== null,
    licenses,
    warranty: {
      ...warranty,
      maximum: catalog.devices.find((t) => t.name === device.device_type)?.maxima.warranty ?? 0,
    },
    downloads: downloads.versions,
    invalidations: invalidations.map((i) => ({ documentId: i.document_id, at: i.created_at })),
    certificateConfirmations: certificateConfirmations.map((i) => ({
      documentId: i.document_id,
      at: i.issued_at,
    })),
    history,
    historyNames: names,
  };
}
export type DeviceView = Awaited<ReturnType<typeof deviceView>>;
