/** Tables of the devices area (see its migration). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface DeviceTables {}
