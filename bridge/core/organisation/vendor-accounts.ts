import { MylicError } from '../../../protocol/errors.js';
import type { Tx } from '../../db/store.js';
import { type Core, isoNow } from '../context.js';
import { recordHistory } from '../history.js';

/**
 * The vendor's customer records (seed: First steps, "enter your innovaphone account ID ... with your
 * postal code, to retrieve your company data"). The operator maintains them
 * (`mylic-bridge ops vendor-account set`); a company created from one always shows the record as it is.
 */
export const normalisePostalCode = (s: string) => s.replace(/\s+/g, '').toUpperCase();

const ACCOUNT_ID = /^[A-Za-z0-9][A-Za-z0-9._-]{0,49}$/;

export interface VendorAccountInput {
  accountId: string;
  postalCode: string;
  name: string;
  street?: string;
  city?: string;
  country?: string;
}

/** Creates or replaces a vendor record; fields not given keep their value. Linked companies follow at once. */
export async function setVendorAccount(core: Core, input: VendorAccountInput) {
  const accountId = input.accountId.trim();
  if (!ACCOUNT_ID.test(accountId))
    throw new MylicError(
      'VALIDATION_FAILED',
      'A vendor account id is 1 to 50 letters, digits, ".", "_" or "-".',
    );
  const postalCode = normalisePostalCode(input.postalCode);
  if (!postalCode || postalCode.length > 20)
    throw new MylicError('VALIDATION_FAILED', 'A postal code has 1 to 20 characters.');
  const name = input.name.trim();
  if (!name || name.length > 200)
    throw new MylicError('VALIDATION_FAILED', 'A company needs a name of 1 to 200 characters.');
  for (const [k, v] of Object.entries({ street: input.street, city: input.city, country: input.country })) {
    if (v !== undefined && v.trim().length > 200)
      throw new MylicError('VALIDATION_FAILED', `--${k} is longer than 200 characters.`);
  }
  return core.store.write(async (tx) => {
    const at = isoNow(core);
    const existing = await tx
      .selectFrom('vendor_accounts')
      .selectAll()
      .where('account_id', '=', accountId)
      .executeTakeFirst();
    const row = {
      account_id: accountId,
      postal_code: postalCode,
      name,
      street: input.street?.trim() ?? existing?.street ?? '',
      city: input.city?.trim() ?? existing?.city ?? '',
      country: input.country?.trim() ?? existing?.country ?? '',
      updated_at: at,
    };
    if (existing)
      await tx.updateTable('vendor_accounts').set(row).where('account_id', '=', accountId).execute();
    else await tx.insertInto('vendor_accounts').values(row).execute();
    // companies.name is what other pages show (device placements, lists): keep it the vendor's name.
    const linked = await tx
      .selectFrom('company_details')
      .select('company_id')
      .where('vendor_account_id', '=', accountId)
      .execute();
    const companyIds = linked.map((r) => r.company_id);
    if (companyIds.length)
      await tx.updateTable('companies').set({ name }).where('id', 'in', companyIds).execute();
    await recordHistory(tx, at, {
      event: existing ? 'vendor_account.updated' : 'vendor_account.created',
      detail: { accountId, by: 'operator', companies: companyIds },
    });
    return {
      accountId,
      postalCode,
      name,
      street: row.street,
      city: row.city,
      country: row.country,
      companies: companyIds,
      created: !existing,
    };
  });
}

/** The record for an account id and its postal code; a wrong postal code answers like an unknown id. */
export async function findVendorAccount(tx: Tx, accountId: string, postalCode: string) {
  const row = await tx
    .selectFrom('vendor_accounts')
    .selectAll()
    .where('account_id', '=', accountId.trim())
    .executeTakeFirst();
  if (!row || row.postal_code !== normalisePostalCode(postalCode))
    throw new MylicError('VENDOR_ACCOUNT_NOT_FOUND');
  return row;
}
