import type { Core } from '../context.js';
import { recordHistory } from '../history.js';
import { assertPlay } from './play-mode.js';

/**
 * Seed L333–334 (myplay, Base): "The base of the database is the my.innovaphone database from the
 * 13.8.2010. All accounts, companies and projects have been imported and are available until this
 * date. From this date on the databases won't be synchronised any more (despite of the device table)!"
 *
 * myplay's database is a copy of the live one made at a moment (bridge/db/sqlite/sqlite-play.ts); the
 * moment is recorded in the copy itself as the history row `play.copied` (no company: a meta row of the
 * sandbox), which the pages and `mylic-bridge sandbox sync` show.
 */
export interface PlayCopy {
  copiedAt: string;
  source: string;
}

export async function recordPlayCopy(core: Core, copy: PlayCopy): Promise<void> {
  assertPlay(core);
  await core.store.write((tx) =>
    recordHistory(tx, copy.copiedAt, {
      event: 'play.copied',
      detail: { copiedAt: copy.copiedAt, source: copy.source },
    }),
  );
}

/** When myplay's database was copied from the live one; null if this database is no copy. */
export async function playCopyInfo(core: Core): Promise<PlayCopy | null> {
  const row = await core.store.db
    .selectFrom('history')
    .select(['created_at', 'detail'])
    .where('event', '=', 'play.copied')
    .where('company_id', 'is', null)
    .orderBy('id', 'desc')
    .executeTakeFirst();
  if (!row) return null;
  const detail = JSON.parse(row.detail) as { source?: unknown };
  return { copiedAt: row.created_at, source: typeof detail.source === 'string' ? detail.source : '' };
}
