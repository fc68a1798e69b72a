import * as z from 'zod';
import { MylicError } from '../protocol/errors.js';
import type { BridgeConfig } from './config.js';
import { companyCounts, type TypeCounts } from './core/balance/index.js';
import { copyTables, nonEmptyTables } from './db/postgres/copy.js';
import { openPostgresStore } from './db/postgres/postgres-store.js';
import { openSqliteStore } from './db/sqlite/sqlite-store.js';

/**
 * `mylic-bridge db copy --to postgres://…` (README "Growing: PostgreSQL"): the SQLite portal of this
 * configuration (MYLIC_DATA / MYLIC_SQLITE) into an empty PostgreSQL database. Both are brought to the
 * latest schema first; the copy is one transaction (bridge/db/postgres/copy.ts). Then it is checked:
 * the row count of every table on both sides, and for every company the units by type and where they
 * are (activated, balance, bound, free, in keys) equal on both sides, with activated = balance + bound
 * + free + inKeys. Any difference fails the command with DB_COPY_MISMATCH, naming it. Stop the bridge
 * before copying: writes made during the copy would not be in it.
 */
const PostgresUrl = z.url({ protocol: /^postgres(ql)?$/ });

const byType = (xs: TypeCounts[]) => [...xs].sort((a, b) => a.type.localeCompare(b.type));
const same = (a: TypeCounts[], b: TypeCounts[]) => JSON.stringify(byType(a)) === JSON.stringify(byType(b));

export async function dbCopy(config: BridgeConfig, to: string | undefined) {
  if (config.databaseUrl)
    throw new MylicError(
      'USAGE',
      'db copy reads the SQLite portal; MYLIC_DATABASE_URL is set. Unset it and name the PostgreSQL database with --to.',
    );
  if (!to)
    throw new MylicError(
      'USAGE',
      'db copy needs --to postgres://user@host:port/database (an empty database).',
    );
  if (!PostgresUrl.safeParse(to).success)
    throw new MylicError(
      'USAGE',
      '--to must be a postgres:// URL, e.g. postgres://mylic@localhost:5432/mylic.',
    );
  const source = await openSqliteStore(config.sqliteFile);
  try {
    const target = await openPostgresStore(to);
    try {
      const full = await nonEmptyTables(target.db);
      if (full.length)
        throw new MylicError(
          'DB_COPY_TARGET_NOT_EMPTY',
          `The PostgreSQL database holds rows already (${full.join(', ')}): db copy goes into an empty database only.`,
        );
      const tables = await copyTables(source.db, target.db);
      const problems = tables
        .filter((t) => t.source !== t.target)
        .map((t) => `table ${t.table}: ${t.source} rows in SQLite, ${t.target} in PostgreSQL`);
      const companies = await source.db.selectFrom('companies').select('id').orderBy('id').execute();
      for (const { id } of companies) {
        const before = await companyCounts(source.db, id);
        const after = await companyCounts(target.db, id);
        if (!same(before, after))
          problems.push(
            `company ${id}: units by type differ (SQLite ${JSON.stringify(byType(before))}, PostgreSQL ${JSON.stringify(byType(after))})`,
          );
        for (const c of after)
          if (c.activated !== c.balance + c.bound + c.free + c.inKeys)
            problems.push(
              `company ${id}, ${c.type}: activated ${c.activated} ≠ balance ${c.balance} + bound ${c.bound} + free ${c.free} + in keys ${c.inKeys}`,
            );
      }
      if (problems.length)
        throw new MylicError(
          'DB_COPY_MISMATCH',
          `The copy does not match the SQLite portal: ${problems.join('; ')}.`,
          { problems },
        );
      const rows = tables.reduce((s, t) => s + t.target, 0);
      return {
        text: `copied ${config.sqliteFile} into PostgreSQL: ${rows} rows in ${tables.length} tables, row counts equal; ${companies.length} companies' units by type equal, activated = balance + bound + free + in keys for each`,
        json: { tables, companies: companies.length, rows },
      };
    } finally {
      await target.close();
    }
  } finally {
    await source.close();
  }
}
