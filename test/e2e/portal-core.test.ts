import { readFile } from 'node:fs/promises';
import { Agent, request } from 'undici';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { bridgeCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * The portal core against a real bridge process over HTTPS, with its data set up by the operator
 * commands on the same database: 50 parallel requests creating activation keys from one balance and
 * 50 parallel redemptions never make or lose a unit, and the tenant walls hold over the wire.
 */
const PORT = 'PBX-Port13';
const PASSWORD = 'a long enough password';
const UNITS = 30;

describe('portal core through a real bridge', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let bridge: BridgeProcess;
  let dispatcher: Agent;
  const ids = { companyA: 0, projectA: 0, companyB: 0, projectB: 0, deviceA: 0, carl: 0 };
  const tokens = { alice: '', bob: '', carl: '' };
  const keys: string[] = [];

  const call = async (method: string, path: string, token?: string, body?: unknown) => {
    const res = await request(new URL(`/api/v1${path}`, bridge.url), {
      method: method as 'GET',
      dispatcher,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.body.text();
    return { status: res.statusCode, json: (text ? JSON.parse(text) : null) as any };
  };
  const ops = async (...args: string[]) => {
    const r = await bridgeCli(['ops', ...args, '--json'], { MYLIC_DATA: bridge.dataDir });
    expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
    return r.json.result;
  };
  const login = async (email: string) => {
    const r = await call('POST', '/session', undefined, { email, password: PASSWORD });
    expect(r.status, JSON.stringify(r.json)).toBe(201);
    return r.json.token as string;
  };
  const counts = async (companyId: number) => {
    const rows = (await ops('counts', '--company', String(companyId))) as {
      type: string;
      activated: number;
      balance: number;
      bound: number;
      free: number;
      inKeys: number;
    }[];
    return (
      rows.find((r) => r.type === PORT) ?? {
        type: PORT,
        activated: 0,
        balance: 0,
        bound: 0,
        free: 0,
        inKeys: 0,
      }
    );
  };
  const tally = (answers: { status: number; json: any }[]) => {
    const out: Record<string, number> = {};
    for (const a of answers) {
      const k = a.status < 300 ? String(a.status) : `${a.status} ${a.json.error.code}`;
      out[k] = (out[k] ?? 0) + 1;
    }
    return out;
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-portal-core-');
    bridge = await startBridgeProcess(`${tmp.dir}/data`);
    dispatcher = new Agent({ connect: { ca: await readFile(bridge.caFile, 'utf8') }, connections: 64 });
    for (const name of ['alice', 'bob', 'carl']) {
      const user = await ops(
        'user',
        'create',
        '--email',
        `${name}@example.test`,
        '--password',
        PASSWORD,
        '--name',
        name,
      );
      if (name === 'carl') ids.carl = user.id;
    }
    const a = await ops('company', 'create', '--name', 'Company A', '--admin', 'alice@example.test');
    const b = await ops('company', 'create', '--name', 'Company B', '--admin', 'bob@example.test');
    Object.assign(ids, {
      companyA: a.companyId,
      projectA: a.defaultProjectId,
      companyB: b.companyId,
      projectB: b.defaultProjectId,
    });
    await ops('balance', 'add', '--company', String(ids.companyA), '--type', PORT, '--units', String(UNITS));
    tokens.alice = await login('alice@example.test');
    tokens.bob = await login('bob@example.test');
    // The vendor's device database knows the device (issue 15 item 8); its type is the database's.
    await ops('device', 'register', '--type', 'IP811', '--mac', '00-90-33-77-00-01');
    const device = await call('POST', '/devices', tokens.alice, {
      device: '00-90-33-77-00-01',
      projectId: ids.projectA,
    });
    expect(device.status, JSON.stringify(device.json)).toBe(201);
    ids.deviceA = device.json.deviceId;
    expect((await call('POST', '/company/users', tokens.alice, { email: 'carl@example.test' })).status).toBe(
      201,
    );
    tokens.carl = await login('carl@example.test');
    expect((await call('PATCH', `/company/users/${ids.carl}`, tokens.alice, { locked: true })).status).toBe(
      200,
    );
  }, 60_000);
  afterAll(async () => {
    await dispatcher?.close();
    await bridge?.stop();
    await tmp?.cleanup();
  });

  it(`50 parallel key creations from a balance of ${UNITS}: ${UNITS} keys, 20 refusals, the balance at 0 and every unit in a key`, async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        call('POST', '/own-keys', tokens.alice, {
          projectId: ids.projectA,
          licenses: [{ type: PORT, units: 1 }],
          comment: `parallel ${i}`,
        }),
      ),
    );
    expect(tally(answers)).toEqual({ '201': UNITS, '409 BALANCE_INSUFFICIENT': 50 - UNITS });
    keys.push(...answers.filter((a) => a.status === 201).map((a) => a.json.key as string));
    expect(new Set(keys).size).toBe(UNITS);
    const balance = await call('GET', `/projects/${ids.projectA}/balance`, tokens.alice);
    expect(balance.json.licenses.find((l: { type: string }) => l.type === PORT)?.units ?? 0).toBe(0);
    expect(await counts(ids.companyA)).toMatchObject({
      activated: UNITS,
      balance: 0,
      bound: 0,
      free: 0,
      inKeys: UNITS,
    });
  });

  it('50 parallel redemptions of 25 keys, each asked twice: each key is redeemed once, and no unit is made or lost', async () => {
    const chosen = keys.slice(0, 25);
    const answers = await Promise.all(
      [...chosen, ...chosen].map((key) =>
        call('POST', '/activation-keys/redeem', tokens.bob, { key, projectId: ids.projectB }),
      ),
    );
    expect(tally(answers)).toEqual({ '201': 25, '409 KEY_ALREADY_REDEEMED': 25 });
    const redeemedKeys = answers.filter((a) => a.status === 201).map((a) => a.json.key as string);
    expect(new Set(redeemedKeys)).toEqual(new Set(chosen));
    const a = await counts(ids.companyA);
    const b = await counts(ids.companyB);
    expect(a).toMatchObject({ activated: UNITS - 25, balance: 0, inKeys: UNITS - 25 });
    expect(b).toMatchObject({ activated: 25, balance: 25, inKeys: 0 });
    for (const c of [a, b]) expect(c.balance + c.bound + c.free + c.inKeys).toBe(c.activated);
    expect(a.activated + b.activated).toBe(UNITS);
  });

  it("walls: another company's user gets 404 for A's project and device ids, a locked user 403 USER_LOCKED, anonymous 401", async () => {
    for (const [path, code] of [
      [`/projects/${ids.projectA}`, 'PROJECT_NOT_FOUND'],
      [`/projects/${ids.projectA}/balance`, 'PROJECT_NOT_FOUND'],
      [`/own-keys?projectId=${ids.projectA}`, 'PROJECT_NOT_FOUND'],
      [`/devices/${ids.deviceA}`, 'DEVICE_NOT_FOUND'],
    ] as const) {
      const theirs = await call('GET', path, tokens.bob);
      expect([theirs.status, theirs.json.error.code], `bob GET ${path}`).toEqual([404, code]);
      const locked = await call('GET', path, tokens.carl);
      expect([locked.status, locked.json.error.code], `carl GET ${path}`).toEqual([403, 'USER_LOCKED']);
      const anonymous = await call('GET', path);
      expect([anonymous.status, anonymous.json.error.code], `anonymous GET ${path}`).toEqual([
        401,
        'UNAUTHENTICATED',
      ]);
    }
    // A non-existing id answers the stranger exactly alike: nothing to probe.
    const none = await call('GET', '/projects/999999', tokens.bob);
    expect(none.json).toEqual((await call('GET', `/projects/${ids.projectA}`, tokens.bob)).json);
    // Writes are refused the same way, and change nothing.
    const before = await counts(ids.companyA);
    const take = await call('POST', '/own-keys', tokens.bob, {
      projectId: ids.projectA,
      licenses: [{ type: PORT, units: 1 }],
    });
    expect([take.status, take.json.error.code]).toEqual([404, 'PROJECT_NOT_FOUND']);
    const lockedTake = await call('POST', '/own-keys', tokens.carl, {
      projectId: ids.projectA,
      licenses: [{ type: PORT, units: 1 }],
    });
    expect([lockedTake.status, lockedTake.json.error.code]).toEqual([403, 'USER_LOCKED']);
    const rename = await call('PATCH', `/projects/${ids.projectA}`, tokens.bob, { name: 'Mine now' });
    expect([rename.status, rename.json.error.code]).toEqual([404, 'PROJECT_NOT_FOUND']);
    expect(await counts(ids.companyA)).toEqual(before);
    expect((await call('GET', `/projects/${ids.projectA}`, tokens.alice)).json.name).toBe('DEFAULT');
  });
});
