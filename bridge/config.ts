import { resolve } from 'node:path';
import * as z from 'zod';
import { MylicError } from '../protocol/errors.js';

/** The bridge's settings, from the environment, parsed like any other input. */
const Env = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(8443),
  HOST: z.string().min(1).default('localhost'),
  MYLIC_DATA: z.string().min(1).default('./data'),
  /** SQLite file; defaults to `<MYLIC_DATA>/mylic.sqlite`. */
  MYLIC_SQLITE: z.string().min(1).optional(),
  /** smtp://host:port (tests: a local SMTP sink). Unset: mails go to <MYLIC_DATA>/outbox as .eml files. */
  MYLIC_SMTP_URL: z.url({ protocol: /^smtps?$/ }).optional(),
  MYLIC_MAIL_FROM: z.email().default('mylic@localhost'),
  /** The address people reach the portal at, for links in mails. Default https://HOST:<the port the server bound>. */
  MYLIC_PUBLIC_URL: z.url().optional(),
});

export interface BridgeConfig {
  port: number;
  host: string;
  dataDir: string;
  sqliteFile: string;
  pkiDir: string;
  smtpUrl: string | null;
  mailFrom: string;
  /** MYLIC_PUBLIC_URL, or https://HOST:PORT until the server knows the port it bound (PORT=0: any free one). */
  publicUrl: string;
  /** MYLIC_PUBLIC_URL was given: it wins over the bound port. */
  publicUrlExplicit: boolean;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): BridgeConfig {
  const parsed = Env.safeParse(env);
  if (!parsed.success) {
    throw new MylicError(
      'USAGE',
      `Bad environment: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`,
    );
  }
  const dataDir = resolve(parsed.data.MYLIC_DATA);
  return {
    port: parsed.data.PORT,
    host: parsed.data.HOST,
    dataDir,
    sqliteFile: resolve(parsed.data.MYLIC_SQLITE ?? `${dataDir}/mylic.sqlite`),
    pkiDir: `${dataDir}/pki`,
    smtpUrl: parsed.data.MYLIC_SMTP_URL ?? null,
    mailFrom: parsed.data.MYLIC_MAIL_FROM,
    publicUrl: (parsed.data.MYLIC_PUBLIC_URL ?? defaultPublicUrl(parsed.data.HOST, parsed.data.PORT)).replace(
      /\/$/,
      '',
    ),
    publicUrlExplicit: parsed.data.MYLIC_PUBLIC_URL !== undefined,
  };
}

/** https://HOST:PORT, with brackets around an IPv6 literal. */
export const defaultPublicUrl = (host: string, port: number) =>
  `https://${host.includes(':') ? `[${host}]` : host}:${port}`;
