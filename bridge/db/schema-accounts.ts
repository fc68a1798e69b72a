/** Tables of the accounts area (see its migration). */
// eslint-disable-next-line @typescript-eslint/no-empty-interface
export interface AccountTables {}
