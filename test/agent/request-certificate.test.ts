import { createServer, type Server } from 'node:https';
import type { AddressInfo } from 'node:net';
import { access, readFile, readdir, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parseCsr } from '../../certs/csr.js';
import { loadOrCreateDevPki, type Pki } from '../../certs/dev-pki.js';
import { issueCertificate, issueDeviceCertificate } from '../../certs/issue.js';
import { generateKeyPair } from '../../certs/keys.js';
import { DEVICE_API } from '../../protocol/device-protocol.js';
import { foreignDeviceCa } from '../bridge/fixtures.js';
import { agent } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * `mylic request-certificate` against a portal that answers with a certificate the device must not
 * take (a real TLS server the device trusts, speaking the device protocol): the old key and
 * certificate stay, nothing half-installed is left. And a replacement a crash interrupted
 * (`identity-next.json` left behind) is finished, or dropped when it is not a whole pair.
 */
type Answer =
  | 'other-key'
  | 'other-ca'
  | 'other-hardware-id'
  | 'expired'
  | 'not-a-certificate'
  | 'root-signed'
  | 'server-usage';

describe('request-certificate on the device', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let pki: Pki;
  let server: Server;
  let url: string;
  let answer: Answer = 'other-key';
  let n = 0;
  const exists = (p: string) =>
    access(p).then(
      () => true,
      () => false,
    );

  const certificateFor = (csrPem: string): string => {
    const csr = parseCsr(csrPem);
    switch (answer) {
      case 'other-key':
        return issueDeviceCertificate(pki.deviceCa, generateKeyPair().publicKeyPem, csr.commonName);
      case 'other-ca':
        return issueDeviceCertificate(foreignDeviceCa(), csr.publicKeyPem, csr.commonName);
      case 'other-hardware-id':
        return issueDeviceCertificate(pki.deviceCa, csr.publicKeyPem, '009033FFFFFF');
      case 'expired':
        return issueDeviceCertificate(pki.deviceCa, csr.publicKeyPem, csr.commonName, {
          notBefore: new Date(Date.now() - 40 * 86_400_000),
          validDays: 30,
        });
      case 'not-a-certificate':
        return '-----BEGIN CERTIFICATE-----\nbm90IGEgY2VydGlmaWNhdGU=\n-----END CERTIFICATE-----\n';
      // Issue 11: signed by the root itself, as the license authority's and the TLS server's are.
      case 'root-signed':
        return issueCertificate({
          issuer: pki.root,
          subjectPublicKeyPem: csr.publicKeyPem,
          commonName: csr.commonName,
          usage: 'client',
          validDays: 30,
        });
      // Issue 11: from the device CA, but for a TLS server.
      case 'server-usage':
        return issueCertificate({
          issuer: pki.deviceCa,
          subjectPublicKeyPem: csr.publicKeyPem,
          commonName: csr.commonName,
          usage: 'server',
          validDays: 30,
        });
    }
  };

  beforeAll(async () => {
    tmp = await tempDir('mylic-reqcert-');
    pki = await loadOrCreateDevPki(`${tmp.dir}/pki`);
    // A portal the device trusts (the same dev PKI) that speaks just enough of the device protocol.
    server = createServer({ key: pki.tlsServer.keyPem, cert: pki.tlsServer.certPem }, (req, res) => {
      let body = '';
      req.on('data', (d) => (body += d));
      req.on('end', () => {
        const json = (status: number, value: unknown) =>
          res.writeHead(status, { 'content-type': 'application/json' }).end(JSON.stringify(value));
        const expiresAt = new Date(Date.now() + 3600_000).toISOString();
        if (req.url === `${DEVICE_API}/challenge`) return json(200, { challenge: 'c'.repeat(43), expiresAt });
        if (req.url === `${DEVICE_API}/login`) {
          return json(200, {
            token: 't'.repeat(40),
            expiresAt,
            company: { id: 1, name: 'Fake' },
            project: { id: 1, name: 'DEFAULT' },
          });
        }
        if (req.url === `${DEVICE_API}/certificate`)
          return json(200, {
            certificate: certificateFor(JSON.parse(body).csr),
            issuer: pki.deviceCa.certPem,
          });
        json(404, { error: { code: 'NOT_FOUND', message: 'Not found.' } });
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `https://127.0.0.1:${(server.address() as AddressInfo).port}/`;
  });
  afterAll(async () => {
    await new Promise<void>((resolve) => server?.close(() => resolve()));
    await tmp?.cleanup();
  });

  async function device() {
    const dir = `${tmp.dir}/d${++n}`;
    const dev = (args: string[], env?: Record<string, string>) =>
      agent([...args, '--dir', dir, '--json'], env);
    const init = await dev([
      'device',
      'init',
      '--mac',
      `00-90-33-44-00-0${n}`,
      '--portal',
      url,
      '--pki',
      pki.dir,
    ]);
    expect(init.code, init.stderr).toBe(0);
    const files = async () => {
      const out: Record<string, string> = {};
      for (const name of await readdir(dir))
        if (name.endsWith('.key') || name.endsWith('.crt') || name.endsWith('.json'))
          out[name] = await readFile(`${dir}/${name}`, 'utf8');
      return out;
    };
    return { dir, dev, files };
  }

  const refusals: [Answer, string][] = [
    ['other-key', 'CERT_KEY_MISMATCH'],
    ['other-ca', 'CERT_CHAIN'],
    ['other-hardware-id', 'CERT_HW_MISMATCH'],
    ['expired', 'CERT_EXPIRED'],
    ['not-a-certificate', 'CERT_MALFORMED'],
    ['root-signed', 'CERT_CHAIN'],
    ['server-usage', 'CERT_USAGE'],
  ];
  it.each(refusals)(
    'refuses a returned certificate that is %s with %s and leaves the old key and certificate in place',
    async (kind, code) => {
      const { dir, dev, files } = await device();
      expect((await dev(['login', '--email', 'x@example.com', '--password', 'pw'])).code).toBe(0);
      const before = await files();
      answer = kind;
      const r = await dev(['request-certificate', '--password', 'pw']);
      expect(r.json?.error?.code, r.stdout + r.stderr).toBe(code);
      expect(r.code).toBe(8);
      expect(await files()).toEqual(before);
      expect(await exists(`${dir}/identity-next.json`)).toBe(false);
      expect(await exists(`${dir}/device-previous.key`)).toBe(false);
      const check = await dev(['check']);
      expect(check.json.result.results.find((c: { name: string }) => c.name === 'certificate')).toMatchObject(
        { ok: true },
      );
    },
  );

  describe('a replacement a crash interrupted (identity-next.json left behind)', () => {
    it('is finished by the next command: the new key and certificate are installed and the old key is kept as the previous key', async () => {
      const { dir, dev } = await device();
      const oldKey = await readFile(`${dir}/device.key`, 'utf8');
      const keys = generateKeyPair();
      const certPem = issueDeviceCertificate(pki.deviceCa, keys.publicKeyPem, `00903344000${n}`);
      await writeFile(
        `${dir}/identity-next.json`,
        JSON.stringify({ keyPem: keys.privateKeyPem, certPem, previousKeyPem: oldKey }),
        { mode: 0o600 },
      );
      const status = await dev(['status']);
      expect(status.code, status.stdout + status.stderr).toBe(0);
      expect(await readFile(`${dir}/device.key`, 'utf8')).toBe(keys.privateKeyPem);
      expect(await readFile(`${dir}/device.crt`, 'utf8')).toBe(certPem);
      expect(await readFile(`${dir}/device-previous.key`, 'utf8')).toBe(oldKey);
      expect(await exists(`${dir}/identity-next.json`)).toBe(false);
      const check = await dev(['check']);
      expect(check.json.result.results.find((c: { name: string }) => c.name === 'certificate')).toMatchObject(
        { ok: true },
      );
    });

    it('is dropped when it is not a whole, matching pair, and the installed pair stays', async () => {
      const { dir, dev, files } = await device();
      const before = await files();
      const otherKey = generateKeyPair();
      const foreignCert = issueDeviceCertificate(
        pki.deviceCa,
        generateKeyPair().publicKeyPem,
        `00903344000${n}`,
      );
      for (const leftover of [
        '{"keyPem":"-----BEGIN PRIV',
        JSON.stringify({ keyPem: otherKey.privateKeyPem, certPem: foreignCert }),
      ]) {
        await writeFile(`${dir}/identity-next.json`, leftover, { mode: 0o600 });
        const status = await dev(['status']);
        expect(status.code, status.stdout + status.stderr).toBe(0);
        expect(await exists(`${dir}/identity-next.json`)).toBe(false);
        expect(await files()).toEqual(before);
      }
    });
  });
});
