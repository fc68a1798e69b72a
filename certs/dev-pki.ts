/**
 * The development PKI: one root and the three certificates the bridge needs, created on first
 * start and reused afterwards, so a developer trusts root-ca.pem once and devices made by the
 * dev factory keep verifying across restarts.
 *
 * The directory appears complete or not at all: everything is written into a temporary sibling
 * directory which is then renamed into place. Two processes starting together both build a PKI;
 * the first rename wins and the other loads the winner's files, so nobody ends up with a mix.
 */
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { MylicError } from '../protocol/errors.js';
import { keyMatchesCertificate } from './inspect.js';
import { type CertAndKey, createRootCa, issueCertificate } from './issue.js';
import { generateKeyPair, writePublicFile, writeSecretFile } from './keys.js';

export interface Pki {
  dir: string;
  root: CertAndKey;
  deviceCa: CertAndKey;
  licenseAuthority: CertAndKey;
  tlsServer: CertAndKey;
}

type Role = Exclude<keyof Pki, 'dir'>;

/** File stem of each role: <stem>.pem (certificate, 0644) and <stem>.key (PKCS#8 key, 0600). */
export const PKI_FILES: Readonly<Record<Role, string>> = {
  root: 'root-ca',
  deviceCa: 'device-ca',
  licenseAuthority: 'license-authority',
  tlsServer: 'tls-server',
};

const ROLES = Object.keys(PKI_FILES) as Role[];
const YEAR_DAYS = 365;

export const DEV_ROOT_CN = 'mylic Dev Root CA';
export const DEV_DEVICE_CA_CN = 'Device Certification Authority';
export const DEV_LICENSE_AUTHORITY_CN = 'mylic License Authority';
export const DEV_TLS_SERVER_CN = 'localhost';
const DEV_ORGANIZATION = 'mylic development';

/**
 * Loads the dev PKI from `dir`, creating it first when the directory does not exist or is empty.
 * `hostnames` (DNS names or IP literals) go into the TLS certificate next to localhost, 127.0.0.1
 * and ::1; they only matter when the PKI is created.
 */
export async function loadOrCreateDevPki(dir: string, opts: { hostnames?: string[] } = {}): Promise<Pki> {
  const target = resolve(dir);
  const state = await pkiState(target);
  // complete: load it; partial or foreign: loadPki throws the explanation.
  if (state !== 'absent' && state !== 'empty') return loadPki(target);

  const parent = dirname(target);
  await mkdir(parent, { recursive: true });
  // mkdtemp creates the directory with mode 0700, the final mode of the PKI directory.
  const tmp = await mkdtemp(join(parent, `.${basename(target)}.tmp-`));
  try {
    await writePki(tmp, createDevPki(opts.hostnames ?? []));
    try {
      // Replaces a missing or empty directory atomically; fails if another process got there first.
      await rename(tmp, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw e;
      return await loadPki(target);
    }
    await fsyncDir(parent);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
  return loadPki(target);
}

/** Loads an existing dev PKI; NOT_FOUND when there is none, an explanation when it is incomplete. */
export async function loadPki(dir: string): Promise<Pki> {
  const target = resolve(dir);
  const state = await pkiState(target);
  if (state === 'absent' || state === 'empty') {
    throw new MylicError(
      'NOT_FOUND',
      `There is no PKI in ${target}: start the bridge once to create the development PKI there.`,
    );
  }
  if (state === 'foreign') {
    throw new MylicError(
      'NOT_FOUND',
      `${target} holds other files but no PKI: use a directory of its own for the PKI (it is created when missing).`,
    );
  }
  if (state === 'partial') {
    const missing = await missingFiles(target);
    throw new MylicError(
      'NOT_FOUND',
      `The PKI in ${target} is incomplete (missing ${missing.join(', ')}). It is not repaired automatically, since new keys would not match the ` +
        'certificates already handed out: restore the files, or delete the directory to create a new PKI (devices and clients must then trust the new root).',
    );
  }
  const pki: Pki = { dir: target } as Pki;
  for (const role of ROLES) {
    const stem = PKI_FILES[role];
    const [certPem, keyPem] = await Promise.all([
      readFile(join(target, `${stem}.pem`), 'utf8'),
      readFile(join(target, `${stem}.key`), 'utf8'),
    ]);
    if (!keyMatchesCertificate(keyPem, certPem)) {
      throw new MylicError(
        'CERT_KEY_MISMATCH',
        `${join(target, `${stem}.key`)} does not belong to ${join(target, `${stem}.pem`)}.`,
      );
    }
    pki[role] = { certPem, keyPem };
  }
  return pki;
}

function createDevPki(hostnames: string[]): Omit<Pki, 'dir'> {
  const root = createRootCa({
    commonName: DEV_ROOT_CN,
    organization: DEV_ORGANIZATION,
    validDays: 20 * YEAR_DAYS,
  });
  const issued = (
    commonName: string,
    usage: 'ca' | 'signing' | 'server',
    validDays: number,
    extra: { dnsNames?: string[]; ipAddresses?: string[]; pathLen?: number } = {},
  ): CertAndKey => {
    const { privateKeyPem, publicKeyPem } = generateKeyPair();
    const certPem = issueCertificate({
      issuer: root,
      subjectPublicKeyPem: publicKeyPem,
      commonName,
      organization: DEV_ORGANIZATION,
      usage,
      validDays,
      ...extra,
    });
    return { certPem, keyPem: privateKeyPem };
  };
  const names = [...new Set(['localhost', ...hostnames.map((h) => h.trim()).filter(Boolean)])];
  return {
    root,
    // pathLen 0: the device CA issues device certificates, never another CA.
    deviceCa: issued(DEV_DEVICE_CA_CN, 'ca', 20 * YEAR_DAYS, { pathLen: 0 }),
    licenseAuthority: issued(DEV_LICENSE_AUTHORITY_CN, 'signing', 20 * YEAR_DAYS),
    tlsServer: issued(DEV_TLS_SERVER_CN, 'server', 2 * YEAR_DAYS, {
      dnsNames: names.filter((n) => isIP(n) === 0),
      ipAddresses: [...new Set(['127.0.0.1', '::1', ...names.filter((n) => isIP(n) !== 0)])],
    }),
  };
}

async function writePki(dir: string, pki: Omit<Pki, 'dir'>): Promise<void> {
  for (const role of ROLES) {
    const stem = PKI_FILES[role];
    await writePublicFile(join(dir, `${stem}.pem`), pki[role].certPem);
    await writeSecretFile(join(dir, `${stem}.key`), pki[role].keyPem);
  }
}

const allFileNames = (): string[] =>
  ROLES.flatMap((role) => [`${PKI_FILES[role]}.pem`, `${PKI_FILES[role]}.key`]);

async function missingFiles(dir: string): Promise<string[]> {
  const present = await readdir(dir);
  return allFileNames().filter((f) => !present.includes(f));
}

/** absent/empty: can be created; complete: can be loaded; partial/foreign: a person must decide. */
async function pkiState(dir: string): Promise<'absent' | 'empty' | 'complete' | 'partial' | 'foreign'> {
  const entries = await readdir(dir).catch((e: NodeJS.ErrnoException) => {
    if (e.code === 'ENOENT') return null;
    throw e;
  });
  if (entries === null) return 'absent';
  if (entries.length === 0) return 'empty';
  const ours = allFileNames().filter((f) => entries.includes(f)).length;
  if (ours === allFileNames().length) return 'complete';
  return ours > 0 ? 'partial' : 'foreign';
}

async function fsyncDir(dir: string): Promise<void> {
  const dh = await open(dir, 'r').catch(() => null);
  if (!dh) return;
  try {
    await dh.sync();
  } catch {
    // best effort where directories cannot be fsynced
  } finally {
    await dh.close();
  }
}
