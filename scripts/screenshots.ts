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
import { ANN, tourWorld } from '../test/support/portal-world.js';

const OUT = resolve(import.meta.dirname, '../docs/screenshots');

const dir = await mkdtemp(join(tmpdir(), 'mylic-screenshots-'));
const data = join(dir, 'data');
const bridge = await startBridgeProcess(data);
const browser = await launchChromium();
try {
  await tourWorld(data);

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
  await page.goto(`${bridge.url}devices?lang=en`);
  await page.screenshot({ path: join(OUT, 'devices.png') });
  await page.goto(`${bridge.url}devices/009033012345?lang=en`);
  await page.screenshot({ path: join(OUT, 'device.png'), fullPage: true });
  await page.goto(`${bridge.url}company?lang=en`);
  await page.screenshot({ path: join(OUT, 'company.png') });
  await page.goto(`${bridge.url}history?lang=de`);
  await page.screenshot({ path: join(OUT, 'history.png') });
  await context.close();
  console.log(`screenshots written to ${OUT}`);
} finally {
  await browser.close();
  await bridge.stop();
  await rm(dir, { recursive: true, force: true });
}
