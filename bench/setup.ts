import { constants, sign } from 'node:crypto';
import { sql } from 'kysely';
import { PortalClient } from '../agent/client.js';
import { openCore } from '../bridge/bootstrap.js';
import { loadConfig } from '../bridge/config.js';
import type { Core } from '../bridge/core/context.js';
import { addDevice, registerVendorDevices } from '../bridge/core/devices/index.js';
import { bindFromBalance } from '../bridge/core/licenses/index.js';
import { actAs } from '../bridge/core/organisation/index.js';
import { generateKeyPair, issueDeviceCertificate, loadPki, type KeyPair, type Pki } from '../certs/index.js';
import { deviceProofBytes } from '../protocol/device-protocol.js';
import { startBridgeProcess, type BridgeProcess } from '../test/support/bridge-process.js';
import { bridgeCli } from '../test/support/cli.js';
import { tempDir } from '../test/support/tmp.js';
import { findChildPid } from './load.js';

/**
 * The world the HTTPS benchmarks run against: a bridge process on a fresh data folder, seeded
 * through the real operator CLI (user, company, balance) and the core (devices, bound licenses),
 * and device sessions obtained through the real device login (challenge, signed proof, login).
 */
export const EMAIL = 'bench@example.com';
export const PASSWORD = 'bench-password-1';

export interface BenchDevice {
  hardwareId: string;
  keyPem: string;
  certPem: string;
  token: string;
}

export interface BenchWorld {
  dir: string;
  dataDir: string;
  bridge: BridgeProcess;
  /** The bridge's pid (for CPU sampling), when /proc lets us find it. */
  bridgePid: number | undefined;
  pki: Pki;
  companyId: number;
  projectId: number;
  /** Each with 3 licenses bound (PBX-Port13 ×4, PBX-Voicemail14 ×1, GW-Channel ×2). */
  downloadDevices: BenchDevice[];
  /** Devices without licenses yet; the invalidation benchmark binds what it returns. */
  invalidationDevices: BenchDevice[];
  keyPool: KeyPair[];
  /** A core on the bridge's database in this process, for seeding while the bridge runs. */
  withCore<T>(fn: (core: Core) => Promise<T>): Promise<T>;
  cleanup: () => Promise<void>;
}

export const macFor = (block: number, i: number) =>
  `009033${(block * 0x10000 + i).toString(16).toUpperCase().padStart(6, '0')}`;

async function cli(args: string[], env: Record<string, string>) {
  const r = await bridgeCli([...args, '--json'], env);
  if (r.code !== 0 || !r.json?.ok)
    throw new Error(`mylic-bridge ${args.join(' ')} failed (${r.code}): ${r.stdout}${r.stderr}`);
  return r.json.result;
}

/** Runs `fn` over `items` with at most `limit` in flight. */
export async function pool<T, R>(
  items: T[],
  limit: number,
  fn: (item: T, i: number) => Promise<R>,
): Promise<R[]> {
  const out: R[] = new Array(items.length);
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(limit, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        out[i] = await fn(items[i]!, i);
      }
    }),
  );
  return out;
}

export async function setupWorld(opts: {
  downloadDevices: number;
  invalidationDevices: number;
  keyPoolSize: number;
  log: (s: string) => void;
}): Promise<BenchWorld> {
  const { dir, cleanup } = await tempDir('mylic-bench-');
  try {
    return await seedAndStart(dir, cleanup, opts);
  } catch (e) {
    await cleanup();
    throw e;
  }
}

async function seedAndStart(
  dir: string,
  cleanup: () => Promise<void>,
  opts: {
    downloadDevices: number;
    invalidationDevices: number;
    keyPoolSize: number;
    log: (s: string) => void;
  },
): Promise<BenchWorld> {
  const dataDir = `${dir}/bridge`;
  const env = { MYLIC_DATA: dataDir };

  // The real operator CLI; its first run creates the dev PKI in <data>/pki.
  const user = await cli(
    ['ops', 'user', 'create', '--email', EMAIL, '--password', PASSWORD, '--name', 'Bench'],
    env,
  );
  const company = await cli(['ops', 'company', 'create', '--name', 'Bench Co', '--admin', EMAIL], env);
  const companyId: number = company.companyId;
  const projectId: number = company.defaultProjectId;
  const n = opts.downloadDevices;
  for (const [type, units] of [
    ['PBX-Port13', 4 * n],
    ['PBX-Voicemail14', n],
    ['GW-Channel', 2 * n],
  ] as const) {
    await cli(
      [
        'ops',
        'balance',
        'add',
        '--company',
        String(companyId),
        '--type',
        type,
        '--units',
        String(units),
        '--ref',
        'bench',
      ],
      env,
    );
  }
  opts.log(`seeded user ${user.id} and company ${companyId} via mylic-bridge ops`);

  const pki = await loadPki(`${dataDir}/pki`);
  // RSA-2048 generation costs ~0.25 s here; devices share keys from a small pool, each with its own
  // certificate (CN = its hardware id). The crypto per request is the same as with distinct keys.
  const keyPool = Array.from({ length: opts.keyPoolSize }, () => generateKeyPair());
  const makeDevice = (hardwareId: string, i: number) => {
    const key = keyPool[i % keyPool.length]!;
    return {
      hardwareId,
      keyPem: key.privateKeyPem,
      certPem: issueDeviceCertificate(pki.deviceCa, key.publicKeyPem, hardwareId),
      token: '',
    };
  };
  const downloadDevices = Array.from({ length: n }, (_, i) => makeDevice(macFor(1, i), i));
  const invalidationDevices = Array.from({ length: opts.invalidationDevices }, (_, i) =>
    makeDevice(macFor(2, i), i),
  );

  const withCore = async <T>(fn: (core: Core) => Promise<T>): Promise<T> => {
    const { core } = await openCore(loadConfig({ MYLIC_DATA: dataDir }));
    try {
      const result = await fn(core);
      // Fold the seeding's WAL into the database now, so the bridge's first commit under load does
      // not inherit a checkpoint of everything seeded (better-sqlite3 checkpoints on the event loop).
      await sql`PRAGMA wal_checkpoint(TRUNCATE)`.execute(core.store.db);
      return result;
    } finally {
      await core.store.close();
    }
  };
  await withCore(async (core) => {
    const actor = await actAs(core, companyId);
    const all = [...downloadDevices, ...invalidationDevices];
    // The vendor's device database knows them first (issue 15 item 8), then the company adds them.
    await registerVendorDevices(core, { deviceType: 'IP811', devices: all.map((d) => d.hardwareId) });
    for (const d of all) await addDevice(core, actor, projectId, d.hardwareId);
    for (const d of downloadDevices) {
      await bindFromBalance(core, actor, {
        projectId,
        hardwareId: d.hardwareId,
        licenseType: 'PBX-Port13',
        units: 4,
      });
      await bindFromBalance(core, actor, {
        projectId,
        hardwareId: d.hardwareId,
        licenseType: 'PBX-Voicemail14',
        units: 1,
      });
      await bindFromBalance(core, actor, {
        projectId,
        hardwareId: d.hardwareId,
        licenseType: 'GW-Channel',
        units: 2,
      });
    }
  });
  opts.log(`added ${downloadDevices.length + invalidationDevices.length} devices, bound ${3 * n} licenses`);

  const bridge = await startBridgeProcess(dataDir);
  const bridgePid = await findChildPid('mylic-bridge.mjs');
  const origin = `https://localhost:${bridge.port}/`;

  // The device login over HTTPS, as the agent does it: challenge, signed proof, login.
  const client = new PortalClient({ portalUrl: origin, caPem: pki.root.certPem });
  try {
    await pool([...downloadDevices, ...invalidationDevices], 4, async (d) => {
      const { challenge } = await client.challenge(d.hardwareId);
      const signature = sign('sha256', deviceProofBytes(challenge, d.hardwareId), {
        key: d.keyPem,
        padding: constants.RSA_PKCS1_PSS_PADDING,
        saltLength: 32,
      }).toString('base64');
      const session = await client.login({
        email: EMAIL,
        password: PASSWORD,
        hardwareId: d.hardwareId,
        certificate: d.certPem,
        challenge,
        signature,
      });
      d.token = session.token;
    });
  } catch (e) {
    await bridge.stop();
    throw e;
  } finally {
    await client.close();
  }
  opts.log(
    `bridge on port ${bridge.port} (pid ${bridgePid ?? '?'}); ${downloadDevices.length + invalidationDevices.length} devices logged in`,
  );

  return {
    dir,
    dataDir,
    bridge,
    bridgePid,
    pki,
    companyId,
    projectId,
    downloadDevices,
    invalidationDevices,
    keyPool,
    withCore,
    cleanup: async () => {
      await bridge.stop();
      await cleanup();
    },
  };
}
