import { join } from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MESSAGES, t, type Lang } from '../../bridge/web/i18n.js';
import { launchChromium } from '../support/browser.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { bridgeCli } from '../support/cli.js';
import { activationLink, startSmtpSink } from '../support/smtp-sink.js';
import { tempDir } from '../support/tmp.js';

/**
 * A new user's first steps in the browser (issue 13, the seed's "First steps", L26-31), in German with
 * JavaScript switched off and in Dutch with it on, against the real bridge over HTTPS and a real SMTP
 * sink: Register Now → the activation mail → activate → log in → create a company → create a project →
 * redeem a key → the balance shows it → create an own key → its printable certificate → the history
 * shows both. Everything by clicking and typing in the pages; the key comes from the vendor's back
 * office (the operator command), as it would.
 */
let root: { dir: string; cleanup: () => Promise<void> };
let data: string;
let smtp: Awaited<ReturnType<typeof startSmtpSink>>;
let bridge: BridgeProcess;
let browser: Browser;

beforeAll(async () => {
  root = await tempDir('mylic-first-steps-');
  data = join(root.dir, 'data');
  smtp = await startSmtpSink();
  bridge = await startBridgeProcess(data, {
    MYLIC_SMTP_URL: smtp.url,
    MYLIC_MAIL_FROM: 'noreply@mylic.test',
  });
  browser = await launchChromium();
}, 90_000);
afterAll(async () => {
  await browser?.close();
  await bridge?.stop();
  await smtp?.close();
  await root?.cleanup();
});

async function vendorKey(type: string, units: number): Promise<string> {
  const r = await bridgeCli(
    ['ops', 'key', 'issue', '--type', type, '--units', String(units), '--order', '4711', '--json'],
    { MYLIC_DATA: data },
  );
  expect(r.code, r.stdout + r.stderr).toBe(0);
  return (JSON.parse(r.stdout) as { result: { key: string } }).result.key;
}

const heading = (page: Page) => page.locator('main h1').first().innerText();
const path = (page: Page) => new URL(page.url()).pathname;

async function submit(page: Page, form: string, button = 'button[type=submit]') {
  await Promise.all([page.waitForLoadState('load'), page.locator(`${form} ${button}`).first().click()]);
  await page.waitForLoadState('load');
}

async function firstSteps(lang: Lang, javaScriptEnabled: boolean, who: { email: string; name: string }) {
  const m = MESSAGES[lang];
  const password = `${who.name} hat ein langes Passwort`;
  const context = await browser.newContext({
    javaScriptEnabled,
    ignoreHTTPSErrors: true,
    locale: lang,
    viewport: { width: 1200, height: 900 },
  });
  const page = await context.newPage();
  try {
    // Register Now, from the log-in page, in the browser's language.
    await page.goto(`${bridge.url}login`);
    expect(await page.locator('html').getAttribute('lang')).toBe(lang);
    await Promise.all([page.waitForURL(/\/register/), page.locator('a[href="/register"]').first().click()]);
    expect(await heading(page)).toBe(m.registerTitle);
    await page.fill('#name', who.name);
    await page.fill('#email', who.email);
    await page.fill('#password', password);
    await page.selectOption('#language', lang);
    await submit(page, 'form[action="/register"]');
    expect(await page.locator('main').innerText()).toContain(t(lang, 'registerSent', { email: who.email }));

    // The activation mail, in the chosen language, its link, the password chosen at registration.
    const mail = await smtp.mailTo(who.email);
    await page.goto(activationLink(mail).toString());
    expect(await heading(page)).toBe(m.activateTitle);
    await page.fill('#password', password);
    await submit(page, 'form[action="/activate"]');
    expect(await page.locator('main').innerText()).toContain(t(lang, 'activated', { email: who.email }));

    // Log in: no company yet, so the pages say how to get one.
    await page.goto(`${bridge.url}login`);
    await page.fill('#email', who.email);
    await page.fill('#password', password);
    await submit(page, 'form[action^="/login"]');
    expect(path(page)).toBe('/projects');
    expect(await page.locator('main').innerText()).toContain(m.noCompany);

    // Create a company (seed L29: Licenses -> Company), by hand; it is selected at once (L287).
    await page.locator('nav.tabs a[href="/company"]').click();
    await page.waitForLoadState('load');
    if (path(page) !== '/company/new' && (await page.locator('#name').count()) === 0)
      await page.goto(`${bridge.url}company/new`);
    await page.fill('form:has(input[name=via][value=data]) #name', `${who.name} Telefonie`);
    await page.fill('form:has(input[name=via][value=data]) #postalCode', '8000');
    await page.fill('form:has(input[name=via][value=data]) #city', 'Zürich');
    await submit(page, 'form:has(input[name=via][value=data])');
    expect(await page.locator('header .who').innerText()).toContain(`${who.name} Telefonie`);

    // Create a project.
    await page.goto(`${bridge.url}projects`);
    await page.fill('form[action="/projects"] #name', 'Filiale Nord');
    await submit(page, 'form[action="/projects"]');
    await page.goto(`${bridge.url}projects`);
    expect(await page.locator('main table').first().innerText()).toContain('Filiale Nord');

    // Redeem a key into it: its licenses first, then the redemption.
    const key = await vendorKey('PBX-Port14', 10);
    await page.locator('nav.tabs a[href="/activations"]').click();
    await page.waitForLoadState('load');
    await page.fill('#key', key);
    const option = page.locator('#projectId option', { hasText: 'Filiale Nord' });
    await page.selectOption('#projectId', (await option.getAttribute('value'))!);
    await submit(page, 'form[action="/activations/preview"]');
    expect(await page.locator('form[action="/activations/redeem"]').innerText()).toContain('10 × PBX-Port14');
    await submit(page, 'form[action="/activations/redeem"]');
    expect(await page.locator('.notice').innerText()).toContain('Filiale Nord');

    // The balance of all projects shows the ten units.
    await page.goto(`${bridge.url}balance?scope=all`);
    const balance = await page.locator('main table').first().innerText();
    expect(balance).toContain('PBX-Port14');
    expect(balance).toContain('10');

    // An own key of 4 units from that project's balance: preview, then create.
    await page.locator('nav.tabs a[href="/keys"]').click();
    await page.waitForLoadState('load');
    if (javaScriptEnabled === false || !(await page.locator('details.key-create').getAttribute('open')))
      await page.locator('details.key-create summary').click();
    const projectOption = page.locator('#key-project option', { hasText: 'Filiale Nord' });
    await page.selectOption('#key-project', (await projectOption.getAttribute('value'))!);
    await submit(page, 'form.key-project');
    if (!(await page.locator('#units-PBX-Port14').isVisible()))
      await page.locator('details.key-create summary').click();
    await page.fill('#units-PBX-Port14', '4');
    await page.fill('#key-comment', 'für den Kunden');
    await submit(page, 'form[action="/keys/preview"]');
    await submit(page, 'form[action="/keys"]');
    expect(path(page)).toBe('/keys');

    // Its printable certificate.
    await page.locator('a[href$="/certificate"]').first().click();
    await page.waitForLoadState('load');
    expect(path(page)).toMatch(/^\/keys\/\d+\/certificate$/);
    const certificate = await page.locator('main').innerText();
    expect(certificate).toContain('PBX-Port14');
    expect(certificate).toMatch(/[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}-[A-Z0-9]{5}/);
    await page.screenshot({ path: join(root.dir, `certificate-${lang}.png`), fullPage: true });

    // The history shows both, as sentences in the user's language.
    await page.locator('nav.tabs a[href="/history"]').click();
    await page.waitForLoadState('load');
    const history = await page.locator('main').innerText();
    expect(history).toContain(t(lang, 'hist.key.redeemed', { licenses: '10 × PBX-Port14' }));
    expect(history).toContain(t(lang, 'hist.key.created', { licenses: '4 × PBX-Port14' }));

    // And the balance is what is left: 10 redeemed, 4 in the own key.
    await page.goto(`${bridge.url}balance?scope=all`);
    expect(await page.locator('main table').first().innerText()).toContain('6');
  } finally {
    await context.close();
  }
}

describe("a new user's first steps in the browser", () => {
  it('in German with JavaScript off: register, activate, log in, company, project, key, balance, own key, certificate, history', async () => {
    await firstSteps('de', false, { email: 'gerd@example.com', name: 'Gerd' });
  }, 120_000);

  it('in Dutch: the same steps in the same pages', async () => {
    await firstSteps('nl', true, { email: 'noor@example.com', name: 'Noor' });
  }, 120_000);
});
