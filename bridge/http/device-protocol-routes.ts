import { Hono } from 'hono';
import {
  CertificateRequest,
  CertificateResponse,
  TestLicenseRequest,
  ChallengeRequest,
  ChallengeResponse,
  DeviceLicensesResponse,
  DeviceLoginRequest,
  DeviceLoginResponse,
  LicenseFileRequest,
} from '../../protocol/device-protocol.js';
import type { Core } from '../core/context.js';
import { createChallenge, deviceLogin } from '../core/devices/index.js';
import { requestDeviceCertificate } from '../core/devices/index.js';
import { issueTestLicenseFile } from '../core/licenses/index.js';
import { issueLicenseFile, listDeviceLicenses } from '../core/licenses/index.js';
import { acceptInvalidation } from '../core/licenses/index.js';
import { actorOf, requireSession, type AuthEnv } from './auth.js';
import { jsonBody, xmlBody, xmlResponse } from './body.js';
import { clientAddress } from './api/accounts-routes.js';

/** The device protocol (/device/v1): what the agent on the device speaks. */
export function deviceRoutes(core: Core) {
  const app = new Hono<AuthEnv>();
  const device = requireSession(core, ['device']);

  app.post('/challenge', async (c) => {
    const req = await jsonBody(c, ChallengeRequest);
    return c.json(ChallengeResponse.parse(await createChallenge(core, req.hardwareId)));
  });

  app.post('/login', async (c) => {
    const req = await jsonBody(c, DeviceLoginRequest);
    return c.json(DeviceLoginResponse.parse(await deviceLogin(core, req, clientAddress(c))));
  });

  app.get('/licenses', device, async (c) =>
    c.json(DeviceLicensesResponse.parse(await listDeviceLicenses(core, actorOf(c)))),
  );

  app.post('/license-file', device, async (c) => {
    const req = await jsonBody(c, LicenseFileRequest);
    const file = await issueLicenseFile(core, actorOf(c), req.version);
    return xmlResponse(c, file.xml);
  });

  app.post('/certificate', device, async (c) => {
    const req = await jsonBody(c, CertificateRequest);
    return c.json(CertificateResponse.parse(await requestDeviceCertificate(core, actorOf(c), req.csr)));
  });

  app.post('/test-license', device, async (c) => {
    const req = await jsonBody(c, TestLicenseRequest);
    const file = await issueTestLicenseFile(core, actorOf(c), {
      version: req.version,
      slave: req.slave,
      pbx: req.pbx ?? 0,
    });
    return xmlResponse(c, file.xml);
  });

  app.post('/invalidations', device, async (c) => {
    const result = await acceptInvalidation(core, actorOf(c), await xmlBody(c));
    return xmlResponse(c, result.confirmationXml);
  });

  return app;
}
