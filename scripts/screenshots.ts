/**
 * `npm run screenshots`: pictures of the portal pages for the README (docs/screenshots/), made by the
 * real bridge over HTTPS in headless Chromium, on a fresh data folder filled by the operator commands
 * of the README's Tour. Run it after a change to the pages so the pictures stay true.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { launchChromium } from '../test/support/browser.js';
import { startBridgeProcess } from '../test/support/bridge-process.js';
import { bridgeCli } from '../test/support/cli.js';

const OUT = resolve(import.meta.dirname, '../docs/screenshots');
const ANN = { email: 'ann@example.com', password: 'correct horse' };

const dir = await mkdtemp(join(tmpdir(), 'mylic-screenshots-'));
const data = join(dir, 'data');
const bridge = await startBridgeProcess(data);
const browser = await launchChromium();
try {
  const ops = async (args: string[]) => {
    const r = await bridgeCli(args, { MYLIC_DATA: data });
    if (r.code !== 0) throw new Error(`mylic-bridge ${args.join(' ')}: ${r.stdout}${r.stderr}`);
  };
  await ops(['ops', 'user', 'create', '--email', ANN.email, '--password', ANN.password, '--name', 'Ann']);
  await ops(['ops', 'company', 'create', '--name', 'Ann GmbH', '--admin', ANN.email]);
  await ops(['ops', 'balance', 'add', '--company', '1', '--type', 'PBX-Port13', '--units', '20']);
  await ops(['ops', 'balance', 'add', '--company', '1', '--type', 'GW-Channel', '--units', '4']);
  await ops(['ops', 'balance', 'add', '--company', '1', '--type', 'SSC', '--units', '500']);
  await ops(['ops', 'device', 'add', '--company', '1', '--mac', '00-90-33-01-23-45', '--type', 'IP811']);
  await ops([
    'ops',
    'license',
    'bind',
    '--company',
    '1',
    '--mac',
    '00-90-33-01-23-45',
    '--type',
    'PBX-Port13',
    '--units',
    '8',
  ]);
  await ops([
    'ops',
    'license',
    'bind',
    '--company',
    '1',
    '--mac',
    '00-90-33-01-23-45',
    '--type',
    'GW-Channel',
    '--units',
    '2',
  ]);

  await mkdir(OUT, { recursive: true });
  const context = await browser.newContext({
    javaScriptEnabled: false,
    ignoreHTTPSErrors: true,
    locale: 'en-GB',
    viewport: { width: 1200, height: 720 },
  });
  const page = await context.newPage();
  await page.goto(`${bridge.url}login`);
  await page.screenshot({ path: join(OUT, 'login.png') });
  await page.fill('#email', ANN.email);
  await page.fill('#password', ANN.password);
  await Promise.all([page.waitForURL(/\/projects$/), page.click('button.primary')]);
  await page.screenshot({ path: join(OUT, 'projects.png') });
  await page.goto(`${bridge.url}projects/1/ssa?lang=de`);
  await page.screenshot({ path: join(OUT, 'ssa.png'), fullPage: true });
  await page.goto(`${bridge.url}balance?lang=en`);
  await page.screenshot({ path: join(OUT, 'balance.png') });
  await context.close();
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await bridge.stop();
  await rm(dir, { recursive: true, force: true });
}
