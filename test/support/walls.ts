import { describe, expect, it } from 'vitest';
import type { ErrorCode } from '../../protocol/errors.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { expectError } from '../bridge/fixtures.js';
import { call } from './api-client.js';
import type { TestCore } from './core.js';

/**
 * The walls matrix shared by the *-walls test files: every route of an area is tried as every kind of
 * actor the area must keep out (route × actor → expected answer), the list of routes is checked against
 * /openapi.json, and after each refused request the snapshot is what it was before.
 *
 * A file lists its cases (`WallsCase`), names its actors and hands both to `runWallsMatrix`, which makes
 * the `it` blocks: per case, anonymous and a bad token answer 401 UNAUTHENTICATED, and each actor with an
 * expectation gets exactly that answer (status, and the error code of a refusal); the snapshot is
 * unchanged after each of them.
 */

type App = TestCore['app'];

/** What an actor gets: the status, and for a refusal the error code. */
export type Outcome = readonly [status: number, code?: ErrorCode];

/**
 * One request of the matrix. `route` is `METHOD /template` as in /openapi.json (without /api/v1); the
 * actors' expected answers are fields named by the actor (`other: [404, 'PROJECT_NOT_FOUND']`); an actor
 * without one (or with null) is not tried on this case. `C` is what `path` and `body` are built from.
 */
export type WallsCase<K extends string, C = void> = {
  route: string;
  /** Shown in the test names after the route. */
  name?: string;
  path: (ctx: C) => string;
  body?: (ctx: C) => unknown;
} & { [A in K]?: Outcome | null };

export interface WallsMatrix<K extends string, C, S> {
  cases: readonly WallsCase<NoInfer<K>, NoInfer<C>>[];
  /** Who tries each case: the name in the test titles and the actor's token (read when the test runs). */
  actors: Record<K, { name: string; token: () => string }>;
  /** The app the requests go to (read when the test runs). */
  app: () => App;
  /** What the cases' paths and bodies are built from (read when the test runs). */
  context?: () => C;
  /** Everything a refused request could have changed; compared (toEqual) before and after each request. */
  snapshot: () => Promise<S>;
  /** Compare with this state, taken once in beforeAll, instead of a snapshot taken before each test. */
  baseline?: () => S;
  /** Outcomes for every case that does not name its own (a case's null turns one off). */
  defaults?: { [A in K]?: Outcome };
  /** Try anonymous and a bad token (401 UNAUTHENTICATED); the bad token is 43 characters long unless given. */
  anonymous?: false | { badToken?: string };
  /** More checks: called before the request, the function it returns after it. */
  alsoCheck?: () => Promise<() => Promise<void>>;
}

/** Actors by kind from their names and a record of tokens by name (filled in beforeAll, read when a test runs). */
export function actorsOf<K extends string, N extends string>(
  names: Readonly<Record<K, N>>,
  tokens: Readonly<Record<N, string>>,
): Record<K, { name: string; token: () => string }> {
  return Object.fromEntries(
    Object.entries<N>(names).map(([kind, name]) => [kind, { name, token: () => tokens[name] }]),
  ) as unknown as Record<K, { name: string; token: () => string }>;
}

/** The `METHOD /template` routes of /openapi.json (without /api/v1) that `filter` keeps. */
export async function routesOf(
  app: App,
  filter: (op: { method: string; path: string; tags: string[] }) => boolean,
): Promise<string[]> {
  const doc = (await (await app.request('/openapi.json')).json()) as {
    paths: Record<string, Record<string, { tags?: string[] }>>;
  };
  return Object.entries(doc.paths).flatMap(([full, methods]) => {
    const path = full.slice(PORTAL_API.length);
    return Object.entries(methods)
      .filter(([method, op]) => filter({ method: method.toUpperCase(), path, tags: op.tags ?? [] }))
      .map(([method]) => `${method.toUpperCase()} ${path}`);
  });
}

/** Whether a request path (query aside) fits a route template such as `/devices/{deviceId}/rma`. */
export function pathFits(template: string, path: string): boolean {
  const pattern = template.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{[^}]+\}/g, '[^/]+');
  return new RegExp(`^${pattern}$`).test(path.split('?')[0]!);
}

/**
 * The cases try every route in `routes` (and, with `exactly`, no route outside it), and each case's
 * path fits its route's template. Call it inside a test: the paths are built with `ctx`.
 */
export function expectMatrixCovers<C>(
  cases: readonly { route: string; path: (ctx: C) => string }[],
  routes: readonly string[],
  opts: { exactly?: boolean; ctx?: C } = {},
): void {
  if (opts.exactly) expect(new Set(cases.map((c) => c.route))).toEqual(new Set(routes));
  else {
    const tried = new Set(cases.map((c) => c.route));
    expect(routes.filter((r) => !tried.has(r))).toEqual([]);
  }
  const misfits = cases
    .map((c) => [c.route, c.path(opts.ctx as C)] as const)
    .filter(([route, path]) => !pathFits(route.split(' ')[1]!, path));
  expect(misfits, 'cases whose path does not fit their route').toEqual([]);
}

/** What an actor got is the expected outcome: the status, and for a refusal the error code. */
export async function expectOutcome(res: Response, [status, code]: Outcome, who: string): Promise<void> {
  if (code) await expectError(res, status, code);
  else expect(res.status, `${who}: ${await res.clone().text()}`).toBe(status);
}

const describeOutcome = ([status, code]: Outcome) => (code ? `${status} ${code}` : `${status}`);

/** The matrix as `it` blocks: one `describe` per case, one `it` for anonymous and one per actor that has an outcome. */
export function runWallsMatrix<K extends string, C = void, S = unknown>(m: WallsMatrix<K, C, S>): void {
  const kinds = Object.keys(m.actors) as K[];
  const outcomeOf = (c: WallsCase<K, C>, kind: K): Outcome | undefined => {
    const own = c[kind] as Outcome | null | undefined;
    return own === null ? undefined : (own ?? m.defaults?.[kind]);
  };
  // Sends the request and checks the outcome, then that nothing changed.
  const attempt = async (c: WallsCase<K, C>, tokens: { token?: string; outcome: Outcome; who: string }[]) => {
    const ctx = m.context?.() as C;
    const method = c.route.split(' ')[0]!;
    const before = m.baseline ? m.baseline() : await m.snapshot();
    const after = await m.alsoCheck?.();
    for (const t of tokens)
      await expectOutcome(await call(m.app(), method, c.path(ctx), t.token, c.body?.(ctx)), t.outcome, t.who);
    expect(await m.snapshot()).toEqual(before);
    await after?.();
  };

  describe.each(m.cases.map((c, n) => ({ c, title: `${c.route}${c.name ? ` ${c.name}` : ''} (${n})` })))(
    '$title',
    ({ c }) => {
      if (m.anonymous !== false) {
        const badToken = m.anonymous?.badToken ?? 'x'.repeat(43);
        it('answers anonymous 401 UNAUTHENTICATED and a bad token alike and changes nothing', () =>
          attempt(c, [
            { outcome: [401, 'UNAUTHENTICATED'], who: 'anonymous' },
            { token: badToken, outcome: [401, 'UNAUTHENTICATED'], who: 'bad token' },
          ]));
      }
      for (const kind of kinds) {
        const outcome = outcomeOf(c, kind);
        if (!outcome) continue;
        const who = `${m.actors[kind].name} (${kind})`;
        it(`${outcome[1] ? 'refuses' : 'answers'} ${who} with ${describeOutcome(outcome)} and changes nothing`, () =>
          attempt(c, [{ token: m.actors[kind].token(), outcome, who }]));
      }
    },
  );
}
