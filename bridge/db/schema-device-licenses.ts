/** Tables of the device-licenses area (see its migration). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface DeviceLicenseTables {}
