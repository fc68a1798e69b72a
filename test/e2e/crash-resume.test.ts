import { access, readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openLicenseFile } from '../../protocol/documents/index.js';
import { agent, bridgeCli } from '../support/cli.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { closeTestStores, freshPostgresDatabase, STORES } from '../support/stores.js';
import { tempDir } from '../support/tmp.js';

/**
 * A device that dies in the middle of returning licenses (MYLIC_FAULT makes the agent SIGKILL itself
 * right after a step, as a power cut would). The next run must finish the same invalidation; the
 * portal's counts show that nothing was lost or doubled.
 */
afterAll(closeTestStores);

// Each test starts a dozen agent and operator processes: on a busy machine minutes (PostgreSQL's the longer).
describe.each(STORES)(
  'an agent killed in the middle of an invalidation, bridge on %s',
  { timeout: 300_000 },
  (kind) => {
    let bridge: BridgeProcess;
    let tmp: Awaited<ReturnType<typeof tempDir>>;
    const ops = (args: string[]) => bridgeCli(args, bridge.env);

    const pbx = async () => {
      const r = await ops(['ops', 'counts', '--company', '1', '--json']);
      return (
        r.json.result as { type: string; activated: number; balance: number; bound: number; free: number }[]
      ).find((x) => x.type === 'PBX-Port13')!;
    };

    async function deviceWithLicenses(mac: string, dir: string) {
      expect((await ops(['ops', 'device', 'register', '--type', 'IP811', '--mac', mac])).code).toBe(0);
      expect((await ops(['ops', 'device', 'add', '--company', '1', '--mac', mac])).code).toBe(0);
      expect(
        (
          await ops([
            'ops',
            'license',
            'bind',
            '--company',
            '1',
            '--mac',
            mac,
            '--type',
            'PBX-Port13',
            '--units',
            '3',
          ])
        ).code,
      ).toBe(0);
      const dev = (args: string[], env?: Record<string, string>) => agent([...args, '--dir', dir], env);
      expect(
        (await dev(['device', 'init', '--mac', mac, '--portal', bridge.url, '--pki', bridge.pkiDir])).code,
      ).toBe(0);
      expect((await dev(['login', '--email', 'bob@example.com', '--password', 'pw-bob-123'])).code).toBe(0);
      expect((await dev(['download'])).code).toBe(0);
      return dev;
    }

    beforeAll(async () => {
      tmp = await tempDir('mylic-crash-');
      bridge = await startBridgeProcess(
        `${tmp.dir}/data`,
        kind === 'postgres' ? { MYLIC_DATABASE_URL: await freshPostgresDatabase() } : {},
      );
      expect(
        (
          await ops([
            'ops',
            'user',
            'create',
            '--email',
            'bob@example.com',
            '--password',
            'pw-bob-123',
            '--name',
            'Bob',
          ])
        ).code,
      ).toBe(0);
      expect(
        (await ops(['ops', 'company', 'create', '--name', 'Bob AG', '--admin', 'bob@example.com'])).code,
      ).toBe(0);
      expect(
        (await ops(['ops', 'balance', 'add', '--company', '1', '--type', 'PBX-Port13', '--units', '10']))
          .code,
      ).toBe(0);
    });
    afterAll(async () => {
      await bridge?.stop();
      await tmp?.cleanup();
    });

    it('killed between invalidate and transfer: the next run sends the same document and the licenses arrive once', async () => {
      const dev = await deviceWithLicenses('00-90-33-00-00-01', `${tmp.dir}/d1`);
      const killed = await dev(['invalidate', '--transfer', '--json'], { MYLIC_FAULT: 'after-invalidate' });
      expect(killed.signal).toBe('SIGKILL');
      const pending = (await dev(['status', '--json'])).json.result.pendingInvalidation;
      expect(pending).toMatchObject({ state: 'created' });
      expect(await pbx()).toMatchObject({ bound: 3, free: 0 });

      const resumed = await dev(['invalidate', '--transfer', '--json']);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.json.result).toMatchObject({ documentId: pending.documentId, resumed: true });
      expect(await pbx()).toMatchObject({ activated: 10, balance: 7, bound: 0, free: 3 });
    });

    it('killed between transfer and confirm: the portal credited once and the rerun applies the same confirmation', async () => {
      const dev = await deviceWithLicenses('00-90-33-00-00-02', `${tmp.dir}/d2`);
      const before = await pbx();
      const killed = await dev(['invalidate', '--transfer', '--json'], { MYLIC_FAULT: 'after-transfer' });
      expect(killed.signal).toBe('SIGKILL');
      const afterKill = await pbx();
      expect(afterKill).toMatchObject({ bound: before.bound - 3, free: before.free + 3 });
      const pending = (await dev(['status', '--json'])).json.result.pendingInvalidation;
      expect(pending).toMatchObject({ state: 'sent' });
      // The device does not use the invalidated licenses while the confirmation is missing.
      expect((await dev(['download', '--json'])).json.error.code).toBe('INVALIDATION_PENDING');

      const resumed = await dev(['invalidate', '--transfer', '--json']);
      expect(resumed.code, resumed.stdout + resumed.stderr).toBe(0);
      expect(resumed.json.result).toMatchObject({ documentId: pending.documentId, resumed: true });
      expect(await pbx()).toEqual(afterKill);
      const status = (await dev(['status', '--json'])).json.result;
      expect(status.pendingInvalidation).toBeNull();
      expect(status.installed.licenses).toHaveLength(0);
      expect(afterKill.activated).toBe(afterKill.balance + afterKill.bound + afterKill.free);
    });

    describe('an agent killed in the middle of a certificate request', () => {
      const exists = (p: string) =>
        access(p).then(
          () => true,
          () => false,
        );
      let n = 0;
      async function deviceWithRight() {
        const mac = `00-90-33-00-01-0${++n}`;
        const dir = `${tmp.dir}/c${n}`;
        expect(
          (
            await ops([
              'ops',
              'right',
              'grant',
              '--user',
              'bob@example.com',
              '--right',
              'request-certificate',
            ])
          ).code,
        ).toBe(0);
        expect(
          (await ops(['ops', 'balance', 'add', '--company', '1', '--type', 'PBX-Port13', '--units', '1']))
            .code,
        ).toBe(0);
        expect((await ops(['ops', 'device', 'register', '--type', 'IP811', '--mac', mac])).code).toBe(0);
        expect((await ops(['ops', 'device', 'add', '--company', '1', '--mac', mac])).code).toBe(0);
        expect(
          (
            await ops([
              'ops',
              'license',
              'bind',
              '--company',
              '1',
              '--mac',
              mac,
              '--type',
              'PBX-Port13',
              '--units',
              '1',
            ])
          ).code,
        ).toBe(0);
        const dev = (args: string[], env?: Record<string, string>) =>
          agent([...args, '--dir', dir, '--json'], env);
        expect(
          (await dev(['device', 'init', '--mac', mac, '--portal', bridge.url, '--pki', bridge.pkiDir])).code,
        ).toBe(0);
        expect((await dev(['login', '--email', 'bob@example.com', '--password', 'pw-bob-123'])).code).toBe(0);
        // Both license authorities, as a device trusts them: the bridge signs with the Ed25519 one (issue 16).
        const la = (
          await Promise.all(
            ['license-authority.pem', 'license-authority-ed25519/license-authority-ed25519.pem'].map((f) =>
              readFile(`${bridge.pkiDir}/${f}`, 'utf8'),
            ),
          )
        ).join('');
        const opensWith = async (keyPem: string) => {
          try {
            openLicenseFile(await readFile(`${dir}/license.xml`, 'utf8'), {
              signerPublicKeyPem: la,
              devicePrivateKeyPem: keyPem,
            });
            return true;
          } catch {
            return false;
          }
        };
        return { dir, dev, opensWith };
      }

      it('killed after the portal signed the new certificate, before installing it: device and portal both stay on the old certificate', async () => {
        const { dir, dev, opensWith } = await deviceWithRight();
        const oldKey = await readFile(`${dir}/device.key`, 'utf8');
        const oldCert = await readFile(`${dir}/device.crt`, 'utf8');
        const killed = await dev(['request-certificate', '--password', 'pw-bob-123'], {
          MYLIC_FAULT: 'after-certificate-answer',
        });
        expect(killed.signal).toBe('SIGKILL');
        expect(await readFile(`${dir}/device.key`, 'utf8')).toBe(oldKey);
        expect(await readFile(`${dir}/device.crt`, 'utf8')).toBe(oldCert);
        expect(await exists(`${dir}/identity-next.json`)).toBe(false);
        // The portal did not switch to the certificate the device never installed: the download opens.
        const dl = await dev(['download']);
        expect(dl.code, dl.stdout + dl.stderr).toBe(0);
        expect(await opensWith(oldKey)).toBe(true);
      });

      it('killed after installing the new certificate, before logging in again: the device opens files for its previous key until the next login', async () => {
        const { dir, dev, opensWith } = await deviceWithRight();
        const oldKey = await readFile(`${dir}/device.key`, 'utf8');
        const killed = await dev(['request-certificate', '--password', 'pw-bob-123'], {
          MYLIC_FAULT: 'after-certificate-install',
        });
        expect(killed.signal).toBe('SIGKILL');
        const newKey = await readFile(`${dir}/device.key`, 'utf8');
        expect(newKey).not.toBe(oldKey);
        expect(await readFile(`${dir}/device-previous.key`, 'utf8')).toBe(oldKey);
        const before = await dev(['download']);
        expect(before.code, before.stdout + before.stderr).toBe(0);
        expect(await opensWith(oldKey)).toBe(true);
        expect((await dev(['login', '--email', 'bob@example.com', '--password', 'pw-bob-123'])).code).toBe(0);
        expect(await exists(`${dir}/device-previous.key`)).toBe(false);
        expect((await dev(['download'])).code).toBe(0);
        expect(await opensWith(newKey)).toBe(true);
      });
    });
  },
);
