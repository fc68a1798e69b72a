import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { bindFromBalance } from '../../bridge/core/licenses/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import {
  get,
  loginPortal,
  makeTenant,
  makeUser,
  postJson,
  PORT_TYPE,
  type FixtureUser,
  type Tenant,
} from '../bridge/fixtures.js';
import { issueVendorKey } from '../../bridge/core/keys/index.js';
import { call, ok } from '../support/api-client.js';
import { PORTAL_API } from '../../protocol/portal-api.js';
import { registerAsVendor } from '../support/vendor-devices.js';

/** Seed: History — company, user and device contexts, the selected project, periods, paging, walls. */
describe('history', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let tc: TestCore;
  let a: Tenant;
  let b: Tenant;
  let tokenA: string;
  let tokenB: string;
  const history = async (query: string, token = tokenA) => {
    const res = await get(tc.app, `/api/v1/history?${query}`, token);
    return { status: res.status, json: (await res.json()) as any };
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-history-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    tc = await makeTestCore(tmp.dir, pki);
    a = await makeTenant(tc, { name: 'hista', mac: '00-90-33-44-00-01' });
    b = await makeTenant(tc, { name: 'histb', mac: '00-90-33-44-00-02' });
    tokenA = await loginPortal(tc.app, a.user);
    tokenB = await loginPortal(tc.app, b.user);
  });
  afterAll(async () => {
    await tc?.close();
    await tmp?.cleanup();
  });

  it("shows the company's events, newest first, and none of another company's", async () => {
    const r = await history('context=company&period=always');
    expect(r.status).toBe(200);
    const names = r.json.events.map((e: { event: string }) => e.event);
    expect(names).toEqual(
      expect.arrayContaining(['company.created', 'balance.credited', 'device.added', 'license.bound']),
    );
    const ids = r.json.events.map((e: { id: number }) => e.id);
    expect(ids).toEqual([...ids].sort((x, y) => y - x));
    expect(JSON.stringify(r.json)).not.toContain(b.device.hardwareId);
  });

  it('narrows to one user and to one device', async () => {
    const user = await history(`context=user&userId=${a.user.id}&period=always`);
    expect(user.json.events.length).toBeGreaterThan(0);
    expect(user.json.events.every((e: { userId: number }) => e.userId === a.user.id)).toBe(true);
    const device = await history(`context=device&hardwareId=${a.device.hardwareId}&period=always`);
    expect(device.json.events.map((e: { event: string }) => e.event)).toEqual([
      'license.bound',
      'license.bound',
      'device.added',
    ]);
  });

  it('finds a DECT handset by its IPEI in any form, with its licenses (bound by the operator and through the API)', async () => {
    const post = (path: string, body: unknown) => postJson(tc.app, `/api/v1${path}`, body, tokenA);
    await registerAsVendor(tc.core, 'DECT-Handset', '00077 0123456 5');
    const added = await post('/devices', { device: '00077 0123456 5', projectId: a.projectId });
    expect(added.status).toBe(201);
    const handset = (await added.json()) as { deviceId: number; hardwareId: string };
    expect(handset.hardwareId).toBe('0007701234565');
    await operatorCredit(tc.core, a.companyId, DEFAULT_PROJECT, 'Warranty-1Y', 3, 'ipei');
    // The operator's bind reads the IPEI like the portal does (it once took MACs only).
    const bound = await bindFromBalance(tc.core, a.actor, {
      projectId: a.projectId,
      hardwareId: '00077-0123456-5',
      licenseType: 'Warranty-1Y',
      units: 1,
    });
    expect(bound.hardwareId).toBe('0007701234565');
    expect((await post(`/devices/${handset.deviceId}/warranty`, { years: 1 })).status).toBe(201);
    const list = (await (
      await get(tc.app, `/api/v1/devices/${handset.deviceId}/licenses`, tokenA)
    ).json()) as { hardwareId: string; licenses: { type: string }[] };
    expect(list.hardwareId).toBe('0007701234565');
    expect(list.licenses.map((l) => l.type)).toEqual(['Warranty-1Y', 'Warranty-1Y']);
    for (const form of ['00077%200123456%205', '0007701234565', '00077.0123456.5']) {
      const r = await history(`context=device&hardwareId=${form}&period=always`);
      expect(r.status, form).toBe(200);
      expect(r.json.events.map((e: { event: string }) => e.event)).toEqual([
        'warranty.extended',
        'license.bound',
        'device.added',
      ]);
      expect(r.json.events.every((e: { deviceId: number }) => e.deviceId === handset.deviceId)).toBe(true);
    }
    // A wrong check digit is a wrong IPEI, not another device.
    expect((await history('context=device&hardwareId=0007701234564&period=always')).json.error.code).toBe(
      'IPEI_INVALID',
    );
  });

  it("answers another company's device and user as not found", async () => {
    expect((await history(`context=device&hardwareId=${b.device.hardwareId}`)).json.error.code).toBe(
      'DEVICE_NOT_FOUND',
    );
    expect((await history(`context=user&userId=${b.user.id}`)).json.error.code).toBe('USER_NOT_FOUND');
  });

  it('pages through the events', async () => {
    const first = await history('period=always&pageSize=2&page=1');
    const second = await history('period=always&pageSize=2&page=2');
    expect(first.json.events).toHaveLength(2);
    expect(first.json.hasMore).toBe(true);
    expect(second.json.events[0].id).toBeLessThan(first.json.events[1].id);
  });

  it('keeps to the period asked for', async () => {
    // Age company A's events by ten days.
    const tenDaysAgo = new Date(Date.now() - 10 * 86_400_000).toISOString();
    await tc.core.store.db
      .updateTable('history')
      .set({ created_at: tenDaysAgo })
      .where('company_id', '=', a.companyId)
      .execute();
    expect((await history('period=week')).json.events).toEqual([]);
    expect((await history('period=day')).json.events).toEqual([]);
    expect((await history('period=month')).json.events.length).toBeGreaterThan(0);
  });

  it('keeps to the last year with period=year: events of 200 days ago are in it, events of 400 days ago only in period=always', async () => {
    const daysAgo = (d: number) => new Date(Date.now() - d * 86_400_000).toISOString();
    await tc.core.store.db
      .updateTable('history')
      .set({ created_at: daysAgo(200) })
      .where('company_id', '=', a.companyId)
      .execute();
    const year = await history('period=year&pageSize=500');
    expect(year.status).toBe(200);
    expect(year.json.events.length).toBeGreaterThan(0);
    expect((await history('period=month')).json.events).toEqual([]);
    const all = (await history('period=always&pageSize=500')).json.events.length;
    expect(year.json.events.length).toBe(all);
    await tc.core.store.db
      .updateTable('history')
      .set({ created_at: daysAgo(400) })
      .where('company_id', '=', a.companyId)
      .execute();
    expect((await history('period=year')).json.events).toEqual([]);
    expect((await history('period=always')).json.events.length).toBe(all);
  });

  it('names the company (and the selected project) the page belongs to', async () => {
    const r = await history('period=always&pageSize=1');
    expect(r.json).toMatchObject({ companyId: a.companyId, projectId: null, page: 1, pageSize: 1 });
  });

  it('applies the selected project', async () => {
    await tc.core.store.db
      .updateTable('sessions')
      .set({ project_id: 999_999 })
      .where('user_id', '=', b.user.id)
      .execute();
    expect((await history('period=always', tokenB)).json.events).toEqual([]);
    await tc.core.store.db
      .updateTable('sessions')
      .set({ project_id: b.projectId })
      .where('user_id', '=', b.user.id)
      .execute();
    expect((await history('period=always', tokenB)).json.events.length).toBeGreaterThan(0);
  });

  it('refuses a bad period and a user locked in the company', async () => {
    expect((await history('period=decade')).status).toBe(400);
    await tc.core.store.db
      .updateTable('memberships')
      .set({ is_locked: 1 })
      .where('user_id', '=', b.user.id)
      .execute();
    const locked = await history('period=always', tokenB);
    expect(locked.status).toBe(403);
    expect(locked.json.error.code).toBe('USER_LOCKED');
  });
});

/**
 * Every state change writes an event (issue: History): each state-changing route of the account,
 * company, project, balance and key areas is called once, in an order where each can succeed, and must
 * leave at least one new history row, with the event it is known by among them.
 */
describe('history of every state-changing route', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let tc: TestCore;
  const sent: { to: string; text: string }[] = [];
  const ctx = {} as {
    a: Tenant;
    b: Tenant;
    tokenA: string;
    pete: FixtureUser;
    nina: { email: string; password: string; token: string; activation: string };
    extra: number;
    toJoin: number;
    toDelete: number;
    vendorKey: string;
    ownKey: number;
    newCompany: number;
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-history-routes-');
    tc = await makeTestCore(tmp.dir, undefined, {
      mailer: { send: async (m) => void sent.push(m) },
      publicUrl: 'https://portal.example.test',
    });
    ctx.a = await makeTenant(tc, { name: 'hr-a', mac: '00-90-33-45-00-01' });
    ctx.b = await makeTenant(tc, { name: 'hr-b', mac: '00-90-33-45-00-02' });
    ctx.tokenA = await loginPortal(tc.app, ctx.a.user);
    ctx.pete = await makeUser(tc, 'hr-pete@example.test');
    ctx.nina = {
      email: 'hr-nina@example.test',
      password: 'nina has a long password',
      token: '',
      activation: '',
    };
    ctx.toJoin = (await ok(call(tc.app, 'POST', '/projects', ctx.tokenA, { name: 'To join' }), 201)).id;
    ctx.toDelete = (await ok(call(tc.app, 'POST', '/projects', ctx.tokenA, { name: 'To delete' }), 201)).id;
    ctx.vendorKey = (await issueVendorKey(tc.core, { licenses: [{ type: PORT_TYPE, units: 2 }] })).key;
  });
  afterAll(async () => {
    await tc?.close();
    await tmp?.cleanup();
  });

  interface Step {
    /** `METHOD /template`, as in /openapi.json. */
    route: string;
    event: string;
    run: () => Promise<unknown>;
  }
  const A = () => ctx.tokenA;
  const STEPS: Step[] = [
    {
      route: 'POST /accounts',
      event: 'user.registered',
      run: async () => {
        await ok(
          call(tc.app, 'POST', '/accounts', undefined, {
            email: ctx.nina.email,
            password: ctx.nina.password,
            name: 'Nina',
          }),
          201,
        );
        const mail = sent.find((m) => m.to === ctx.nina.email)!;
        ctx.nina.activation = /\/activate\?token=([A-Za-z0-9_-]+)/.exec(mail.text)![1]!;
      },
    },
    {
      route: 'GET /account/activate',
      event: 'user.activated',
      run: () => ok(call(tc.app, 'GET', `/account/activate?token=${ctx.nina.activation}`)),
    },
    {
      route: 'POST /session',
      event: 'user.logged_in',
      run: async () => {
        ctx.nina.token = (
          await ok(
            call(tc.app, 'POST', '/session', undefined, {
              email: ctx.nina.email,
              password: ctx.nina.password,
            }),
            201,
          )
        ).token;
      },
    },
    {
      route: 'PATCH /account',
      event: 'user.updated',
      run: () =>
        ok(
          call(tc.app, 'PATCH', '/account', ctx.nina.token, {
            currentPassword: ctx.nina.password,
            language: 'nl',
          }),
        ),
    },
    {
      route: 'POST /account/tokens',
      event: 'user.api_token_created',
      run: () => ok(call(tc.app, 'POST', '/account/tokens', ctx.nina.token, { label: 'script' }), 201),
    },
    {
      route: 'DELETE /account/tokens/{id}',
      event: 'user.api_token_revoked',
      run: async () => {
        const [token] = await ok(call(tc.app, 'GET', '/account/tokens', ctx.nina.token));
        await ok(call(tc.app, 'DELETE', `/account/tokens/${token.id}`, ctx.nina.token), 204);
      },
    },
    {
      route: 'POST /account/email',
      event: 'user.email_change_requested',
      run: () =>
        ok(
          call(tc.app, 'POST', '/account/email', ctx.nina.token, {
            currentPassword: ctx.nina.password,
            newEmail: 'hr-nina-new@example.test',
          }),
          202,
        ),
    },
    {
      route: 'POST /password-reset',
      event: 'user.password_reset_requested',
      run: async () => {
        await ok(call(tc.app, 'POST', '/password-reset', undefined, { email: ctx.nina.email }), 202);
        // The code is made and mailed after the answer (the answer must not tell whether the address exists).
        for (
          let i = 0;
          i < 200 && !sent.some((m) => m.to === ctx.nina.email && m.text.includes('password-reset/confirm'));
          i++
        )
          await new Promise((r) => setTimeout(r, 20));
      },
    },
    {
      route: 'POST /password-reset/confirm',
      event: 'user.password_reset',
      run: async () => {
        const mail = sent.find((m) => m.to === ctx.nina.email && m.text.includes('password-reset/confirm'))!;
        const token = /code=([A-Za-z0-9_-]{43})\s/.exec(mail.text)![1]!;
        ctx.nina.password = 'nina has a new long password';
        await ok(
          call(tc.app, 'POST', '/password-reset/confirm', undefined, { token, password: ctx.nina.password }),
        );
      },
    },
    {
      route: 'PATCH /company',
      event: 'company.updated',
      run: () => ok(call(tc.app, 'PATCH', '/company', A(), { city: 'Berlin' })),
    },
    {
      route: 'POST /company/users',
      event: 'company.user_added',
      run: () => ok(call(tc.app, 'POST', '/company/users', A(), { email: ctx.pete.email }), 201),
    },
    {
      route: 'PATCH /company/users/{userId}',
      event: 'company.user_changed',
      run: () => ok(call(tc.app, 'PATCH', `/company/users/${ctx.pete.id}`, A(), { admin: true })),
    },
    {
      route: 'DELETE /company/users/{userId}',
      event: 'company.user_removed',
      run: () => ok(call(tc.app, 'DELETE', `/company/users/${ctx.pete.id}`, A()), 204),
    },
    {
      route: 'POST /projects',
      event: 'project.created',
      run: async () => {
        ctx.extra = (await ok(call(tc.app, 'POST', '/projects', A(), { name: 'Extra' }), 201)).id;
      },
    },
    {
      route: 'PUT /session/project',
      event: 'user.project_selected',
      run: () => ok(call(tc.app, 'PUT', '/session/project', A(), { projectId: ctx.extra })),
    },
    {
      route: 'PATCH /projects/{projectId}',
      event: 'project.updated',
      run: () => ok(call(tc.app, 'PATCH', `/projects/${ctx.extra}`, A(), { description: 'for the history' })),
    },
    {
      route: 'POST /projects/{projectId}/rights',
      event: 'project.right_granted',
      run: () =>
        ok(call(tc.app, 'POST', `/projects/${ctx.extra}/rights`, A(), { companyId: ctx.b.companyId }), 201),
    },
    {
      route: 'DELETE /projects/{projectId}/rights/{companyId}',
      event: 'project.right_revoked',
      run: () => ok(call(tc.app, 'DELETE', `/projects/${ctx.extra}/rights/${ctx.b.companyId}`, A()), 204),
    },
    {
      route: 'POST /projects/{projectId}/join',
      event: 'project.joined',
      run: () => ok(call(tc.app, 'POST', `/projects/${ctx.toJoin}/join`, A(), { intoProjectId: ctx.extra })),
    },
    {
      route: 'DELETE /projects/{projectId}',
      event: 'project.deleted',
      run: () => ok(call(tc.app, 'DELETE', `/projects/${ctx.toDelete}`, A()), 204),
    },
    {
      route: 'POST /activation-keys/redeem',
      event: 'key.redeemed',
      run: () =>
        ok(
          call(tc.app, 'POST', '/activation-keys/redeem', A(), {
            key: ctx.vendorKey,
            projectId: ctx.a.projectId,
          }),
          201,
        ),
    },
    {
      route: 'POST /own-keys',
      event: 'key.created',
      run: async () => {
        ctx.ownKey = (
          await ok(
            call(tc.app, 'POST', '/own-keys', A(), {
              projectId: ctx.a.projectId,
              licenses: [{ type: PORT_TYPE, units: 1 }],
            }),
            201,
          )
        ).keyId;
      },
    },
    {
      route: 'PATCH /own-keys/{keyId}',
      event: 'key.updated',
      run: () =>
        ok(
          call(tc.app, 'PATCH', `/own-keys/${ctx.ownKey}`, A(), {
            licenses: [{ type: PORT_TYPE, units: 1, projectId: ctx.a.projectId }],
          }),
        ),
    },
    {
      route: 'DELETE /own-keys/{keyId}',
      event: 'key.deleted',
      run: () => ok(call(tc.app, 'DELETE', `/own-keys/${ctx.ownKey}`, A())),
    },
    {
      route: 'POST /company/join',
      event: 'company.joined',
      run: () =>
        ok(
          call(tc.app, 'POST', '/company/join', A(), {
            companyId: ctx.b.companyId,
            email: ctx.b.user.email,
            password: ctx.b.user.password,
          }),
        ),
    },
    {
      route: 'POST /companies',
      event: 'company.created',
      run: async () => {
        ctx.newCompany = (
          await ok(call(tc.app, 'POST', '/companies', A(), { name: 'Second company' }), 201)
        ).companyId;
      },
    },
    {
      route: 'PUT /session/company',
      event: 'user.company_selected',
      run: () => ok(call(tc.app, 'PUT', '/session/company', A(), { companyId: ctx.newCompany })),
    },
    {
      route: 'DELETE /session',
      event: 'user.logged_out',
      run: () => ok(call(tc.app, 'DELETE', '/session', A()), 204),
    },
  ];
  /** POST for the key's sake (kept out of URLs), but it only reads. */
  const READ_ONLY = ['POST /activation-keys/preview'];
  const TAGS = ['Account', 'Company', 'Projects', 'Balance', 'Activations', 'Own Activations', 'History'];

  it('covers every route of these areas that changes state (checked against /openapi.json)', async () => {
    const doc = (await (await tc.app.request('/openapi.json')).json()) as {
      paths: Record<string, Record<string, { tags: string[] }>>;
    };
    const changing = Object.entries(doc.paths).flatMap(([path, methods]) =>
      Object.entries(methods)
        .filter(([, op]) => op.tags.some((t) => TAGS.includes(t)))
        .map(([m]) => `${m.toUpperCase()} ${path.slice(PORTAL_API.length)}`)
        // Activation is a GET (the link in the mail) that changes state.
        .filter((r) => !r.startsWith('GET ') || r === 'GET /account/activate'),
    );
    expect(new Set([...STEPS.map((s) => s.route), ...READ_ONLY])).toEqual(new Set(changing));
    expect(STEPS.length).toBe(new Set(STEPS.map((s) => s.route)).size);
  });

  for (const step of STEPS) {
    it(`${step.route} writes a history event (${step.event})`, async () => {
      const last = async () =>
        Number(
          (
            await tc.core.store.db
              .selectFrom('history')
              .select((eb) => eb.fn.max('id').as('id'))
              .executeTakeFirst()
          )?.id ?? 0,
        );
      const before = await last();
      await step.run();
      const added = await tc.core.store.db
        .selectFrom('history')
        .select('event')
        .where('id', '>', before)
        .execute();
      expect(added.length).toBeGreaterThan(0);
      expect(added.map((e) => e.event)).toContain(step.event);
    });
  }

  it('POST /activation-keys/preview only reads: no event', async () => {
    const key = (await issueVendorKey(tc.core, { licenses: [{ type: PORT_TYPE, units: 1 }] })).key;
    const token = await loginPortal(tc.app, ctx.b.user);
    const count = async () =>
      Number(
        (
          await tc.core.store.db
            .selectFrom('history')
            .select((eb) => eb.fn.countAll().as('n'))
            .executeTakeFirstOrThrow()
        ).n,
      );
    const before = await count();
    await ok(call(tc.app, 'POST', '/activation-keys/preview', token, { key, projectId: ctx.b.projectId }));
    // The login above wrote its own event; the preview none.
    expect(await count()).toBe(before);
  });

  it('shows a logout in the history of the company the session had selected', async () => {
    await ok(call(tc.app, 'DELETE', '/session', await loginPortal(tc.app, ctx.a.user)), 204);
    const token = await loginPortal(tc.app, ctx.a.user);
    const page = await ok(
      call(tc.app, 'GET', `/history?period=day&context=user&userId=${ctx.a.user.id}`, token),
    );
    expect(page.companyId).toBe(ctx.a.companyId);
    expect(page.events.map((e: { event: string }) => e.event)).toContain('user.logged_out');
  });
});
