import { createRequire } from 'node:module';
import { join } from 'node:path';
import type { Browser } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchChromium } from '../support/browser.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { ANN, tourWorld } from '../support/portal-world.js';
import { tempDir } from '../support/tmp.js';

/**
 * The portal pages in a real browser against the real bridge over HTTPS (issue 13, first part):
 * a company admin opens a page, is sent to the log-in, logs in with the keyboard only and JavaScript
 * off, lands back on the page, switches the language, and logs out.
 */
const require = createRequire(import.meta.url);
let root: { dir: string; cleanup: () => Promise<void> };
let bridge: BridgeProcess;
let browser: Browser;

beforeAll(async () => {
  root = await tempDir('mylic-portal-pages-');
  const data = join(root.dir, 'data');
  bridge = await startBridgeProcess(data);
  await tourWorld(data);
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
  await root?.cleanup();
});

describe('a company admin in the browser', () => {
  it('logs in with the keyboard and JavaScript off, lands on the page asked for, reads it in German, and logs out', async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      ignoreHTTPSErrors: true,
      locale: 'en-GB',
      viewport: { width: 1200, height: 800 },
    });
    const page = await context.newPage();
    await page.goto(`${bridge.url}projects`);
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('h1').textContent()).toBe('Log in to the license portal');

    // Keyboard only: the skip link, then the fields in order, Enter submits.
    await page.locator('#email').focus();
    await page.keyboard.type(ANN.email);
    await page.keyboard.press('Tab');
    await page.keyboard.type(ANN.password);
    await Promise.all([page.waitForURL(/\/projects$/), page.keyboard.press('Enter')]);
    expect(await page.locator('h1').textContent()).toBe('Projects');
    expect(await page.locator('table tbody tr').count()).toBe(1);
    expect(await page.locator('table tbody').textContent()).toContain('DEFAULT');
    expect(await page.locator('.who').textContent()).toContain('Ann GmbH');
    // The stylesheet loads under the page's own CSP.
    const bg = await page
      .locator('header.top')
      .evaluate(
        (el) =>
          (
            globalThis as unknown as { getComputedStyle(e: unknown): { backgroundColor: string } }
          ).getComputedStyle(el).backgroundColor,
      );
    expect(bg).not.toBe('rgba(0, 0, 0, 0)');

    await page.getByRole('link', { name: 'Deutsch' }).click();
    expect(await page.locator('h1').textContent()).toBe('Projekte');
    expect(await page.locator('html').getAttribute('lang')).toBe('de');
    await page.screenshot({ path: join(process.env.MYLIC_SCREENSHOTS ?? root.dir, 'projects.png') });

    await page.getByRole('button', { name: 'Abmelden' }).click();
    expect(new URL(page.url()).pathname).toBe('/login');
    expect(await page.locator('.notice').textContent()).toBe('Sie sind abgemeldet.');
    await page.goto(`${bridge.url}projects`);
    expect(new URL(page.url()).pathname).toBe('/login');
    await context.close();
  });

  it('puts a project under SSA from its SSA page, the table first, then the confirmation', async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      ignoreHTTPSErrors: true,
      locale: 'fr-FR',
      viewport: { width: 1280, height: 900 },
    });
    const page = await context.newPage();
    await page.goto(`${bridge.url}projects/1/ssa`);
    // Before log-in the browser's language; after it the account's (Ann chose English), until she
    // picks another at the top of the page.
    expect(await page.locator('h1').textContent()).toBe('Connexion au portail de licences');
    await page.fill('#email', ANN.email);
    await page.fill('#password', ANN.password);
    await Promise.all([page.waitForURL(/\/projects\/1\/ssa$/), page.click('button.primary')]);
    expect(await page.locator('h1').textContent()).toBe('SSA of project DEFAULT');
    await page.getByRole('link', { name: 'Français' }).click();
    expect(await page.locator('h1').textContent()).toBe('SSA du projet DEFAULT');
    expect(await page.locator('table tbody tr').count()).toBe(2);
    expect(await page.locator('table tbody').textContent()).toContain('PBX-Port13');
    await page.screenshot({
      path: join(process.env.MYLIC_SCREENSHOTS ?? root.dir, 'ssa.png'),
      fullPage: true,
    });
    await page.getByRole('button', { name: /^Confirmer et payer \d+ SSC$/ }).click();
    expect(await page.locator('.notice').first().textContent()).toContain(
      'Le projet est maintenant sous SSA',
    );
    await context.close();
  });

  it('has no serious or critical accessibility violation on any page, in English and German (axe-core)', {
    timeout: 240_000,
  }, async () => {
    // axe runs as a script in the page: a context with JavaScript on and the pages' CSP bypassed for it.
    const context = await browser.newContext({ ignoreHTTPSErrors: true, bypassCSP: true });
    const page = await context.newPage();
    const axe = require.resolve('axe-core/axe.min.js');
    const check = async (path: string) => {
      const res = await page.goto(`${bridge.url}${path}`);
      // Every page listed is a page, except the one that is not.
      expect(res?.status(), path).toBe(path.startsWith('no-such-page') ? 404 : 200);
      await page.addScriptTag({ path: axe });
      const found = (await page.evaluate(async () => {
        const w = globalThis as unknown as {
          axe: { run(): Promise<{ violations: { id: string; impact: string | null; nodes: unknown[] }[] }> };
        };
        return (await w.axe.run()).violations.map((v) => ({
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.length,
        }));
      })) as { id: string; impact: string | null }[];
      expect(
        found.filter((v) => v.impact === 'serious' || v.impact === 'critical'),
        path,
      ).toEqual([]);
    };
    for (const lang of ['en', 'de']) {
      for (const path of [
        'login',
        'register',
        'password-reset',
        `password-reset/confirm?code=${'a'.repeat(43)}`,
        `activate?token=${'a'.repeat(43)}`,
      ]) {
        await check(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
      }
    }
    await page.goto(`${bridge.url}login`);
    await page.fill('#email', ANN.email);
    await page.fill('#password', ANN.password);
    await Promise.all([page.waitForURL(/\/projects$/), page.click('button.primary')]);
    // An own key, made through its page, for the key pages below.
    await page.goto(`${bridge.url}keys?projectId=1&lang=en`);
    await page.fill('#units-PBX-Port13', '1');
    await page.click('form[action="/keys/preview"] button[type=submit]');
    await Promise.all([
      page.waitForURL(/\/keys\?created=\d+/),
      page.click('form[action="/keys"] button[type=submit]'),
    ]);
    const keyId = /created=(\d+)/.exec(page.url())![1]!;
    const pages = [
      'projects',
      'projects/1',
      'projects/1/ssa',
      'balance',
      'free-licenses',
      'activations',
      'keys',
      `keys/${keyId}`,
      `keys/${keyId}/certificate`,
      'devices',
      'devices/add',
      'devices/009033012345',
      'devices/009033012345/licenses/balance',
      'devices/009033012345/licenses/free',
      'history',
      'search?q=0090',
      'company',
      'company/edit',
      'company/new',
      'company/join',
      'account',
      'account/tokens',
      'no-such-page',
    ];
    for (const lang of ['en', 'de'])
      for (const path of pages) await check(`${path}${path.includes('?') ? '&' : '?'}lang=${lang}`);
    await context.close();
  });

  it('answers a wrong password next to the field, with the e-mail kept', async () => {
    const context = await browser.newContext({
      javaScriptEnabled: false,
      ignoreHTTPSErrors: true,
      locale: 'nl-NL',
    });
    const page = await context.newPage();
    await page.goto(`${bridge.url}login`);
    await page.fill('#email', ANN.email);
    await page.fill('#password', 'not the password');
    await page.click('button.primary');
    expect(await page.locator('.error-summary').textContent()).toContain(
      'Het e-mailadres of het wachtwoord is onjuist',
    );
    expect(await page.inputValue('#email')).toBe(ANN.email);
    await context.close();
  });
});
