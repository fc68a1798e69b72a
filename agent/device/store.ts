import { mkdir, readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import type * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';
import { removeFile, writeFileAtomic } from './atomic-file.js';
import { DeviceState, InstalledLicenses, PendingInvalidation } from './state.js';

/**
 * The file-backed device store: what a PBX keeps in its flash. Every write is atomic; every read is
 * parsed. Layout of the folder:
 *   device.json            identity, network settings, counters, portal session
 *   device.key / device.crt the device key (0600) and its certificate
 *   trust/                 root CA, device CA and license authority certificates, factory-installed
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

  private async readJson<S extends z.ZodType>(file: string, schema: S): Promise<z.output<S> | null> {
    let text: string;
    try {
      text = await readFile(this.path(file), 'utf8');
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return null;
      throw e;
    }
    const parsed = schema.safeParse(JSON.parse(text));
    if (!parsed.success) throw new MylicError('INTERNAL', `The device file ${file} is damaged: ${parsed.error.issues[0]?.message}`);
    return parsed.data;
  }

  async state(): Promise<DeviceState> {
    await this.recoverIdentity();
    const s = await this.readJson('device.json', DeviceState);
    if (!s) throw new MylicError('NOT_INITIALISED', `No device in ${this.dir}: run \`mylic device init\` first.`);
    return s;
  }
  async saveState(s: DeviceState) {
    await writeFileAtomic(this.path('device.json'), JSON.stringify(DeviceState.parse(s), null, 2) + '\n', 0o600);
  }
  async update(fn: (s: DeviceState) => DeviceState | void): Promise<DeviceState> {
    const s = await this.state();
    const next = fn(s) ?? s;
    await this.saveState(next);
    return next;
  }

  async init(files: { keyPem: string; certPem: string; rootCaPem: string; deviceCaPem: string; licenseAuthorityPem: string }, state: DeviceState) {
    await mkdir(this.path('trust'), { recursive: true, mode: 0o700 });
    await mkdir(this.path('confirmations'), { recursive: true, mode: 0o700 });
    await writeFileAtomic(this.path('device.key'), files.keyPem, 0o600);
    await writeFileAtomic(this.path('device.crt'), files.certPem);
    await writeFileAtomic(this.path('trust', 'root-ca.pem'), files.rootCaPem);
    await writeFileAtomic(this.path('trust', 'device-ca.pem'), files.deviceCaPem);
    await writeFileAtomic(this.path('trust', 'license-authority.pem'), files.licenseAuthorityPem);
    await this.saveState(state);
  }

  /**
   * Replaces the device key and certificate. The new pair is first written whole to one file, then
   * copied over the old files, then that file is removed; `recoverIdentity` finishes a replacement a
   * crash interrupted, so key and certificate never end up from two different pairs.
   */
  async replaceIdentity(keyPem: string, certPem: string) {
    await writeFileAtomic(this.path('identity-next.json'), JSON.stringify({ keyPem, certPem }), 0o600);
    await this.recoverIdentity();
  }
  async recoverIdentity(): Promise<boolean> {
    const next = await this.readOptionalText('identity-next.json');
    if (next === null) return false;
    const { keyPem, certPem } = JSON.parse(next) as { keyPem: string; certPem: string };
    await writeFileAtomic(this.path('device.key'), keyPem, 0o600);
    await writeFileAtomic(this.path('device.crt'), certPem);
    await removeFile(this.path('identity-next.json'));
    return true;
  }

  readText(...parts: string[]): Promise<string> {
    return readFile(this.path(...parts), 'utf8');
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
  /** The raw file first, then what it holds: installed.json is the one that counts. */
  async install(xml: string, licenses: InstalledLicenses) {
    await writeFileAtomic(this.path('license.xml'), xml, 0o600);
    await writeFileAtomic(this.path('installed.json'), JSON.stringify(InstalledLicenses.parse(licenses), null, 2) + '\n', 0o600);
  }
  async saveInstalled(licenses: InstalledLicenses) {
    await writeFileAtomic(this.path('installed.json'), JSON.stringify(InstalledLicenses.parse(licenses), null, 2) + '\n', 0o600);
  }

  pending(): Promise<PendingInvalidation | null> {
    return this.readJson('pending-invalidation.json', PendingInvalidation);
  }
  async savePending(p: PendingInvalidation) {
    await writeFileAtomic(this.path('pending-invalidation.json'), JSON.stringify(PendingInvalidation.parse(p), null, 2) + '\n', 0o600);
  }
  clearPending() {
    return removeFile(this.path('pending-invalidation.json'));
  }
  saveConfirmation(documentId: string, xml: string) {
    return writeFileAtomic(this.path('confirmations', `${documentId}.xml`), xml);
  }
}
