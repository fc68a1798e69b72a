import type { ColumnType, Generated } from 'kysely';

/**
 * Tables of the devices area (migration 007). The RMA and shipping columns it adds to `devices` are in
 * `DevicesTable` (schema.ts).
 */
export interface DeviceTables {
  device_orders: DeviceOrdersTable;
  device_order_lines: DeviceOrderLinesTable;
  device_search: DeviceSearchTable;
  rma_requests: RmaRequestsTable;
  certificate_documents: CertificateDocumentsTable;
}

/** An order of the vendor, registered by the operator; it belongs to the customer company. */
export interface DeviceOrdersTable {
  order_number: string;
  company_id: number;
  /** Calendar date of the order; devices registered with it are shipped on this day. */
  ordered_on: string;
  created_at: string;
}

/** A device shipped with an order, by hardware id (MAC or IPEI, canonical form). */
export interface DeviceOrderLinesTable {
  order_number: string;
  hardware_id: string;
  device_type: string;
  created_at: string;
}

/**
 * The search index of placements (SQLite: FTS5 trigram table; PostgreSQL: pg_trgm). Written only by
 * bridge/core/search.ts helpers; read with `terms LIKE`, and every hit is verified against
 * device_projects/devices, so a stale row can only cost time, never show a wrong device.
 */
export interface DeviceSearchTable {
  /** device_id * 2^31 + company_id (a bigint: it passes 2^53). */
  rowid: bigint;
  /** Lower case: name, comment and hardware id, one per line. */
  terms: string;
  device_id: number;
}

/** Why an RMA request ended (migration 012). */
export type RmaRequestEnd = 'withdrawn' | 'device-removed' | 'reshipped';

/**
 * An RMA request of one company for a device it holds (migration 012, bridge/core/rma.ts). Active while
 * `ended_at` is null. `devices.rma_state` is 'requested' while any request is active.
 */
export interface RmaRequestsTable {
  id: Generated<number>;
  device_id: number;
  company_id: number;
  user_id: number | null;
  reason: string;
  requested_at: string;
  ended_at: ColumnType<string | null, string | null | undefined, string | null>;
  ended_by: ColumnType<number | null, number | null | undefined, number | null>;
  end_reason: ColumnType<RmaRequestEnd | null, RmaRequestEnd | null | undefined, RmaRequestEnd | null>;
}

/** A certificate requested on the portal and its confirmation file (migration 014, core/devices/certificates.ts). */
export interface CertificateDocumentsTable {
  id: Generated<number>;
  document_id: string;
  device_id: number;
  project_id: number;
  user_id: number | null;
  issued_at: string;
  certificate: string;
  xml: string;
}
