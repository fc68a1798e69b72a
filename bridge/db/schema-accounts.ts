/** Tables of the accounts area (migration 004). */
export interface AccountTables {
  account_tokens: AccountTokensTable;
  login_failures: LoginFailuresTable;
}

export interface AccountTokensTable {
  token_hash: string;
  user_id: number;
  purpose: 'activate';
  /** The address the link was sent to: activating it makes it the account's e-mail. */
  email: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface LoginFailuresTable {
  /** `account:<email>` or `address:<ip>`. */
  subject: string;
  at: string;
}
