import pg from 'pg';

/**
 * How values come back from PostgreSQL, so that the core sees what SQLite gives it: numbers for
 * integers. `pg` returns int8 (count(*), sum(integer)) and numeric (sum(bigint)) as strings by default;
 * here they are numbers. An int8 beyond 2^53 (only the search index's row keys can be, and nothing
 * reads them as numbers) stays exact as a bigint.
 */
const INT8 = 20;
const NUMERIC = 1700;

const int8 = (s: string): number | bigint => {
  const n = Number(s);
  return Number.isSafeInteger(n) ? n : BigInt(s);
};

export const pgTypes: pg.CustomTypesConfig = {
  getTypeParser: ((oid: number, format?: string) => {
    if (oid === INT8) return int8;
    if (oid === NUMERIC) return (s: string) => Number(s);
    return pg.types.getTypeParser(oid, format as 'text');
  }) as pg.CustomTypesConfig['getTypeParser'],
};
