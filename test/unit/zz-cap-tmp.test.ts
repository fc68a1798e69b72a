import { generateKeyPairSync, randomUUID } from 'node:crypto';
import { it } from 'vitest';
import { encodeLicenseFile } from '/work/main/protocol/documents/index.js';
it('cap', () => {
  const k = generateKeyPairSync('rsa', { modulusLength: 2048, publicKeyEncoding: { type: 'spki', format: 'pem' }, privateKeyEncoding: { type: 'pkcs8', format: 'pem' } });
  for (const encrypted of [false, true]) {
    let lo = 1, hi = 10000;
    while (lo < hi) { const m = Math.ceil((lo + hi) / 2);
      const licenses = Array.from({ length: m }, (_, i) => ({ serial: `LIC-${String(i).padStart(6, '0')}`, type: 'user', units: 1, returnable: true, bindDate: '2025-03-04', ssaEnd: null, externalKey: null }));
      try { encodeLicenseFile({ kind: 'license', hardwareId: '009033012345', version: 8, fileId: randomUUID(), issuedAt: '2025-03-04T05:06:07Z', deviceCounter: 0, encrypted, licenses }, k.privateKey, k.publicKey); lo = m; } catch { hi = m - 1; } }
    console.log('encrypted', encrypted, 'max licenses', lo);
  }
});
