import { MylicError } from '../../../protocol/errors.js';
import { formatKeyCode, type LicenseLine } from '../../../protocol/keys-api.js';
import type { Tx } from '../../db/store.js';
import { projectAccess } from '../access.js';
import { issuerName, keyById, keyLicenses } from './activation-keys.js';
import type { Actor, Core } from '../context.js';

/**
 * The license certificate of an activation key (seed: License certificate; Own Activations, "The order
 * reference and order number will be shown in the innovaphone license certificate"): a print-ready HTML
 * document with the key, its licenses, order number and reference, and who issued it.
 *
 * Anyone may download it for a key in their projects: redeemed into a project they reach, or created by
 * their company. Every other key answers KEY_NOT_FOUND, exactly like a key that does not exist.
 */
export interface CertificateData {
  key: string;
  issuer: string;
  issuedAt: string;
  orderNumber: string;
  orderReference: string;
  licenses: LicenseLine[];
  /** Where the key was redeemed, when the viewer may know. */
  redeemed: { at: string; projectName: string | null } | null;
}

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
export const escapeHtml = (s: string) => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

export function renderCertificate(d: CertificateData): string {
  const e = escapeHtml;
  const day = (iso: string) => e(iso.slice(0, 10));
  const rows = d.licenses
    .map((l) => `        <tr><td>${e(l.type)}</td><td class="units">${l.units}</td></tr>`)
    .join('\n');
  const redeemed = d.redeemed
    ? `\n    <tr><th>Redeemed</th><td>${day(d.redeemed.at)}${d.redeemed.projectName !== null ? ` into project ${e(d.redeemed.projectName)}` : ''}</td></tr>`
    : '';
  return `<!DOCTYPE html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>License certificate ${e(d.key)}</title>
  <style>
    @page { size: A4; margin: 20mm; }
    body { font-family: "Helvetica Neue", Arial, sans-serif; color: #111; max-width: 170mm; margin: 0 auto; }
    h1 { font-size: 20pt; border-bottom: 2px solid #111; padding-bottom: 4mm; }
    .key { font-family: "DejaVu Sans Mono", "Courier New", monospace; font-size: 16pt; letter-spacing: 0.08em; }
    table { border-collapse: collapse; width: 100%; margin: 6mm 0; }
    th, td { text-align: left; padding: 1.5mm 2mm; border-bottom: 1px solid #ccc; vertical-align: top; }
    th { width: 45mm; }
    td.units, th.units { text-align: right; }
    footer { margin-top: 12mm; font-size: 9pt; color: #555; }
    @media print { a { color: inherit; text-decoration: none; } }
  </style>
</head>
<body>
  <h1>License certificate</h1>
  <table class="facts">
    <tr><th>Activation key</th><td class="key">${e(d.key)}</td></tr>
    <tr><th>Issued by</th><td>${e(d.issuer)}</td></tr>
    <tr><th>Issued on</th><td>${day(d.issuedAt)}</td></tr>
    <tr><th>Order number</th><td>${e(d.orderNumber) || '&ndash;'}</td></tr>
    <tr><th>Order reference</th><td>${e(d.orderReference) || '&ndash;'}</td></tr>${redeemed}
  </table>
  <h2>Licenses</h2>
  <table class="licenses">
    <thead><tr><th>License type</th><th class="units">Units</th></tr></thead>
    <tbody>
${rows}
    </tbody>
  </table>
  <footer>This certificate documents the licenses of the activation key above. A key can be redeemed once.</footer>
</body>
</html>
`;
}

/** Whether the actor may see the key's certificate; USER_LOCKED when only a locked membership would allow it. */
async function certificateAccess(
  tx: Tx,
  actor: Actor,
  key: NonNullable<Awaited<ReturnType<typeof keyById>>>,
): Promise<{ redeemedProjectName: string | null }> {
  let locked = false;
  let allowed = false;
  let redeemedProjectName: string | null = null;
  if (key.redeemed_project_id !== null) {
    try {
      const { project } = await projectAccess(tx, actor, key.redeemed_project_id);
      allowed = true;
      redeemedProjectName = project.name;
    } catch (err) {
      if (!(err instanceof MylicError)) throw err;
      if (err.code === 'USER_LOCKED') locked = true;
      else if (err.code !== 'PROJECT_NOT_FOUND') throw err;
    }
  }
  if (!allowed && key.kind === 'own' && key.company_id !== null) {
    const m = await tx
      .selectFrom('memberships')
      .select('is_locked')
      .where('user_id', '=', actor.userId)
      .where('company_id', '=', key.company_id)
      .executeTakeFirst();
    if (m && !m.is_locked) allowed = true;
    else if (m) locked = true;
  }
  if (!allowed) throw new MylicError(locked ? 'USER_LOCKED' : 'KEY_NOT_FOUND');
  return { redeemedProjectName };
}

/** What the certificate of one key shows, under the same walls (the portal page renders it itself). */
export async function keyCertificateData(core: Core, actor: Actor, keyId: number): Promise<CertificateData> {
  const db = core.store.db;
  const key = await keyById(db, keyId);
  if (!key || key.deleted_at !== null) throw new MylicError('KEY_NOT_FOUND');
  const { redeemedProjectName } = await certificateAccess(db, actor, key);
  return {
    key: formatKeyCode(key.code),
    issuer: await issuerName(db, key.company_id),
    issuedAt: key.created_at,
    orderNumber: key.order_number,
    orderReference: key.order_reference,
    licenses: await keyLicenses(db, key.id),
    redeemed: key.redeemed_at !== null ? { at: key.redeemed_at, projectName: redeemedProjectName } : null,
  };
}

/** The certificate of one key: file name and HTML. */
export async function keyCertificate(
  core: Core,
  actor: Actor,
  keyId: number,
): Promise<{ filename: string; html: string }> {
  const data = await keyCertificateData(core, actor, keyId);
  return { filename: `license-certificate-${data.key}.html`, html: renderCertificate(data) };
}
