import { existsSync, rmSync, statSync } from 'node:fs';
import { pathToFileURL } from 'node:url';
import BetterSqlite3 from 'better-sqlite3';
import { catalog } from '../../bridge/core/catalog.js';
import { asciiLower, searchRowId } from '../../bridge/core/devices/index.js';
import { openSqliteStore } from '../../bridge/db/sqlite/sqlite-store.js';

/**
 * Item 4 of issue 7: a store of N devices, fast.
 *
 * The schema is the real one: the file is created by openSqliteStore (all migrations), which is then
 * closed; the rows go in through raw better-sqlite3 prepared statements in large transactions, with
 * journal and fsync off and a large page cache during the load only. The secondary indexes of the three
 * large tables are dropped before the load and created again afterwards from their own `sqlite_master`
 * text, in their original order (SQLite builds an index from sorted keys much faster than it grows one
 * row by row); the schema afterwards is checked to be identical to a freshly migrated one.
 *
 * What is in it, for N devices (deterministic for a seed):
 * - N/100 companies, company 1 the "large tenant" with `largeShare` of all devices, the rest spread at
 *   random over the others (~90 each); one admin user per company (user id = company id), membership.
 * - a DEFAULT project per company (project id = company id), a second project for 30% of them, 5 more
 *   for the large tenant; devices go half to DEFAULT, half to the other projects.
 * - devices with MACs 009033xxxxxx (the 24 device bits a bijection of the device id, so unique and not
 *   in id order), mixed device types; one placement each, 50% named "rack R room M", 20% with a comment.
 * - the `device_search` row of each placement exactly as indexPlacement writes it (searchRowId, and
 *   asciiLower of name / comment / hardware id joined by newlines).
 * - 1 to 9 bound licenses per device (5 on average) of mixed types; PBX-Port14 with 1–200 units. They are
 *   inserted the way they arrive over time (first license of every device, then the second, …), so a
 *   device's licenses are not neighbours in the table.
 * - balances: 8 license types per project.
 * Not generated (not read by the measured queries): ledger entries, history, sessions, keys, rights.
 */

export interface GenerateOptions {
  file: string;
  devices: number;
  /** Share of all devices in company 1 (the large tenant). */
  largeShare?: number;
  seed?: number;
  /** Page cache for the load, in MiB. */
  cacheMiB?: number;
  log?: (s: string) => void;
}

export interface GenerateResult {
  file: string;
  devices: number;
  companies: number;
  projects: number;
  licenses: number;
  largeCompanyId: number;
  largeCompanyDevices: number;
  bytes: number;
  seconds: number;
  phases: Record<string, number>;
}

/** mulberry32: small, fast, deterministic. */
export function rng(seed: number) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** The MAC of device `id`: vendor prefix 009033 and a bijection of the id on 24 bits (odd multiplier). */
export const macOf = (id: number) =>
  `009033${((Math.imul(id, 0x9e3779b1) >>> 0) & 0xffffff).toString(16).toUpperCase().padStart(6, '0')}`;

const DEVICE_TYPES: [string, number][] = [
  ['IP811', 0.5],
  ['IP0011', 0.2],
  ['IP1060', 0.15],
  ['IP6000', 0.1],
  ['IP1200', 0.05],
];

/** License types with their share and units range. */
const LICENSE_MIX: { type: string; share: number; min: number; max: number }[] = [
  { type: 'PBX-Port14', share: 0.25, min: 1, max: 200 },
  { type: 'PBX-Port13', share: 0.1, min: 1, max: 100 },
  { type: 'PBX-Port14*5', share: 0.05, min: 1, max: 20 },
  { type: 'GW-Channel', share: 0.15, min: 1, max: 30 },
  { type: 'Warranty-1Y', share: 0.1, min: 1, max: 4 },
  { type: 'PBX-Voicemail14', share: 0.1, min: 1, max: 10 },
  { type: 'PBX-Registration14', share: 0.1, min: 1, max: 50 },
  { type: 'PBX-Standby14', share: 0.05, min: 1, max: 2 },
  { type: 'PBX-Upgrade14', share: 0.04, min: 1, max: 50 },
  { type: 'Relay-PRI', share: 0.03, min: 1, max: 4 },
  { type: 'Dect-Multicell-Ari', share: 0.03, min: 1, max: 1 },
];
const BALANCE_TYPES = [
  'PBX-Port14',
  'PBX-Port13',
  'GW-Channel',
  'Warranty-1Y',
  'PBX-Voicemail14',
  'PBX-Registration14',
  'PBX-Standby14',
  'Relay-PRI',
];
const COMMENTS = [
  'spare unit',
  'swapped after lightning',
  'customer hotline',
  'Ticket',
  'installed by Meyer',
  'lab',
  'Branch Office North',
  'to be returned',
];

function pick<T>(r: () => number, weighted: [T, number][]): T {
  let x = r();
  for (const [v, w] of weighted) {
    x -= w;
    if (x < 0) return v;
  }
  return weighted[weighted.length - 1]![0];
}

const BIG_TABLES = ['devices', 'device_projects', 'licenses'];

/** Schema rows of a database, for comparing the generated file with a freshly migrated one. */
function schemaOf(db: BetterSqlite3.Database): string[] {
  return (
    db
      .prepare(
        `select type, name, tbl_name, sql from sqlite_master where name not like 'sqlite_stat%' order by type, name`,
      )
      .all() as Record<string, unknown>[]
  ).map((r) => JSON.stringify(r));
}

export async function generateStore(opts: GenerateOptions): Promise<GenerateResult> {
  const n = opts.devices;
  const log = opts.log ?? (() => {});
  const r = rng(opts.seed ?? 4711);
  const started = performance.now();
  const phases: Record<string, number> = {};
  let mark = started;
  const phase = (name: string) => {
    const now = performance.now();
    phases[name] = (now - mark) / 1000;
    mark = now;
  };

  for (const suffix of ['', '-wal', '-shm']) if (existsSync(opts.file + suffix)) rmSync(opts.file + suffix);
  const store = await openSqliteStore(opts.file);
  await store.close();
  phase('migrate');

  const db = new BetterSqlite3(opts.file);
  const reference = schemaOf(db);
  db.pragma('journal_mode = OFF');
  db.pragma('synchronous = OFF');
  db.pragma('foreign_keys = OFF');
  db.pragma(`cache_size = ${-1024 * (opts.cacheMiB ?? 1024)}`);
  db.pragma('temp_store = MEMORY');
  db.pragma('locking_mode = EXCLUSIVE');

  // Secondary indexes of the big tables: dropped now, created again after the load, same text, same order.
  const deferred = db
    .prepare(
      `select name, sql from sqlite_master where type = 'index' and sql is not null and tbl_name in (${BIG_TABLES.map(() => '?').join(', ')}) order by rowid`,
    )
    .all(...BIG_TABLES) as { name: string; sql: string }[];
  for (const ix of deferred) db.exec(`drop index ${ix.name}`);

  const at = '2025-01-15T10:00:00.000Z';
  const day = at.slice(0, 10);
  const companies = Math.max(2, Math.round(n / 100));
  const largeShare = opts.largeShare ?? 0.1;

  // Companies, users, memberships, projects. Project id = company id for the DEFAULT projects.
  const extra: number[][] = Array.from({ length: companies + 1 }, () => []);
  db.transaction(() => {
    const company = db.prepare('insert into companies (id, name, created_at) values (?, ?, ?)');
    const user = db.prepare(
      'insert into users (id, email, password_hash, name, language, active, created_at, mail_opt_in, phone) values (?, ?, ?, ?, ?, 1, ?, 1, ?)',
    );
    const member = db.prepare(
      'insert into memberships (user_id, company_id, is_admin, is_locked, created_at) values (?, ?, 1, 0, ?)',
    );
    const project = db.prepare(
      'insert into projects (id, company_id, name, description, ssa_end, created_at, send_ssa_mails) values (?, ?, ?, ?, null, ?, 1)',
    );
    for (let c = 1; c <= companies; c++) {
      company.run(c, c === 1 ? 'Large Tenant AG' : `Company ${c}`, at);
      user.run(c, `admin${c}@bench.example`, 'scrypt$bench$not-a-real-hash', `Admin ${c}`, 'en', at, '');
      member.run(c, c, at);
      project.run(c, c, 'DEFAULT', '', at);
    }
    let pid = companies;
    for (let c = 1; c <= companies; c++) {
      const more = c === 1 ? 5 : r() < 0.3 ? 1 : 0;
      for (let k = 0; k < more; k++) {
        project.run(++pid, c, k === 0 ? 'Branch office' : `Region ${k + 1}`, 'second site', at);
        extra[c]!.push(pid);
      }
    }
  })();
  const projects = companies + extra.reduce((s, e) => s + e.length, 0);
  phase('companies');

  // Devices, placements, search rows.
  const deviceCompany = new Int32Array(n + 1);
  const deviceProject = new Int32Array(n + 1);
  let largeCompanyDevices = 0;
  const insertDevice = db.prepare(
    'insert into devices (id, hardware_id, device_type, cert_pem, invalidation_counter, created_at) values (?, ?, ?, null, 0, ?)',
  );
  const insertPlacement = db.prepare(
    'insert into device_projects (device_id, company_id, project_id, name, comment, added_at) values (?, ?, ?, ?, ?, ?)',
  );
  const insertSearch = db.prepare('insert into device_search (rowid, terms, device_id) values (?, ?, ?)');
  const CHUNK = 50_000;
  const terms: [bigint, string, number][] = [];
  for (let from = 1; from <= n; from += CHUNK) {
    const to = Math.min(n, from + CHUNK - 1);
    db.transaction(() => {
      for (let id = from; id <= to; id++) {
        const c = r() < largeShare ? 1 : 2 + Math.floor(r() * (companies - 1));
        if (c === 1) largeCompanyDevices++;
        const more = extra[c]!;
        const p = more.length && r() < 0.5 ? more[Math.floor(r() * more.length)]! : c;
        deviceCompany[id] = c;
        deviceProject[id] = p;
        const mac = macOf(id);
        const name = r() < 0.5 ? `rack ${1 + Math.floor(r() * 40)} room ${1 + Math.floor(r() * 20)}` : null;
        const comment =
          r() < 0.2 ? `${COMMENTS[Math.floor(r() * COMMENTS.length)]} ${Math.floor(r() * 10000)}` : '';
        insertDevice.run(id, mac, pick(r, DEVICE_TYPES), at);
        insertPlacement.run(id, c, p, name, comment, at);
        // Exactly what indexPlacement writes.
        terms.push([searchRowId(id, c), [name ?? '', comment, mac].map(asciiLower).join('\n'), id]);
      }
    })();
  }
  phase('devices');
  // The FTS rows in one pass after the tables (FTS5 keeps its pending terms in memory per transaction).
  for (let i = 0; i < terms.length; i += 200_000) {
    db.transaction(() => {
      for (const t of terms.slice(i, i + 200_000)) insertSearch.run(t[0], t[1], t[2]);
    })();
  }
  terms.length = 0;
  phase('search');

  // Licenses: 1–9 per device; pass k inserts the k-th license of every device that has one.
  const counts = new Uint8Array(n + 1);
  let maxCount = 0;
  for (let id = 1; id <= n; id++) {
    counts[id] = 1 + Math.floor(r() * 9);
    if (counts[id]! > maxCount) maxCount = counts[id]!;
  }
  const mix = LICENSE_MIX.map((m) => {
    const t = catalog.licenseType(m.type);
    return { ...m, version: t.version, returnable: t.returnable ? 1 : 0, ari: t.externalKey === 'dect-ari' };
  });
  const mixWeights: [(typeof mix)[number], number][] = mix.map((m) => [m, m.share]);
  const insertLicense = db.prepare(
    `insert into licenses (id, serial, license_type, units, version, state, device_id, project_id, bind_date, ssa_end, external_key, returnable, downloaded_unencrypted, created_at, updated_at)
     values (?, ?, ?, ?, ?, 'bound', ?, ?, ?, null, ?, ?, 0, ?, ?)`,
  );
  let lid = 0;
  for (let k = 1; k <= maxCount; k++) {
    for (let from = 1; from <= n; from += 100_000) {
      const to = Math.min(n, from + 100_000 - 1);
      db.transaction(() => {
        for (let id = from; id <= to; id++) {
          if (counts[id]! < k) continue;
          const m = pick(r, mixWeights);
          const units = m.min + Math.floor(r() * (m.max - m.min + 1));
          lid++;
          // Serials grow with the id (real ones are random: L- and 16 hex digits); nothing measured reads them.
          const serial = `L-${lid.toString(16).toUpperCase().padStart(16, '0')}`;
          const ari = m.ari ? `ARI-${lid.toString(16).toUpperCase().padStart(10, '0')}` : null;
          insertLicense.run(
            lid,
            serial,
            m.type,
            units,
            m.version,
            id,
            deviceProject[id]!,
            day,
            ari,
            m.returnable,
            at,
            at,
          );
        }
      })();
    }
  }
  phase('licenses');

  db.transaction(() => {
    const balance = db.prepare('insert into balances (project_id, license_type, units) values (?, ?, ?)');
    for (let p = 1; p <= projects; p++)
      for (const t of BALANCE_TYPES) balance.run(p, t, r() < 0.1 ? 0 : Math.floor(r() * 5000));
  })();
  phase('balances');

  db.pragma(`threads = 2`);
  for (const ix of deferred) db.exec(ix.sql);
  phase('indexes');

  const schema = schemaOf(db);
  if (schema.join('\n') !== reference.join('\n'))
    throw new Error('generated store: the schema differs from a freshly migrated one');
  db.pragma('locking_mode = NORMAL');
  db.pragma('journal_mode = WAL');
  db.close();
  phase('close');

  const result: GenerateResult = {
    file: opts.file,
    devices: n,
    companies,
    projects,
    licenses: lid,
    largeCompanyId: 1,
    largeCompanyDevices,
    bytes: statSync(opts.file).size,
    seconds: (performance.now() - started) / 1000,
    phases,
  };
  log(
    `generated ${n.toLocaleString('en-US')} devices, ${lid.toLocaleString('en-US')} licenses, ${companies.toLocaleString('en-US')} companies in ${result.seconds.toFixed(1)} s ` +
      `(${Object.entries(phases)
        .map(([k, v]) => `${k} ${v.toFixed(1)}`)
        .join(', ')}); ${(result.bytes / 1e6).toFixed(0)} MB`,
  );
  return result;
}

// Standalone: npx tsx bench/store-scale/generate.ts <devices> <file>
if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const devices = Number(process.argv[2] ?? 10_000);
  const file = process.argv[3] ?? `/tmp/mylic-store-${devices}.sqlite`;
  await generateStore({ file, devices, log: (s) => console.error(s) });
}
