import { MylicError } from '../../../protocol/errors.js';
import { formatHardwareId, parseHardwareId } from '../../../protocol/hardware-id.js';
import { selectedCompany } from '../access.js';
import { catalog } from '../catalog.js';
import type { Actor, Core } from '../context.js';
import { hasRight } from '../rights.js';
import { RMA_ACTIVE, toRmaInfo } from '../devices/index.js';
import { activeRequests } from '../devices/index.js';
import { warrantyStatus } from './warranty.js';

/**
 * Check licence, SSA and warranty status of a device (seed: "list licenses with ssa and the warranty end
 * date of a device, which is not in one of your projects. This is just available with the needed
 * right"): only with the user right `check-foreign-device` (granted by the operator), for any device.
 * It shows the device's bound licenses with their SSA end and the warranty; never who owns the device.
 *
 * Warranty end = receipt (shipping date from the order, else the day the device was first added; see
 * warranty.ts) + the base warranty + the years of the warranty extension licenses bound to the device.
 * The base warranty is ours: the seed names none.
 */
export const BASE_WARRANTY_YEARS = 2;

const isWarranty = (type: string) =>
  catalog.licenseTypes.some((t) => t.name === type && t.family === 'warranty');

const addYears = (isoDate: string, years: number) => {
  const [y, m, d] = isoDate.split('-').map(Number) as [number, number, number];
  const t = new Date(Date.UTC(y + years, m - 1, d));
  // 29 February plus whole years lands on 1 March in a common year: take 28 February instead.
  if (t.getUTCMonth() !== m - 1) t.setUTCDate(0);
  return t.toISOString().slice(0, 10);
};

export async function foreignDeviceStatus(core: Core, actor: Actor, input: string) {
  const tx = core.store.db;
  const { companyId } = await selectedCompany(tx, actor);
  // The right first: without it nobody learns whether a device exists.
  if (!(await hasRight(tx, actor.userId, 'check-foreign-device', companyId)))
    throw new MylicError(
      'FORBIDDEN',
      'Checking devices outside your projects needs the right "check-foreign-device".',
    );
  const { hardwareId } = parseHardwareId(input);
  const device = await tx
    .selectFrom('devices')
    .selectAll()
    .where('hardware_id', '=', hardwareId)
    .executeTakeFirst();
  if (!device)
    throw new MylicError('DEVICE_NOT_FOUND', `There is no device ${formatHardwareId(hardwareId)}.`);
  const licenses = await tx
    .selectFrom('licenses')
    .select(['serial', 'license_type', 'units', 'version', 'bind_date', 'ssa_end'])
    .where('device_id', '=', device.id)
    .where('state', '=', 'bound')
    .orderBy('id')
    .execute();
  const ours = await tx
    .selectFrom('device_projects')
    .select('device_id')
    .where('device_id', '=', device.id)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  const w = await warrantyStatus(tx, device);
  const extensions = licenses
    .filter((l) => isWarranty(l.license_type))
    .map((l) => ({ serial: l.serial, type: l.license_type, years: l.units }));
  const rma = toRmaInfo(device, await activeRequests(tx, [device.id]), companyId);
  return {
    hardwareId: device.hardware_id,
    display: formatHardwareId(device.hardware_id),
    type: device.device_type,
    inYourCompany: ours !== undefined,
    inRma: rma !== null && RMA_ACTIVE.includes(rma.state),
    rma,
    licenses: licenses.map((l) => ({
      serial: l.serial,
      type: l.license_type,
      units: l.units,
      version: l.version,
      bindDate: l.bind_date,
      ssaEnd: l.ssa_end,
    })),
    warranty: {
      start: w.receipt,
      startSource: device.shipped_on !== null ? ('shipped' as const) : ('added' as const),
      baseYears: BASE_WARRANTY_YEARS,
      extensionYears: w.extensionYears,
      extensions,
      end: addYears(w.receipt, BASE_WARRANTY_YEARS + w.extensionYears),
    },
  };
}
