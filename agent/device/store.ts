import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { MylicError } from '../../protocol/errors.js';
import { removeFile, writeFileAtomic } from './atomic-file.js';
import { DeviceState, InstalledLicenses, PendingInvalidation } from './state.js';

/**
 * certs/inspect.ts (node-forge) is loaded only when a new identity is checked: reading the device's
 * state (`mylic status`, `reset`, `config`) does not compile the X.509 code.
 */
const keyMatches = async (keyPem: string, certPem: string) =>
  (await import('../../certs/inspect.js')).keyMatchesCertificate(keyPem, certPem);

const NEXT_IDENTITY = 'identity-next.json';
const PREVIOUS_KEY = 'device-previous.key';
const NextIdentity = z.object({
  keyPem: z.string().check(z.minLength(1)),
  certPem: z.string().check(z.minLength(1)),
  previousKeyPem: z.optional(z.string().check(z.minLength(1))),
});
type NextIdentity = z.infer<typeof NextIdentity>;

/**
 * The file-backed device store: what a PBX keeps in its flash. Every write is atomic; every read is
 * parsed. Layout of the folder:
 *   device.json            identity, network settings, counters, portal session
 *   device.key / device.crt the device key (0600) and its certificate
 *   identity-next.json     a key + certificate replacement in progress (see replaceIdentity)
 *   device-previous.key    the key before the last certificate request, until the portal has seen the new one
 *   trust/                 root CA, device CA and license authority certificates (RSA, and Ed25519 since
 *                          issue 16), factory-installed
 *   license.xml, installed.json  the installed license file as received, and what it holds
 *   pending-invalidation.json    the invalidation journal
 *   confirmations/<id>.xml       applied confirmations
 */
export class DeviceStore {
  constructor(readonly dir: string) {}

  path(...parts: string[]) {
    return join(this.dir, ...parts);
  }

  async exists(): Promise<boolean> {
    return stat(this.path('device.json')).then(
      () => true,
      () => false,
    );
  }

  private async readJson<S extends z.ZodMiniType>(file: string, schema: S): Promise<z.output<S> | null> {
    let text: string;
    try {
      text = await readFile(this.path(file), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success)
      throw new MylicError(
        'INTERNAL',
        `The device file ${file} is damaged: ${parsed.error.issues[0]?.message}`,
      );
    return parsed.data;
  }

  async state(): Promise<DeviceState> {
    await this.recoverIdentity();
    const s = await this.readJson('device.json', DeviceState);
    if (!s)
      throw new MylicError('NOT_INITIALISED', `No device in ${this.dir}: run \`mylic device init\` first.`);
    return s;
  }
  async saveState(s: DeviceState) {
    await writeFileAtomic(
      this.path('device.json'),
      `${JSON.stringify(DeviceState.parse(s), null, 2)}\n`,
      0o600,
    );
  }
  // biome-ignore lint/suspicious/noConfusingVoidType: callers change the state in place and return nothing, or return a new one
  async update(fn: (s: DeviceState) => DeviceState | void): Promise<DeviceState> {
    const s = await this.state();
    const next = fn(s) ?? s;
    await this.saveState(next);
    return next;
  }

  async init(
    files: {
      keyPem: string;
      certPem: string;
      rootCaPem: string;
      deviceCaPem: string;
      licenseAuthorityPem: string;
      /** The Ed25519 license authority (issue 16); devices made before it have only the RSA one. */
      ed25519LicenseAuthorityPem?: string;
    },
    state: DeviceState,
  ) {
    await mkdir(this.path('trust'), { recursive: true, mode: 0o700 });
    await mkdir(this.path('confirmations'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path('device.key'), files.keyPem, 0o600);
    await writeFileAtomic(this.path('device.crt'), files.certPem);
    await writeFileAtomic(this.path('trust', 'root-ca.pem'), files.rootCaPem);
    await writeFileAtomic(this.path('trust', 'device-ca.pem'), files.deviceCaPem);
    await writeFileAtomic(this.path('trust', 'license-authority.pem'), files.licenseAuthorityPem);
    if (files.ed25519LicenseAuthorityPem !== undefined)
      await writeFileAtomic(
        this.path('trust', 'license-authority-ed25519.pem'),
        files.ed25519LicenseAuthorityPem,
      );
    await this.saveState(state);
  }

  /**
   * Replaces the device key and certificate. The new pair (and the key it replaces) is first written
   * whole to one file, `identity-next.json`; then the old key is kept as `device-previous.key`, the new
   * key and certificate are copied over `device.key`/`device.crt`, and that file is removed.
   * `recoverIdentity` (run by every `state()`) finishes a replacement a crash interrupted, so key and
   * certificate never end up from two different pairs. A next-identity file that cannot be read or
   * whose key does not match its certificate is dropped and the installed pair stays.
   *
   * The previous key stays until the portal has been shown the new certificate in a login
   * (`forgetPreviousKey`): until then the portal still encrypts license files to the old one.
   */
  async replaceIdentity(keyPem: string, certPem: string) {
    if (!(await keyMatches(keyPem, certPem)))
      throw new MylicError(
        'CERT_KEY_MISMATCH',
        'The new key does not belong to the new certificate; the installed pair stays.',
      );
    // A previous key still kept means the portal has not seen the current certificate either: the
    // key it encrypts to is that one, so it stays.
    const previousKeyPem = (await this.previousKey()) ?? (await this.readText('device.key'));
    await writeFileAtomic(
      this.path(NEXT_IDENTITY),
      JSON.stringify({ keyPem, certPem, previousKeyPem }),
      0o600,
    );
    await this.recoverIdentity();
  }
  async recoverIdentity(): Promise<boolean> {
    const text = await this.readOptionalText(NEXT_IDENTITY);
    if (text === null) return false;
    let next: NextIdentity | null = null;
    try {
      const parsed = NextIdentity.safeParse(JSON.parse(text));
      if (parsed.success && (await keyMatches(parsed.data.keyPem, parsed.data.certPem))) next = parsed.data;
    } catch {
      next = null;
    }
    if (!next) {
      // Not a whole, matching pair: it was never meant to be installed. The old pair stays.
      await removeFile(this.path(NEXT_IDENTITY));
      return false;
    }
    if (next.previousKeyPem !== undefined && next.previousKeyPem !== next.keyPem) {
      await writeFileAtomic(this.path(PREVIOUS_KEY), next.previousKeyPem, 0o600);
    }
    await writeFileAtomic(this.path('device.key'), next.keyPem, 0o600);
    await writeFileAtomic(this.path('device.crt'), next.certPem);
    await removeFile(this.path(NEXT_IDENTITY));
    return true;
  }
  /** The key the device had before its last certificate request, while the portal may still use it. */
  previousKey(): Promise<string | null> {
    return this.readOptionalText(PREVIOUS_KEY);
  }
  /** The portal has seen the current certificate (a login proved it): the previous key is no longer needed. */
  async forgetPreviousKey() {
    if ((await this.previousKey()) !== null) await removeFile(this.path(PREVIOUS_KEY));
  }

  readText(...parts: string[]): Promise<string> {
    return readFile(this.path(...parts), 'utf8');
  }
  /** A file's bytes, or null when it does not exist: for documents, which are never decoded lossily. */
  async readOptionalBytes(...parts: string[]): Promise<Buffer | null> {
    return readFile(this.path(...parts)).catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
  }
  async readOptionalText(...parts: string[]): Promise<string | null> {
    return readFile(this.path(...parts), 'utf8').catch((e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return null;
      throw e;
    });
  }

  installed(): Promise<InstalledLicenses | null> {
    return this.readJson('installed.json', InstalledLicenses);
  }
  /** The raw file (the bytes as received) first, then what it holds: installed.json is the one that counts. */
  async install(xml: string | Uint8Array, licenses: InstalledLicenses) {
    await writeFileAtomic(this.path('license.xml'), xml, 0o600);
    await writeFileAtomic(
      this.path('installed.json'),
      `${JSON.stringify(InstalledLicenses.parse(licenses), null, 2)}\n`,
      0o600,
    );
  }
  async saveInstalled(licenses: InstalledLicenses) {
    await writeFileAtomic(
      this.path('installed.json'),
      `${JSON.stringify(InstalledLicenses.parse(licenses), null, 2)}\n`,
      0o600,
    );
  }

  pending(): Promise<PendingInvalidation | null> {
    return this.readJson('pending-invalidation.json', PendingInvalidation);
  }
  async savePending(p: PendingInvalidation) {
    await writeFileAtomic(
      this.path('pending-invalidation.json'),
      `${JSON.stringify(PendingInvalidation.parse(p), null, 2)}\n`,
      0o600,
    );
  }
  clearPending() {
    return removeFile(this.path('pending-invalidation.json'));
  }
  /** The confirmation as the bytes it was given. */
  saveConfirmation(documentId: string, xml: string | Uint8Array) {
    return writeFileAtomic(this.path('confirmations', `${documentId}.xml`), xml);
  }
}
