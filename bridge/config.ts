import { resolve } from 'node:path';
import * as z from 'zod';
import { MylicError } from '../protocol/errors.js';
import type { OperatorSettings } from './core/settings.js';
import { LOG_LEVELS, type LogLevelSetting } from './ops/logger.js';

/** The bridge's settings, from the environment, parsed like any other input. */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  HOST: z.string().min(1).default('localhost'),
  MYLIC_DATA: z.string().min(1).default('./data'),
  /** SQLite file; defaults to `<MYLIC_DATA>/mylic.sqlite`. */
  MYLIC_SQLITE: z.string().min(1).optional(),
  /** postgres://user@host:port/database: the PostgreSQL store instead of the SQLite file (README "Growing: PostgreSQL"). */
  MYLIC_DATABASE_URL: z.url({ protocol: /^postgres(ql)?$/ }).optional(),
  /** smtp://host:port (tests: a local SMTP sink). Unset: mails go to <MYLIC_DATA>/outbox as .eml files. */
  MYLIC_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MYLIC_MAIL_FROM: z.email().default('mylic@localhost'),
  /** The address people reach the portal at, for links in mails. Default https://HOST:<the port the server bound>. */
  MYLIC_PUBLIC_URL: z.url().optional(),
  /** Lowest level of the JSON log (bridge/ops/logger.ts). */
  MYLIC_LOG_LEVEL: z.enum(LOG_LEVELS).default('info'),
  /** Bearer token for /metrics from other hosts; unset: /metrics answers loopback clients only (bridge/ops/metrics.ts). */
  MYLIC_METRICS_TOKEN: z.string().min(16, 'must be at least 16 characters').optional(),
  // Operator settings (bridge/core/settings.ts; README "Our additions to the seed").
  /** Days after the receipt of a device in which the cheaper warranty extension is offered (seed L196). */
  MYLIC_WARRANTY_EARLY_DAYS: z.coerce.number().int().min(1).max(3650).default(90),
  /** How long a V11+ test license lasts, in months (seed L209–211). */
  MYLIC_TEST_LICENSE_MONTHS: z.coerce.number().int().min(1).max(24).default(3),
  /** How long a V6–V10 test license lasts, in days. */
  MYLIC_TEST_LICENSE_DAYS: z.coerce.number().int().min(1).max(365).default(30),
  /** The Configurator link of the menu (seed L294); unset: no link. */
  MYLIC_CONFIGURATOR_URL: z.url({ protocol: /^https?$/ }).optional(),
  /**
   * Which license authority signs new license files and confirmations (issue 16): the Ed25519 one, or
   * the RSA one for a fleet whose agents do not know the Ed25519 authority yet. Both stay trusted.
   */
  MYLIC_LICENSE_SIGNATURE: z.enum(['Ed25519', 'RSA-PSS-SHA256']).default('Ed25519'),
  // myplay, the sandbox portal (`serve --sandbox`, bridge/play-server.ts): its port, its database, the device sync.
  MYLIC_PLAY_PORT: z.coerce.number().int().min(0).max(65535).default(8444),
  /** The sandbox's SQLite file; defaults to `<MYLIC_DATA>/myplay.sqlite` (copied from the live one when missing). */
  MYLIC_PLAY_SQLITE: z.string().min(1).optional(),
  /** Minutes between two device syncs from the live database (seed L334). */
  MYLIC_PLAY_SYNC_MINUTES: z.coerce.number().int().min(1).max(1440).default(10),
});

export interface BridgeConfig {
  port: number;
  host: string;
  dataDir: string;
  sqliteFile: string;
  /** MYLIC_DATABASE_URL: when set, the store is this PostgreSQL database and `sqliteFile` is not used. */
  databaseUrl: string | null;
  pkiDir: string;
  smtpUrl: string | null;
  mailFrom: string;
  /** MYLIC_PUBLIC_URL, or https://HOST:PORT until the server knows the port it bound (PORT=0: any free one). */
  publicUrl: string;
  /** MYLIC_PUBLIC_URL was given: it wins over the bound port. */
  publicUrlExplicit: boolean;
  /** MYLIC_LOG_LEVEL. */
  logLevel: LogLevelSetting;
  /** MYLIC_METRICS_TOKEN, or null: /metrics for loopback clients only. */
  metricsToken: string | null;
  /** Operator settings, applied by openCore (bridge/core/settings.ts). */
  settings: OperatorSettings;
  /** MYLIC_LICENSE_SIGNATURE: the license authority that signs new documents. */
  licenseSignature: 'Ed25519' | 'RSA-PSS-SHA256';
  /** myplay, the sandbox portal: same PKI and host, its own port and database file. */
  play: { port: number; sqliteFile: string; syncMinutes: number };
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    // One line per wrong setting: its name, the value given (clipped; never a token's or a URL's, which
    // may hold a password) and what is wrong with it.
    const lines = parsed.error.issues.map((i) => {
      const name = i.path.join('.');
      const given = /TOKEN|_URL$/.test(name) ? undefined : env[name];
      return `${name}${given === undefined ? '' : `=${JSON.stringify(given.length > 60 ? `${given.slice(0, 60)}…` : given)}`}: ${i.message}`;
    });
    throw new MylicError('USAGE', `wrong setting${lines.length > 1 ? 's' : ''}:\n${lines.join('\n')}`);
  }
  const dataDir = resolve(parsed.data.MYLIC_DATA);
  return {
    port: parsed.data.PORT,
    host: parsed.data.HOST,
    dataDir,
    sqliteFile: resolve(parsed.data.MYLIC_SQLITE ?? `${dataDir}/mylic.sqlite`),
    databaseUrl: parsed.data.MYLIC_DATABASE_URL ?? null,
    pkiDir: `${dataDir}/pki`,
    smtpUrl: parsed.data.MYLIC_SMTP_URL ?? null,
    mailFrom: parsed.data.MYLIC_MAIL_FROM,
    publicUrl: (parsed.data.MYLIC_PUBLIC_URL ?? defaultPublicUrl(parsed.data.HOST, parsed.data.PORT)).replace(
      /\/$/,
      '',
    ),
    publicUrlExplicit: parsed.data.MYLIC_PUBLIC_URL !== undefined,
    logLevel: parsed.data.MYLIC_LOG_LEVEL,
    metricsToken: parsed.data.MYLIC_METRICS_TOKEN ?? null,
    settings: {
      warrantyEarlyDays: parsed.data.MYLIC_WARRANTY_EARLY_DAYS,
      testLicenseMonths: parsed.data.MYLIC_TEST_LICENSE_MONTHS,
      legacyTestLicenseDays: parsed.data.MYLIC_TEST_LICENSE_DAYS,
      configuratorUrl: parsed.data.MYLIC_CONFIGURATOR_URL ?? null,
    },
    licenseSignature: parsed.data.MYLIC_LICENSE_SIGNATURE,
    play: {
      port: parsed.data.MYLIC_PLAY_PORT,
      sqliteFile: resolve(parsed.data.MYLIC_PLAY_SQLITE ?? `${dataDir}/myplay.sqlite`),
      syncMinutes: parsed.data.MYLIC_PLAY_SYNC_MINUTES,
    },
  };
}

/** https://HOST:PORT, with brackets around an IPv6 literal. */
export const defaultPublicUrl = (host: string, port: number) =>
  `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
