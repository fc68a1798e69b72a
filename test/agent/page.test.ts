import { request as httpRequest } from 'node:http';
import { readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startDevicePage, type DevicePage } from '../../agent/page/server.js';
import { launchChromium } from '../support/browser.js';
import { startBridgeProcess, type BridgeProcess } from '../support/bridge-process.js';
import { agent, bridgeCli } from '../support/cli.js';
import { tempDir } from '../support/tmp.js';
import { annWorldCommands } from '../support/ann-world.js';

/**
 * The device's General→License page in headless Chromium (Debian's chromium, driven by
 * playwright-core) against a real bridge: the device is set up with the operator CLI and
 * `mylic device init` as in the round trip, the page runs in-process, and the browser clicks through
 * checks, login, download, Invalidate → Backup and the Step1 upload — with JavaScript disabled, since
 * the page uses none. Then: CSRF and origin refusals, hostile values, upload limit.
 */
describe('the device page (General → License) in a real browser', () => {
  const MAC = '00-90-33-1A-2B-3C';
  let tmp: Awaited<ReturnType<typeof tempDir>>;
  let bridge: BridgeProcess;
  let devicePage: DevicePage;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const deviceDir = () => `${tmp.dir}/device`;
  const ops = (args: string[]) => bridgeCli(args, bridge.env);

  beforeAll(async () => {
    tmp = await tempDir('mylic-page-');
    bridge = await startBridgeProcess(`${tmp.dir}/data`);
    for (const args of annWorldCommands(MAC)) {
      const r = await ops([...args, '--json']);
      expect(r.code, `${args.join(' ')}: ${r.stdout}${r.stderr}`).toBe(0);
    }
    const init = await agent([
      'device',
      'init',
      '--mac',
      MAC,
      '--firmware',
      '13.1',
      '--portal',
      bridge.url,
      '--pki',
      bridge.pkiDir,
      '--dir',
      deviceDir(),
      '--json',
    ]);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    devicePage = await startDevicePage({ dir: deviceDir(), port: 0 });
    browser = await launchChromium();
    // The whole click-through runs with JavaScript switched off: the page must not need any.
    context = await browser.newContext({
      javaScriptEnabled: false,
      acceptDownloads: true,
      viewport: { width: 1280, height: 900 },
    });
    page = await context.newPage();
  });

  afterAll(async () => {
    await context?.close();
    await browser?.close();
    await devicePage?.close();
    await bridge?.stop();
    await tmp?.cleanup();
  });

  const flash = (kind: 'ok' | 'error') => page.locator(`[data-flash="${kind}"]`);
  const licenseTypes = async () =>
    (await page.locator('#licenses tbody tr td:nth-child(2)').allInnerTexts()).map((t) => t.split(/\s/)[0]);

  it('shows identity, the security headers and every check with its fix', async () => {
    const res = await page.goto(devicePage.url);
    expect(res!.status()).toBe(200);
    const headers = res!.headers();
    expect(headers['content-security-policy']).toMatch(
      /default-src 'none'; style-src 'sha256-[^']+'; .*form-action 'self'; frame-ancestors 'none'/,
    );
    expect(headers['x-content-type-options']).toBe('nosniff');
    const cookie = await res!.headerValue('set-cookie');
    expect(cookie).toMatch(/HttpOnly/i);
    expect(cookie).toMatch(/SameSite=Strict/i);

    await expect.poll(() => page.locator('[data-field="mac"]').innerText()).toBe(MAC);
    expect(await page.locator('[data-field="type"]').innerText()).toBe('IP811');
    expect(await page.locator('[data-field="firmware"]').innerText()).toContain('13.1');

    const row = (name: string) => page.locator(`#checks tr[data-check="${name}"]`);
    expect(await row('certificate').innerText()).toContain('OK');
    expect(await row('portal').innerText()).toContain('OK');
    expect(await row('clock').innerText()).toContain('OK');
    // The test device has no NTP or DNS server configured: both fail, each with its code and its fix.
    const ntp = await row('ntp').innerText();
    expect(ntp).toContain('FAIL');
    expect(ntp).toContain('NTP_NOT_CONFIGURED');
    expect(ntp).toMatch(/Fix:.+NTP server/);
    expect(await row('dns').innerText()).toContain('DNS_NOT_CONFIGURED');

    await page.getByRole('button', { name: 'Run checks' }).click();
    expect(await flash('error').innerText()).toContain('NTP_NOT_CONFIGURED');
  });

  it('logs in through the form, offers the versions in a dropdown and installs V13', async () => {
    await page.getByLabel('E-mail').fill('ann@example.com');
    await page.getByLabel('Password').fill('wrong');
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await flash('error').innerText()).toContain('LOGIN_FAILED');

    await page.getByLabel('E-mail').fill('ann@example.com');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Log in' }).click();
    expect(await flash('ok').innerText()).toContain('Logged in as ann@example.com');
    expect(await page.locator('[data-field="user"]').innerText()).toBe('ann@example.com');

    const versions = page.locator('form[action="/download"] select[name="version"]');
    const values = await Promise.all(
      (await versions.locator('option').all()).map((o) => o.getAttribute('value')),
    );
    expect(values).toContain('13');
    expect(values).not.toContain('14');
    await versions.selectOption('13');
    await page.getByRole('button', { name: 'Download' }).click();
    expect(await flash('ok').innerText()).toContain('Installed the V13 license file with 2 licenses');
    expect((await licenseTypes()).sort()).toEqual(['GW-Channel', 'PBX-Port13']);
    expect(await page.locator('#licenses').innerText()).toMatch(/SSA end[\s\S]*Test end/);
    expect(await page.locator('#reset-needed').innerText()).toContain('Reset needed');
  });

  it('shows a flow error as a box with its code and message', async () => {
    await page.locator('form[action="/test-license"] select[name="version"]').selectOption('12');
    await page.getByRole('button', { name: 'Get test licenses' }).click();
    const box = await flash('error').innerText();
    expect(box).toContain('DOC_VERSION_MISMATCH');
    expect(box).toContain('runs V13');
  });

  it('invalidates with Backup (a download), then applies the confirmation uploaded under Step1', async () => {
    const started = Date.now();
    await page.getByText('Invalidate', { exact: true }).click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      page.getByRole('button', { name: 'Backup', exact: true }).click(),
    ]);
    const documentFile = join(tmp.dir, 'invalidation.xml');
    await download.saveAs(documentFile);
    expect(download.suggestedFilename()).toMatch(/^invalidation-[0-9a-f-]{36}\.xml$/);
    const documentId = /^invalidation-(.+)\.xml$/.exec(download.suggestedFilename())![1]!;
    expect(await readFile(documentFile, 'utf8')).toContain('<');

    // After reloading, the page shows the pending invalidation and the two ways to finish it.
    await page.goto(devicePage.url);
    const pending = page.locator('#pending');
    expect(await pending.getAttribute('data-document')).toBe(documentId);
    expect(await pending.innerText()).toMatch(/Transfer[\s\S]*Backup[\s\S]*Step1/);
    expect(await page.locator('#licenses').innerText()).toContain('invalidated, not in use');
    const pendingShot = join(tmpdir(), `mylic-device-page-pending-${process.pid}.png`);
    await page.screenshot({ path: pendingShot, fullPage: true });
    console.log(`device page screenshot (pending invalidation): ${pendingShot}`);

    const conf = join(tmp.dir, 'conf.xml');
    const up = await ops([
      'invalidation',
      'upload',
      '--user',
      'ann@example.com',
      '--file',
      documentFile,
      '--out',
      conf,
      '--json',
    ]);
    expect(up.code, up.stdout + up.stderr).toBe(0);
    expect(up.json.result.accepted).toHaveLength(1);

    await page.locator('input[name="confirmation"]').setInputFiles(conf);
    await page.getByRole('button', { name: 'Upload', exact: true }).click();
    expect(await flash('ok').innerText()).toContain('1 license returned');
    expect(await licenseTypes()).toEqual(['GW-Channel']);
    expect(await page.locator('#pending').count()).toBe(0);
    expect(await page.locator('#reset-needed').innerText()).toContain('Reset needed');

    const shot = join(tmpdir(), `mylic-device-page-${process.pid}.png`);
    await page.screenshot({ path: shot, fullPage: true });
    console.log(`device page screenshot: ${shot} (click-through took ${Date.now() - started} ms)`);

    await page.getByRole('button', { name: 'Reset' }).click();
    expect(await flash('ok').innerText()).toContain('Reset acknowledged');
    expect(await page.locator('#reset-needed').count()).toBe(0);
  });

  /** A raw POST from outside the browser, with the page's session cookie. */
  const post = async (path: string, body: string, headers: Record<string, string> = {}) => {
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join('; ');
    const url = new URL(path, devicePage.url);
    return new Promise<{ status: number; body: string }>((resolve, reject) => {
      const req = httpRequest(
        url,
        {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', cookie, ...headers },
        },
        (res) => {
          let text = '';
          res.on('data', (d) => (text += d));
          res.on('end', () => resolve({ status: res.statusCode!, body: text }));
        },
      );
      req.on('error', reject);
      req.end(body);
    });
  };
  const loggedIn = async () =>
    JSON.parse(await readFile(`${deviceDir()}/device.json`, 'utf8')).session !== null;

  it('refuses a POST without the CSRF token, with a wrong one, or from another origin: 403 and nothing done', async () => {
    await page.goto(devicePage.url);
    const token = (await page.locator('input[name="_csrf"]').first().getAttribute('value'))!;
    expect(token).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(await loggedIn()).toBe(true);

    const none = await post('/logout', '');
    expect(none.status).toBe(403);
    expect(none.body).toContain('no valid security token (CSRF)');
    const wrong = await post('/logout', `_csrf=${token.slice(0, -2)}xx`);
    expect(wrong.status).toBe(403);
    const crossOrigin = await post('/logout', `_csrf=${token}`, { origin: 'http://evil.example' });
    expect(crossOrigin.status).toBe(403);
    expect(crossOrigin.body).toContain('cross-origin');
    const crossSite = await post('/logout', `_csrf=${token}`, { 'sec-fetch-site': 'cross-site' });
    expect(crossSite.status).toBe(403);
    const rebound = await post('/logout', `_csrf=${token}`, { host: 'evil.example' });
    expect(rebound.status).toBe(403);
    expect(await loggedIn()).toBe(true);

    // The same request with the page's token does what it says.
    const good = await post('/logout', `_csrf=${encodeURIComponent(token)}`);
    expect(good.status).toBe(303);
    expect(await loggedIn()).toBe(false);
  });

  it('invalidates with Transfer: the licenses go back to the portal online', async () => {
    const bind = await ops([
      'ops',
      'license',
      'bind',
      '--company',
      '1',
      '--mac',
      MAC,
      '--type',
      'PBX-Port13',
      '--units',
      '5',
      '--json',
    ]);
    expect(bind.code, bind.stdout + bind.stderr).toBe(0);
    await page.goto(devicePage.url);
    await page.getByLabel('E-mail').fill('ann@example.com');
    await page.getByLabel('Password').fill('correct horse');
    await page.getByRole('button', { name: 'Log in' }).click();
    await page.getByRole('button', { name: 'Download' }).click();
    expect((await licenseTypes()).sort()).toEqual(['GW-Channel', 'PBX-Port13']);
    await page.getByText('Invalidate', { exact: true }).click();
    await page.getByRole('button', { name: 'Transfer', exact: true }).click();
    expect(await flash('ok').innerText()).toMatch(
      /Invalidated and transferred[\s\S]*1 license returned to the portal/,
    );
    expect(await licenseTypes()).toEqual(['GW-Channel']);
  });

  it('refuses a confirmation upload over 1 MiB', async () => {
    await page.goto(devicePage.url);
    await page.locator('input[name="confirmation"]').setInputFiles({
      name: 'big.xml',
      mimeType: 'application/xml',
      buffer: Buffer.alloc(1024 * 1024 + 100 * 1024, 'a'),
    });
    const res = await Promise.all([
      page.waitForNavigation(),
      page.getByRole('button', { name: 'Upload', exact: true }).click(),
    ]).then(([r]) => r);
    expect(res?.status()).toBe(413);
    expect(await page.locator('body').innerText()).toContain('PAYLOAD_TOO_LARGE');
  });

  it('shows hostile values escaped, and runs no script from them', async () => {
    const dir = `${tmp.dir}/hostile`;
    const hostile = '<script>document.title="pwned"</script><img src=x id=pwn>';
    const init = await agent([
      'device',
      'init',
      '--mac',
      '00-90-33-99-88-77',
      '--type',
      hostile,
      '--firmware',
      '13.1',
      '--portal',
      bridge.url,
      '--pki',
      bridge.pkiDir,
      '--dir',
      dir,
      '--json',
    ]);
    expect(init.code, init.stdout + init.stderr).toBe(0);
    const lic = (serial: string, type: string, testEnd: string | null) => ({
      serial,
      type,
      units: 1,
      returnable: true,
      bindDate: '2026-01-01',
      ssaEnd: '2027-01-01',
      externalKey: null,
      testEnd,
    });
    await writeFile(
      `${dir}/installed.json`,
      JSON.stringify({
        fileId: '00000000-0000-4000-8000-000000000001',
        version: 13,
        issuedAt: '2026-01-01T00:00:00.000Z',
        deviceCounter: 0,
        encrypted: true,
        licenses: [
          lic('SER-000001', '<script>document.title="pwned"</script>', null),
          lic('SER-000002', 'PBX-Port13', '2026-04-01'),
        ],
      }),
    );
    const other = await startDevicePage({ dir, port: 0 });
    const js = await browser.newContext(); // JavaScript on: even so nothing may run
    try {
      const p = await js.newPage();
      await p.goto(other.url);
      expect(await p.title()).not.toBe('pwned');
      expect(await p.locator('script').count()).toBe(0);
      expect(await p.locator('#pwn').count()).toBe(0);
      expect(await p.locator('[data-field="type"]').innerText()).toBe(hostile);
      expect(await p.locator('#licenses').innerText()).toContain('<script>document.title="pwned"</script>');
      expect(await p.locator('tr[data-serial="SER-000002"]').innerText()).toMatch(
        /test license[\s\S]*2027-01-01[\s\S]*2026-04-01/,
      );
      // A hostile value typed into a form comes back in the error message, escaped too.
      await p.getByLabel(/NTP server/).fill('<img src=x id=pwn2>');
      await p.getByRole('button', { name: 'Save' }).click();
      expect(await p.locator('[data-flash="error"]').innerText()).toContain('"<img src=x id=pwn2>"');
      expect(await p.locator('#pwn2').count()).toBe(0);
      expect(await p.content()).toContain('&lt;img src=x id=pwn2&gt;');
    } finally {
      await js.close();
      await other.close();
    }
  });
});
