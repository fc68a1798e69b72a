import { expect } from 'vitest';
import { hashToken } from '../../bridge/core/accounts/index.js';
import { createCompany, DEFAULT_PROJECT } from '../../bridge/core/organisation/index.js';
import { companyCounts, type TypeCounts } from '../../bridge/core/balance/index.js';
import { operatorCredit } from '../../bridge/core/organisation/index.js';
import type { TestCore } from '../support/core.js';
import { loginPortal, makeUser, type FixtureUser } from '../bridge/fixtures.js';

/**
 * Fixtures for the balance and activation-key API tests: companies with projects and balance, portal
 * sessions, project selection and rights. Selection and rights are set in the tables directly: they
 * stand for PUT /session/project and POST /projects/:id/rights of the organisation area, which have
 * their own tests.
 */

export const PORT = 'PBX-Port13';
export const GW = 'GW-Channel';
export const KEY_FORMAT = /^[2-9A-HJ-NP-Z]{5}(-[2-9A-HJ-NP-Z]{5}){4}$/;

export interface KeyCompany {
  user: FixtureUser;
  token: string;
  companyId: number;
  /** DEFAULT first. */
  projects: { id: number; name: string }[];
}

let seq = 0;

/** A user, their company (DEFAULT plus `extraProjects`), credits by project name, and a portal session. */
export async function keyCompany(
  tc: TestCore,
  name: string,
  opts: { extraProjects?: string[]; credit?: { project?: string; type: string; units: number }[] } = {},
): Promise<KeyCompany> {
  const user = await makeUser(tc, `${name}-${++seq}@example.test`);
  const { companyId, defaultProjectId } = await createCompany(tc.core, user.id, `Company ${name}`);
  const projects = [{ id: defaultProjectId, name: DEFAULT_PROJECT }];
  for (const p of opts.extraProjects ?? [])
    projects.push({ id: await addProject(tc, companyId, p), name: p });
  for (const c of opts.credit ?? [])
    await operatorCredit(
      tc.core,
      companyId,
      c.project ?? DEFAULT_PROJECT,
      c.type,
      c.units,
      `fixture-${name}`,
    );
  const token = await loginPortal(tc.app, user);
  return { user, token, companyId, projects };
}

export async function addProject(tc: TestCore, companyId: number, name: string): Promise<number> {
  const row = await tc.core.store.db
    .insertInto('projects')
    .values({
      company_id: companyId,
      name,
      description: '',
      ssa_end: null,
      created_at: new Date().toISOString(),
    })
    .returning('id')
    .executeTakeFirstOrThrow();
  return row.id;
}

/** Another user in the company, with their own session (logged in while not locked). */
export async function addMember(
  tc: TestCore,
  companyId: number,
  name: string,
): Promise<{ user: FixtureUser; token: string }> {
  const user = await makeUser(tc, `${name}-${++seq}@example.test`);
  await tc.core.store.db
    .insertInto('memberships')
    .values({
      user_id: user.id,
      company_id: companyId,
      is_admin: 0,
      is_locked: 0,
      created_at: new Date().toISOString(),
    })
    .execute();
  return { user, token: await loginPortal(tc.app, user) };
}

export const lockMember = (tc: TestCore, userId: number, companyId: number) =>
  tc.core.store.db
    .updateTable('memberships')
    .set({ is_locked: 1 })
    .where('user_id', '=', userId)
    .where('company_id', '=', companyId)
    .execute();

/** The session's project selection (null: all projects). */
export const selectProject = (tc: TestCore, token: string, projectId: number | null) =>
  tc.core.store.db
    .updateTable('sessions')
    .set({ project_id: projectId })
    .where('token_hash', '=', hashToken(token))
    .execute();

export const grantRights = (tc: TestCore, projectId: number, granteeCompanyId: number) =>
  tc.core.store.db
    .insertInto('project_rights')
    .values({
      project_id: projectId,
      grantee_company_id: granteeCompanyId,
      granted_at: new Date().toISOString(),
      granted_by: null,
    })
    .execute();

// ---------------------------------------------------------------------------------------------
// HTTP

export { call, ok } from '../support/api-client.js';

// ---------------------------------------------------------------------------------------------
// ledger

/** companyCounts keyed by type. */
export async function counts(tc: TestCore, companyId: number): Promise<Record<string, TypeCounts>> {
  return Object.fromEntries((await companyCounts(tc.core.store.db, companyId)).map((r) => [r.type, r]));
}

/** activated = balance + bound + free + inKeys for every type of the company, and no negative balance. */
export async function expectConservation(tc: TestCore, companyId: number) {
  for (const c of await companyCounts(tc.core.store.db, companyId)) {
    expect(
      c.balance + c.bound + c.free + c.inKeys,
      `company ${companyId} ${c.type}: ${JSON.stringify(c)}`,
    ).toBe(c.activated);
    expect(c.balance).toBeGreaterThanOrEqual(0);
    expect(c.inKeys).toBeGreaterThanOrEqual(0);
  }
}

export async function balanceUnits(tc: TestCore, projectId: number, type: string): Promise<number> {
  const row = await tc.core.store.db
    .selectFrom('balances')
    .select('units')
    .where('project_id', '=', projectId)
    .where('license_type', '=', type)
    .executeTakeFirst();
  return row?.units ?? 0;
}

export async function rowCount(
  tc: TestCore,
  table: 'activation_keys' | 'activation_key_entries' | 'ledger_entries' | 'history' | 'key_lookup_failures',
): Promise<number> {
  const row = await tc.core.store.db
    .selectFrom(table)
    .select((eb) => eb.fn.countAll<number>().as('n'))
    .executeTakeFirstOrThrow();
  return Number(row.n);
}
