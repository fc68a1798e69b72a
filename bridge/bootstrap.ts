import { loadOrCreateDevPki, type Pki } from '../certs/dev-pki.js';
import type { BridgeConfig } from './config.js';
import { type Core, systemClock } from './core/context.js';
import { openSqliteStore } from './db/sqlite/sqlite-store.js';

/** Opens the store and the PKI and wires the core; shared by the server and the operator CLI. */
export async function openCore(config: BridgeConfig): Promise<{ core: Core; pki: Pki }> {
  const pki = await loadOrCreateDevPki(config.pkiDir);
  const store = await openSqliteStore(config.sqliteFile);
  const core: Core = {
    store,
    clock: systemClock,
    keys: {
      licenseAuthorityKeyPem: pki.licenseAuthority.keyPem,
      licenseAuthorityCertPem: pki.licenseAuthority.certPem,
      deviceCertIssuers: [pki.deviceCa.certPem, pki.root.certPem],
      deviceCa: pki.deviceCa,
    },
  };
  return { core, pki };
}
