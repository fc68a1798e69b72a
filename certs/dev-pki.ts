/**
 * The development PKI: one root and the certificates the bridge needs, created on first start and
 * reused afterwards, so a developer trusts root-ca.pem once and devices made by the dev factory keep
 * verifying across restarts.
 *
 * The directory appears complete or not at all: everything is written into a temporary sibling
 * directory which is then renamed into place. Two processes starting together both build a PKI;
 * the first rename wins and the other loads the winner's files, so nobody ends up with a mix.
 *
 * Two license authorities, both "mylic License Authority" under the root: the RSA one
 * (license-authority.pem/.key, which signed every document before issue 16) and the Ed25519 one in
 * the folder license-authority-ed25519/, which signs new ones. A PKI made before the Ed25519
 * authority existed gains it on the next start, the same way: the folder is built beside it and
 * renamed into place, so it appears whole or not at all and two processes end with the same key;
 * the root, the device CA and the RSA authority stay as they are.
 */
import { mkdir, mkdtemp, open, readdir, readFile, rename, rm, stat } from 'node:fs/promises';
import { isIP } from 'node:net';
import { basename, dirname, join, resolve } from 'node:path';
import { MylicError } from '../protocol/errors.js';
import { keyMatchesCertificate } from './inspect.js';
import { type CertAndKey, createRootCa, issueCertificate } from './issue.js';
import { generateEd25519KeyPair, generateKeyPair, writePublicFile, writeSecretFile } from './keys.js';

export interface Pki {
  dir: string;
  root: CertAndKey;
  deviceCa: CertAndKey;
  /** The Ed25519 license authority: signs new license files, confirmations and certificate documents. */
  licenseAuthority: CertAndKey;
  /** The RSA license authority: what signed documents before issue 16; devices keep trusting it. */
  rsaLicenseAuthority: CertAndKey;
  tlsServer: CertAndKey;
}

type Role = Exclude<keyof Pki, 'dir' | 'licenseAuthority'>;

/** File stem of each role: <stem>.pem (certificate, 0644) and <stem>.key (PKCS#8 key, 0600). */
export const PKI_FILES: Readonly<Record<Role, string>> = {
  root: 'root-ca',
  deviceCa: 'device-ca',
  rsaLicenseAuthority: 'license-authority',
  tlsServer: 'tls-server',
};

/** The Ed25519 license authority: <folder>/<stem>.pem and <stem>.key, a folder so it can appear atomically. */
export const ED25519_AUTHORITY_FOLDER = 'license-authority-ed25519';
export const ED25519_AUTHORITY_STEM = 'license-authority-ed25519';

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
  // complete: load it (after adding the Ed25519 authority to an older PKI); partial or foreign:
  // loadPki throws the explanation.
  if (state === 'complete') await addEd25519Authority(target);
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
  for (const role of ROLES) pki[role] = await readPair(target, PKI_FILES[role]);
  const ed25519Dir = join(target, ED25519_AUTHORITY_FOLDER);
  if (!(await exists(join(ed25519Dir, `${ED25519_AUTHORITY_STEM}.pem`)))) {
    throw new MylicError(
      'NOT_FOUND',
      `The PKI in ${target} has no Ed25519 license authority yet (${ED25519_AUTHORITY_FOLDER}/): start the bridge once to add it.`,
    );
  }
  pki.licenseAuthority = await readPair(ed25519Dir, ED25519_AUTHORITY_STEM);
  return pki;
}

async function readPair(dir: string, stem: string): Promise<CertAndKey> {
  const [certPem, keyPem] = await Promise.all([
    readFile(join(dir, `${stem}.pem`), 'utf8'),
    readFile(join(dir, `${stem}.key`), 'utf8'),
  ]);
  if (!keyMatchesCertificate(keyPem, certPem)) {
    throw new MylicError(
      'CERT_KEY_MISMATCH',
      `${join(dir, `${stem}.key`)} does not belong to ${join(dir, `${stem}.pem`)}.`,
    );
  }
  return { certPem, keyPem };
}

const exists = (path: string) =>
  stat(path).then(
    () => true,
    (e: NodeJS.ErrnoException) => {
      if (e.code === 'ENOENT') return false;
      throw e;
    },
  );

/**
 * Adds the Ed25519 license authority to a PKI made before it existed: issued by the PKI's own root,
 * written into a temporary folder inside the PKI and renamed to license-authority-ed25519/. The
 * rename fails when another process got there first; its authority is the one kept.
 */
async function addEd25519Authority(dir: string): Promise<void> {
  const target = join(dir, ED25519_AUTHORITY_FOLDER);
  if (await exists(join(target, `${ED25519_AUTHORITY_STEM}.pem`))) return;
  const root = await readPair(dir, PKI_FILES.root);
  const tmp = await mkdtemp(join(dir, `.${ED25519_AUTHORITY_FOLDER}.tmp-`));
  try {
    await writePair(tmp, ED25519_AUTHORITY_STEM, issueEd25519Authority(root));
    try {
      await rename(tmp, target);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code !== 'ENOTEMPTY' && code !== 'EEXIST' && code !== 'EPERM') throw e;
      return;
    }
    await fsyncDir(dir);
  } finally {
    await rm(tmp, { recursive: true, force: true });
  }
}

/** The Ed25519 "mylic License Authority", issued by the root for signing. */
function issueEd25519Authority(root: CertAndKey): CertAndKey {
  const { privateKeyPem, publicKeyPem } = generateEd25519KeyPair();
  const certPem = issueCertificate({
    issuer: root,
    subjectPublicKeyPem: publicKeyPem,
    commonName: DEV_LICENSE_AUTHORITY_CN,
    organization: DEV_ORGANIZATION,
    usage: 'signing',
    validDays: 20 * YEAR_DAYS,
  });
  return { certPem, keyPem: privateKeyPem };
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
    rsaLicenseAuthority: issued(DEV_LICENSE_AUTHORITY_CN, 'signing', 20 * YEAR_DAYS),
    licenseAuthority: issueEd25519Authority(root),
    tlsServer: issued(DEV_TLS_SERVER_CN, 'server', 2 * YEAR_DAYS, {
      dnsNames: names.filter((n) => isIP(n) === 0),
      ipAddresses: [...new Set(['127.0.0.1', '::1', ...names.filter((n) => isIP(n) !== 0)])],
    }),
  };
}

async function writePki(dir: string, pki: Omit<Pki, 'dir'>): Promise<void> {
  for (const role of ROLES) await writePair(dir, PKI_FILES[role], pki[role]);
  const ed25519Dir = join(dir, ED25519_AUTHORITY_FOLDER);
  await mkdir(ed25519Dir, { mode: 0o700 });
  await writePair(ed25519Dir, ED25519_AUTHORITY_STEM, pki.licenseAuthority);
}

async function writePair(dir: string, stem: string, pair: CertAndKey): Promise<void> {
  await writePublicFile(join(dir, `${stem}.pem`), pair.certPem);
  await writeSecretFile(join(dir, `${stem}.key`), pair.keyPem);
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
