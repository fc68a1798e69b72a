/** Tables of the old license manager's export (migration 015, bridge/core/legacy). */
export interface LegacyTables {
  legacy_groups: LegacyGroupsTable;
  legacy_users: LegacyUsersTable;
  legacy_balances: LegacyBalancesTable;
  legacy_devices: LegacyDevicesTable;
  legacy_licenses: LegacyLicensesTable;
  legacy_logins: LegacyLoginsTable;
}

export interface LegacyGroupsTable {
  id: string;
  name: string;
  loaded_at: string;
  /** The company the group's first import went into; the rest of the group goes only there. */
  company_id: number | null;
  imported_at: string | null;
}

export interface LegacyUsersTable {
  email: string;
  group_id: string;
  name: string;
  /** `pbkdf2-sha256$…` (the old license manager's) or `scrypt$…` (ours): docs/legacy-import.md. */
  password_hash: string;
  locked_at: string | null;
}

export interface LegacyBalancesTable {
  user_email: string;
  license_type: string;
  units: number;
  imported_at: string | null;
  imported_project_id: number | null;
}

export interface LegacyDevicesTable {
  hardware_id: string;
  device_type: string;
  owner_email: string | null;
  imported_at: string | null;
  imported_company_id: number | null;
  imported_project_id: number | null;
  imported_by: number | null;
}

export interface LegacyLicensesTable {
  serial: string;
  hardware_id: string;
  user_email: string;
  license_type: string;
  units: number;
  bind_date: string;
  /** The live license's serial once imported. */
  imported_serial: string | null;
}

export interface LegacyLoginsTable {
  token_hash: string;
  group_id: string;
  user_email: string;
  user_id: number;
  company_id: number;
  expires_at: string;
}
