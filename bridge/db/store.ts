import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

export type DialectName = 'sqlite' | 'postgres';

/** A query handle inside one write transaction. */
export type Tx = Kysely<Database> | Transaction<Database>;

/**
 * The store port the core sees. Queries are written with Kysely's dialect-agnostic builder; what differs
 * between databases (how a write transaction is opened, how concurrent writers are serialised) lives in
 * the adapters under `sqlite/` and `postgres/`.
 */
export interface Store {
  readonly dialect: DialectName;
  /** For reads outside a transaction. */
  readonly db: Kysely<Database>;
  /** Runs `fn` in one write transaction; commits when it resolves, rolls back when it throws. */
  write<T>(fn: (tx: Tx) => Promise<T>): Promise<T>;
  close(): Promise<void>;
  /**
   * An online backup into a new file while others keep reading and writing (SQLite's backup API); absent
   * where the database's own tool does it (PostgreSQL: pg_dump).
   */
  backup?(file: string): Promise<{ pages: number }>;
}
