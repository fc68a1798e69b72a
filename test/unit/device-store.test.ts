import { mkdir, readdir, readFile, stat, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeFileAtomic } from '../../agent/device/atomic-file.js';
import type { DeviceState } from '../../agent/device/state.js';
import { DeviceStore } from '../../agent/device/store.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { issueDeviceCertificate } from '../../certs/issue.js';
import { generateKeyPair } from '../../certs/keys.js';
import { tempDir } from '../support/tmp.js';

/**
 * The device's file store: secrets and state are 0600, writes are atomic and leave no temp files, and a
 * key + certificate replacement that a crash interrupted is finished (or dropped) on the next open.
 */
const HW = '009033770001';

describe('the device store', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let n = 0;
  beforeAll(async () => {
    tmp = await tempDir('mylic-device-store-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
  });
  afterAll(async () => tmp?.cleanup());

  const identity = () => {
    const keys = generateKeyPair();
    return {
      keyPem: keys.privateKeyPem,
      certPem: issueDeviceCertificate(pki.deviceCa, keys.publicKeyPem, HW),
    };
  };
  const state = (): DeviceState => ({
    hardwareId: HW,
    deviceType: 'IP811',
    firmware: '13.1',
    config: { portalUrl: 'https://localhost:8443/', ntpServer: null, dnsServer: null, toleranceSeconds: 300 },
    latestTrustedTime: null,
    counter: 0,
    confirmedCounter: 0,
    resetRequired: false,
    session: null,
  });
  async function newStore() {
    const store = new DeviceStore(`${tmp.dir}/device-${++n}`);
    const first = identity();
    await store.init(
      {
        ...first,
        rootCaPem: pki.root.certPem,
        deviceCaPem: pki.deviceCa.certPem,
        licenseAuthorityPem: pki.licenseAuthority.certPem,
      },
      state(),
    );
    return { store, first };
  }
  const mode = async (p: string) => (await stat(p)).mode & 0o777;
  /** Every file under the folder, relative. */
  async function listAll(dir: string, sub = ''): Promise<string[]> {
    const out: string[] = [];
    for (const e of await readdir(`${dir}${sub}`, { withFileTypes: true })) {
      if (e.isDirectory()) out.push(...(await listAll(dir, `${sub}/${e.name}`)));
      else out.push(`${sub}/${e.name}`);
    }
    return out.sort();
  }

  it('writes device.key and device.json with mode 0600, also after every later write', async () => {
    const { store } = await newStore();
    expect(await mode(store.path('device.key'))).toBe(0o600);
    expect(await mode(store.path('device.json'))).toBe(0o600);
    await store.update((s) => {
      s.resetRequired = true;
    });
    expect(await mode(store.path('device.json'))).toBe(0o600);
    // A pair that does not match is refused before anything is written.
    await expect(
      store.replaceIdentity(identity().keyPem, await readFile(store.path('device.crt'), 'utf8')),
    ).rejects.toThrow(/does not belong/);
    expect(await store.previousKey()).toBeNull();
    const next = identity();
    await store.replaceIdentity(next.keyPem, next.certPem);
    expect(await mode(store.path('device.key'))).toBe(0o600);
    expect(await mode(store.path('device-previous.key'))).toBe(0o600);
    // The folders that hold them are not readable by others either.
    expect((await mode(store.path('trust'))) & 0o077).toBe(0);
  });

  it('leaves no temp files behind after writes, and none after a write that fails', async () => {
    const { store } = await newStore();
    // biome-ignore lint/suspicious/noAssignInExpressions: the update changes the state in place, as the agent's flows do
    for (let i = 0; i < 5; i++) await store.update((s) => void (s.counter = i));
    const next = identity();
    await store.replaceIdentity(next.keyPem, next.certPem);
    await store.saveConfirmation('1b4e28ba-2fa1-11d2-883f-0016d3cca427', '<x/>');
    const files = await listAll(store.dir);
    expect(files.filter((f) => /\.tmp$|\/\.[^/]+\.[0-9a-f]{12}\.tmp/.test(f))).toEqual([]);
    expect(files).toEqual(
      [
        '/confirmations/1b4e28ba-2fa1-11d2-883f-0016d3cca427.xml',
        '/device-previous.key',
        '/device.crt',
        '/device.json',
        '/device.key',
        '/trust/device-ca.pem',
        '/trust/license-authority.pem',
        '/trust/root-ca.pem',
      ].sort(),
    );
    // A write whose rename fails (the target is a folder) cleans up its temp file.
    await mkdir(store.path('blocked'));
    await expect(writeFileAtomic(store.path('blocked'), 'data', 0o600)).rejects.toThrow();
    expect((await readdir(store.dir)).filter((f) => f.endsWith('.tmp'))).toEqual([]);
  });

  it('finishes an identity replacement from a leftover identity-next.json when the store is next opened', async () => {
    const { store, first } = await newStore();
    const next = identity();
    await writeFile(
      store.path('identity-next.json'),
      JSON.stringify({ ...next, previousKeyPem: first.keyPem }),
      { mode: 0o600 },
    );
    await store.state();
    expect(await readFile(store.path('device.key'), 'utf8')).toBe(next.keyPem);
    expect(await readFile(store.path('device.crt'), 'utf8')).toBe(next.certPem);
    expect(await store.previousKey()).toBe(first.keyPem);
    expect((await readdir(store.dir)).includes('identity-next.json')).toBe(false);
  });

  it('finishes a replacement a crash cut between the key and the certificate, and keeps the key from before it as the previous key', async () => {
    const { store, first } = await newStore();
    const next = identity();
    await writeFile(
      store.path('identity-next.json'),
      JSON.stringify({ ...next, previousKeyPem: first.keyPem }),
      { mode: 0o600 },
    );
    // The crash: the new key is in place, the certificate is still the old one.
    await writeFile(store.path('device.key'), next.keyPem, { mode: 0o600 });
    expect(await store.recoverIdentity()).toBe(true);
    expect(await readFile(store.path('device.key'), 'utf8')).toBe(next.keyPem);
    expect(await readFile(store.path('device.crt'), 'utf8')).toBe(next.certPem);
    expect(await store.previousKey()).toBe(first.keyPem);
    expect(await store.recoverIdentity()).toBe(false);
  });

  it('drops a leftover identity-next.json that is not a whole, matching pair and keeps the installed pair', async () => {
    const { store, first } = await newStore();
    const other = identity();
    for (const leftover of [
      '{"keyPem":"---',
      JSON.stringify({ keyPem: other.keyPem, certPem: first.certPem }),
      JSON.stringify({ certPem: other.certPem }),
    ]) {
      await writeFile(store.path('identity-next.json'), leftover, { mode: 0o600 });
      await store.state();
      expect(await readFile(store.path('device.key'), 'utf8')).toBe(first.keyPem);
      expect(await readFile(store.path('device.crt'), 'utf8')).toBe(first.certPem);
      expect((await readdir(store.dir)).includes('identity-next.json')).toBe(false);
      expect(await store.previousKey()).toBeNull();
    }
  });

  it('keeps the key the portal still knows as the previous key through two replacements, and forgets it after a login', async () => {
    const { store, first } = await newStore();
    const second = identity();
    const third = identity();
    await store.replaceIdentity(second.keyPem, second.certPem);
    await store.replaceIdentity(third.keyPem, third.certPem);
    expect(await store.previousKey()).toBe(first.keyPem);
    await store.forgetPreviousKey();
    expect(await store.previousKey()).toBeNull();
    await store.forgetPreviousKey();
  });
});
