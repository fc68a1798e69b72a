import {
  AddFromBalanceRequest,
  AddFromBalanceResult,
  AddFromBalanceSsaPreview,
  AddFromBalanceSsaPreviewRequest,
  AssignFreeRequest,
  AssignFreeResult,
  CatalogView,
  ConvertRequest,
  ConvertResult,
  DeviceLicenseList,
  DeviceParams,
  DeviceWarrantyRequest,
  DownloadOptions,
  FloatingResult,
  FreeList,
  FreeOffer,
  FreeOfferQuery,
  FreeQuery,
  LicenseOffer,
  MoveLicensesRequest,
  MoveLicensesResult,
  OfferQuery,
  PortalLicenseFileRequest,
  ProjectParams,
  ProjectWarrantyRequest,
  WarrantyOverview,
} from '../../../protocol/licenses-api.js';
import { catalog } from '../../core/catalog.js';
import type { Core } from '../../core/context.js';
import { downloadForPortal, downloadOptions } from '../../core/licenses/index.js';
import { addFloating, deleteFloating } from '../../core/licenses/index.js';
import {
  assignFreeLicenses,
  convertFreeLicenses,
  freeOffer,
  listFreeLicenses,
  previewConversion,
} from '../../core/licenses/index.js';
import { licenseOffer } from '../../core/licenses/index.js';
import { moveLicenses } from '../../core/licenses/index.js';
import { addFromBalance, deviceLicenseList, previewFromBalanceSsa } from '../../core/licenses/index.js';
import {
  extendDeviceWarranty,
  extendProjectWarranty,
  previewDeviceWarranty,
  previewProjectWarranty,
} from '../../core/licenses/index.js';
import { xmlResponse } from '../body.js';
import type { ApiRouter } from './router.js';

/**
 * Licenses on a device and free licenses (seed: Devices → Licenses and its subsections; Free licenses;
 * Devices → Add warranty extensions). Routes only translate; every rule is the core's.
 */
export function licenseRoutes(api: ApiRouter, core: Core) {
  const T = 'Licenses';
  api.route(
    {
      method: 'get',
      path: '/catalog',
      tag: T,
      summary:
        'The catalog: versions, license types (families, packs, rules) and device types with what each takes',
      auth: 'user',
      company: 'none',
      response: CatalogView,
    },
    async () => ({
      currentVersion: catalog.currentVersion,
      versions: catalog.versions,
      licenseTypes: catalog.licenseTypes,
      deviceTypes: catalog.devices,
      warranty: catalog.warranty,
    }),
  );
  api.route(
    {
      method: 'get',
      path: '/devices/:deviceId/licenses',
      tag: T,
      summary: 'The licenses of a device, with the versions each can be downloaded in',
      auth: 'user',
      params: DeviceParams,
      response: DeviceLicenseList,
    },
    async ({ actor, params }) => deviceLicenseList(core, actor, params.deviceId),
  );

  // --- add from balance
  api.route(
    {
      method: 'get',
      path: '/devices/:deviceId/licenses/offer',
      tag: T,
      summary:
        'Add licenses from balance, step 1: the types this device takes in the version, with project balance, balance over all own projects, installed amount and maximum; with `ports` the cheapest V8+ pack combination pre-filled',
      auth: 'user',
      params: DeviceParams,
      query: OfferQuery,
      response: LicenseOffer,
    },
    async ({ actor, params, query }) => licenseOffer(core, actor, params.deviceId, query),
  );
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/licenses/from-balance',
      tag: T,
      summary:
        "Add licenses from balance, step 2: the whole selection in one transaction (every rule checked; drawn from the device's project, then the named own projects; what is missing on credit with the right)",
      auth: 'user',
      params: DeviceParams,
      body: AddFromBalanceRequest,
      response: AddFromBalanceResult,
      status: 201,
    },
    async ({ actor, params, body }) => addFromBalance(core, actor, params.deviceId, body),
  );
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/licenses/from-balance/ssa-preview',
      tag: T,
      summary:
        'Add licenses from balance in a project under SSA: the SSC summary the selection would ask to confirm, nothing changes (lines opted out by `ssa.optOutLines`; `ssa.calculationDate`: a preview for another day); null when the project is not under SSA',
      auth: 'user',
      params: DeviceParams,
      body: AddFromBalanceSsaPreviewRequest,
      response: AddFromBalanceSsaPreview,
    },
    async ({ actor, params, body }) => {
      const r = await previewFromBalanceSsa(core, actor, params.deviceId, body);
      // The calculator's line id is the (placeholder) serial.
      return {
        ...r,
        summary: r.summary && { ...r.summary, lines: r.summary.lines.map((l) => ({ ...l, serial: l.id })) },
      };
    },
  );

  // --- free licenses
  api.route(
    {
      method: 'get',
      path: '/free-licenses',
      tag: 'Free licenses',
      summary: 'Free licenses of the named or selected project, or of all your projects',
      auth: 'user',
      query: FreeQuery,
      response: FreeList,
    },
    async ({ actor, query }) => listFreeLicenses(core, actor, query),
  );
  api.route(
    {
      method: 'get',
      path: '/devices/:deviceId/licenses/free-offer',
      tag: 'Free licenses',
      summary: 'Free licenses that fit this device and version',
      auth: 'user',
      params: DeviceParams,
      query: FreeOfferQuery,
      response: FreeOffer,
    },
    async ({ actor, params, query }) => freeOffer(core, actor, params.deviceId, query.version),
  );
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/licenses/from-free',
      tag: 'Free licenses',
      summary:
        'Assign free licenses to the device (bind date, SSA end and external key are kept), after a consistency check',
      auth: 'user',
      params: DeviceParams,
      body: AssignFreeRequest,
      response: AssignFreeResult,
      status: 201,
    },
    async ({ actor, params, body }) => assignFreeLicenses(core, actor, params.deviceId, body),
  );
  api.route(
    {
      method: 'post',
      path: '/free-licenses/convert/preview',
      tag: 'Free licenses',
      summary:
        'What converting free licenses to balance would cost (one year of SSC per unit) and give; nothing changes',
      auth: 'user',
      body: ConvertRequest,
      response: ConvertResult,
    },
    async ({ actor, body }) => previewConversion(core, actor, body),
  );
  api.route(
    {
      method: 'post',
      path: '/free-licenses/convert',
      tag: 'Free licenses',
      summary:
        'Convert free licenses to balance: one year of SSC per unit is paid, external keys and SSA are dropped; under SSA to a later version it reaches',
      auth: 'user',
      body: ConvertRequest,
      response: ConvertResult,
    },
    async ({ actor, body }) => convertFreeLicenses(core, actor, body),
  );

  // --- V7 floating license
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/licenses/floating',
      tag: T,
      summary: 'Add a V7 floating license (slave PBX); not with V7 PBX licenses',
      auth: 'user',
      params: DeviceParams,
      response: FloatingResult,
      status: 201,
    },
    async ({ actor, params }) => addFloating(core, actor, params.deviceId),
  );
  api.route(
    {
      method: 'delete',
      path: '/devices/:deviceId/licenses/floating',
      tag: T,
      summary: 'Delete the V7 floating license of the device',
      auth: 'user',
      params: DeviceParams,
      response: FloatingResult,
    },
    async ({ actor, params }) => deleteFloating(core, actor, params.deviceId),
  );

  // --- warranty extensions
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/warranty/preview',
      tag: T,
      summary: 'Overview of a warranty extension for this device (nothing changes)',
      auth: 'user',
      params: DeviceParams,
      body: DeviceWarrantyRequest,
      response: WarrantyOverview,
    },
    async ({ actor, params, body }) => previewDeviceWarranty(core, actor, params.deviceId, body),
  );
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/warranty',
      tag: T,
      summary:
        'Extend the warranty of this device (cheaper type only shortly after receipt; four years at most)',
      auth: 'user',
      params: DeviceParams,
      body: DeviceWarrantyRequest,
      response: WarrantyOverview,
      status: 201,
    },
    async ({ actor, params, body }) => extendDeviceWarranty(core, actor, params.deviceId, body),
  );
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/warranty/preview',
      tag: 'Devices',
      summary:
        'Overview of warranty extensions for all (or the listed) devices of a project (nothing changes)',
      auth: 'user',
      params: ProjectParams,
      body: ProjectWarrantyRequest,
      response: WarrantyOverview,
    },
    async ({ actor, params, body }) => previewProjectWarranty(core, actor, params.projectId, body),
  );
  api.route(
    {
      method: 'post',
      path: '/projects/:projectId/warranty',
      tag: 'Devices',
      summary: 'Confirm warranty extensions for the devices of a project, in one transaction',
      auth: 'user',
      params: ProjectParams,
      body: ProjectWarrantyRequest,
      response: WarrantyOverview,
      status: 201,
    },
    async ({ actor, params, body }) => extendProjectWarranty(core, actor, params.projectId, body),
  );

  // --- downloads
  api.route(
    {
      method: 'get',
      path: '/devices/:deviceId/license-downloads',
      tag: T,
      summary:
        'Versions a license file can be downloaded in, and for V5–V7 which licenses an unencrypted file would make non-returnable',
      auth: 'user',
      params: DeviceParams,
      response: DownloadOptions,
    },
    async ({ actor, params }) => downloadOptions(core, actor, params.deviceId),
  );
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/license-file',
      tag: T,
      summary:
        'Download the license file of a version (V5–V7, or V8+ with encrypted: false, only with acceptNonReturnable: true; not V5–V7 after "No downgrade")',
      auth: 'user',
      params: DeviceParams,
      body: PortalLicenseFileRequest,
      produces: 'application/xml',
    },
    async ({ c, actor, params, body }) => {
      const file = await downloadForPortal(core, actor, params.deviceId, body);
      c.header('x-mylic-encrypted', file.encrypted ? '1' : '0');
      return xmlResponse(c, file.xml, `licenses-${file.hardwareId}-V${body.version}.xml`);
    },
  );

  // --- move
  api.route(
    {
      method: 'post',
      path: '/devices/:deviceId/licenses/move',
      tag: T,
      summary:
        'Move all licenses to a device without licenses (right move-licenses, or the device is in RMA); the device becomes an RMA device',
      auth: 'user',
      params: DeviceParams,
      body: MoveLicensesRequest,
      response: MoveLicensesResult,
    },
    async ({ actor, params, body }) => moveLicenses(core, actor, params.deviceId, body),
  );
}
