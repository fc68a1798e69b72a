import { MylicError } from '../../../protocol/errors.js';
import type { Tx } from '../../db/store.js';
import { selectedCompany } from '../access.js';
import { type Actor, type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';
import { findVendorAccount } from './vendor-accounts.js';

/**
 * Companies and their projects (seed: First steps, Licenses → Projects, Company → Company, New Company,
 * Company selection). A new company gets a project named DEFAULT, and its creator is its admin.
 */
export const DEFAULT_PROJECT = 'DEFAULT';

export interface CompanyAddress {
  street: string;
  postalCode: string;
  city: string;
  country: string;
}

const EMPTY_ADDRESS: CompanyAddress = { street: '', postalCode: '', city: '', country: '' };

export function companyName(name: string): string {
  const trimmed = name.trim();
  if (!trimmed || trimmed.length > 200)
    throw new MylicError('VALIDATION_FAILED', 'A company needs a name of 1 to 200 characters.');
  return trimmed;
}

async function insertCompany(
  tx: Tx,
  at: string,
  creatorUserId: number,
  name: string,
  address: CompanyAddress,
  vendorAccountId: string | null,
) {
  const user = await tx.selectFrom('users').select('id').where('id', '=', creatorUserId).executeTakeFirst();
  if (!user) throw new MylicError('USER_NOT_FOUND');
  const company = await tx
    .insertInto('companies')
    .values({ name, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  await tx
    .insertInto('company_details')
    .values({
      company_id: company.id,
      street: address.street,
      postal_code: address.postalCode,
      city: address.city,
      country: address.country,
      vendor_account_id: vendorAccountId,
    })
    .execute();
  await tx
    .insertInto('memberships')
    .values({ user_id: creatorUserId, company_id: company.id, is_admin: 1, is_locked: 0, created_at: at })
    .execute();
  const project = await tx
    .insertInto('projects')
    .values({ company_id: company.id, name: DEFAULT_PROJECT, description: '', ssa_end: null, created_at: at })
    .returning('id')
    .executeTakeFirstOrThrow();
  return { companyId: company.id, defaultProjectId: project.id };
}

/** The operator's way (and the fixtures'): a company with a name only. */
export async function createCompany(core: Core, creatorUserId: number, name: string) {
  const trimmed = companyName(name);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const created = await insertCompany(tx, at, creatorUserId, trimmed, EMPTY_ADDRESS, null);
    await recordHistory(tx, at, {
      event: 'company.created',
      companyId: created.companyId,
      projectId: created.defaultProjectId,
      userId: creatorUserId,
      detail: { name: trimmed },
    });
    return created;
  });
}

export type NewCompanyInput =
  | ({ name: string } & Partial<CompanyAddress>)
  | { vendorAccountId: string; postalCode: string };

/**
 * New company (seed: Company → Company, New Company): with its data, or with the vendor's account id and
 * postal code, in which case the data is the vendor's record. The creator is its admin and may select it
 * at once; selecting clears the project selection.
 */
export async function createCompanyFor(
  core: Core,
  actor: Actor,
  input: NewCompanyInput,
  opts: { select?: boolean } = {},
) {
  const byVendor = 'vendorAccountId' in input;
  const name = byVendor ? null : companyName(input.name);
  if (opts.select) sessionOf(actor);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    let created: { companyId: number; defaultProjectId: number };
    if ('vendorAccountId' in input) {
      const vendor = await findVendorAccount(tx, input.vendorAccountId, input.postalCode);
      // One company per vendor identity: a second one would split the customer's licenses and users.
      const linked = await tx
        .selectFrom('company_details')
        .select('company_id')
        .where('vendor_account_id', '=', vendor.account_id)
        .executeTakeFirst();
      if (linked) throw new MylicError('VENDOR_ACCOUNT_TAKEN');
      created = await insertCompany(tx, at, actor.userId, vendor.name, EMPTY_ADDRESS, vendor.account_id);
    } else {
      created = await insertCompany(
        tx,
        at,
        actor.userId,
        name!,
        { ...EMPTY_ADDRESS, ...pickAddress(input) },
        null,
      );
    }
    if (opts.select) await setSelection(tx, actor, created.companyId, null);
    await recordHistory(tx, at, {
      event: 'company.created',
      companyId: created.companyId,
      projectId: created.defaultProjectId,
      userId: actor.userId,
      detail: {
        ...(byVendor ? { vendorAccountId: input.vendorAccountId } : { name }),
        selected: !!opts.select,
      },
    });
    return { ...created, selected: !!opts.select };
  });
}

const pickAddress = (a: Partial<CompanyAddress>): Partial<CompanyAddress> =>
  Object.fromEntries(
    Object.entries({ street: a.street, postalCode: a.postalCode, city: a.city, country: a.country })
      .filter(([, v]) => v !== undefined)
      .map(([k, v]) => [k, v!.trim()]),
  );

export interface CompanyData extends CompanyAddress {
  id: number;
  name: string;
  vendorAccountId: string | null;
  /** The caller is admin here. */
  admin: boolean;
  /** Admin and not from the vendor's records. */
  editable: boolean;
}

/** A company's data; with a vendor account, always the vendor's record as it is now. */
export async function readCompany(
  tx: Tx,
  companyId: number,
): Promise<Omit<CompanyData, 'admin' | 'editable'>> {
  const row = await tx
    .selectFrom('companies')
    .leftJoin('company_details', 'company_details.company_id', 'companies.id')
    .leftJoin('vendor_accounts', 'vendor_accounts.account_id', 'company_details.vendor_account_id')
    .select([
      'companies.id',
      'companies.name',
      'company_details.street',
      'company_details.postal_code',
      'company_details.city',
      'company_details.country',
      'company_details.vendor_account_id',
      'vendor_accounts.name as v_name',
      'vendor_accounts.street as v_street',
      'vendor_accounts.postal_code as v_postal_code',
      'vendor_accounts.city as v_city',
      'vendor_accounts.country as v_country',
    ])
    .where('companies.id', '=', companyId)
    .executeTakeFirst();
  if (!row) throw new MylicError('COMPANY_NOT_FOUND');
  if (row.vendor_account_id && row.v_name !== null) {
    return {
      id: row.id,
      name: row.v_name,
      street: row.v_street ?? '',
      postalCode: row.v_postal_code ?? '',
      city: row.v_city ?? '',
      country: row.v_country ?? '',
      vendorAccountId: row.vendor_account_id,
    };
  }
  return {
    id: row.id,
    name: row.name,
    street: row.street ?? '',
    postalCode: row.postal_code ?? '',
    city: row.city ?? '',
    country: row.country ?? '',
    vendorAccountId: null,
  };
}

/** The selected company's data and id (seed: "You also see your company id here"); every member may read it. */
export async function getCompany(core: Core, actor: Actor): Promise<CompanyData> {
  const tx = core.store.db;
  const { companyId, admin } = await selectedCompany(tx, actor);
  const data = await readCompany(tx, companyId);
  return { ...data, admin, editable: admin && data.vendorAccountId === null };
}

/** Change the selected company's data: admins only, and never for a company from the vendor's records. */
export async function updateCompany(
  core: Core,
  actor: Actor,
  patch: Partial<CompanyAddress> & { name?: string },
): Promise<CompanyData> {
  const name = patch.name === undefined ? undefined : companyName(patch.name);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const { companyId, admin } = await selectedCompany(tx, actor);
    if (!admin) throw new MylicError('FORBIDDEN', 'Only company admins can change the company data.');
    const before = await readCompany(tx, companyId);
    if (before.vendorAccountId !== null) throw new MylicError('COMPANY_DATA_FROM_VENDOR');
    const address = pickAddress(patch);
    if (name !== undefined)
      await tx.updateTable('companies').set({ name }).where('id', '=', companyId).execute();
    const set = {
      ...(address.street !== undefined ? { street: address.street } : {}),
      ...(address.postalCode !== undefined ? { postal_code: address.postalCode } : {}),
      ...(address.city !== undefined ? { city: address.city } : {}),
      ...(address.country !== undefined ? { country: address.country } : {}),
    };
    // Companies made before the details table existed (or by the operator) may have no row yet.
    await tx
      .insertInto('company_details')
      .values({
        company_id: companyId,
        street: '',
        postal_code: '',
        city: '',
        country: '',
        vendor_account_id: null,
        ...set,
      })
      .onConflict((oc) =>
        Object.keys(set).length
          ? oc.column('company_id').doUpdateSet(set)
          : oc.column('company_id').doNothing(),
      )
      .execute();
    const after = await readCompany(tx, companyId);
    await recordHistory(tx, at, {
      event: 'company.updated',
      companyId,
      userId: actor.userId,
      detail: { before: { ...before }, after: { ...after } },
    });
    return { ...after, admin: true, editable: true };
  });
}

/** The companies of the user with their flags (seed: Company selection). */
export async function listMyCompanies(core: Core, actor: Actor) {
  const rows = await core.store.db
    .selectFrom('memberships')
    .innerJoin('companies', 'companies.id', 'memberships.company_id')
    .select(['companies.id', 'memberships.is_admin', 'memberships.is_locked', 'memberships.created_at'])
    .where('memberships.user_id', '=', actor.userId)
    .orderBy('memberships.created_at')
    .orderBy('companies.id')
    .execute();
  const companies = [];
  for (const r of rows) {
    const data = await readCompany(core.store.db, r.id);
    companies.push({
      id: r.id,
      name: data.name,
      admin: r.is_admin === 1,
      locked: r.is_locked === 1,
      selected: actor.companyId === r.id,
    });
  }
  return { selectedCompanyId: actor.companyId ?? null, companies };
}

/** Switch the session to another company of the user; a company where the user is locked is refused. */
export async function selectCompany(core: Core, actor: Actor, companyId: number) {
  sessionOf(actor);
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const m = await tx
      .selectFrom('memberships')
      .select(['is_locked'])
      .where('user_id', '=', actor.userId)
      .where('company_id', '=', companyId)
      .executeTakeFirst();
    if (!m) throw new MylicError('COMPANY_NOT_FOUND');
    if (m.is_locked)
      throw new MylicError('USER_LOCKED', 'Your account is locked in this company: you cannot switch to it.');
    await setSelection(tx, actor, companyId, null);
    await recordHistory(tx, at, { event: 'user.company_selected', companyId, userId: actor.userId });
    return { companyId, projectId: null };
  });
}

function sessionOf(actor: Actor): string {
  if (!actor.sessionHash)
    throw new MylicError('BAD_REQUEST', 'Only a portal or API session has a selection.');
  return actor.sessionHash;
}

/** Writes the session's selection (company and project) for the session the actor speaks through. */
export async function setSelection(tx: Tx, actor: Actor, companyId: number | null, projectId: number | null) {
  await tx
    .updateTable('sessions')
    .set({ company_id: companyId, project_id: projectId })
    .where('token_hash', '=', sessionOf(actor))
    .where('user_id', '=', actor.userId)
    .execute();
}

export async function findProjectByName(tx: Tx, companyId: number, name: string) {
  const project = await tx
    .selectFrom('projects')
    .selectAll()
    .where('company_id', '=', companyId)
    .where('name', '=', name)
    .where('deleted_at', 'is', null)
    .executeTakeFirst();
  if (!project) throw new MylicError('PROJECT_NOT_FOUND', `Company ${companyId} has no project "${name}".`);
  return project;
}

export async function adminOf(tx: Tx, companyId: number): Promise<number> {
  const row = await tx
    .selectFrom('memberships')
    .select('user_id')
    .where('company_id', '=', companyId)
    .where('is_admin', '=', 1)
    .where('is_locked', '=', 0)
    .orderBy('created_at')
    .executeTakeFirst();
  if (!row) throw new MylicError('COMPANY_NOT_FOUND', `Company ${companyId} does not exist or has no admin.`);
  return row.user_id;
}
