/** Tables of the accounts area (migration 004). */
export interface AccountTables {
  account_tokens: AccountTokensTable;
  login_failures: LoginFailuresTable;
  password_checks: PasswordChecksTable;
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

/** One password check of an account in progress, in any bridge process (migration 018). */
export interface PasswordChecksTable {
  /** The account's e-mail, trimmed and lower-cased. */
  subject: string;
  /** The claiming check's random id: only it releases the row. */
  holder: string;
  /** ISO time after which another check may take the claim over (its process died). */
  lapses_at: string;
}
