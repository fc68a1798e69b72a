import type { Context, Hono } from 'hono';
import * as z from 'zod';
import { API_SCOPES, type ApiScope } from '../../../protocol/account-api.js';
import { MylicError } from '../../../protocol/errors.js';
import { assertNotLockedOut } from '../../core/access.js';
import type { Actor, Core } from '../../core/context.js';
import { requireSession, type AuthEnv } from '../auth.js';
import { jsonBody } from '../body.js';

/**
 * Portal API routes declared once, with their zod schemas: the same declaration parses requests,
 * checks responses and produces the OpenAPI document (`/openapi.json`). A route module calls
 * `api.route({...}, handler)`; it never parses by hand.
 */
type Method = 'get' | 'post' | 'put' | 'patch' | 'delete';

export interface RouteSpec<
  B extends z.ZodType | undefined,
  Q extends z.ZodType | undefined,
  P extends z.ZodType | undefined,
  R extends z.ZodType | undefined,
> {
  method: Method;
  /** Hono path under /api/v1, e.g. `/projects/:projectId`. */
  path: string;
  summary: string;
  /** Menu area of the seed this route belongs to (OpenAPI tag). */
  tag: string;
  /** `none`: no session; `user`: a portal or API session. Company and admin rules are the core's. */
  auth: 'none' | 'user';
  /**
   * What an API token needs to call the route (see `routeScope`, which derives it when unset):
   * a scope, `password-session` (never a token) or `any-token` (any token may, e.g. log itself out).
   */
  scope?: RouteScope;
  /**
   * `none`: the route works without a company (own account, tokens and session, the company list and
   * switch, the catalog); default for `/account…` and `/session`. Every other session route first refuses
   * a member locked out of the session's company with USER_LOCKED (`assertNotLockedOut`).
   */
  company?: 'none';
  body?: B;
  query?: Q;
  params?: P;
  response?: R;
  /** Success status; default 200 (201 for creating posts is set explicitly). */
  status?: 200 | 201 | 202 | 204;
  /** Non-JSON answers (files). */
  produces?: string;
  /** Non-JSON request bodies (documents); the handler reads them. */
  consumes?: string;
}

type Out<S> = S extends z.ZodType ? z.output<S> : undefined;

export interface RouteInput<B, Q, P> {
  body: B;
  query: Q;
  params: P;
  actor: Actor;
  c: Context<AuthEnv>;
}

export class ApiRouter {
  // biome-ignore lint/suspicious/noExplicitAny: a registry of routes with different body, query, params and answer schemas
  readonly specs: RouteSpec<any, any, any, any>[] = [];
  constructor(
    private readonly app: Hono<AuthEnv>,
    private readonly core: Core,
  ) {}

  route<
    B extends z.ZodType | undefined = undefined,
    Q extends z.ZodType | undefined = undefined,
    P extends z.ZodType | undefined = undefined,
    R extends z.ZodType | undefined = undefined,
  >(
    spec: RouteSpec<B, Q, P, R>,
    handler: (
      input: RouteInput<Out<B>, Out<Q>, Out<P>>,
    ) => Promise<(R extends z.ZodType ? z.input<R> : unknown) | Response>,
  ) {
    this.specs.push(spec);
    const auth =
      spec.auth === 'user'
        ? requireSession(this.core, ['portal', 'api'])
        : async (_c: Context, next: () => Promise<void>) => next();
    const scope = routeScope(spec);
    const companyBound =
      (spec.company ?? (/^\/(account(\/|$)|session$)/.test(spec.path) ? 'none' : undefined)) !== 'none';
    this.app.on(spec.method.toUpperCase(), spec.path, auth, async (c) => {
      if (spec.auth === 'user') assertTokenScope(c.get('session'), scope);
      if (spec.auth === 'user' && companyBound) await assertNotLockedOut(this.core.store.db, c.get('actor'));
      // Which resource first (a malformed path id is 404 whatever the body), then the query, then the body.
      const params = spec.params ? parseParams(spec.params, c.req.param()) : undefined;
      const query = spec.query ? spec.query.parse(c.req.query()) : undefined;
      const body = spec.body ? await jsonBody(c, spec.body) : undefined;
      const actor = spec.auth === 'user' ? c.get('actor') : ({ userId: 0 } as Actor);
      const result = await handler({ body, query, params, actor, c } as RouteInput<Out<B>, Out<Q>, Out<P>>);
      if (result instanceof Response) return result;
      if (spec.status === 204) return c.body(null, 204);
      // An answer that breaks its own schema is the server's fault: 500 INTERNAL (logged), never a 400
      // that would blame the caller's request.
      const checked = spec.response
        ? spec.response.safeParse(result)
        : { success: true as const, data: result };
      if (!checked.success)
        throw new Error(
          `${spec.method.toUpperCase()} ${spec.path}: the answer breaks its schema: ${checked.error.message.slice(0, 500)}`,
        );
      const out = checked.data;
      return c.json(out as object, spec.status ?? 200);
    });
  }
}

export type RouteScope = ApiScope | 'password-session' | 'any-token';

/**
 * The one place that decides which scope an API token needs for a route (issue 11). Explicit
 * `spec.scope` first; otherwise every GET and every preview (POST …/preview, …-preview: they compute and
 * change nothing) is `read`, and the other routes by their path. A route no rule names is closed to
 * tokens (`password-session`): default deny, so a new route is never opened to tokens by accident.
 * Portal sessions (opened with the password) are not limited by scopes.
 */
const SCOPE_BY_PATH: readonly (readonly [RegExp, ApiScope])[] = [
  [/^\/invalidations(\/|$)/, 'invalidations'],
  [/^\/projects\/:[^/]+\/(ssa|join\/ssa)(\/|$)/, 'ssa'],
  [
    /^\/(devices\/:[^/]+\/(licenses|warranty|license-file)|projects\/:[^/]+\/warranty|free-licenses)(\/|$)/,
    'licenses',
  ],
  [/^\/(devices|orders|rma)(\/|$)/, 'devices'],
  [/^\/(activation-keys|own-keys)(\/|$)/, 'keys'],
  [/^\/(companies|company|projects)(\/|$)/, 'organisation'],
  // Narrowing the token's own view to a project; switching the company (/session/company) is closed.
  [/^\/session\/project$/, 'read'],
];

/**
 * Changes that hand out access — company members, admin and lock flags, joining companies, project
 * rights for other companies — need a password session whatever a token's scopes: a leaked token must
 * not make its holder a member, or a member an admin, who then mints tokens of their own (issue 11
 * review).
 */
const PASSWORD_ONLY: readonly RegExp[] = [
  /^\/company\/(users|join)(\/|$)/,
  /^\/projects\/:[^/]+\/rights(\/|$)/,
];

export function routeScope(
  // biome-ignore lint/suspicious/noExplicitAny: any route of the registry
  spec: Pick<RouteSpec<any, any, any, any>, 'method' | 'path' | 'scope'>,
): RouteScope {
  if (spec.scope) return spec.scope;
  if (spec.method === 'get' || /[/-]preview$/.test(spec.path)) return 'read';
  if (PASSWORD_ONLY.some((re) => re.test(spec.path))) return 'password-session';
  return SCOPE_BY_PATH.find(([re]) => re.test(spec.path))?.[1] ?? 'password-session';
}

function assertTokenScope(session: { kind: string; scopes: readonly string[] }, scope: RouteScope) {
  if (session.kind !== 'api' || scope === 'any-token') return;
  if (scope === 'password-session') throw new MylicError('PASSWORD_SESSION_REQUIRED');
  if (!session.scopes.includes(scope))
    throw new MylicError(
      'TOKEN_SCOPE_MISSING',
      `This API token does not have the scope \`${scope}\` this route needs (it has: ${session.scopes.join(', ') || 'none'}).`,
      { scope },
    );
}

/** Path parameters that do not fit their schema answer like a resource that does not exist. */
function parseParams(schema: z.ZodType, raw: Record<string, string>) {
  const r = schema.safeParse(raw);
  if (!r.success)
    throw new MylicError(
      'NOT_FOUND',
      `No such resource: ${r.error.issues.map((i) => i.path.join('.')).join(', ')}.`,
    );
  return r.data;
}

// biome-ignore lint/suspicious/noExplicitAny: any route of the registry
const scopeOf = (s: RouteSpec<any, any, any, any>) => {
  const scope = routeScope(s);
  return scope === 'password-session' || scope === 'any-token' ? [] : [scope];
};

/** The OpenAPI 3.1 document of every declared route. */
export function openApiDocument(
  // biome-ignore lint/suspicious/noExplicitAny: a registry of routes with different body, query, params and answer schemas
  specs: readonly RouteSpec<any, any, any, any>[],
  info: { title: string; version: string },
) {
  const ErrorSchema = {
    type: 'object',
    required: ['error'],
    properties: {
      error: {
        type: 'object',
        required: ['code', 'message'],
        properties: { code: { type: 'string' }, message: { type: 'string' }, details: { type: 'object' } },
      },
    },
  };
  const json = (s: z.ZodType, io: 'input' | 'output') => {
    const { $schema: _ignored, ...rest } = z.toJSONSchema(s, { io, unrepresentable: 'any' }) as Record<
      string,
      unknown
    >;
    return rest;
  };
  const paths: Record<string, Record<string, unknown>> = {};
  for (const s of specs) {
    const path = `/api/v1${s.path.replace(/:([A-Za-z0-9_]+)/g, '{$1}')}`;
    const parameters: unknown[] = [];
    if (s.params) {
      const props = (json(s.params, 'input').properties ?? {}) as Record<string, unknown>;
      for (const [name, schema] of Object.entries(props))
        parameters.push({ name, in: 'path', required: true, schema });
    }
    if (s.query) {
      const q = json(s.query, 'input');
      const required = new Set((q.required as string[] | undefined) ?? []);
      for (const [name, schema] of Object.entries((q.properties ?? {}) as Record<string, unknown>))
        parameters.push({ name, in: 'query', required: required.has(name), schema });
    }
    const ok = String(s.status ?? 200);
    paths[path] ??= {};
    paths[path][s.method] = {
      summary: s.summary,
      tags: [s.tag],
      // OpenAPI 3.1 lets a non-OAuth scheme list the roles needed: here the API token's scope.
      ...(s.auth === 'user' ? { security: [{ bearer: scopeOf(s) }], 'x-scope': routeScope(s) } : {}),
      ...(parameters.length ? { parameters } : {}),
      ...(s.body
        ? {
            requestBody: {
              required: true,
              content: { 'application/json': { schema: json(s.body, 'input') } },
            },
          }
        : {}),
      ...(s.consumes
        ? { requestBody: { required: true, content: { [s.consumes]: { schema: { type: 'string' } } } } }
        : {}),
      responses: {
        [ok]:
          s.status === 204
            ? { description: 'Done' }
            : {
                description: 'OK',
                content: {
                  [s.produces ?? 'application/json']: {
                    schema: s.response ? json(s.response, 'output') : {},
                  },
                },
              },
        default: {
          description: 'Error (see protocol/errors.ts for codes)',
          content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [{ url: '/' }],
    paths,
    components: {
      securitySchemes: {
        bearer: {
          type: 'http',
          scheme: 'bearer',
          description:
            `A portal session (POST /api/v1/session) may call every route. An API token (POST /api/v1/account/tokens, with a password session) ` +
            `only the routes whose \`x-scope\` is one of its scopes (${API_SCOPES.join(', ')}), or \`any-token\`; ` +
            `\`password-session\` routes never (403 PASSWORD_SESSION_REQUIRED; a missing scope is 403 TOKEN_SCOPE_MISSING).`,
        },
      },
      schemas: { Error: ErrorSchema },
    },
  };
}
