import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { expectError } from '../bridge/fixtures.js';
import {
  addMember,
  addProject,
  call,
  grantRights,
  keyCompany,
  lockMember,
  ok,
  type KeyCompany,
} from './keys-fixtures.js';

/**
 * Issue 15 item 10, the seed's project rights:
 *   L72 "Rights"
 *   L73 "Add or delete company rights for this project. To add a company right, you have to enter the
 *        company id of this company. Each user of a company with rights on this project can add devices,
 *        licenses, activation keys to this specific project, but is restricted in removing devices,
 *        editing the project …"
 * No "admin only" there (unlike "Join (admin only)", L273): any unlocked member of the owning company
 * grants and revokes; users of a company holding rights on the project (external) may not.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;
let ann: KeyCompany;
let bob: KeyCompany;
let cid: KeyCompany;
let member: { user: { id: number }; token: string };
let shared: number;

beforeAll(async () => {
  root = await tempDir('mylic-seed-rights-');
  tc = await makeTestCore(root.dir);
  ann = await keyCompany(tc, 'ann');
  bob = await keyCompany(tc, 'bob');
  cid = await keyCompany(tc, 'cid');
  member = await addMember(tc, ann.companyId, 'max');
  shared = await addProject(tc, ann.companyId, 'Shared');
  await grantRights(tc, shared, cid.companyId);
});
afterAll(async () => {
  await tc?.close();
  await root?.cleanup();
});

const rightsOn = async (projectId: number) =>
  (
    await tc.core.store.db
      .selectFrom('project_rights')
      .select('grantee_company_id')
      .where('project_id', '=', projectId)
      .orderBy('grantee_company_id')
      .execute()
  ).map((r) => r.grantee_company_id);

describe('L73: who may add or delete company rights on a project', () => {
  it('L73: a plain (non-admin) member of the owning company grants a right by company id and deletes it again', async () => {
    const project = ann.projects[0]!.id;
    const granted = await ok(
      call(tc.app, 'POST', `/projects/${project}/rights`, member.token, { companyId: bob.companyId }),
      201,
    );
    expect(granted.rights.map((r: { companyId: number }) => r.companyId)).toEqual([bob.companyId]);
    expect(await rightsOn(project)).toEqual([bob.companyId]);
    const history = await tc.core.store.db
      .selectFrom('history')
      .select(['event', 'user_id'])
      .where('project_id', '=', project)
      .where('event', 'in', ['project.right_granted', 'project.right_revoked'])
      .execute();
    expect(history).toEqual([{ event: 'project.right_granted', user_id: member.user.id }]);
    await ok(call(tc.app, 'DELETE', `/projects/${project}/rights/${bob.companyId}`, member.token), 204);
    expect(await rightsOn(project)).toEqual([]);
  });

  it('L73: a user of a company holding rights on the project may neither add nor delete rights on it', async () => {
    const before = await rightsOn(shared);
    await expectError(
      await call(tc.app, 'POST', `/projects/${shared}/rights`, cid.token, { companyId: bob.companyId }),
      403,
      'FORBIDDEN',
    );
    await expectError(
      await call(tc.app, 'DELETE', `/projects/${shared}/rights/${cid.companyId}`, cid.token),
      403,
      'FORBIDDEN',
    );
    expect(await rightsOn(shared)).toEqual(before);
  });

  it('L73: a member of another company finds no such project, and nothing changes', async () => {
    const before = await rightsOn(shared);
    await expectError(
      await call(tc.app, 'POST', `/projects/${shared}/rights`, bob.token, { companyId: bob.companyId }),
      404,
      'PROJECT_NOT_FOUND',
    );
    await expectError(
      await call(tc.app, 'DELETE', `/projects/${shared}/rights/${cid.companyId}`, bob.token),
      404,
      'PROJECT_NOT_FOUND',
    );
    expect(await rightsOn(shared)).toEqual(before);
  });

  it('L73 with L269: a locked member of the owning company may not (USER_LOCKED), and nothing changes', async () => {
    const lou = await addMember(tc, ann.companyId, 'lou');
    await lockMember(tc, lou.user.id, ann.companyId);
    const before = await rightsOn(shared);
    await expectError(
      await call(tc.app, 'POST', `/projects/${shared}/rights`, lou.token, { companyId: bob.companyId }),
      403,
      'USER_LOCKED',
    );
    await expectError(
      await call(tc.app, 'DELETE', `/projects/${shared}/rights/${cid.companyId}`, lou.token),
      403,
      'USER_LOCKED',
    );
    expect(await rightsOn(shared)).toEqual(before);
  });
});
