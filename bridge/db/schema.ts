import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { AccountTables } from './schema-accounts.js';
import type { KeyTables } from './schema-keys.js';
import type { OrganisationTables } from './schema-organisation.js';
import type { DeviceTables } from './schema-devices.js';
import type { DeviceLicenseTables } from './schema-device-licenses.js';
import type { SsaTables } from './schema-ssa.js';
import type { LegacyTables } from './schema-legacy.js';

/**
 * The tables of the portal, dialect-agnostic. Dates are ISO strings (`YYYY-MM-DD` for calendar dates,
 * full ISO timestamps for instants) so that SQLite and PostgreSQL store and compare them alike.
 * Booleans are 0/1 integers for the same reason.
 */
export interface Database
  extends AccountTables,
    KeyTables,
    OrganisationTables,
    DeviceTables,
    DeviceLicenseTables,
    SsaTables,
    LegacyTables {
  users: UsersTable;
  companies: CompaniesTable;
  memberships: MembershipsTable;
  projects: ProjectsTable;
  balances: BalancesTable;
  ledger_entries: LedgerEntriesTable;
  devices: DevicesTable;
  device_projects: DeviceProjectsTable;
  licenses: LicensesTable;
  invalidations: InvalidationsTable;
  sessions: SessionsTable;
  device_challenges: DeviceChallengesTable;
  history: HistoryTable;
  user_rights: UserRightsTable;
  test_licenses: TestLicensesTable;
}

/** A right held by a membership (migration 016; bridge/core/rights.ts). */
export interface UserRightsTable {
  user_id: number;
  company_id: number;
  user_right: string;
  granted_at: string;
}

export interface TestLicensesTable {
  id: Generated<number>;
  device_id: number;
  version: number;
  serial: string;
  kind: 'pbx' | 'slave';
  units: number;
  issued_at: string;
  ends_on: string;
  user_id: number;
}

export interface UsersTable {
  id: Generated<number>;
  email: string;
  password_hash: string;
  name: string;
  language: string;
  active: number;
  created_at: string;
  mail_opt_in: ColumnType<number, number | undefined, number>;
  phone: ColumnType<string, string | undefined, string>;
}

export interface CompaniesTable {
  id: Generated<number>;
  name: string;
  created_at: string;
}

export interface MembershipsTable {
  user_id: number;
  company_id: number;
  is_admin: number;
  is_locked: number;
  created_at: string;
}

export interface ProjectsTable {
  id: Generated<number>;
  company_id: number;
  name: string;
  description: string;
  ssa_end: string | null;
  created_at: string;
  /** Seed: Projects → SSA, "Send SSA expiry mails" (migration 009). */
  send_ssa_mails: ColumnType<number, number | undefined, number>;
  /** Deleted, kept because past rows name it (migration 017; seed L87): in no list, access or search. */
  deleted_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export interface BalancesTable {
  project_id: number;
  license_type: string;
  units: number;
}

export interface LedgerEntriesTable {
  id: Generated<number>;
  project_id: number;
  license_type: string;
  delta: number;
  reason: string;
  ref: string | null;
  created_at: string;
}

export interface DevicesTable {
  id: Generated<number>;
  hardware_id: string;
  device_type: string;
  cert_pem: string | null;
  /** Highest invalidation counter the portal has accepted from this device. */
  invalidation_counter: number;
  created_at: string;
  /** RMA of the physical device (migration 007, bridge/core/rma.ts): null, or where it stands. */
  rma_state: ColumnType<RmaState | null, RmaState | null | undefined, RmaState | null>;
  rma_reason: ColumnType<string | null, string | null | undefined, string | null>;
  rma_requested_at: ColumnType<string | null, string | null | undefined, string | null>;
  rma_requested_by: ColumnType<number | null, number | null | undefined, number | null>;
  rma_arrived_at: ColumnType<string | null, string | null | undefined, string | null>;
  rma_reshipped_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Date the vendor shipped the device (order registration): the warranty starts here (migration 007). */
  shipped_on: ColumnType<string | null, string | null | undefined, string | null>;
  /** First V5–V7 (unencrypted) license file issued for the device (migration 008, device-licenses.ts). */
  legacy_download_at: ColumnType<string | null, string | null | undefined, string | null>;
  /** Seed: Misc, "No downgrade": V5–V7 licenses were returned, no V5–V7 files any more (migration 008). */
  no_downgrade_at: ColumnType<string | null, string | null | undefined, string | null>;
}

export type RmaState = 'requested' | 'arrived' | 'reshipped';

export interface DeviceProjectsTable {
  device_id: number;
  company_id: number;
  project_id: number;
  name: string | null;
  comment: string;
  added_at: string;
}

export type LicenseState = 'bound' | 'free';

export interface LicensesTable {
  id: Generated<number>;
  serial: string;
  license_type: string;
  units: number;
  version: number | null;
  state: LicenseState;
  device_id: number | null;
  /** The project whose balance paid for the license, or whose free pool holds it. */
  project_id: number;
  bind_date: string;
  ssa_end: string | null;
  external_key: string | null;
  returnable: number;
  downloaded_unencrypted: number;
  created_at: string;
  updated_at: string;
}

export interface InvalidationsTable {
  document_id: string;
  device_id: number;
  project_id: number;
  user_id: number;
  device_counter: number;
  document_sha256: string;
  document: string;
  confirmation: string;
  created_at: string;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  kind: 'portal' | 'device' | 'api';
  device_id: number | null;
  expires_at: string;
  created_at: string;
  company_id: number | null;
  project_id: number | null;
  label: string | null;
  last_used_at: string | null;
  /** API tokens: their scopes separated by spaces (protocol/account-api.ts, migration 013); null otherwise. */
  scopes: string | null;
}

export interface DeviceChallengesTable {
  challenge: string;
  hardware_id: string;
  expires_at: string;
  used: number;
}

export interface HistoryTable {
  id: Generated<number>;
  created_at: string;
  event: string;
  company_id: number | null;
  project_id: number | null;
  user_id: number | null;
  device_id: number | null;
  detail: string;
}

export type User = Selectable<UsersTable>;
export type Project = Selectable<ProjectsTable>;
export type Device = Selectable<DevicesTable>;
export type License = Selectable<LicensesTable>;
export type NewHistory = Insertable<HistoryTable>;
