import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';
import { runChecks, type CheckReport } from '../flows/checks.js';
import { configure } from '../flows/config.js';
import { applyAnyConfirmation } from '../flows/confirm.js';
import { openDevice } from '../flows/device-context.js';
import { invalidateBackup, invalidateTransfer } from '../flows/invalidate.js';
import { download } from '../flows/licenses.js';
import { login, logout } from '../flows/login.js';
import { requestCertificate } from '../flows/request-certificate.js';
import { testLicense } from '../flows/test-license.js';
import { acknowledgeReset } from '../flows/reset.js';
import type { Flash } from './csrf.js';

/**
 * The page's form actions. Each one reads its fields, calls the agent's flow (the same functions the
 * CLI calls; no flow logic lives here) and says in a flash message what happened. An action may
 * instead answer with a file (Backup).
 */
export type Form = Record<string, string | File>;
export type ActionResult =
  | { flash: Flash; checks?: CheckReport | null }
  | { file: { name: string; type: string; body: Uint8Array<ArrayBuffer> } };
export type Action = (dir: string, form: Form) => Promise<ActionResult>;

export const MAX_UPLOAD_BYTES = 1024 * 1024;

const text = (form: Form, name: string): string | undefined => {
  const v = form[name];
  return typeof v === 'string' ? v : undefined;
};
const ok = (title: string, message: string, checks?: CheckReport | null): ActionResult => ({
  flash: { kind: 'ok', title, message },
  ...(checks !== undefined ? { checks } : {}),
});
const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? '' : 's'}`;

const Version = z.coerce.number().int().min(5).max(14);
const version = (form: Form) => {
  const r = Version.safeParse(text(form, 'version'));
  if (!r.success)
    throw new MylicError(
      'VERSION_INVALID',
      `Choose a version from 5 to 14, not "${text(form, 'version') ?? ''}".`,
    );
  return r.data;
};

export const actions: Record<string, Action> = {
  async login(dir, form) {
    const email = (text(form, 'email') ?? '').trim();
    const password = text(form, 'password') ?? '';
    if (!email || !password)
      throw new MylicError(
        'VALIDATION_FAILED',
        'Enter the e-mail address and the password of your my.innovaphone account.',
      );
    if (email.length > 254 || password.length > 1024)
      throw new MylicError('VALIDATION_FAILED', 'The e-mail address or the password is too long.');
    const r = await login(dir, email, password);
    return ok('Logged in', `Logged in as ${r.email}: company ${r.company.name}, project ${r.project.name}.`);
  },

  async logout(dir) {
    await logout(dir);
    return ok('Logged out', 'The device no longer holds a portal session.');
  },

  async download(dir, form) {
    const r = await download(dir, version(form));
    return ok(
      'Licenses installed',
      `Installed the V${r.version} license file with ${plural(r.licenses.length, 'license')}. Reset the device to use them.`,
    );
  },

  async 'test-license'(dir, form) {
    const slave = text(form, 'slave') !== undefined;
    let pbx: number | undefined;
    if (!slave) {
      const r = z.coerce.number().int().min(1).max(1000).safeParse(text(form, 'pbx'));
      if (!r.success)
        throw new MylicError(
          'AMOUNT_INVALID',
          'The number of PBX test licenses must be a whole number from 1 to 1000 (or tick "used as slave").',
        );
      pbx = r.data;
    }
    const r = await testLicense(dir, { version: version(form), slave, pbx });
    const until = r.testLicense?.testEnd ? ` until ${r.testLicense.testEnd}` : '';
    return ok(
      'Test licenses installed',
      `Installed V${r.version} test licenses${until}. Reset the device to use them.`,
    );
  },

  async invalidate(dir, form) {
    const how = text(form, 'how');
    // Seed L227: the checkbox "never downgrade below V8" is signed into a new document.
    const options = { acceptNoDowngrade: text(form, 'acceptNoDowngrade') === '1' };
    if (how === 'transfer') {
      const r = await invalidateTransfer(dir, options);
      const noConsent = r.kept.filter((k) => 'code' in k && k.code === 'NO_DOWNGRADE_NOT_ACCEPTED').length;
      return ok(
        r.resumed ? 'Pending invalidation transferred' : 'Invalidated and transferred',
        `Document ${r.documentId}: ${plural(r.returned.length, 'license')} returned to the portal${r.kept.length ? `, ${r.kept.length} kept` : ''}. Reset the device.${noConsent ? ` ${plural(noConsent, 'V5–V7 license')} stayed on the device: returning them needs the agreement never to downgrade below V8 (tick it and invalidate again).` : ''}${r.warnings.length ? ` Note: ${r.warnings.join(' ')}` : ''}`,
      );
    }
    if (how === 'backup') {
      // The flow writes the document to a file; the page hands that file to the browser and removes it.
      const tmp = await mkdtemp(join(tmpdir(), 'mylic-page-'));
      try {
        const r = await invalidateBackup(dir, join(tmp, 'invalidation.xml'), options);
        const body = new Uint8Array(await readFile(r.file));
        return {
          file: { name: `invalidation-${r.documentId}.xml`, type: 'application/xml; charset=utf-8', body },
        };
      } finally {
        await rm(tmp, { recursive: true, force: true });
      }
    }
    throw new MylicError('VALIDATION_FAILED', 'Choose Transfer or Backup.');
  },

  async confirm(dir, form) {
    const file = form.confirmation;
    if (!(file instanceof File) || file.size === 0)
      throw new MylicError('VALIDATION_FAILED', 'Choose the confirmation file (Step1) to upload.');
    if (file.size > MAX_UPLOAD_BYTES)
      throw new MylicError('PAYLOAD_TOO_LARGE', 'The confirmation file is larger than 1 MiB.');
    const { store } = await openDevice(dir);
    // The bytes, not file.text(): that would turn invalid UTF-8 into U+FFFD (and drop a BOM), so a file
    // the portal refuses would be applied and kept altered. applyConfirmation decodes strictly.
    const r = await applyAnyConfirmation(store, new Uint8Array(await file.arrayBuffer()));
    if ('kind' in r)
      return ok(
        r.alreadyApplied ? 'Confirmation already applied' : 'Confirmation applied',
        `Document ${r.documentId}: the device has its new certificate.`,
      );
    return ok(
      r.alreadyApplied ? 'Confirmation already applied' : 'Confirmation applied',
      `Document ${r.documentId}: ${plural(r.returned.length, 'license')} returned${r.kept.length ? `, ${r.kept.length} kept` : ''}. Reset the device.`,
    );
  },

  async checks(dir) {
    const { store, state } = await openDevice(dir);
    const report = await runChecks(store, state);
    const bad = report.results.filter((r) => !r.ok);
    if (!bad.length) return ok('Checks', 'All checks passed.', report);
    return {
      flash: {
        kind: 'error',
        title: 'Checks',
        message: `${plural(bad.length, 'check')} failed: ${bad.map((b) => b.code).join(', ')}. See the fixes below.`,
      },
      checks: report,
    };
  },

  async 'request-certificate'(dir) {
    // The page does not keep the password: the portal switches to the new certificate at the next
    // login (until then the device keeps its previous key for files encrypted to the old one).
    await requestCertificate(dir);
    return ok(
      'Certificate installed',
      'The device has a new key and certificate from the portal. Log in again so that the portal uses the new certificate.',
      null,
    );
  },

  async config(dir, form) {
    const blankToNone = (v: string | undefined) =>
      v === undefined ? undefined : v.trim() === '' ? 'none' : v.trim();
    const portal = text(form, 'portal')?.trim();
    const tolerance = text(form, 'tolerance')?.trim();
    const r = await configure(dir, {
      ntp: blankToNone(text(form, 'ntp')),
      dns: blankToNone(text(form, 'dns')),
      portal: portal ? portal : undefined,
      tolerance: tolerance ? tolerance : undefined,
    });
    return ok('Settings', r.changed ? 'Settings saved.' : 'Nothing changed.', r.changed ? null : undefined);
  },

  async reset(dir) {
    await acknowledgeReset(dir);
    return ok('Reset', 'Reset acknowledged.');
  },
};

export function errorFlash(e: unknown): Flash {
  if (e instanceof MylicError)
    return { kind: 'error', title: 'The device could not do this', code: e.code, message: e.message };
  return {
    kind: 'error',
    title: 'The device could not do this',
    code: 'INTERNAL',
    message: String((e as Error)?.message ?? e),
  };
}
