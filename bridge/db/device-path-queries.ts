import { precompiled } from './precompiled.js';

/**
 * The fixed queries of the device path (device session, placement, bound licenses, history insert, the
 * invalidation's reads and writes), built and compiled once per dialect adapter (precompiled.ts) and run
 * with fresh arguments: building a Kysely query cost more JavaScript than SQLite spent answering it
 * (docs/architecture.md, Performance decisions). They live here, beside the store, so the core compiles
 * nothing ahead and knows no dialect; the core calls them like any store function.
 */

export type HistoryRow = {
  created_at: string;
  event: string;
  company_id: number | null;
  project_id: number | null;
  user_id: number | null;
  device_id: number | null;
  detail: string;
};

export type InvalidationRow = {
  document_id: string;
  device_id: number;
  project_id: number;
  user_id: number;
  device_counter: number;
  document_sha256: string;
  document: string;
  confirmation: string;
  created_at: string;
};

/** Used by bridge/core/access.ts. */
export const placementQuery = precompiled((db, a: { userId: number; deviceId: number }) =>
  db
    .selectFrom('device_projects')
    .innerJoin('projects', 'projects.id', 'device_projects.project_id')
    .innerJoin('memberships', 'memberships.company_id', 'device_projects.company_id')
    .innerJoin('companies', 'companies.id', 'device_projects.company_id')
    .select([
      'device_projects.project_id as projectId',
      'projects.name as projectName',
      'device_projects.company_id as companyId',
      'companies.name as companyName',
    ])
    .where('memberships.user_id', '=', a.userId)
    .where('memberships.is_locked', '=', 0)
    .where('device_projects.device_id', '=', a.deviceId)
    .orderBy('device_projects.added_at'),
);

/** Used by bridge/core/accounts/accounts.ts. */
export const sessionQuery = precompiled((db, a: { tokenHash: string }) =>
  db.selectFrom('sessions').selectAll().where('token_hash', '=', a.tokenHash),
);

/** Used by bridge/core/history.ts. */
export const insertHistory = precompiled((db, row: HistoryRow) => db.insertInto('history').values(row));

/** Used by bridge/core/licenses/device-licenses.ts. */
export const boundLicensesQuery = precompiled((db, a: { deviceId: number }) =>
  db
    .selectFrom('licenses')
    .selectAll()
    .where('device_id', '=', a.deviceId)
    .where('state', '=', 'bound')
    .orderBy('id'),
);

/** Used by bridge/core/licenses/device-licenses.ts. */
export const deviceQuery = precompiled((db, a: { id: number }) =>
  db.selectFrom('devices').selectAll().where('id', '=', a.id),
);

/** Used by bridge/core/licenses/invalidation.ts. */
export const previousQuery = precompiled((db, a: { documentId: string }) =>
  db.selectFrom('invalidations').selectAll().where('document_id', '=', a.documentId),
);

/** Used by bridge/core/licenses/invalidation.ts. */
export const placementsQuery = precompiled((db, a: { deviceId: number }) =>
  db.selectFrom('device_projects').select(['company_id', 'project_id']).where('device_id', '=', a.deviceId),
);

/** Used by bridge/core/licenses/invalidation.ts. */
export const returnLicense = precompiled(
  (db, a: { id: number; deviceId: number; target: number; at: string }) =>
    db
      .updateTable('licenses')
      .set({ state: 'free', device_id: null, project_id: a.target, updated_at: a.at })
      .where('id', '=', a.id)
      .where('state', '=', 'bound')
      .where('device_id', '=', a.deviceId),
);

/** Used by bridge/core/licenses/invalidation.ts. */
export const raiseCounter = precompiled((db, a: { id: number; counter: number }) =>
  db.updateTable('devices').set({ invalidation_counter: a.counter }).where('id', '=', a.id),
);

/** Used by bridge/core/licenses/invalidation.ts. */
export const insertInvalidation = precompiled((db, row: InvalidationRow) =>
  db.insertInto('invalidations').values(row),
);
