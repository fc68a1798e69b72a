import { generateKeyPair } from '../../certs/keys.js';
import { issueDeviceCertificate } from '../../certs/issue.js';
import { loadPki } from '../../certs/dev-pki.js';
import { MylicError } from '../../protocol/errors.js';
import { parseMac, formatMac } from '../../protocol/hardware-id.js';
import { DeviceStore } from '../device/store.js';

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
      licenseAuthorityPem: pki.licenseAuthority.certPem,
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
  return {
    hardwareId,
    mac: formatMac(hardwareId),
    deviceType: input.deviceType,
    firmware: input.firmware,
    dir: input.dir,
  };
}
