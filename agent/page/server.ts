import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { serve } from '@hono/node-server';
import { Hono, type Context } from 'hono';
import { bodyLimit } from 'hono/body-limit';
import { getCookie, setCookie } from 'hono/cookie';
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

export function createDevicePageApp(opts: { dir: string; hosts: () => Set<string> | null }) {
  const { dir } = opts;
  const sessions = new SessionStore();
  const exclusive = serialiser();
  /** The last check report; the page runs the checks on its first view and when asked to. */
  let lastChecks: CheckReport | null = null;

  const app = new Hono();

  const page = (
    c: Context,
    status: 400 | 403 | 404 | 413 | 415 | 500 | 503,
    title: string,
    message: string,
    code?: string,
  ) => c.html(errorPage(title, message, code).value, status);

  app.use('*', async (c, next) => {
    await next();
    for (const [k, v] of Object.entries(SECURITY_HEADERS)) c.res.headers.set(k, v);
  });

  app.use('*', async (c, next) => {
    if (!hostAllowed(opts.hosts(), c.req.header('host'))) {
      return page(
        c,
        403,
        'Wrong host name',
        'This page answers only under the address it was started on (e.g. http://127.0.0.1:PORT/).',
      );
    }
    if (c.req.method === 'POST') {
      if (
        !sameOrigin({
          origin: c.req.header('origin'),
          host: c.req.header('host'),
          secFetchSite: c.req.header('sec-fetch-site'),
        })
      ) {
        return page(
          c,
          403,
          'Request refused',
          'The form was not sent from this page (cross-origin request). Nothing was changed.',
          'FORBIDDEN',
        );
      }
      const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/x-www-form-urlencoded' && type !== 'multipart/form-data') {
        return page(
          c,
          415,
          'Request refused',
          'Only forms of this page are accepted. Nothing was changed.',
          'UNSUPPORTED_MEDIA_TYPE',
        );
      }
    }
    return next();
  });

  const tooLarge = (c: Context) =>
    page(
      c,
      413,
      'Upload too large',
      `The upload is larger than ${MAX_UPLOAD_BYTES / 1024 / 1024} MiB. Nothing was changed.`,
      'PAYLOAD_TOO_LARGE',
    );
  const uploadLimit = bodyLimit({ maxSize: UPLOAD_BODY_LIMIT, onError: tooLarge });
  const formLimit = bodyLimit({ maxSize: FORM_BODY_LIMIT, onError: tooLarge });
  app.post('*', (c, next) => (c.req.path === '/confirm' ? uploadLimit : formLimit)(c, next));

  app.get('/', async (c) => {
    let session = sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session) {
      session = sessions.create();
      setCookie(c, SESSION_COOKIE, session.id, { httpOnly: true, sameSite: 'Strict', path: '/' });
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
      return c.html(
        devicePage({ ...model, flash: sessions.takeFlash(s), csrf: s.csrf, now: new Date() }).value,
      );
    } catch (e) {
      const f = errorFlash(e);
      return page(
        c,
        e instanceof MylicError && e.code === 'NOT_INITIALISED' ? 503 : 500,
        'The device page cannot be shown',
        f.message,
        f.code,
      );
    }
  });

  app.post('/:action', async (c) => {
    const action = actions[c.req.param('action')];
    if (!action || !Object.hasOwn(actions, c.req.param('action')))
      return page(c, 404, 'Not found', 'There is no such action.');
    let form: Form;
    try {
      form = (await c.req.parseBody()) as Form;
    } catch {
      return page(
        c,
        400,
        'Request refused',
        'The form could not be read. Nothing was changed.',
        'BAD_REQUEST',
      );
    }
    const session = sessions.get(getCookie(c, SESSION_COOKIE));
    if (!session || !sessions.checkCsrf(session, form._csrf)) {
      return page(
        c,
        403,
        'Request refused',
        'The form has no valid security token (CSRF): it did not come from this page, or the page is too old. Reload the page and try again. Nothing was changed.',
        'FORBIDDEN',
      );
    }
    try {
      const result = await exclusive(() => action(dir, form));
      if ('file' in result) {
        return c.body(result.file.body, 200, {
          'Content-Type': result.file.type,
          'Content-Disposition': `attachment; filename="${result.file.name.replace(/[^A-Za-z0-9._-]/g, '_')}"`,
        });
      }
      if (result.checks !== undefined) lastChecks = result.checks;
      session.flash = result.flash;
    } catch (e) {
      session.flash = errorFlash(e);
    }
    return c.redirect('/', 303);
  });

  app.notFound((c) => page(c, 404, 'Not found', 'There is no such page here.'));
  app.onError((e, c) => page(c, 500, 'Something went wrong', String(e.message ?? e), 'INTERNAL'));
  return app;
}

export async function startDevicePage(opts: DevicePageOptions): Promise<DevicePage> {
  const host = opts.host ?? '127.0.0.1';
  let hosts: Set<string> | null = new Set();
  const app = createDevicePageApp({ dir: opts.dir, hosts: () => hosts });
  const server = serve({ fetch: app.fetch, port: opts.port ?? 0, hostname: host }) as Server;
  await new Promise<void>((resolve, reject) => {
    server.once('listening', resolve);
    server.once('error', reject);
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
