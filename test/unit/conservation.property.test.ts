import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../bridge/core/accounts/index.js';
import { issueVendorKey, redeemKey } from '../../bridge/core/keys/index.js';
import { createCompany } from '../../bridge/core/organisation/index.js';
import { joinCompany } from '../../bridge/core/organisation/index.js';
import type { Actor } from '../../bridge/core/context.js';
import { addKnownDevice } from '../support/vendor-devices.js';
import { companyCounts } from '../../bridge/core/balance/index.js';
import { bindFromBalance } from '../../bridge/core/licenses/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { createOwnKey, deleteOwnKey, updateOwnKey } from '../../bridge/core/keys/index.js';
import { joinProject } from '../../bridge/core/organisation/index.js';
import { MylicError, type ErrorCode } from '../../protocol/errors.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { closeTestStores, openTestStore, STORES, type StoreKind } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';

/**
 * The conservation invariant of ARCHITECTURE §5 as a property: random sequences of ledger operations
 * (credit, vendor key redeemed, bind from balance, own key created / updated ± / deleted / redeemed
 * into another project or company, a second redeem, a project joined into another of its company, a
 * company joined into another with everything it has) and after each sequence, for every company left
 * and license type:
 *
 *   activated = balance + bound + free + inKeys            (companyCounts)
 *   activated = what the sequence brought into the company  (a model kept by the test; a joined
 *                                                            company's part moves to the one it joined)
 *
 * plus: no balance is negative, every balance equals the sum of its ledger entries, and every own key's
 * "in keys" entries sum to what it holds (zero once redeemed or deleted).
 *
 * Seeded PRNG: MYLIC_PROPERTY_SEED and MYLIC_PROPERTY_SEQUENCES reproduce or widen a run; a failure
 * names the seed, sequence and operation. Runs on both stores (SQLite and PostgreSQL).
 */

const SEED = Number(process.env.MYLIC_PROPERTY_SEED ?? 0x5eed);
const SEQUENCES = Number(process.env.MYLIC_PROPERTY_SEQUENCES ?? 200);
/**
 * On PostgreSQL every statement is a round trip to the server (~5× SQLite's time per sequence): 50
 * sequences there by default, the same operations and checks; MYLIC_PROPERTY_SEQUENCES sets both.
 */
const sequencesOn = (kind: StoreKind) =>
  kind === 'sqlite' ? SEQUENCES : Number(process.env.MYLIC_PROPERTY_SEQUENCES ?? 50);
const OPS = 30;
const TYPES = ['PBX-Port13', 'GW-Channel'] as const;
const COMPANIES = 3;
const PASSWORD = 'property-secret';
const email = (i: number) => `prop${i}@example.test`;
/** A join that found nothing to join: not counted as done. */
const SKIP = Symbol('skip');

/** mulberry32: small, fast, good enough to pick operations. */
function prng(seed: number) {
  let a = seed >>> 0;
  const next = () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
  const int = (lo: number, hi: number) => lo + Math.floor(next() * (hi - lo + 1));
  const pick = <T>(xs: readonly T[]): T => xs[Math.floor(next() * xs.length)]!;
  return { next, int, pick };
}

interface Company {
  index: number;
  companyId: number;
  userId: number;
  projects: { id: number; name: string; mac: string }[];
}

interface LiveKey {
  keyId: number;
  key: string;
  company: Company;
}

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
const users: number[] = [];
let macNo = 0;
const succeeded: Record<string, number> = {};

/** A fresh core on the store of this kind, with the users of the companies (the sequences' state reset). */
async function openCore(kind: StoreKind) {
  root = await tempDir('mylic-conservation-');
  tc = await makeTestCore(root.dir, undefined, undefined, await openTestStore(kind, root.dir));
  users.length = 0;
  macNo = 0;
  for (const k of Object.keys(succeeded)) delete succeeded[k];
  for (let i = 0; i < COMPANIES; i++)
    users.push(
      (await createUser(tc.core, { email: email(i), password: PASSWORD, name: `prop${i}`, active: true })).id,
    );
}
async function closeCore() {
  await tc?.close();
  await root?.cleanup();
}
afterAll(closeTestStores);

async function makeCompanies(seq: number): Promise<Company[]> {
  const out: Company[] = [];
  for (let i = 0; i < COMPANIES; i++) {
    const userId = users[i]!;
    const { companyId, defaultProjectId } = await createCompany(tc.core, userId, `S${seq} C${i}`);
    const extra = await tc.core.store.write((tx) =>
      tx
        .insertInto('projects')
        .values({
          company_id: companyId,
          name: 'Second',
          description: '',
          ssa_end: null,
          created_at: new Date().toISOString(),
        })
        .returning('id')
        .executeTakeFirstOrThrow(),
    );
    const projects = [
      { id: defaultProjectId, name: 'DEFAULT', mac: '' },
      { id: extra.id, name: 'Second', mac: '' },
    ];
    for (const p of projects) {
      p.mac = `00-90-33-${(++macNo)
        .toString(16)
        .padStart(6, '0')
        .toUpperCase()
        .replace(/(..)(..)(..)/, '$1-$2-$3')}`;
      await addKnownDevice(tc.core, { userId }, p.id, p.mac, 'IP811');
    }
    out.push({ index: i, companyId, userId, projects });
  }
  return out;
}

const actor = (c: Company, projectId: number | null): Actor => ({
  userId: c.userId,
  companyId: c.companyId,
  projectId,
});

/** What a sequence brought into each company: company index → type → units. */
type Model = Map<number, Map<string, number>>;
const add = (m: Model, company: number, type: string, units: number) => {
  const t = m.get(company) ?? new Map<string, number>();
  t.set(type, (t.get(type) ?? 0) + units);
  m.set(company, t);
};

async function runSequence(seq: number) {
  const rnd = prng(SEED + seq * 7919);
  // Joins change these: a joined company leaves the list, its projects and keys go to the one it joined.
  const companies = await makeCompanies(seq);
  const model: Model = new Map();
  const live: LiveKey[] = [];
  const redeemed: string[] = [];
  const selection = (c: Company) => (rnd.next() < 0.4 ? null : rnd.pick(c.projects).id);

  const ops: [number, string, () => Promise<unknown>, ErrorCode[]][] = [
    [
      3,
      'credit',
      async () => {
        const c = rnd.pick(companies);
        const p = rnd.pick(c.projects);
        const type = rnd.pick(TYPES);
        const units = rnd.int(1, 6);
        await operatorCredit(tc.core, c.companyId, p.name, type, units, `prop-${seq}`);
        add(model, c.index, type, units);
      },
      [],
    ],
    [
      1,
      'vendor key',
      async () => {
        const licenses = [{ type: rnd.pick(TYPES), units: rnd.int(1, 5) }];
        if (rnd.next() < 0.5) licenses.push({ type: rnd.pick(TYPES), units: rnd.int(1, 5) });
        const issued = await issueVendorKey(tc.core, { licenses });
        const c = rnd.pick(companies);
        const r = await redeemKey(tc.core, actor(c, null), {
          key: issued.key,
          projectId: rnd.pick(c.projects).id,
        });
        for (const l of r.licenses) add(model, c.index, l.type, l.units);
        redeemed.push(issued.key);
      },
      [],
    ],
    [
      2,
      'bind',
      async () => {
        const c = rnd.pick(companies);
        const p = rnd.pick(c.projects);
        await bindFromBalance(tc.core, actor(c, null), {
          projectId: p.id,
          hardwareId: p.mac,
          licenseType: rnd.pick(TYPES),
          units: rnd.int(1, 3),
        });
      },
      ['BALANCE_INSUFFICIENT'],
    ],
    [
      3,
      'create key',
      async () => {
        const c = rnd.pick(companies);
        const lines = Array.from({ length: rnd.int(1, 2) }, () => ({
          type: rnd.pick(TYPES),
          units: rnd.int(1, 3),
          projectId: rnd.pick(c.projects).id,
        }));
        const k = await createOwnKey(tc.core, actor(c, selection(c)), {
          licenses: lines,
          comment: `seq ${seq}`,
        });
        live.push({ keyId: k.keyId, key: k.key, company: c });
      },
      ['BALANCE_INSUFFICIENT'],
    ],
    [
      2,
      'update key',
      async () => {
        if (live.length === 0) return;
        const k = rnd.pick(live);
        const lines = Array.from({ length: rnd.int(1, 2) }, () => {
          const units = rnd.int(1, 3) * (rnd.next() < 0.5 ? -1 : 1);
          return rnd.next() < 0.5
            ? { type: rnd.pick(TYPES), units }
            : { type: rnd.pick(TYPES), units, projectId: rnd.pick(k.company.projects).id };
        });
        await updateOwnKey(tc.core, actor(k.company, selection(k.company)), k.keyId, {
          licenses: lines,
          ...(rnd.next() < 0.3 ? { orderNumber: `PO-${seq}` } : {}),
        });
      },
      ['BALANCE_INSUFFICIENT', 'KEY_LICENSES_INSUFFICIENT', 'KEY_EMPTY'],
    ],
    [
      1,
      'delete key',
      async () => {
        if (live.length === 0) return;
        const i = rnd.int(0, live.length - 1);
        const k = live[i]!;
        await deleteOwnKey(tc.core, actor(k.company, selection(k.company)), k.keyId);
        live.splice(i, 1);
      },
      [],
    ],
    [
      2,
      'redeem own key',
      async () => {
        if (live.length === 0) return;
        const i = rnd.int(0, live.length - 1);
        const k = live[i]!;
        const target = rnd.pick(companies);
        const r = await redeemKey(tc.core, actor(target, null), {
          key: k.key,
          projectId: rnd.pick(target.projects).id,
        });
        live.splice(i, 1);
        redeemed.push(k.key);
        if (target.index !== k.company.index) {
          for (const l of r.licenses) {
            add(model, target.index, l.type, l.units);
            add(model, k.company.index, l.type, -l.units);
          }
        }
      },
      [],
    ],
    [
      0.5,
      'redeem again',
      async () => {
        if (redeemed.length === 0) return;
        const c = rnd.pick(companies);
        await redeemKey(tc.core, actor(c, null), { key: rnd.pick(redeemed), projectId: c.projects[0]!.id });
        throw new Error('a redeemed key was redeemed again');
      },
      ['KEY_ALREADY_REDEEMED'],
    ],
    [
      1,
      'join project',
      async () => {
        const candidates = companies.filter((c) => c.projects.length >= 2);
        if (candidates.length === 0) return SKIP;
        const c = rnd.pick(candidates);
        const from = rnd.pick(c.projects);
        const into = rnd.pick(c.projects.filter((p) => p.id !== from.id));
        await joinProject(tc.core, actor(c, selection(c)), from.id, into.id);
        // Everything of the project (balance with its ledger, licenses, key sources, the device) is the target's now.
        c.projects.splice(c.projects.indexOf(from), 1);
      },
      [],
    ],
    [
      0.3,
      'join company',
      async () => {
        if (companies.length < 2) return SKIP;
        const into = rnd.pick(companies);
        const from = rnd.pick(companies.filter((c) => c !== into));
        const r = await joinCompany(tc.core, actor(into, selection(into)), {
          companyId: from.companyId,
          email: email(from.index),
          password: PASSWORD,
        });
        for (const p of from.projects) {
          const renamed = r.renamed.find((x) => x.projectId === p.id);
          if (renamed) p.name = renamed.to;
          into.projects.push(p);
        }
        for (const [type, units] of model.get(from.index) ?? []) add(model, into.index, type, units);
        model.delete(from.index);
        for (const k of live) if (k.company === from) k.company = into;
        companies.splice(companies.indexOf(from), 1);
        // Nothing stays behind with the joined company.
        expect(
          await companyCounts(tc.core.store.db, from.companyId),
          `seed ${SEED}, sequence ${seq}: counts left with the joined company`,
        ).toEqual([]);
      },
      [],
    ],
  ];
  const totalWeight = ops.reduce((s, o) => s + o[0], 0);

  for (let n = 0; n < OPS; n++) {
    let r = rnd.next() * totalWeight;
    // biome-ignore lint/suspicious/noAssignInExpressions: a weighted pick: subtract until the roll is spent
    const op = ops.find((o) => (r -= o[0]) < 0) ?? ops[0]!;
    const [, name, run, allowed] = op;
    try {
      if ((await run()) !== SKIP) succeeded[name] = (succeeded[name] ?? 0) + 1;
    } catch (e) {
      if (!(e instanceof MylicError) || !allowed.includes(e.code)) {
        throw new Error(
          `seed ${SEED}, sequence ${seq}, operation ${n} (${name}): ${e instanceof MylicError ? e.code : ''} ${(e as Error).message}`,
        );
      }
    }
  }
  await checkInvariants(seq, companies, model);
}

async function checkInvariants(seq: number, companies: Company[], model: Model) {
  const db = tc.core.store.db;
  const where = `seed ${SEED}, sequence ${seq}`;
  for (const c of companies) {
    const rows = await companyCounts(db, c.companyId);
    for (const row of rows) {
      expect(
        row.balance + row.bound + row.free + row.inKeys,
        `${where}, company ${c.index} ${row.type}: ${JSON.stringify(row)}`,
      ).toBe(row.activated);
      expect(row.activated, `${where}, company ${c.index} ${row.type}: activated against the model`).toBe(
        model.get(c.index)?.get(row.type) ?? 0,
      );
      expect(row.balance, `${where}: negative balance`).toBeGreaterThanOrEqual(0);
      expect(row.inKeys).toBeGreaterThanOrEqual(0);
    }
    for (const [type, units] of model.get(c.index) ?? []) {
      if (units !== 0)
        expect(
          rows.some((r) => r.type === type),
          `${where}, company ${c.index}: ${type} missing from the counts`,
        ).toBe(true);
    }
    for (const p of c.projects) {
      const balances = await db
        .selectFrom('balances')
        .select(['license_type', 'units'])
        .where('project_id', '=', p.id)
        .execute();
      const ledger = await db
        .selectFrom('ledger_entries')
        .select(['license_type', 'delta'])
        .where('project_id', '=', p.id)
        .execute();
      for (const type of TYPES) {
        const have = balances.find((b) => b.license_type === type)?.units ?? 0;
        expect(have, `${where}: balance row below zero`).toBeGreaterThanOrEqual(0);
        expect(
          ledger.filter((e) => e.license_type === type).reduce((s, e) => s + e.delta, 0),
          `${where}, project ${p.id} ${type}: balance = sum of its ledger entries`,
        ).toBe(have);
      }
    }
    const keys = await db
      .selectFrom('activation_keys')
      .selectAll()
      .where('company_id', '=', c.companyId)
      .execute();
    for (const k of keys) {
      const held = await db
        .selectFrom('activation_key_licenses')
        .select(['license_type', 'units'])
        .where('key_id', '=', k.id)
        .execute();
      const entries = await db
        .selectFrom('activation_key_entries')
        .select(['license_type', 'delta'])
        .where('key_id', '=', k.id)
        .execute();
      const sources = await db
        .selectFrom('activation_key_sources')
        .select(['license_type', 'units'])
        .where('key_id', '=', k.id)
        .execute();
      const liveKey = k.redeemed_at === null && k.deleted_at === null;
      for (const type of TYPES) {
        const inKey = held.find((h) => h.license_type === type)?.units ?? 0;
        const sum = entries.filter((e) => e.license_type === type).reduce((s, e) => s + e.delta, 0);
        expect(sum, `${where}, key ${k.id} ${type}: "in keys" entries`).toBe(liveKey ? inKey : 0);
        if (k.deleted_at === null)
          expect(
            sources.filter((s) => s.license_type === type).reduce((s, r) => s + r.units, 0),
            `${where}, key ${k.id} ${type}: sources`,
          ).toBe(inKey);
      }
      if (liveKey) expect(held.length, `${where}, key ${k.id}: a live key holds licenses`).toBeGreaterThan(0);
    }
  }
}

describe.each(STORES)('conservation of license units, on %s', (kind) => {
  beforeAll(() => openCore(kind));
  afterAll(closeCore);
  // 200 sequences of real transactions: ~10 s alone, over 30 s beside the end-to-end suites on two cores.
  const sequences = sequencesOn(kind);
  it(`holds after ${sequences} random sequences of ${OPS} operations (seed ${SEED})`, {
    timeout: 180_000,
  }, async () => {
    for (let seq = 0; seq < sequences; seq++) await runSequence(seq);
    // The sequences did real work of every kind, not only refusals.
    for (const name of [
      'credit',
      'vendor key',
      'bind',
      'create key',
      'update key',
      'delete key',
      'redeem own key',
      'join project',
      'join company',
    ]) {
      expect(succeeded[name] ?? 0, `${name} succeeded`).toBeGreaterThan(sequences / 4);
    }
  });
});
