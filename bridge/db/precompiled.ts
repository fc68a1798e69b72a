import type { Compilable, CompiledQuery, Kysely, QueryResult } from 'kysely';
import type { Database } from './schema.js';
import type { Tx } from './store.js';

/**
 * A hot query, built and compiled once per database (per dialect adapter) and then run with fresh
 * arguments. Building and compiling a Kysely query cost more JavaScript than SQLite spends answering
 * the small queries every device request makes (session, device, placement, licenses, history).
 * `build` receives a placeholder for each argument; wherever a placeholder lands among the compiled
 * parameters the call's value goes, every other parameter keeps its compiled value. So `build` must
 * use its arguments only as values (no branching on them), and every call passes the same keys.
 */
const ARG = Symbol('precompiled argument');
type Template = { compiled: CompiledQuery<unknown>; slots: (string | undefined)[] };

export function precompiled<A extends Record<string, unknown>, R>(
  build: (db: Kysely<Database>, args: A) => Compilable<R>,
) {
  const templates = new WeakMap<object, Template>();
  return (tx: Tx, args: A): Promise<QueryResult<R>> => {
    const adapter = tx.getExecutor().adapter;
    let t = templates.get(adapter);
    if (!t) {
      const keys = Object.keys(args);
      const placeholders = Object.fromEntries(keys.map((k) => [k, { [ARG]: k }])) as unknown as A;
      const compiled = build(tx, placeholders).compile() as CompiledQuery<unknown>;
      const slots = compiled.parameters.map((p) =>
        typeof p === 'object' && p !== null && ARG in p ? (p as { [ARG]: string })[ARG] : undefined,
      );
      const unused = keys.filter((k) => !slots.includes(k));
      if (unused.length)
        throw new Error(
          `precompiled query: argument(s) ${unused.join(', ')} not used as values in: ${compiled.sql}`,
        );
      t = { compiled, slots };
      templates.set(adapter, t);
    }
    const { compiled, slots } = t;
    const parameters = slots.map((k, i) => (k === undefined ? compiled.parameters[i] : args[k]));
    return tx.executeQuery<R>({
      sql: compiled.sql,
      query: compiled.query,
      queryId: compiled.queryId,
      parameters,
    });
  };
}
