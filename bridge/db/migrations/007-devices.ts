import type { Kysely } from 'kysely';
import type { DialectName } from '../store.js';

/** (Filled by its area's work.) */
export async function up(_db: Kysely<unknown>, _dialect: DialectName): Promise<void> {}
