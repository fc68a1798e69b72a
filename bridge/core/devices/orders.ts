import { MylicError } from '../../../protocol/errors.js';
import { ORDER_NUMBER_RE } from '../../../protocol/devices-api.js';
import { formatHardwareId, hardwareIdKind, parseHardwareId } from '../../../protocol/hardware-id.js';
import type { Tx } from '../../db/store.js';
import { selectedCompany } from '../access.js';
import { catalog } from '../catalog.js';
import { type Actor, type Core, isoNow, today } from '../context.js';
import { assertTypeFits } from './devices.js';
import { recordHistory } from '../history.js';

/**
 * Orders of the vendor (seed: Devices → Add, "according to your received order number … a list of all
 * devices bount to this number"; Download devices of an order as CSV).
 *
 * The operator registers an order for a customer company with the devices shipped with it
 * (`mylic-bridge ops order add`). That is the vendor's way into the device database: a device not
 * known yet is created with its type and shipping date (the warranty's start). An order belongs to one
 * company; to every other company it answers ORDER_NOT_FOUND, like an order that does not exist.
 */

export function orderNumber(input: string): string {
  const n = input.trim();
  if (!ORDER_NUMBER_RE.test(n))
    throw new MylicError(
      'VALIDATION_FAILED',
      'An order number has 1 to 40 letters, digits, ".", "_" or "-".',
    );
  return n;
}

export interface RegisterOrderInput {
  orderNumber: string;
  companyId: number;
  devices: { device: string; type?: string | undefined }[];
  /** Calendar date (YYYY-MM-DD); default today. */
  orderedOn?: string | undefined;
}

/** Default type of a device the operator registers with an order without giving one. */
const defaultType = (kind: 'mac' | 'ipei') =>
  kind === 'ipei' ? (catalog.devices.find((d) => d.identity === 'ipei')?.name ?? 'DECT-Handset') : 'IP811';

/** Operator: register an order (or add devices to one) for a company. One transaction, one history event. */
export async function registerOrder(core: Core, input: RegisterOrderInput) {
  const number = orderNumber(input.orderNumber);
  if (!input.devices.length) throw new MylicError('USAGE', 'Give at least one device (--mac).');
  if (input.orderedOn !== undefined && !/^\d{4}-\d{2}-\d{2}$/.test(input.orderedOn))
    throw new MylicError('VALIDATION_FAILED', 'The order date is YYYY-MM-DD.');
  const lines = input.devices.map((d) => {
    const { hardwareId, kind } = parseHardwareId(d.device);
    const type = d.type === undefined ? null : assertTypeFits(d.type, kind);
    return { hardwareId, kind, type };
  });
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const company = await tx
      .selectFrom('companies')
      .select('id')
      .where('id', '=', input.companyId)
      .executeTakeFirst();
    if (!company) throw new MylicError('COMPANY_NOT_FOUND', `There is no company ${input.companyId}.`);
    const existing = await tx
      .selectFrom('device_orders')
      .selectAll()
      .where('order_number', '=', number)
      .executeTakeFirst();
    if (existing && existing.company_id !== input.companyId)
      throw new MylicError('ALREADY_EXISTS', `Order ${number} belongs to company ${existing.company_id}.`);
    const orderedOn = existing?.ordered_on ?? input.orderedOn ?? today(core);
    if (!existing)
      await tx
        .insertInto('device_orders')
        .values({ order_number: number, company_id: input.companyId, ordered_on: orderedOn, created_at: at })
        .execute();
    const out: { hardwareId: string; display: string; type: string; created: boolean }[] = [];
    for (const line of lines) {
      let device = await tx
        .selectFrom('devices')
        .select(['id', 'device_type', 'shipped_on'])
        .where('hardware_id', '=', line.hardwareId)
        .executeTakeFirst();
      let created = false;
      if (!device) {
        device = await tx
          .insertInto('devices')
          .values({
            hardware_id: line.hardwareId,
            device_type: line.type ?? defaultType(line.kind),
            cert_pem: null,
            invalidation_counter: 0,
            created_at: at,
            shipped_on: orderedOn,
          })
          .returning(['id', 'device_type', 'shipped_on'])
          .executeTakeFirstOrThrow();
        created = true;
      } else if (device.shipped_on === null) {
        await tx.updateTable('devices').set({ shipped_on: orderedOn }).where('id', '=', device.id).execute();
      }
      await tx
        .insertInto('device_order_lines')
        .values({
          order_number: number,
          hardware_id: line.hardwareId,
          device_type: device.device_type,
          created_at: at,
        })
        .onConflict((oc) => oc.columns(['order_number', 'hardware_id']).doNothing())
        .execute();
      out.push({
        hardwareId: line.hardwareId,
        display: formatHardwareId(line.hardwareId),
        type: device.device_type,
        created,
      });
    }
    await recordHistory(tx, at, {
      event: 'order.registered',
      companyId: input.companyId,
      detail: { orderNumber: number, orderedOn, devices: out.map((d) => d.hardwareId), by: 'operator' },
    });
    return { orderNumber: number, companyId: input.companyId, orderedOn, devices: out };
  });
}

/** An order of the selected company, or ORDER_NOT_FOUND (also for another company's order). */
export async function orderOfCompany(tx: Tx, actor: Actor, number: string) {
  const { companyId } = await selectedCompany(tx, actor);
  const order = await tx
    .selectFrom('device_orders')
    .selectAll()
    .where('order_number', '=', number)
    .where('company_id', '=', companyId)
    .executeTakeFirst();
  if (!order) throw new MylicError('ORDER_NOT_FOUND', `There is no order ${number} for your company.`);
  return order;
}

export async function orderLines(tx: Tx, number: string) {
  return tx
    .selectFrom('device_order_lines')
    .select(['hardware_id', 'device_type'])
    .where('order_number', '=', number)
    .orderBy('hardware_id')
    .execute();
}

/** The devices of an order, with their placement and name in the selected company where placed. */
export async function orderDevices(core: Core, actor: Actor, number: string) {
  const tx = core.store.db;
  const order = await orderOfCompany(tx, actor, orderNumber(number));
  const lines = await tx
    .selectFrom('device_order_lines as ol')
    .leftJoin('devices as d', 'd.hardware_id', 'ol.hardware_id')
    .leftJoin('device_projects as dp', (j) =>
      j.onRef('dp.device_id', '=', 'd.id').on('dp.company_id', '=', order.company_id),
    )
    .select(['ol.hardware_id', 'ol.device_type', 'd.device_type as current_type', 'dp.project_id', 'dp.name'])
    .where('ol.order_number', '=', order.order_number)
    .orderBy('ol.hardware_id')
    .execute();
  return {
    orderNumber: order.order_number,
    orderedOn: order.ordered_on,
    devices: lines.map((l) => ({
      hardwareId: l.hardware_id,
      display: formatHardwareId(l.hardware_id),
      type: l.current_type ?? l.device_type,
      projectId: l.project_id ?? null,
      name: l.name ?? null,
      kind: hardwareIdKind(l.hardware_id),
    })),
  };
}

/** A CSV field: quoted when needed; a leading = + - @ is defused so a spreadsheet never runs it. */
function csvField(value: string): string {
  const v = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** Download devices of an order as CSV: MAC (or IPEI), type, device name; CRLF lines, UTF-8. */
export async function orderCsv(
  core: Core,
  actor: Actor,
  number: string,
): Promise<{ filename: string; csv: string }> {
  const o = await orderDevices(core, actor, number);
  const rows = [['MAC', 'Type', 'Name'], ...o.devices.map((d) => [d.display, d.type, d.name ?? ''])];
  return {
    filename: `order-${o.orderNumber}.csv`,
    csv: `${rows.map((r) => r.map(csvField).join(',')).join('\r\n')}\r\n`,
  };
}
