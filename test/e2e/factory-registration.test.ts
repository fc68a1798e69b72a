import { access, writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { agent, bridgeCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';

/**
 * Issue 15 item 3 through the real CLIs (seed L223 "a device certificate"): `mylic device init --pki`
 * writes the factory registration into the bridge's PKI folder, and `mylic-bridge ops device register`
 * records device and certificate in the device database, from that folder or from a named file.
 */
describe('device registrations from the factory', () => {
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  const env = () => ({ MYLIC_DATA: `${tmp.dir}/data` });
  const ops = (args: string[]) => bridgeCli([...args, '--json'], env());
  const MAC = '00-90-33-79-00-01';
  const HW = '009033790001';

  beforeAll(async () => {
    tmp = await tempDir('mylic-factory-');
    // Any operator command opens the data folder and makes the bridge's PKI.
    expect(
      (
        await ops([
          'ops',
          'user',
          'create',
          '--email',
          'fa@example.com',
          '--password',
          'pw-fa-12345',
          '--name',
          'Fa',
        ])
      ).code,
    ).toBe(0);
  });
  afterAll(async () => {
    await tmp?.cleanup();
  });

  it('L223: the factory registers the device and its certificate; the operator imports the PKI folder, then a named file changes nothing more', async () => {
    const init = await agent([
      'device',
      'init',
      '--dir',
      `${tmp.dir}/device`,
      '--mac',
      MAC,
      '--type',
      'IP1060',
      '--pki',
      `${tmp.dir}/data/pki`,
      '--json',
    ]);
    expect(init.code).toBe(0);
    const file = `${tmp.dir}/data/pki/device-registrations/${HW}.json`;
    await access(file);
    await access(`${tmp.dir}/device/registration.json`);

    const first = await ops(['ops', 'device', 'register']);
    expect(first.code).toBe(0);
    expect(first.json.result.devices).toEqual([
      expect.objectContaining({ hardwareId: HW, deviceType: 'IP1060', result: 'created' }),
    ]);
    const again = await ops(['ops', 'device', 'register', file]);
    expect(again.code).toBe(0);
    expect(again.json.result.devices).toEqual([
      expect.objectContaining({ hardwareId: HW, result: 'unchanged' }),
    ]);
  });

  it('refuses a file that is not a registration, with its name', async () => {
    await writeFile(`${tmp.dir}/other.json`, '{"hardwareId":"009033790002"}');
    const r = await ops(['ops', 'device', 'register', `${tmp.dir}/other.json`]);
    expect(r.code).not.toBe(0);
    expect(JSON.stringify(r.json ?? r.stderr)).toContain('not a device registration');
  });
});
