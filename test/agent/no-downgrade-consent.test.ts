import { randomUUID } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevicePageApp } from '../../agent/page/server.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { encodeLicenseFile, openInvalidation } from '../../protocol/documents/index.js';
import { agent } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * Issue 15 item 13, seed L227 "V7 licenses can be just returned, if you agree, that you won't be able to
 * downgrade below V8 anymore." The agent signs the agreement into the invalidation document: the CLI with
 * `mylic invalidate --accept-no-downgrade`, the device page with its checkbox. Without either the document
 * does not carry it (the portal then keeps V5–V7 licenses on the device: test/api/invalidation-consent).
 */
describe('the agreement never to downgrade below V8 (seed L227) in the invalidation document', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  const HOST = '127.0.0.1:8080';
  let n = 0;

  /** A device with one returnable license installed, in a folder of its own. */
  async function device(): Promise<string> {
    const hw = `009033CC00${(++n).toString(16).toUpperCase().padStart(2, '0')}`;
    const dir = `${tmp.dir}/device-${n}`;
    const init = await agent([
      'device',
      'init',
      '--mac',
      hw,
      '--dir',
      dir,
      '--pki',
      pki.dir,
      '--firmware',
      '13.2',
      '--json',
    ]);
    expect(init.code, init.stderr).toBe(0);
    const file = `${tmp.dir}/license-${n}.xml`;
    await writeFile(
      file,
      encodeLicenseFile(
        {
          kind: 'license',
          hardwareId: hw,
          version: 13,
          fileId: randomUUID(),
          issuedAt: new Date().toISOString(),
          deviceCounter: 0,
          encrypted: true,
          licenses: [
            {
              serial: `L-00000000000000${n.toString().padStart(2, '0')}`,
              type: 'PBX7#15',
              units: 1,
              returnable: true,
              bindDate: '2026-01-01',
              ssaEnd: null,
              externalKey: null,
            },
          ],
        },
        pki.licenseAuthority.keyPem,
        await readFile(`${dir}/device.crt`, 'utf8'),
      ),
    );
    const installed = await agent(['install', file, '--dir', dir, '--json']);
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    return dir;
  }
  const backupPayload = async (file: string) => openInvalidation(await readFile(file)).payload;

  beforeAll(async () => {
    tmp = await tempDir('mylic-no-downgrade-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('L227: `mylic invalidate --backup FILE --accept-no-downgrade` signs acceptNoDowngrade into the document; without the flag it is absent', async () => {
    const agreed = await device();
    const r = await agent([
      'invalidate',
      '--backup',
      `${tmp.dir}/agreed.xml`,
      '--accept-no-downgrade',
      '--dir',
      agreed,
      '--json',
    ]);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect((await backupPayload(`${tmp.dir}/agreed.xml`)).acceptNoDowngrade).toBe(true);

    const plain = await device();
    const p = await agent(['invalidate', '--backup', `${tmp.dir}/plain.xml`, '--dir', plain, '--json']);
    expect(p.code, p.stdout + p.stderr).toBe(0);
    expect((await backupPayload(`${tmp.dir}/plain.xml`)).acceptNoDowngrade).toBeUndefined();
    // The usage text names the option.
    expect((await agent(['--help'])).stdout).toContain('--accept-no-downgrade');
  });

  it('L227: the device page offers the agreement as a checkbox before Invalidate, and Backup with it ticked signs it in', async () => {
    const dir = await device();
    const app = createDevicePageApp({ dir, hosts: () => new Set([HOST]) });
    const first = await app.request('/', { headers: { host: HOST } });
    const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
    const page = await first.text();
    expect(page).toMatch(
      /<input type="checkbox" name="acceptNoDowngrade" value="1">[^<]*never be downgraded below V8/,
    );
    expect(page).toContain("returned to the free licenses of the device's project");
    expect(page).not.toContain('returned to the balance');
    const csrf = /name="_csrf" value="([^"]+)"/.exec(page)![1]!;
    const res = await app.request('/invalidate', {
      method: 'POST',
      headers: { host: HOST, cookie, 'content-type': 'application/x-www-form-urlencoded' },
      body: `_csrf=${encodeURIComponent(csrf)}&acceptNoDowngrade=1&how=backup`,
    });
    expect(res.status).toBe(200);
    const doc = openInvalidation(new Uint8Array(await res.arrayBuffer())).payload;
    expect(doc.acceptNoDowngrade).toBe(true);
    // The pending document is finished as it was signed: no checkbox any more.
    const after = await (await app.request('/', { headers: { host: HOST, cookie } })).text();
    expect(after).toContain('Invalidation pending');
    expect(after).not.toContain('name="acceptNoDowngrade"');
  });
});
