import { generateKeyPair } from '../../certs/keys.js';
import { issueDeviceCertificate } from '../../certs/issue.js';
import { loadPki } from '../../certs/dev-pki.js';
import { MylicError } from '../../protocol/errors.js';
import { parseMac, formatMac } from '../../protocol/hardware-id.js';
import { DeviceStore } from '../device/store.js';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import {
  DEVICE_REGISTRATION_FORMAT,
  DEVICE_REGISTRATIONS_FOLDER,
  type DeviceRegistration,
} from '../../protocol/device-registration.js';

/**
 * Makes a device the way the factory does (seed: Invalidation → Requirements, "a device certificate"):
 * a key pair, a certificate from the Device Certification Authority with CN = hardware id, the trust
 * anchors, firmware version and device type.
 */
export interface FactoryInitInput {
  dir: string;
  mac: string;
  deviceType: string;
  firmware: string;
  portalUrl: string;
  /** The PKI folder of the factory (the bridge's dev PKI): the device CA signs, the trust anchors are copied. */
  pkiDir: string;
}

export async function factoryInit(input: FactoryInitInput) {
  const hardwareId = parseMac(input.mac);
  if (!/^\d{1,2}\.\d{1,3}$/.test(input.firmware))
    throw new MylicError('USAGE', 'Firmware is given as MAJOR.MINOR, e.g. 13.2.');
  const store = new DeviceStore(input.dir);
  if (await store.exists()) throw new MylicError('ALREADY_EXISTS', `${input.dir} already holds a device.`);
  const pki = await loadPki(input.pkiDir);
  const keys = generateKeyPair();
  const certPem = issueDeviceCertificate(pki.deviceCa, keys.publicKeyPem, hardwareId);
  await store.init(
    {
      keyPem: keys.privateKeyPem,
      certPem,
      rootCaPem: pki.root.certPem,
      deviceCaPem: pki.deviceCa.certPem,
      licenseAuthorityPem: pki.rsaLicenseAuthority.certPem,
      ed25519LicenseAuthorityPem: pki.licenseAuthority.certPem,
    },
    {
      hardwareId,
      deviceType: input.deviceType,
      firmware: input.firmware,
      config: {
        portalUrl: new URL(input.portalUrl).toString(),
        ntpServer: null,
        dnsServer: null,
        toleranceSeconds: 300,
      },
      latestTrustedTime: null,
      counter: 0,
      confirmedCounter: 0,
      resetRequired: false,
      session: null,
    },
  );
  // The factory registers the device and its certificate with the vendor's device database (issue 15
  // item 3): one file in the PKI folder (the operator imports it with `mylic-bridge ops device register`)
  // and a copy in the device folder.
  const registration: DeviceRegistration = {
    format: DEVICE_REGISTRATION_FORMAT,
    hardwareId,
    deviceType: input.deviceType,
    certificate: certPem,
  };
  const text = `${JSON.stringify(registration, null, 2)}\n`;
  const folder = join(input.pkiDir, DEVICE_REGISTRATIONS_FOLDER);
  await mkdir(folder, { recursive: true });
  const registrationFile = join(folder, `${hardwareId}.json`);
  await writeFile(registrationFile, text);
  await writeFile(join(input.dir, 'registration.json'), text);
  return {
    hardwareId,
    mac: formatMac(hardwareId),
    registrationFile,
    deviceType: input.deviceType,
    firmware: input.firmware,
    dir: input.dir,
  };
}
