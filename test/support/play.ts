import { createApp } from '../../bridge/app.js';
import { loadConfig } from '../../bridge/config.js';
import type { Core } from '../../bridge/core/context.js';
import { openPlay, syncPlayFromLive } from '../../bridge/play-server.js';

/**
 * myplay (bridge/play-server.ts) beside a live TestCore: the real copy of the live SQLite file (online
 * backup) into `<dir>/play/myplay.sqlite`, opened as the sandbox's core (same PKI folder), and the real
 * device sync from the live file.
 */
export async function openPlayBeside(dir: string, liveFile = `${dir}/test.sqlite`) {
  const config = loadConfig({
    MYLIC_DATA: dir,
    MYLIC_SQLITE: liveFile,
    MYLIC_PLAY_SQLITE: `${dir}/play/myplay.sqlite`,
  });
  const { core, copiedNow } = await openPlay(config);
  return {
    core,
    copiedNow,
    app: createApp(core),
    sync: () => syncPlayFromLive(config, core),
    close: () => core.store.close(),
  };
}

/** Rows per table: what a copy or a sync must leave unchanged in the live database. */
export type TableCounts = Record<(typeof TABLES)[number], number>;
const TABLES = [
  'users',
  'companies',
  'memberships',
  'projects',
  'balances',
  'ledger_entries',
  'devices',
  'device_projects',
  'licenses',
  'activation_keys',
  'history',
] as const;

export async function tableCounts(core: Core): Promise<TableCounts> {
  const out = {} as TableCounts;
  for (const table of TABLES) {
    const r = await core.store.db
      .selectFrom(table)
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .executeTakeFirstOrThrow();
    out[table] = Number(r.n);
  }
  return out;
}
