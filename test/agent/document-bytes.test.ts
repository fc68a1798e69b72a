import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { randomUUID } from 'node:crypto';
import { access, readFile, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDevicePageApp } from '../../agent/page/server.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { DEVICE_API } from '../../protocol/device-protocol.js';
import { encodeConfirmation, encodeLicenseFile } from '../../protocol/documents/index.js';
import type { ConfirmationPayload, LicenseFilePayload } from '../../protocol/documents/payloads.js';
import { agent } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * Issue 11: the agent decoded documents with `readFile(…, 'utf8')` / `file.text()` / `toString('utf8')`,
 * which turn invalid UTF-8 into U+FFFD. A license file or confirmation the portal refuses with
 * XML_MALFORMED was then installed or applied on the device, and stored altered. The agent now reads
 * the bytes, decodes them strictly (the same parser and code as the portal), and stores the bytes it
 * was given. Through the real `mylic` CLI, the device page's Step1 upload (in-process), and a download
 * from a portal (a TLS server the device trusts) that answers such a file.
 */
describe('the agent reads documents as bytes and decodes them strictly', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let devicePublicKey: string;
  let server: Server;
  let portalUrl: string;
  /** What the fake portal answers to POST /device/v1/license-file. */
  let licenseAnswer: Buffer = Buffer.alloc(0);
  const HW = '009033AABB21';
  const dir = () => `${tmp.dir}/device`;
  const dev = (args: string[]) => agent([...args, '--dir', dir(), '--json']);
  const exists = (p: string) =>
    access(p).then(
      () => true,
      () => false,
    );
  const deviceFiles = async () => ({
    license: await readFile(`${dir()}/license.xml`).catch(() => null),
    installed: await readFile(`${dir()}/installed.json`, 'utf8').catch(() => null),
    pending: await readFile(`${dir()}/pending-invalidation.json`, 'utf8').catch(() => null),
  });

  /** A comment holding two bytes that are not UTF-8 (0xFF 0xFE), outside everything that is signed. */
  const INVALID_COMMENT = Buffer.concat([
    Buffer.from('<!-- '),
    Buffer.from([0xff, 0xfe]),
    Buffer.from(' -->'),
  ]);
  const withBytesBeforeEnd = (xml: string, bytes: Buffer): Buffer => {
    const at = xml.lastIndexOf('</mylic-document>');
    expect(at).toBeGreaterThan(0);
    return Buffer.concat([Buffer.from(xml.slice(0, at), 'utf8'), bytes, Buffer.from(xml.slice(at), 'utf8')]);
  };
  /** Valid UTF-8 a string round trip would not keep byte for byte: a BOM (File.text() drops it). */
  const BOM = Buffer.from([0xef, 0xbb, 0xbf]);

  const licenseFile = (): LicenseFilePayload => ({
    kind: 'license',
    hardwareId: HW,
    version: 13,
    fileId: randomUUID(),
    issuedAt: new Date().toISOString(),
    deviceCounter: 0,
    encrypted: true,
    licenses: [
      {
        serial: 'L-0000000000000021',
        type: 'PBX-Port13',
        units: 8,
        returnable: true,
        bindDate: '2026-01-01',
        ssaEnd: null,
        externalKey: null,
      },
    ],
  });
  const licenseXml = () => encodeLicenseFile(licenseFile(), pki.licenseAuthority.keyPem, devicePublicKey);
  async function writeTemp(bytes: Buffer) {
    const file = `${tmp.dir}/doc-${randomUUID()}.xml`;
    await writeFile(file, bytes);
    return file;
  }

  beforeAll(async () => {
    tmp = await tempDir('mylic-doc-bytes-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    server = createServer({ key: pki.tlsServer.keyPem, cert: pki.tlsServer.certPem }, (req, res) => {
      req.resume();
      req.on('end', () => {
        const json = (status: number, value: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        const expiresAt = new Date(Date.now() + 3600_000).toISOString();
        if (req.url === `${DEVICE_API}/challenge`) return json(200, { challenge: 'c'.repeat(43), expiresAt });
        if (req.url === `${DEVICE_API}/login`)
          return json(200, {
            token: 't'.repeat(40),
            expiresAt,
            company: { id: 1, name: 'Fake' },
            project: { id: 1, name: 'DEFAULT' },
          });
        if (req.url === `${DEVICE_API}/license-file`)
          return res.writeHead(200, { 'content-type': 'application/xml; charset=utf-8' }).end(licenseAnswer);
        json(404, { error: { code: 'NOT_FOUND', message: 'Not found.' } });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    portalUrl = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
    const init = await agent([
      'device',
      'init',
      '--mac',
      HW,
      '--dir',
      dir(),
      '--pki',
      pki.dir,
      '--firmware',
      '13.2',
      '--portal',
      portalUrl,
      '--json',
    ]);
    expect(init.code, init.stderr).toBe(0);
    devicePublicKey = await readFile(`${dir()}/device.crt`, 'utf8');
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await tmp?.cleanup();
  });

  describe('license files', () => {
    it('refuses a file with bytes that are not UTF-8 with XML_MALFORMED (exit 6), as the portal does, and installs nothing', async () => {
      const before = await deviceFiles();
      const r = await dev(['install', await writeTemp(withBytesBeforeEnd(licenseXml(), INVALID_COMMENT))]);
      expect(r.json?.error?.code, r.stdout + r.stderr).toBe('XML_MALFORMED');
      expect(r.code).toBe(6);
      expect(await deviceFiles()).toEqual(before);
    });

    it('keeps the installed file byte for byte as it was given', async () => {
      const bytes = Buffer.concat([
        BOM,
        withBytesBeforeEnd(licenseXml(), Buffer.from('<!-- Grüße, 東京 -->\r\n')),
      ]);
      const r = await dev(['install', await writeTemp(bytes)]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      expect((await readFile(`${dir()}/license.xml`)).equals(bytes)).toBe(true);
    });

    it('refuses a downloaded file with bytes that are not UTF-8 with XML_MALFORMED and installs nothing', async () => {
      expect((await dev(['login', '--email', 'x@example.com', '--password', 'pw'])).code).toBe(0);
      const before = await deviceFiles();
      licenseAnswer = withBytesBeforeEnd(licenseXml(), INVALID_COMMENT);
      const r = await dev(['download']);
      expect(r.json?.error?.code, r.stdout + r.stderr).toBe('XML_MALFORMED');
      expect(await deviceFiles()).toEqual(before);

      // The same file without the bad bytes installs, and is kept as the portal sent it.
      licenseAnswer = Buffer.concat([BOM, withBytesBeforeEnd(licenseXml(), Buffer.from('<!-- ü -->'))]);
      const ok = await dev(['download']);
      expect(ok.code, ok.stdout + ok.stderr).toBe(0);
      expect((await readFile(`${dir()}/license.xml`)).equals(licenseAnswer)).toBe(true);
    });
  });

  describe('confirmations', () => {
    let documentId: string;
    const confirmationXml = (over: Partial<ConfirmationPayload> = {}) =>
      encodeConfirmation(
        {
          kind: 'confirmation',
          hardwareId: HW,
          documentId,
          deviceCounter: 1,
          issuedAt: new Date().toISOString(),
          accepted: ['L-0000000000000021'],
          rejected: [],
          ...over,
        },
        pki.licenseAuthority.keyPem,
      );

    /** The device page in-process: a page session (cookie + CSRF token) and the Step1 upload. */
    const HOST = '127.0.0.1:8080';
    let app: ReturnType<typeof createDevicePageApp>;
    async function uploadOnPage(bytes: Buffer) {
      const first = await app.request('/', { headers: { host: HOST } });
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
      const form = new FormData();
      form.set('_csrf', csrf);
      form.set('confirmation', new File([bytes], 'confirmation.xml', { type: 'application/xml' }));
      const post = await app.request('/confirm', {
        method: 'POST',
        headers: { host: HOST, cookie },
        body: form,
      });
      expect(post.status).toBe(303);
      const html = await (await app.request('/', { headers: { host: HOST, cookie } })).text();
      return /data-flash="(ok|error)"[\s\S]*?<\/div>/.exec(html)?.[0] ?? '';
    }

    beforeAll(async () => {
      app = createDevicePageApp({ dir: dir(), hosts: () => new Set([HOST]) });
      const r = await dev(['invalidate', '--backup', `${tmp.dir}/backup.xml`]);
      expect(r.code, r.stdout + r.stderr).toBe(0);
      documentId = r.json.result.documentId;
    });

    it('refuses a confirmation file with bytes that are not UTF-8 with XML_MALFORMED (exit 6) and applies nothing', async () => {
      const before = await deviceFiles();
      const r = await dev([
        'confirm',
        await writeTemp(withBytesBeforeEnd(confirmationXml(), INVALID_COMMENT)),
      ]);
      expect(r.json?.error?.code, r.stdout + r.stderr).toBe('XML_MALFORMED');
      expect(r.code).toBe(6);
      expect(await deviceFiles()).toEqual(before);
      expect(await exists(`${dir()}/confirmations/${documentId}.xml`)).toBe(false);
    });

    it('refuses such a confirmation uploaded under Step1 on the device page with XML_MALFORMED and applies nothing', async () => {
      const before = await deviceFiles();
      const flash = await uploadOnPage(withBytesBeforeEnd(confirmationXml(), INVALID_COMMENT));
      expect(flash).toContain('data-flash="error"');
      expect(flash).toContain('XML_MALFORMED');
      expect(await deviceFiles()).toEqual(before);
      expect(await exists(`${dir()}/confirmations/${documentId}.xml`)).toBe(false);
    });

    it('hands the pending document to the browser under Backup as the bytes the device wrote', async () => {
      const first = await app.request('/', { headers: { host: HOST } });
      const cookie = first.headers.get('set-cookie')!.split(';')[0]!;
      const csrf = /name="_csrf" value="([^"]+)"/.exec(await first.text())![1]!;
      const res = await app.request('/invalidate', {
        method: 'POST',
        headers: { host: HOST, cookie, 'content-type': 'application/x-www-form-urlencoded' },
        body: `_csrf=${encodeURIComponent(csrf)}&how=backup`,
      });
      expect(res.status).toBe(200);
      expect(res.headers.get('content-disposition')).toContain(`invalidation-${documentId}.xml`);
      expect(Buffer.from(await res.arrayBuffer()).equals(await readFile(`${tmp.dir}/backup.xml`))).toBe(true);
    });

    it('applies a confirmation uploaded under Step1 and keeps it byte for byte; the same file again through the CLI changes nothing', async () => {
      const bytes = Buffer.concat([
        BOM,
        withBytesBeforeEnd(confirmationXml(), Buffer.from('<!-- Grüße -->')),
      ]);
      const flash = await uploadOnPage(bytes);
      expect(flash).toContain('data-flash="ok"');
      expect(flash).toContain('1 license returned');
      expect((await readFile(`${dir()}/confirmations/${documentId}.xml`)).equals(bytes)).toBe(true);

      const again = await dev(['confirm', await writeTemp(bytes)]);
      expect(again.code, again.stdout + again.stderr).toBe(0);
      expect(again.json.result.alreadyApplied).toBe(true);
    });
  });
});
