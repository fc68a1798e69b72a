import { join } from 'node:path';
import { loadOrCreateDevPki } from '../certs/dev-pki.js';
import { openSession } from '../bridge/core/accounts/index.js';
import { SESSION_COOKIE } from '../bridge/web/web-session.js';
import { makeTestCore } from '../test/support/core.js';
import { tempDir } from '../test/support/tmp.js';
import type { Figure } from './report.js';
import { round, summarize, type LatencySummary } from './stats.js';
import { generateStore, macOf } from './store-scale/generate.js';

/**
 * Item 6 (issues 13 and 14): the server time of the portal pages for a company with 10k devices — the
 * time from the request reaching the app to the last byte of the HTML, in process (`app.request`), so
 * no network and no TLS are in it. Goal: p99 < 20 ms.
 *
 * The store is the real schema filled by store-scale/generate.ts (20k devices, half of them in company
 * 1, the "large tenant", with 5 licenses each on average and balances in every project); the session is
 * a real portal session of company 1's admin. The baseline, measured in the same run and interleaved
 * with the pages, is the log-in page: the same layout and rendering with no session and no query, so
 * the ratio says what the page's own data costs on this machine.
 */
const GOAL_MS = 20;

export interface PagesOptions {
  requests: number;
  warmup: number;
  log: (s: string) => void;
}

export async function benchPages(opts: PagesOptions): Promise<{ figures: Figure[]; failed: boolean }> {
  const { dir, cleanup } = await tempDir('mylic-bench-pages-');
  try {
    opts.log('portal pages: generating a store with a 10k-device company');
    const gen = await generateStore({ file: join(dir, 'test.sqlite'), devices: 20_000, largeShare: 0.5 });
    const tc = await makeTestCore(dir, await loadOrCreateDevPki(join(dir, 'pki')));
    try {
      const { token } = await tc.core.store.write((tx) => openSession(tc.core, tx, 1, 'portal'));
      const cookie = `${SESSION_COOKIE}=${token}`;
      const someDevice = macOf(1);
      const pages = [
        { id: 'login', path: '/login', cookie: '', what: 'log-in page (baseline: no session, no query)' },
        { id: 'projects', path: '/projects', cookie, what: 'projects list' },
        { id: 'balance', path: '/balance', cookie, what: 'balance of the selected project' },
        { id: 'balance-all', path: '/balance?scope=all', cookie, what: 'balance of all projects' },
        { id: 'devices', path: '/devices', cookie, what: 'devices list, first page' },
        { id: 'device', path: `/devices/${someDevice}`, cookie, what: 'a device page' },
      ];
      const get = async (p: (typeof pages)[number]) => {
        const t0 = performance.now();
        const res = await tc.app.request(`https://portal.bench${p.path}`, {
          headers: { host: 'portal.bench', accept: 'text/html', 'accept-language': 'en', cookie: p.cookie },
        });
        const body = await res.text();
        return { ms: performance.now() - t0, status: res.status, bytes: body.length };
      };
      let failed = false;
      const samples = new Map<string, number[]>(pages.map((p) => [p.id, []]));
      const statuses = new Map<string, number>();
      for (let i = 0; i < opts.warmup; i++) for (const p of pages) statuses.set(p.id, (await get(p)).status);
      opts.log(`portal pages: ${opts.requests} requests per page, interleaved`);
      for (let i = 0; i < opts.requests; i++)
        for (const p of pages) {
          const r = await get(p);
          if (r.status !== 200) statuses.set(p.id, r.status);
          samples.get(p.id)!.push(r.ms);
        }
      const summaries = new Map<string, LatencySummary>(
        pages.map((p) => [p.id, summarize(samples.get(p.id)!)]),
      );
      const base = summaries.get('login')!;
      const figures: Figure[] = pages.map((p) => {
        const s = summaries.get(p.id)!;
        const status = statuses.get(p.id) ?? 0;
        const ok = status === 200;
        if (!ok) failed = true;
        return {
          id: `pages.${p.id}`,
          item: 6,
          measurement: `Page ${p.path} p99, company of ${gen.largeCompanyDevices.toLocaleString('en-US')} devices (${p.what})`,
          value: ok ? s.p99 : null,
          unit: 'ms',
          ceiling: GOAL_MS,
          ceilingNote: `goal; baseline /login p99 ${round(base.p99)} ms, this page ${round(s.p99 / base.p99)}x of it`,
          ratio: ok ? s.p99 / GOAL_MS : null,
          target: `< ${GOAL_MS} ms p99`,
          status: !ok ? 'FAIL' : s.p99 < GOAL_MS ? 'meets' : 'short',
          detail: {
            httpStatus: status,
            p50: round(s.p50),
            p90: round(s.p90),
            p99: round(s.p99),
            max: round(s.max),
            requests: s.count,
            timesBaselineP99: round(s.p99 / base.p99),
            timesBaselineP50: round(s.p50 / base.p50),
          },
        };
      });
      return { figures, failed };
    } finally {
      await tc.close();
    }
  } finally {
    await cleanup();
  }
}
