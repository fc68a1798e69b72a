/**
 * The operator commands that make the world the README's Tour starts from: Ann, her company (id 1),
 * PBX and gateway balance, one IP811 and licenses bound to it. Suites that drive a real bridge process
 * run them with their own `ops` runner.
 */
export function annWorldCommands(mac: string): string[][] {
  return [
    ['ops', 'user', 'create', '--email', 'ann@example.com', '--password', 'correct horse', '--name', 'Ann'],
    ['ops', 'company', 'create', '--name', 'Ann GmbH', '--admin', 'ann@example.com'],
    ['ops', 'balance', 'add', '--company', '1', '--type', 'PBX-Port13', '--units', '20'],
    ['ops', 'balance', 'add', '--company', '1', '--type', 'GW-Channel', '--units', '4'],
    ['ops', 'device', 'register', '--type', 'IP811', '--mac', mac],
    ['ops', 'device', 'add', '--company', '1', '--mac', mac],
    ['ops', 'license', 'bind', '--company', '1', '--mac', mac, '--type', 'PBX-Port13', '--units', '8'],
    ['ops', 'license', 'bind', '--company', '1', '--mac', mac, '--type', 'GW-Channel', '--units', '2'],
  ];
}
