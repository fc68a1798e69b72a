import type { Store } from '../db/store.js';

export interface Clock {
  now(): Date;
}
export const systemClock: Clock = { now: () => new Date() };

/** What the core needs of the PKI: the license authority signs, the device CA is trusted for devices. */
export interface CoreKeys {
  licenseAuthorityKeyPem: string;
  licenseAuthorityCertPem: string;
  /** Issuers a device certificate must chain through: [device CA, root CA]. */
  deviceCertIssuers: string[];
  /** The Device Certification Authority, which signs certificate requests of devices. */
  deviceCa: { certPem: string; keyPem: string };
}

/** Everything a core service needs; no HTTP, no SQL dialect. */
export interface Core {
  store: Store;
  clock: Clock;
  keys: CoreKeys;
  mail: CoreMail;
  /**
   * 'play': myplay, the sandbox portal (`mylic-bridge serve --sandbox`, seed L330–350; bridge/core/play).
   * Its own actions (self-service balance, free license editing, RMA status) refuse to run elsewhere, and
   * live-only ones (invalidation, real license files) change there. Unset means the live portal.
   */
  mode?: CoreMode;
}

export type CoreMode = 'live' | 'play';

/** Whether this core is myplay, the sandbox portal. */
export const isPlay = (core: Pick<Core, 'mode'>): boolean => core.mode === 'play';

/** The mail port: where mail goes and the public address links in it point to. */
export interface CoreMail {
  mailer: {
    send(message: {
      to: string;
      subject: string;
      text: string;
      messageId?: string | undefined;
    }): Promise<void>;
  };
  /** e.g. https://localhost:8443 — links in mails are built on it. */
  publicUrl: string;
}

/** Who asks. Operators act through the CLI on the server and may act for a user. */
export interface Actor {
  userId: number;
  /** Set when a device session asks: the device may only speak for itself. */
  deviceId?: number;
  /** The company the session has selected (portal and API sessions). */
  companyId?: number | null;
  /** The selected project; null means all projects of the company. */
  projectId?: number | null;
  /** The session's token hash, so a service can change the session's selection. */
  sessionHash?: string;
}

export const isoNow = (core: Core): string => core.clock.now().toISOString();
export const today = (core: Core): string => core.clock.now().toISOString().slice(0, 10);
