import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Readable } from 'node:stream';
import { MylicError } from '../../protocol/errors.js';
import { runChecks, type CheckReport } from '../flows/checks.js';
import { openDevice } from '../flows/device-context.js';
import { portalLicenses } from '../flows/licenses.js';
import { actions, errorFlash, MAX_UPLOAD_BYTES, type Form } from './actions.js';
import {
  allowedHosts,
  hostAllowed,
  sameOrigin,
  SESSION_COOKIE,
  SessionStore,
  type PageSession,
} from './csrf.js';
import { CSS_HASH } from './style.js';
import { devicePage, errorPage, type PortalView } from './views.js';

/**
 * `mylic page`: the device's General→License page (the page the device web interface's
 * "my.innovaphone" link opens). It is the device's own web interface, so it speaks plain HTTP and
 * listens on localhost only by default; it is server-rendered and needs no client-side JavaScript:
 * every button is a form, every POST answers with a redirect (or, for Backup, a file) and the next
 * GET shows what happened once. Every action calls the same flow the CLI calls.
 *
 * The page is a web-standard handler (a `Request` in, a `Response` out: node's own fetch classes) on
 * node:http, with no framework: two routes do not need one, and the agent ships without Hono.
 */
export interface DevicePageOptions {
  /** The device folder (as `--dir`). */
  dir: string;
  /** 0 or absent: a free port. */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
}

export interface DevicePage {
  url: string;
  close(): Promise<void>;
}

const FORM_BODY_LIMIT = 64 * 1024;
const UPLOAD_BODY_LIMIT = MAX_UPLOAD_BYTES + 64 * 1024;

const SECURITY_HEADERS: Record<string, string> = {
  'Content-Security-Policy': `default-src 'none'; style-src '${CSS_HASH}'; img-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'`,
  'X-Content-Type-Options': 'nosniff',
  'X-Frame-Options': 'DENY',
  // same-origin, not no-referrer: with no-referrer browsers send "Origin: null" on the page's own POSTs.
  'Referrer-Policy': 'same-origin',
  'Cache-Control': 'no-store',
  'Cross-Origin-Opener-Policy': 'same-origin',
  'Cross-Origin-Resource-Policy': 'same-origin',
  'Permissions-Policy': 'camera=(), microphone=(), geolocation=(), payment=()',
};

/** One device action at a time: the flows read and write the same device files. */
function serialiser() {
  let chain: Promise<unknown> = Promise.resolve();
  return <T>(fn: () => Promise<T>): Promise<T> => {
    const run = chain.then(fn, fn);
    chain = run.catch(() => undefined);
    return run;
  };
}

type Status = 400 | 403 | 404 | 413 | 415 | 500 | 503;

const html = (markup: string, status = 200) =>
  new Response(markup, { status, headers: { 'Content-Type': 'text/html; charset=UTF-8' } });

const page = (status: Status, title: string, message: string, code?: string) =>
  html(errorPage(title, message, code).value, status);

/** The value of one cookie of the request's Cookie header. */
function cookie(req: Request, name: string): string | undefined {
  for (const part of (req.headers.get('cookie') ?? '').split(';')) {
    const eq = part.indexOf('=');
    if (eq > 0 && part.slice(0, eq).trim() === name) {
      const v = part.slice(eq + 1).trim();
      try {
        return decodeURIComponent(v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1) : v);
      } catch {
        return undefined;
      }
    }
  }
  return undefined;
}

/** The body, or null when it is larger than `max` (judged by Content-Length, else counted as it comes). */
async function readBody(req: Request, max: number): Promise<Uint8Array | null> {
  const length = req.headers.get('content-length');
  if (length !== null && !req.headers.has('transfer-encoding') && Number(length) > max) return null;
  if (!req.body) return new Uint8Array();
  const chunks: Uint8Array[] = [];
  let size = 0;
  const reader = req.body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > max) {
      await reader.cancel().catch(() => undefined);
      return null;
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks);
}

/** A urlencoded or multipart form, parsed by node's own FormData (the last of repeated names wins). */
async function parseForm(body: Uint8Array, contentType: string): Promise<Form> {
  const data = await new Response(body, { headers: { 'Content-Type': contentType } }).formData();
  const form: Form = Object.create(null);
  data.forEach((value, key) => {
    form[key] = value;
  });
  return form;
}

export function createDevicePageApp(opts: { dir: string; hosts: () => Set<string> | null }) {
  const { dir } = opts;
  const sessions = new SessionStore();
  const exclusive = serialiser();
  /** The last check report; the page runs the checks on its first view and when asked to. */
  let lastChecks: CheckReport | null = null;

  const tooLarge = () =>
    page(
      413,
      'Upload too large',
      `The upload is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB. Nothing was changed.`,
      'PAYLOAD_TOO_LARGE',
    );

  async function show(req: Request): Promise<Response> {
    let session = sessions.get(cookie(req, SESSION_COOKIE));
    let setCookie: string | undefined;
    if (!session) {
      session = sessions.create();
      setCookie = `${SESSION_COOKIE}=${encodeURIComponent(session.id)}; Path=/; HttpOnly; SameSite=Strict`;
    }
    const s: PageSession = session;
    try {
      const model = await exclusive(async () => {
        const { store, state } = await openDevice(dir);
        if (!lastChecks) lastChecks = await runChecks(store, state);
        let portal: PortalView | null = null;
        if (state.session && new Date(state.session.expiresAt) > new Date()) {
          try {
            const p = await portalLicenses(dir);
            portal = {
              ok: true,
              project: p.project,
              licenses: p.licenses,
              versions: p.versions,
              runsVersion: p.runsVersion,
            };
          } catch (e) {
            const f = errorFlash(e);
            portal = { ok: false, code: f.code ?? 'INTERNAL', message: f.message };
          }
        }
        return {
          state: await store.state(),
          installed: await store.installed(),
          pending: await store.pending(),
          checks: lastChecks,
          portal,
        };
      });
      const res = html(
        devicePage({ ...model, flash: sessions.takeFlash(s), csrf: s.csrf, now: new Date() }).value,
      );
      if (setCookie) res.headers.set('Set-Cookie', setCookie);
      return res;
    } catch (e) {
      const f = errorFlash(e);
      const res = page(
        e instanceof MylicError && e.code === 'NOT_INITIALISED' ? 503 : 500,
        'The device page cannot be shown',
        f.message,
        f.code,
      );
      if (setCookie) res.headers.set('Set-Cookie', setCookie);
      return res;
    }
  }

  async function act(req: Request, name: string, type: string, bytes: Uint8Array): Promise<Response> {
    const action = Object.hasOwn(actions, name) ? actions[name] : undefined;
    if (!action) return page(404, 'Not found', 'There is no such action.');
    let form: Form;
    try {
      form = await parseForm(bytes, req.headers.get('content-type') ?? type);
    } catch {
      return page(400, 'Request refused', 'The form could not be read. Nothing was changed.', 'BAD_REQUEST');
    }
    const session = sessions.get(cookie(req, SESSION_COOKIE));
    if (!session || !sessions.checkCsrf(session, form._csrf)) {
      return page(
        403,
        'Request refused',
        'The form has no valid security token (CSRF): it did not come from this page, or the page is too old. Reload the page and try again. Nothing was changed.',
        'FORBIDDEN',
      );
    }
    try {
      const result = await exclusive(() => action(dir, form));
      if ('file' in result) {
        return new Response(result.file.body, {
          status: 200,
          headers: {
            'Content-Type': result.file.type,
            'Content-Disposition': `attachment; filename="${result.file.name.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
          },
        });
      }
      if (result.checks !== undefined) lastChecks = result.checks;
      session.flash = result.flash;
    } catch (e) {
      session.flash = errorFlash(e);
    }
    return new Response(null, { status: 303, headers: { Location: '/' } });
  }

  async function route(req: Request): Promise<Response> {
    if (!hostAllowed(opts.hosts(), req.headers.get('host') ?? undefined)) {
      return page(
        403,
        'Wrong host name',
        'This page answers only under the address it was started on (e.g. http://127.0.0.1:PORT/).',
      );
    }
    const path = new URL(req.url).pathname;
    const method = req.method === 'HEAD' ? 'GET' : req.method;
    if (method === 'GET' && path === '/') return show(req);
    if (method !== 'POST') return page(404, 'Not found', 'There is no such page here.');
    if (
      !sameOrigin({
        origin: req.headers.get('origin') ?? undefined,
        host: req.headers.get('host') ?? undefined,
        secFetchSite: req.headers.get('sec-fetch-site') ?? undefined,
      })
    ) {
      return page(
        403,
        'Request refused',
        'The form was not sent from this page (cross-origin request). Nothing was changed.',
        'FORBIDDEN',
      );
    }
    const type = (req.headers.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
      return page(
        415,
        'Request refused',
        'Only forms of this page are accepted. Nothing was changed.',
        'UNSUPPORTED_MEDIA_TYPE',
      );
    }
    const bytes = await readBody(req, path === '/confirm' ? UPLOAD_BODY_LIMIT : FORM_BODY_LIMIT);
    if (!bytes) return tooLarge();
    const action = /^\/([^/]+)$/.exec(path)?.[1];
    if (action === undefined) return page(404, 'Not found', 'There is no such page here.');
    let name: string;
    try {
      name = decodeURIComponent(action);
    } catch {
      return page(404, 'Not found', 'There is no such action.');
    }
    return act(req, name, type, bytes);
  }

  /** One request to the page, answered with its security headers. */
  async function fetch(req: Request): Promise<Response> {
    let res: Response;
    try {
      res = await route(req);
    } catch (e) {
      res = page(500, 'Something went wrong', String((e as Error)?.message ?? e), 'INTERNAL');
    }
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) res.headers.set(k, v);
    return res;
  }

  return {
    fetch,
    /** A request by path (or URL) without a socket, as the in-process tests send one. */
    request: (input: string, init?: RequestInit) =>
      fetch(new Request(new URL(input, 'http://localhost'), init)),
  };
}

/** node:http to the page's handler: the request as a web Request, the Response written back. */
function nodeHandler(app: ReturnType<typeof createDevicePageApp>) {
  return (req: IncomingMessage, res: ServerResponse) => {
    const headers = new Headers();
    for (let i = 0; i < req.rawHeaders.length; i += 2)
      headers.append(req.rawHeaders[i]!, req.rawHeaders[i + 1]!);
    const hasBody = req.method !== 'GET' && req.method !== 'HEAD';
    let request: Request;
    try {
      request = new Request(new URL(req.url ?? '/', 'http://localhost'), {
        method: req.method,
        headers,
        ...(hasBody ? { body: Readable.toWeb(req) as ReadableStream, duplex: 'half' } : {}),
      } as RequestInit);
    } catch {
      res.writeHead(400).end();
      return;
    }
    app
      .fetch(request)
      .then(async (answer) => {
        const out: Record<string, string | string[]> = {};
        answer.headers.forEach((v, k) => {
          if (k !== 'set-cookie') out[k] = v;
        });
        const cookies = answer.headers.getSetCookie();
        if (cookies.length) out['set-cookie'] = cookies;
        const bytes = Buffer.from(await answer.arrayBuffer());
        res.writeHead(answer.status, out).end(bytes);
      })
      .catch(() => {
        if (!res.headersSent) res.writeHead(500);
        res.end();
      });
  };
}

export async function startDevicePage(opts: DevicePageOptions): Promise<DevicePage> {
  const host = opts.host ?? '127.0.0.1';
  let hosts: Set<string> | null = new Set();
  const app = createDevicePageApp({ dir: opts.dir, hosts: () => hosts });
  const server = createServer(nodeHandler(app));
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
    server.listen(opts.port ?? 0, host);
  });
  const port = (server.address() as AddressInfo).port;
  hosts = allowedHosts(host, port);
  const shown = host === '0.0.0.0' || host === '::' ? '127.0.0.1' : host.includes(':') ? `[${host}]` : host;
  return {
    url: `http://${shown}:${port}/`,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((err) => (err ? reject(err) : resolve()));
        server.closeAllConnections();
      }),
  };
}
