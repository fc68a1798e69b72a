import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { createApp } from '../../bridge/app.js';
import type { Clock, Core } from '../../bridge/core/context.js';
import { openSqliteStore } from '../../bridge/db/sqlite/sqlite-store.js';
import type { Store } from '../../bridge/db/store.js';
import { openPostgresStore } from '../../bridge/db/postgres/postgres-store.js';
import { freshPostgresDatabase } from './stores.js';
import { outboxMailer } from '../../bridge/mail/mailer.js';
import type { CoreMail } from '../../bridge/core/context.js';

/**
 * An in-process core on a real SQLite file and a real dev PKI, for tests that drive the Hono app
 * with `app.request` or call core services directly. A settable clock lets tests move time.
 */
export interface TestCore {
  core: Core;
  pki: Pki;
  app: ReturnType<typeof createApp>;
  clock: Clock & { set(d: Date | null): void };
  close: () => Promise<void>;
}

export async function makeTestCore(
  dir: string,
  pki?: Pki,
  mail?: CoreMail,
  /** Another store than the SQLite file in `dir` (the contract suites: test/support/stores.ts). */
  theStore?: Store,
): Promise<TestCore> {
  const thePki = pki ?? (await loadOrCreateDevPki(`${dir}/pki`));
  // MYLIC_TEST_STORE=postgres runs a test file's cores on a fresh PostgreSQL database each (its own
  // cluster, stopped when the test process ends): a way to try any in-process test on PostgreSQL.
  const store =
    theStore ??
    (process.env.MYLIC_TEST_STORE === 'postgres'
      ? await openPostgresStore(await freshPostgresDatabase())
      : await openSqliteStore(`${dir}/test.sqlite`));
  let fixed: Date | null = null;
  // biome-ignore lint/suspicious/noAssignInExpressions: a settable test clock
  const clock = { now: () => fixed ?? new Date(), set: (d: Date | null) => void (fixed = d) };
  const core: Core = {
    store,
    clock,
    keys: {
      licenseAuthorityKeyPem: thePki.licenseAuthority.keyPem,
      licenseAuthorityCertPem: thePki.licenseAuthority.certPem,
      deviceCertIssuers: [thePki.deviceCa.certPem, thePki.root.certPem],
      deviceCa: thePki.deviceCa,
    },
    mail: mail ?? {
      mailer: outboxMailer(`${dir}/outbox`, 'mylic@localhost'),
      publicUrl: 'https://localhost:8443',
    },
  };
  return { core, pki: thePki, app: createApp(core), clock, close: () => store.close() };
}
