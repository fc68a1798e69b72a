import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOwnKey } from '../../bridge/core/keys/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import { setRight } from '../../bridge/core/rights.js';
import { loadOrCreateDevPki } from '../../certs/index.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { call as apiCall, ok } from '../support/api-client.js';
import { tempDir } from '../support/tmp.js';
import {
  addFixtureDevice,
  bind1,
  expectError,
  loginPortal,
  makeTenant,
  PORT_TYPE,
  type Tenant,
} from '../bridge/fixtures.js';
import { expectConservation } from './keys-fixtures.js';

/**
 * Issue 15 item 11, seed L86–88: "Delete the project. Only possible if it has no activation keys,
 * project rights, devices or user rights. You may join your project into another one, if you can't
 * delete it."
 * Past bookings, history and documents never block a delete and keep pointing at the deleted project;
 * a remaining balance or free pool blocks too — our rule, and the error says so.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: Tenant & { token: string };
let bob: Tenant & { token: string };

const call = (method: string, path: string, token?: string, body?: unknown) =>
  apiCall(tc.app, method, path, token, body);
const db = () => tc.core.store.db;
const reasonsOf = (e: { details?: unknown }) =>
  (e.details as { reasons: { reason: string }[] }).reasons.map((r) => r.reason);

beforeAll(async () => {
  root = await tempDir('mylic-seed-delete-');
  tc = await makeTestCore(join(root.dir, 'core'), await loadOrCreateDevPki(join(root.dir, 'pki')));
  const tenant = async (name: string, mac: string) => {
    const t = await makeTenant(tc, { name, mac });
    return { ...t, token: await loginPortal(tc.app, t.user) };
  };
  ann = await tenant('ann', '00-90-33-7D-00-01');
  bob = await tenant('bob', '00-90-33-7E-00-01');
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

describe('L87: what blocks a project delete', () => {
  it('L87: past bookings never block: a project whose balance was spent is deleted, and its ledger keeps pointing at it', async () => {
    const spent = await ok(call('POST', '/projects', ann.token, { name: 'Spent' }), 201);
    await operatorCredit(tc.core, ann.companyId, 'Spent', PORT_TYPE, 2, 'order-87');
    const dev = await addFixtureDevice(tc, ann.actor, spent.id, '00-90-33-7D-00-02');
    await bind1(tc, ann.actor, spent.id, dev.hardwareId, PORT_TYPE, 2);
    // The device goes to DEFAULT with its licenses: Spent has nothing left but its past.
    await ok(
      call('POST', '/devices/move', ann.token, { deviceIds: [dev.deviceId], projectId: ann.projectId }),
    );
    const ledgerBefore = await db()
      .selectFrom('ledger_entries')
      .selectAll()
      .where('project_id', '=', spent.id)
      .orderBy('id')
      .execute();
    expect(ledgerBefore.length).toBeGreaterThan(0);

    await ok(call('DELETE', `/projects/${spent.id}`, ann.token), 204);

    // The bookings still name it, and the row they name is there, marked deleted.
    expect(
      await db()
        .selectFrom('ledger_entries')
        .selectAll()
        .where('project_id', '=', spent.id)
        .orderBy('id')
        .execute(),
    ).toEqual(ledgerBefore);
    const row = await db()
      .selectFrom('projects')
      .selectAll()
      .where('id', '=', spent.id)
      .executeTakeFirstOrThrow();
    expect(row.deleted_at).not.toBeNull();
    expect(row.name).toBe(`Spent (deleted ${spent.id})`);
    // Gone for the user: not listed, not found, its name free again.
    const list = await ok(call('GET', '/projects', ann.token));
    expect(list.projects.map((p: { id: number }) => p.id)).not.toContain(spent.id);
    await expectError(await call('GET', `/projects/${spent.id}`, ann.token), 404, 'PROJECT_NOT_FOUND');
    await expectError(
      await call('PUT', '/session/project', ann.token, { projectId: spent.id }),
      404,
      'PROJECT_NOT_FOUND',
    );
    await expectError(
      await call('POST', `/projects/${ann.projectId}/join`, ann.token, { intoProjectId: spent.id }),
      404,
      'PROJECT_NOT_FOUND',
    );
    const again = await ok(call('POST', '/projects', ann.token, { name: 'Spent' }), 201);
    expect(again.id).not.toBe(spent.id);
    // The units are all still accounted for (the bookings of the deleted project count).
    await expectConservation(tc, ann.companyId);
    const history = await db()
      .selectFrom('history')
      .select('event')
      .where('project_id', '=', spent.id)
      .where('event', '=', 'project.deleted')
      .execute();
    expect(history).toEqual([{ event: 'project.deleted' }]);
  });

  it('L87: devices and project rights block, each named; activation keys too', async () => {
    const full = await ok(call('POST', '/projects', ann.token, { name: 'Full' }), 201);
    await addFixtureDevice(tc, ann.actor, full.id, '00-90-33-7D-00-03');
    await ok(call('POST', `/projects/${full.id}/rights`, ann.token, { companyId: bob.companyId }), 201);
    const e = await expectError(
      await call('DELETE', `/projects/${full.id}`, ann.token),
      409,
      'PROJECT_NOT_EMPTY',
    );
    expect(reasonsOf(e)).toEqual(['devices', 'rights']);
    expect(e.message).toMatch(/You may join it into another project instead/);

    const keyed = await ok(call('POST', '/projects', ann.token, { name: 'Keyed' }), 201);
    await operatorCredit(tc.core, ann.companyId, 'Keyed', PORT_TYPE, 1, 'order-key');
    await createOwnKey(tc.core, ann.actor, {
      projectId: keyed.id,
      licenses: [{ type: PORT_TYPE, units: 1 }],
      comment: 'for L87',
    });
    const k = await expectError(
      await call('DELETE', `/projects/${keyed.id}`, ann.token),
      409,
      'PROJECT_NOT_EMPTY',
    );
    expect(reasonsOf(k)).toEqual(['activation-keys']);
    expect(
      await db().selectFrom('projects').select('deleted_at').where('id', '=', keyed.id).executeTakeFirst(),
    ).toEqual({
      deleted_at: null,
    });
  });

  it('L87: "user rights" never block: ours are held per company (L272), none belongs to a project', async () => {
    const p = await ok(call('POST', '/projects', ann.token, { name: 'Rights of users' }), 201);
    await setRight(tc.core, ann.user.id, 'move-licenses', true, ann.companyId);
    await ok(call('DELETE', `/projects/${p.id}`, ann.token), 204);
    // Nothing names it: deleted for good.
    expect(
      await db().selectFrom('projects').select('id').where('id', '=', p.id).executeTakeFirst(),
    ).toBeUndefined();
  });

  it('ours, not the seed’s: a remaining balance or free pool blocks too, and the error says so', async () => {
    const held = await ok(call('POST', '/projects', ann.token, { name: 'Held' }), 201);
    await operatorCredit(tc.core, ann.companyId, 'Held', PORT_TYPE, 3, 'order-held');
    const e = await expectError(
      await call('DELETE', `/projects/${held.id}`, ann.token),
      409,
      'PROJECT_NOT_EMPTY',
    );
    expect(reasonsOf(e)).toEqual(['balance']);
    expect(e.message).toMatch(/balance holds 3 PBX-Port13 \(mylic's rule, not the seed's/);

    // Free pool: a device's licenses returned to the project's free licenses, the device gone.
    const pool = await ok(call('POST', '/projects', ann.token, { name: 'Pool' }), 201);
    await operatorCredit(tc.core, ann.companyId, 'Pool', PORT_TYPE, 1, 'order-pool');
    const dev = await addFixtureDevice(tc, ann.actor, pool.id, '00-90-33-7D-00-04');
    const lic = await bind1(tc, ann.actor, pool.id, dev.hardwareId, PORT_TYPE, 1);
    await db()
      .updateTable('licenses')
      .set({ state: 'free', device_id: null })
      .where('serial', '=', lic.serial)
      .execute();
    await db().deleteFrom('device_projects').where('device_id', '=', dev.deviceId).execute();
    const f = await expectError(
      await call('DELETE', `/projects/${pool.id}`, ann.token),
      409,
      'PROJECT_NOT_EMPTY',
    );
    expect(reasonsOf(f)).toEqual(['licenses']);
    expect(f.message).toMatch(/free pool; mylic's rule, not the seed's/);
  });

  it('L87: another company’s project is not found and stays; a user of a company with rights may not delete it', async () => {
    await expectError(
      await call('DELETE', `/projects/${ann.projectId}`, bob.token),
      404,
      'PROJECT_NOT_FOUND',
    );
    expect(
      await db()
        .selectFrom('projects')
        .select('deleted_at')
        .where('id', '=', ann.projectId)
        .executeTakeFirst(),
    ).toEqual({
      deleted_at: null,
    });
  });
});
