import { MylicError } from '../../../protocol/errors.js';
import {
  AddDeviceRequest,
  AddedDevice,
  AddFileQuery,
  AddFileRequest,
  AddOrderRequest,
  AddRangeRequest,
  BatchResult,
  DeviceDetail,
  DeviceList,
  DeviceListQuery,
  DeviceParams,
  DeviceStatus,
  DeviceStatusQuery,
  MoveDevicesRequest,
  MoveDevicesResult,
  OrderDevices,
  OrderParams,
  RemoveDevicesRequest,
  RemoveDevicesResult,
  RmaInfo,
  RmaList,
  RmaListQuery,
  RmaRequest,
  RmaWithdrawn,
  UpdateDeviceRequest,
} from '../../../protocol/devices-api.js';
import type { Core } from '../../core/context.js';
import { addDeviceFile, addDeviceOrder, addDeviceRange } from '../../core/devices/index.js';
import { getDevice, listDevices } from '../../core/devices/index.js';
import { moveDevices } from '../../core/devices/index.js';
import { foreignDeviceStatus } from '../../core/licenses/index.js';
import { addDevice, removeDevices, updateDevice } from '../../core/devices/index.js';
import { orderCsv, orderDevices } from '../../core/devices/index.js';
import { listRma, requestRma, withdrawRma } from '../../core/devices/index.js';
import { jsonBody, plainTextBody } from '../body.js';
import type { ApiRouter } from './router.js';

/** Largest text file of MACs accepted (characters); 50 lines need far less. */
const MAX_FILE_TEXT = 65536;

/**
 * Devices (seed: Devices → List, Add, Check status, Download devices of an order as CSV, Properties, Move
 * device, Remove; RMA). Routes only translate; the walls and every rule are the core's.
 */
export function devicesRoutes(api: ApiRouter, core: Core) {
  // --- list and add
  api.route(
    {
      method: 'get',
      path: '/devices',
      tag: 'Devices',
      summary:
        'Devices of the selected project (or of all projects of the selected company and those granted to it), filtered by part of name, comment or MAC/IPEI, paged',
      auth: 'user',
      query: DeviceListQuery,
      response: DeviceList,
    },
    async ({ actor, query }) => listDevices(core, actor, query),
  );
  api.route(
    {
      method: 'post',
      path: '/devices',
      tag: 'Devices',
      summary:
        "Add one device of the vendor's device database (MAC in any form, or IPEI) to the selected or named project, with the database's type; DEVICE_UNKNOWN when the database does not know it; warns SEVERAL_COMPANIES",
      auth: 'user',
      body: AddDeviceRequest,
      response: AddedDevice,
      status: 201,
    },
    async ({ actor, body }) => {
      const projectId = body.projectId ?? actor.projectId ?? null;
      if (projectId === null) throw new MylicError('PROJECT_NOT_SELECTED');
      return addDevice(core, actor, projectId, body.device);
    },
  );
  api.route(
    {
      method: 'post',
      path: '/devices/range',
      tag: 'Devices',
      summary:
        'Add the devices of a MAC range (both ends included, at most 50); one outcome per device, each its own transaction',
      auth: 'user',
      body: AddRangeRequest,
      response: BatchResult,
    },
    async ({ actor, body }) => addDeviceRange(core, actor, body),
  );
  api.route(
    {
      method: 'post',
      path: '/devices/file',
      tag: 'Devices',
      summary:
        'Add the devices of a text file, one MAC/IPEI per line (at most 50): as JSON {text, projectId?} or as text/plain with ?projectId=; one outcome per device (DEVICE_UNKNOWN for a device the vendor database does not know)',
      auth: 'user',
      query: AddFileQuery,
      consumes: 'text/plain',
      response: BatchResult,
    },
    async ({ actor, query, c }) => {
      const media = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (media === 'application/json') return addDeviceFile(core, actor, await jsonBody(c, AddFileRequest));
      if (media !== 'text/plain')
        throw new MylicError('UNSUPPORTED_MEDIA_TYPE', 'Send the file as text/plain, or as JSON {text}.');
      const text = await plainTextBody(c);
      if (text.length > MAX_FILE_TEXT)
        throw new MylicError('PAYLOAD_TOO_LARGE', `The file has more than ${MAX_FILE_TEXT} characters.`);
      return addDeviceFile(core, actor, { text, projectId: query.projectId });
    },
  );
  api.route(
    {
      method: 'post',
      path: '/devices/order',
      tag: 'Devices',
      summary:
        'Add all devices of an order of the selected company; one outcome per device (DEVICE_NOT_FOUND when the device database lacks one)',
      auth: 'user',
      body: AddOrderRequest,
      response: BatchResult,
    },
    async ({ actor, body }) => addDeviceOrder(core, actor, body),
  );

  // --- several at once
  api.route(
    {
      method: 'post',
      path: '/devices/move',
      tag: 'Devices',
      summary:
        'Move devices to another project of the same company, with their licenses of the source project (all or none); into a project under SSA their licenses get its SSA end, paid after the SSC summary is confirmed with `ssa` (409 SSA_CONFIRMATION_REQUIRED otherwise)',
      auth: 'user',
      body: MoveDevicesRequest,
      response: MoveDevicesResult,
    },
    async ({ actor, body }) => moveDevices(core, actor, body.deviceIds, body.projectId, body.ssa),
  );
  api.route(
    {
      method: 'post',
      path: '/devices/remove',
      tag: 'Devices',
      summary:
        'Remove devices from their projects; their licenses stay with them (all or none; not for users with rights only)',
      auth: 'user',
      body: RemoveDevicesRequest,
      response: RemoveDevicesResult,
    },
    async ({ actor, body }) => removeDevices(core, actor, body.deviceIds),
  );

  // --- one device
  api.route(
    {
      method: 'get',
      path: '/devices/:deviceId',
      tag: 'Devices',
      summary: 'Properties of a device in your projects',
      auth: 'user',
      params: DeviceParams,
      response: DeviceDetail,
    },
    async ({ actor, params }) => getDevice(core, actor, params.deviceId),
  );
  api.route(
    {
      method: 'patch',
      path: '/devices/:deviceId',
      tag: 'Devices',
      summary: "Change a device's name (never a MAC or IPEI; null: show the MAC/IPEI) and comment",
      auth: 'user',
      params: DeviceParams,
      body: UpdateDeviceRequest,
      response: DeviceDetail,
    },
    async ({ actor, params, body }) => {
      await updateDevice(core, actor, params.deviceId, body);
      return getDevice(core, actor, params.deviceId);
    },
  );
  api.route(
    {
      method: 'delete',
      path: '/devices/:deviceId',
      tag: 'Devices',
      summary: 'Remove a device from its project; its licenses stay with it (not for users with rights only)',
      auth: 'user',
      params: DeviceParams,
      status: 204,
    },
    async ({ actor, params }) => {
      await removeDevices(core, actor, [params.deviceId]);
      return undefined;
    },
  );
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/rma',
      tag: 'RMA',
      summary: 'Request RMA for a device, with a reason',
      auth: 'user',
      params: DeviceParams,
      body: RmaRequest,
      response: RmaInfo,
      status: 201,
    },
    async ({ actor, params, body }) => requestRma(core, actor, params.deviceId, body.reason),
  );
  api.route(
    {
      method: 'delete',
      path: '/devices/:deviceId/rma',
      tag: 'RMA',
      summary:
        "Withdraw your company's RMA request for a device (the user who made it or a company admin; not once it arrived at the vendor)",
      auth: 'user',
      params: DeviceParams,
      response: RmaWithdrawn,
    },
    async ({ actor, params }) => withdrawRma(core, actor, params.deviceId),
  );
  api.route(
    {
      method: 'get',
      path: '/rma',
      tag: 'RMA',
      summary:
        'RMA devices of the selected project or all projects: arrived at the vendor (their licenses are movable), or requested/active',
      auth: 'user',
      query: RmaListQuery,
      response: RmaList,
    },
    async ({ actor, query }) => listRma(core, actor, query.state),
  );
  api.route(
    {
      method: 'get',
      path: '/device-status',
      tag: 'Devices',
      summary:
        'Licenses with SSA end and warranty end of any device, also outside your projects (right check-foreign-device)',
      auth: 'user',
      query: DeviceStatusQuery,
      response: DeviceStatus,
    },
    async ({ actor, query }) => foreignDeviceStatus(core, actor, query.device),
  );

  // --- orders
  api.route(
    {
      method: 'get',
      path: '/orders/:orderNumber',
      tag: 'Devices',
      summary: 'Devices of an order of the selected company',
      auth: 'user',
      params: OrderParams,
      response: OrderDevices,
    },
    async ({ actor, params }) => orderDevices(core, actor, params.orderNumber),
  );
  api.route(
    {
      method: 'get',
      path: '/orders/:orderNumber/devices.csv',
      tag: 'Devices',
      summary: 'Devices of an order of the selected company as CSV (MAC, type, name)',
      auth: 'user',
      params: OrderParams,
      produces: 'text/csv',
    },
    async ({ c, actor, params }) => {
      const { filename, csv } = await orderCsv(core, actor, params.orderNumber);
      return c.body(csv, 200, {
        'content-type': 'text/csv; charset=utf-8',
        'content-disposition': `attachment; filename="${filename}"`,
        'x-content-type-options': 'nosniff',
      });
    },
  );
}
