import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicePage, type DevicePage } from '../../agent/page/server.js';
import { launchChromium } from '../support/browser.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { agent, bridgeCli } from '../support/cli.js';
import { ANN, tourWorld } from '../support/portal-world.js';
import { tempDir } from '../support/tmp.js';

/**
 * Issue 14 in a real browser against the real bridge process and the real agent: the README Tour's
 * device part done as a new user would. From the agent's device page the "my.innovaphone" link leads
 * through the log-in to the device's portal page; there the admin adds licenses from the balance and
 * downloads the license file, the agent installs it, writes a backup invalidation, the admin uploads it
 * on the device page and downloads the confirmation, the agent applies it. The company's counts are
 * conserved at every step (activated = balance + bound + free). JavaScript is off in the browser.
 */
const require = createRequire(import.meta.url);
const MAC = '00-90-33-01-23-45';
const HW = '009033012345';
let root: { dir: string; cleanup: () => Promise<void> };
let bridge: BridgeProcess;
let browser: Browser;
let devicePage: DevicePage;
let deviceDir: string;
let data: string;

beforeAll(async () => {
  root = await tempDir('mylic-device-pages-');
  data = join(root.dir, 'data');
  bridge = await startBridgeProcess(data);
  await tourWorld(data);
  deviceDir = join(root.dir, 'device');
  const init = await agent([
    'device',
    'init',
    '--mac',
    MAC,
    '--firmware',
    '13.1',
    '--dir',
    deviceDir,
    '--portal',
    bridge.url,
    '--pki',
    bridge.pkiDir,
  ]);
  expect(init.code, init.stderr).toBe(0);
  // The device logs in once: the portal keeps its certificate, so its V13 files are encrypted for it.
  const login = await device(['login', '--email', ANN.email, '--password', ANN.password]);
  expect(login.code, login.stderr).toBe(0);
  devicePage = await startDevicePage({ dir: deviceDir, port: 0 });
  browser = await launchChromium();
}, 120_000);
afterAll(async () => {
  await browser?.close();
  await devicePage?.close();
  await bridge?.stop();
  await root?.cleanup();
});

const device = (args: string[]) => agent([...args, '--json'], { MYLIC_DEVICE_DIR: deviceDir });

/** The company's counts per type from the operator command, and the conservation every step keeps. */
async function counts() {
  const r = await bridgeCli(['ops', 'counts', '--company', '1'], { MYLIC_DATA: data });
  expect(r.code, r.stderr).toBe(0);
  const out: Record<string, { activated: number; balance: number; bound: number; free: number }> = {};
  for (const m of r.stdout.matchAll(/^(\S+)\s+activated (\d+)\s+balance (\d+)\s+bound (\d+)\s+free (\d+)/gm))
    out[m[1]!] = { activated: +m[2]!, balance: +m[3]!, bound: +m[4]!, free: +m[5]! };
  for (const [type, c] of Object.entries(out))
    expect(c.balance + c.bound + c.free, `${type} conserved`).toBe(c.activated);
  return out;
}

async function logIn(page: Page, email = ANN.email, password = ANN.password) {
  expect(new URL(page.url()).pathname).toBe('/login');
  await page.fill('#email', email);
  await page.fill('#password', password);
  await page.click('button.primary');
}

describe('the device page in the browser', () => {
  it("follows the agent's my.innovaphone link through the log-in, adds licenses, and returns them by backup file", async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      ignoreHTTPSErrors: true,
      acceptDownloads: true,
      locale: 'en-GB',
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    const start = await counts();
    expect(start['PBX-Port13']).toEqual({ activated: 20, balance: 12, bound: 8, free: 0 });

    // The agent's device page names what the admin finds behind the link, and links the device's page.
    await page.goto(devicePage.url);
    const link = page.getByRole('link', { name: 'Open this device on my.innovaphone' }).first();
    expect(await link.getAttribute('href')).toBe(`${bridge.url}devices/${HW}`);
    expect(await page.locator('[data-field="portal-link"]').first().textContent()).toContain(
      'upload the invalidation backup and download the confirmation file',
    );
    await link.click();
    await page.waitForURL(/\/login\?next=/);
    await logIn(page);
    await page.waitForURL(new RegExp(`/devices/${HW}$`));
    expect(await page.locator('h1').textContent()).toBe('Device');
    expect(await page.locator('table.device-licenses tbody tr').count()).toBe(2);
    expect(await page.locator('table.device-licenses').textContent()).toContain('PBX-Port13');

    // Add 4 PBX-Port13 from the balance: version, the offer, what it costs, confirm.
    await page.getByRole('link', { name: 'Add licenses from balance' }).click();
    await page.selectOption('#v', '13');
    await page.getByRole('button', { name: 'Next' }).click();
    await page.getByLabel('New units of PBX-Port13', { exact: true }).fill('4');
    await page.getByRole('button', { name: 'Show what it costs' }).click();
    expect(await page.locator('section.confirm').textContent()).toContain('No SSC is due.');
    expect((await counts())['PBX-Port13']).toEqual(start['PBX-Port13']);
    await page.getByRole('button', { name: 'Add the licenses' }).click();
    await page.waitForURL(/done=added/);
    expect(await page.locator('p.notice').first().textContent()).toContain('The licenses were added.');
    expect((await counts())['PBX-Port13']).toEqual({ activated: 20, balance: 8, bound: 12, free: 0 });

    // The license file through the page, installed by the agent.
    await page.selectOption('#version', '13');
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Download license file' }).click(),
    ]);
    expect(download.suggestedFilename()).toBe(`licenses-${HW}-V13.xml`);
    const licenseFile = join(root.dir, 'licenses.xml');
    await download.saveAs(licenseFile);
    const installed = await device(['install', licenseFile]);
    expect(installed.code, installed.stdout + installed.stderr).toBe(0);
    const status = await device(['status']);
    expect(JSON.stringify(status.json)).toContain('PBX-Port13');
    expect((await counts())['PBX-Port13']).toEqual({ activated: 20, balance: 8, bound: 12, free: 0 });

    // The agent writes a backup invalidation; the admin uploads it on the device page.
    const backup = join(root.dir, 'invalidation.xml');
    const inv = await device(['invalidate', '--backup', backup]);
    expect(inv.code, inv.stdout + inv.stderr).toBe(0);
    await page.goto(`${bridge.url}devices/${HW}`);
    await page.setInputFiles('#document', backup);
    await page.getByRole('button', { name: 'Upload and return the licenses' }).click();
    await page.waitForURL(/done=invalidated/);
    expect(await page.locator('p.notice').first().textContent()).toContain('The licenses were returned.');
    expect((await counts())['PBX-Port13']).toEqual({ activated: 20, balance: 8, bound: 0, free: 12 });
    expect((await counts())['GW-Channel']).toMatchObject({ bound: 2, free: 0 });

    // The confirmation file, again later too, applied by the agent.
    const confirmationLink = page.locator('.device-confirmations a').first();
    const [confirmation] = await Promise.all([page.waitForEvent('download'), confirmationLink.click()]);
    const confirmationFile = join(root.dir, 'confirmation.xml');
    await confirmation.saveAs(confirmationFile);
    const applied = await device(['confirm', confirmationFile]);
    expect(applied.code, applied.stdout + applied.stderr).toBe(0);
    await page.reload();
    const [again] = await Promise.all([
      page.waitForEvent('download'),
      page.locator('.device-confirmations a').first().click(),
    ]);
    expect(again.suggestedFilename()).toBe(confirmation.suggestedFilename());
    expect((await counts())['PBX-Port13']).toEqual({ activated: 20, balance: 8, bound: 0, free: 12 });
    await page.screenshot({
      path: join(process.env.MYLIC_SCREENSHOTS ?? root.dir, 'device.png'),
      fullPage: true,
    });
    await context.close();
  }, 240_000);

  it("shows another company's admin, in Italian, only that the device is in none of its projects", async () => {
    const ops = async (...args: string[]) => {
      const r = await bridgeCli(['ops', ...args], { MYLIC_DATA: data });
      expect(r.code, r.stdout + r.stderr).toBe(0);
    };
    await ops(
      'user',
      'create',
      '--email',
      'bea@example.com',
      '--password',
      'battery staple',
      '--name',
      'Bea',
    );
    await ops('company', 'create', '--name', 'Bea Srl', '--admin', 'bea@example.com');
    const before = await counts();
    const context = await browser.newContext({
      javaScriptEnabled: false,
      ignoreHTTPSErrors: true,
      locale: 'it-IT',
    });
    const page = await context.newPage();
    await page.goto(`${bridge.url}devices/${MAC}`);
    await logIn(page, 'bea@example.com', 'battery staple');
    await page.waitForURL(new RegExp(`/devices/${HW}$`));
    // The log-in put the account's language in force; the page in Italian:
    await page.goto(`${bridge.url}devices/${MAC}?lang=it`);
    const main = (await page.locator('main').textContent()) ?? '';
    expect(main).toContain('Questo dispositivo non è in nessuno dei tuoi progetti.');
    expect(main).toContain('Aggiungilo a uno dei tuoi progetti');
    for (const secret of ['PBX-Port13', 'Ann GmbH', 'DEFAULT', 'IP811']) expect(main).not.toContain(secret);
    expect(await page.locator('form[action*="/devices/"]').count()).toBe(0);
    expect(await counts()).toEqual(before);
    await context.close();
  }, 120_000);

  it('has no serious or critical accessibility violation on the device pages (axe-core)', async () => {
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
    const page = await context.newPage();
    await page.goto(`${bridge.url}devices/${HW}`);
    await logIn(page);
    await page.waitForURL(new RegExp(`/devices/${HW}$`));
    const axe = require.resolve('axe-core/axe.min.js');
    for (const path of [
      `devices/${HW}`,
      `devices/${HW}/licenses/balance?version=13`,
      `devices/${HW}/licenses/free?version=13`,
    ]) {
      await page.goto(`${bridge.url}${path}`);
      await page.addScriptTag({ path: axe });
      const found = (await page.evaluate(async () => {
        const w = globalThis as unknown as {
          axe: { run(): Promise<{ violations: { id: string; impact: string | null }[] }> };
        };
        return (await w.axe.run()).violations.map((v) => ({ id: v.id, impact: v.impact }));
      })) as { id: string; impact: string | null }[];
      expect(
        found.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
        path,
      ).toEqual([]);
    }
    await context.close();
  }, 120_000);
});
