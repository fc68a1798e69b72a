/** Tables of the ssa area (see its migration). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface SsaTables {}
