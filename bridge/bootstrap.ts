import { loadOrCreateDevPki, type Pki } from '../certs/dev-pki.js';
import type { BridgeConfig } from './config.js';
import { type Core, systemClock } from './core/context.js';
import { applyOperatorSettings } from './core/settings.js';
import { openStore } from './db/open-store.js';
import { outboxMailer, smtpMailer } from './mail/mailer.js';

/** Opens the store and the PKI and wires the core; shared by the server and the operator CLI. */
export async function openCore(config: BridgeConfig): Promise<{ core: Core; pki: Pki }> {
  applyOperatorSettings(config.settings);
  const pki = await loadOrCreateDevPki(config.pkiDir);
  // The authority that signs new documents, and the other one, still trusted to read back what it
  // signed (confirmations stored before the switch): the certificate bundle holds both, signer first.
  const [signer, other] =
    config.licenseSignature === 'Ed25519'
      ? [pki.licenseAuthority, pki.rsaLicenseAuthority]
      : [pki.rsaLicenseAuthority, pki.licenseAuthority];
  const store = await openStore(config);
  const core: Core = {
    store,
    clock: systemClock,
    keys: {
      licenseAuthorityKeyPem: signer.keyPem,
      licenseAuthorityCertPem: `${signer.certPem.trimEnd()}\n${other.certPem.trimEnd()}\n`,
      deviceCertIssuers: [pki.deviceCa.certPem, pki.root.certPem],
      deviceCa: pki.deviceCa,
    },
    mail: {
      mailer: config.smtpUrl
        ? smtpMailer(config.smtpUrl, config.mailFrom)
        : outboxMailer(`${config.dataDir}/outbox`, config.mailFrom),
      publicUrl: config.publicUrl,
    },
  };
  return { core, pki };
}
