/** Tables of the accounts area (migration 004). */
export interface AccountTables {
  account_tokens: AccountTokensTable;
  login_failures: LoginFailuresTable;
}

export interface AccountTokensTable {
  token_hash: string;
  user_id: number;
  /** `activate`: registration or e-mail change (migration 004); `reset`: password reset (migration 013). */
  purpose: 'activate' | 'reset';
  /** The address the link was sent to: activating it makes it the account's e-mail. */
  email: string;
  expires_at: string;
  used_at: string | null;
  created_at: string;
}

export interface LoginFailuresTable {
  /**
   * `account:<email>`, `address:<ip>`, `address-account:<ip> <email>` (failed logins, login-limiter.ts),
   * `register:<ip>`, `reset:<email>`, `reset-address:<ip>` (registrations and reset requests made).
   */
  subject: string;
  at: string;
}
