import type { ColumnType, Generated } from 'kysely';

/** Tables of the keys area (migration 005: activation keys, own keys, their "in keys" ledger). */
export interface KeyTables {
  activation_keys: ActivationKeysTable;
  activation_key_licenses: ActivationKeyLicensesTable;
  activation_key_sources: ActivationKeySourcesTable;
  activation_key_entries: ActivationKeyEntriesTable;
  key_lookup_failures: KeyLookupFailuresTable;
}

export type ActivationKeyKind = 'vendor' | 'own';

export interface ActivationKeysTable {
  id: Generated<number>;
  /** Normalised: 25 characters of the key alphabet, no dashes. */
  code: string;
  /** Names the key in ledger entries (`ledger_entries.ref`); not secret, unlike the code. */
  ref: string;
  kind: ActivationKeyKind;
  /** The company that created an own key; null for the vendor's keys. */
  company_id: number | null;
  comment: ColumnType<string, string | undefined, string>;
  order_number: ColumnType<string, string | undefined, string>;
  order_reference: ColumnType<string, string | undefined, string>;
  /** null: issued by the operator. */
  created_by: number | null;
  created_at: string;
  updated_at: string;
  redeemed_project_id: number | null;
  redeemed_by: number | null;
  redeemed_at: string | null;
  redeem_comment: string | null;
  deleted_at: string | null;
}

export interface ActivationKeyLicensesTable {
  key_id: number;
  license_type: string;
  units: number;
}

export interface ActivationKeySourcesTable {
  key_id: number;
  project_id: number;
  license_type: string;
  units: number;
}

export interface ActivationKeyEntriesTable {
  id: Generated<number>;
  key_id: number;
  /** The project on the other side: the one paying in, taking back, or redeeming. */
  project_id: number;
  license_type: string;
  delta: number;
  reason: string;
  created_at: string;
}

export interface KeyLookupFailuresTable {
  user_id: number;
  at: string;
}
