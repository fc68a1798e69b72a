import { bridgeCli } from './cli.js';

/** Ann of the README's Tour, her company and a device with PBX and gateway licenses, and SSC. */
export const ANN = { email: 'ann@example.com', password: 'correct horse' };

/**
 * Fills a bridge data folder the way the README's Tour does, through the real operator commands, for
 * the page tests and `npm run screenshots`.
 */
export async function tourWorld(dataDir: string): Promise<void> {
  const ops = async (...args: string[]) => {
    const r = await bridgeCli(['ops', ...args], { MYLIC_DATA: dataDir });
    if (r.code !== 0) throw new Error(`mylic-bridge ops ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  };
  await ops('user', 'create', '--email', ANN.email, '--password', ANN.password, '--name', 'Ann');
  await ops('company', 'create', '--name', 'Ann GmbH', '--admin', ANN.email);
  for (const [type, units] of [
    ['PBX-Port13', '20'],
    ['GW-Channel', '4'],
    ['SSC', '500'],
  ]) {
    await ops('balance', 'add', '--company', '1', '--type', type!, '--units', units!);
  }
  // The vendor's device database knows the device; the company adds it (its type is the database's).
  await ops('device', 'register', '--type', 'IP811', '--mac', '00-90-33-01-23-45');
  await ops('device', 'add', '--company', '1', '--mac', '00-90-33-01-23-45');
  for (const [type, units] of [
    ['PBX-Port13', '8'],
    ['GW-Channel', '2'],
  ]) {
    await ops(
      'license',
      'bind',
      '--company',
      '1',
      '--mac',
      '00-90-33-01-23-45',
      '--type',
      type!,
      '--units',
      units!,
    );
  }
}
