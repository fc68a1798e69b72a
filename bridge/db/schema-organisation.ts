/** Tables of the organisation area (see its migration). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface OrganisationTables {}
