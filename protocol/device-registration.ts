import * as z from 'zod';

/**
 * A device registration from the factory (issue 15 item 3): written by `mylic device init --pki DIR`
 * (agent/flows/factory-init.ts) into `DIR/device-registrations/<hardwareId>.json` and the device folder,
 * read by `mylic-bridge ops device register FILE|DIR` (bridge/core/devices/factory-registrations.ts).
 * The certificate is its proof (signed by the Device Certification Authority, CN = hardware id).
 */
export const DEVICE_REGISTRATION_FORMAT = 'mylic-device-registration/1';
export const DEVICE_REGISTRATIONS_FOLDER = 'device-registrations';

export const DeviceRegistration = z.object({
  format: z.literal(DEVICE_REGISTRATION_FORMAT),
  hardwareId: z.string().min(1).max(40),
  deviceType: z.string().min(1).max(40),
  certificate: z.string().min(1).max(16_384),
});
export type DeviceRegistration = z.infer<typeof DeviceRegistration>;
