import { readFile } from 'node:fs/promises';
import BetterSqlite3 from 'better-sqlite3';
import { Agent, fetch } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki } from '../../certs/dev-pki.js';
import { companyCounts } from '../../bridge/core/balance/index.js';
import { issueVendorKey } from '../../bridge/core/keys/index.js';
import { DEVICE_API } from '../../protocol/device-protocol.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { openSqliteStore } from '../../bridge/db/sqlite/sqlite-store.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { makeTestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import {
  addFixtureDevice,
  bind1,
  type FixtureDevice,
  invalidationDocument,
  loginDevice,
  loginPortal,
  makeTenant,
  PORT_TYPE,
  type Tenant,
} from '../bridge/fixtures.js';

/**
 * Issue 16 item 6 on SQLite: the bridge process is killed with SIGKILL while binds, license downloads,
 * invalidations and key redemptions are in flight. Nothing half-done remains: the database passes its
 * integrity check, the conservation invariant (activated = balance + bound + free + in keys, per
 * type) holds, and the client sending again what got no answer finishes each job once — every
 * invalidation credited once, every key redeemed once, every device downloads again.
 */
describe('a bridge killed with SIGKILL under binds, downloads, invalidations and redemptions', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let data: string;
  let bridge: BridgeProcess | undefined;
  let a: Tenant;
  const devices: FixtureDevice[] = [];
  const keys: string[] = [];
  const KEY_UNITS = 3;

  beforeAll(async () => {
    tmp = await tempDir('mylic-crash-faults-');
    data = `${tmp.dir}/data`;
    // The portal's state, made with the core on the bridge's own file: one company, four devices with
    // a returnable PBX license each, balance to bind from, twelve vendor keys.
    const tc = await makeTestCore(data, await loadOrCreateDevPki(`${data}/pki`));
    try {
      a = await makeTenant(tc, {
        name: 'crash',
        mac: '00-90-33-0C-00-00',
        credit: { port: 200 },
        bind: { port: 1 },
      });
      devices.push(a.device);
      for (let i = 1; i < 4; i++) {
        const d = await addFixtureDevice(tc, a.actor, a.projectId, `00-90-33-0C-00-0${i}`);
        await bind1(tc, a.actor, a.projectId, d.hardwareId, PORT_TYPE, 1);
        devices.push(d);
      }
      for (let i = 0; i < 12; i++)
        keys.push((await issueVendorKey(tc.core, { licenses: [{ type: PORT_TYPE, units: KEY_UNITS }] })).key);
    } finally {
      await tc.close();
    }
  });
  afterAll(async () => {
    await bridge?.stop();
    await tmp?.cleanup();
  });

  const start = async () => {
    bridge = await startBridgeProcess(data, { MYLIC_SQLITE: `${data}/test.sqlite` });
    const dispatcher = new Agent({ connect: { ca: await readFile(bridge.caFile, 'utf8') } });
    const base = bridge.url.replace(/\/$/, '');
    // The fixtures' `app.request`, over HTTPS to the real process.
    const app = {
      request: (path: string, init?: RequestInit) =>
        fetch(`${base}${path}`, { ...(init as object), dispatcher }) as unknown as Promise<Response>,
    } as never;
    return { app, dispatcher };
  };

  const post = (app: never, path: string, body: unknown, token: string, type = 'application/json') =>
    (app as { request: (p: string, i: RequestInit) => Promise<Response> }).request(path, {
      method: 'POST',
      headers: { 'content-type': type, authorization: `Bearer ${token}` },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });

  /** Per type: activated = balance + bound + free + in keys, straight from the file. */
  async function conservation() {
    const store = await openSqliteStore(`${data}/test.sqlite`);
    try {
      const rows = await companyCounts(store.db, a.companyId);
      for (const r of rows) expect(r.activated, r.type).toBe(r.balance + r.bound + r.free + r.inKeys);
      return Object.fromEntries(rows.map((r) => [r.type, r]));
    } finally {
      await store.close();
    }
  }

  it('leaves whole transactions only, and the retries finish every job once', {
    timeout: 240_000,
  }, async () => {
    // The PBX license of each device, and the one invalidation the device signs for it: what a retry
    // sends again is the same document.
    const db0 = new BetterSqlite3(`${data}/test.sqlite`, { readonly: true });
    const serialOf = new Map(
      (
        db0
          .prepare(
            "SELECT d.hardware_id AS hw, l.serial FROM licenses l JOIN devices d ON d.id = l.device_id WHERE l.license_type = ? AND l.state = 'bound'",
          )
          .all(PORT_TYPE) as { hw: string; serial: string }[]
      ).map((r) => [r.hw, r.serial]),
    );
    db0.close();
    const docs = devices.map((d) => ({
      device: d,
      ...invalidationDocument(d, { serials: [serialOf.get(d.hardwareId)!], counter: 1 }),
    }));

    const answered = { invalidations: new Set<string>(), keys: new Set<string>(), binds: 0, downloads: 0 };
    for (let round = 0; round < 2; round++) {
      const { app, dispatcher } = await start();
      const portal = await loginPortal(app, a.user);
      const deviceTokens = await Promise.all(devices.map((d) => loginDevice(app, a.user, d)));
      let killed = false;
      const swallow = (e: unknown) => {
        if (!killed) throw e;
      };
      const loops = [
        // binds from the balance onto the devices
        (async () => {
          for (let i = 0; !killed; i++) {
            const r = await post(
              app,
              `${PORTAL_API}/devices/${devices[i % 4]!.deviceId}/licenses/from-balance`,
              { version: 13, lines: [{ type: PORT_TYPE, units: 1 }] },
              portal,
            );
            await r.text();
            if (r.status === 201) answered.binds++;
          }
        })().catch(swallow),
        // license downloads of every device
        ...devices.map((_, i) =>
          (async () => {
            while (!killed) {
              const r = await post(app, `${DEVICE_API}/license-file`, { version: 13 }, deviceTokens[i]!);
              const bytes = Buffer.from(await r.arrayBuffer()).toString('utf8');
              // A device whose license was just returned and got no new one yet has nothing to download.
              if (r.status === 404) expect(JSON.parse(bytes).error.code).toBe('NO_LICENSES');
              else expect(r.status, bytes.slice(0, 300)).toBe(200);
              if (r.status === 200) answered.downloads++;
            }
          })().catch(swallow),
        ),
        // the invalidations, one after another (round 2 sends the ones without an answer)
        (async () => {
          for (const [i, doc] of docs.entries()) {
            if (answered.invalidations.has(doc.documentId)) continue;
            const r = await post(
              app,
              `${DEVICE_API}/invalidations`,
              doc.xml,
              deviceTokens[i]!,
              'application/xml',
            );
            expect(r.status, await r.text()).toBe(200);
            answered.invalidations.add(doc.documentId);
          }
        })().catch(swallow),
        // key redemptions
        (async () => {
          for (const key of keys) {
            if (killed) return;
            if (answered.keys.has(key)) continue;
            const r = await post(
              app,
              `${PORTAL_API}/activation-keys/redeem`,
              { key, projectId: a.projectId },
              portal,
            );
            expect(r.status, await r.text()).toBe(201);
            answered.keys.add(key);
          }
        })().catch(swallow),
      ];
      // Let the load run, then kill the process in the middle of it.
      await new Promise((r) => setTimeout(r, round === 0 ? 1500 : 800));
      killed = true;
      const exited = new Promise((r) => bridge!.child.once('exit', (_code, signal) => r(signal)));
      bridge!.child.kill('SIGKILL');
      expect(await exited).toBe('SIGKILL');
      await Promise.all(loops);
      await dispatcher.close().catch(() => undefined);
      bridge = undefined;

      // What the kill left: a whole database, the invariant, no claim or half row.
      const check = new BetterSqlite3(`${data}/test.sqlite`);
      expect(check.pragma('integrity_check', { simple: true })).toBe('ok');
      check.close();
      await conservation();
    }

    // The client retries everything it got no answer for, on a new process.
    const { app, dispatcher } = await start();
    try {
      const portal = await loginPortal(app, a.user);
      for (const doc of docs) {
        const token = await loginDevice(app, a.user, doc.device);
        const r = await post(app, `${DEVICE_API}/invalidations`, doc.xml, token, 'application/xml');
        // A document accepted before the kill answers its stored confirmation again; never a second credit.
        expect(r.status, await r.clone().text()).toBe(200);
        expect(await r.text()).toContain('mylic-document');
        // A new license from the balance, then the device's download finishes.
        const bound = await post(
          app,
          `${PORTAL_API}/devices/${doc.device.deviceId}/licenses/from-balance`,
          { version: 13, lines: [{ type: PORT_TYPE, units: 1 }] },
          portal,
        );
        expect(bound.status, await bound.text()).toBe(201);
        const file = await post(app, `${DEVICE_API}/license-file`, { version: 13 }, token);
        expect(file.status, await file.text()).toBe(200);
      }
      for (const key of keys) {
        const r = await post(
          app,
          `${PORTAL_API}/activation-keys/redeem`,
          { key, projectId: a.projectId },
          portal,
        );
        const body = (await r.json()) as { error?: { code: string } };
        // Redeemed before (the answer was lost, or this is a retry of an answered one): said so, nothing credited.
        if (r.status !== 201) expect([r.status, body.error?.code]).toEqual([409, 'KEY_ALREADY_REDEEMED']);
      }
    } finally {
      await bridge?.stop();
      bridge = undefined;
      await dispatcher.close();
    }

    const counts = await conservation();
    const db = new BetterSqlite3(`${data}/test.sqlite`, { readonly: true });
    try {
      // Each document accepted once, each returned license free once.
      expect((db.prepare('SELECT count(*) AS n FROM invalidations').get() as { n: number }).n).toBe(
        docs.length,
      );
      for (const serial of serialOf.values())
        expect(
          (db.prepare('SELECT state FROM licenses WHERE serial = ?').get(serial) as { state: string }).state,
        ).toBe('free');
      // Each key redeemed once and credited once.
      expect(
        (
          db.prepare('SELECT count(*) AS n FROM activation_keys WHERE redeemed_at IS NULL').get() as {
            n: number;
          }
        ).n,
      ).toBe(0);
      expect(
        (
          db.prepare("SELECT count(*) AS n FROM ledger_entries WHERE reason = 'key.redeemed'").get() as {
            n: number;
          }
        ).n,
      ).toBe(keys.length);
    } finally {
      db.close();
    }
    // 200 credited by the operator, twelve keys of three.
    expect(counts[PORT_TYPE]!.activated).toBe(200 + keys.length * KEY_UNITS);
    expect(counts[PORT_TYPE]!.free).toBe(devices.length);
    expect(answered.downloads).toBeGreaterThan(0);
    expect(answered.binds).toBeGreaterThan(0);
  });
});
