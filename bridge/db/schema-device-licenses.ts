import type { Generated } from 'kysely';

/**
 * Tables of the device-licenses area (migration 008). The columns it adds to `devices`
 * (`legacy_download_at`, `no_downgrade_at`) are in `DevicesTable` (schema.ts).
 */
export interface DeviceLicenseTables {
  credit_purchases: CreditPurchasesTable;
}

/** Licenses bought on credit, for the vendor's invoice (seed: Add licenses from balance, "buy on credit"). */
export interface CreditPurchasesTable {
  id: Generated<number>;
  project_id: number;
  device_id: number;
  user_id: number;
  license_type: string;
  units: number;
  order_number: string;
  serial: string;
  created_at: string;
}
