/**
 * Tables of the organisation area (migration 006): company data, the vendor's account records it may
 * come from, and rights of other companies on a project.
 */
export interface OrganisationTables {
  company_details: CompanyDetailsTable;
  vendor_accounts: VendorAccountsTable;
  project_rights: ProjectRightsTable;
}

/** A company's address (seed: Company → Company). With a vendor account the data is read from there. */
export interface CompanyDetailsTable {
  company_id: number;
  street: string;
  postal_code: string;
  city: string;
  country: string;
  /** Set when the company was created from the vendor's records; its data is then not editable. */
  vendor_account_id: string | null;
}

/** The vendor's customer records, maintained by the operator (`mylic-bridge ops vendor-account set`). */
export interface VendorAccountsTable {
  account_id: string;
  /** Normalised: no spaces, upper case. */
  postal_code: string;
  name: string;
  street: string;
  city: string;
  country: string;
  updated_at: string;
}

/** Seed: Projects → Rights. Users of `grantee_company_id` may work in the project, restricted. */
export interface ProjectRightsTable {
  project_id: number;
  grantee_company_id: number;
  granted_at: string;
  granted_by: number | null;
}
