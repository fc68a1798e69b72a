import { existsSync } from 'node:fs';
import { chromium, type Browser } from 'playwright-core';

/**
 * Headless Chromium for the page tests: Debian's `chromium` package (`npm test` installs it, see
 * scripts/test-setup.mjs), driven by playwright-core, which downloads no browser of its own.
 * MYLIC_CHROMIUM overrides the binary.
 */
export const CHROMIUM_PATH = process.env.MYLIC_CHROMIUM ?? '/usr/bin/chromium';

export const haveChromium = () => existsSync(CHROMIUM_PATH);

export function launchChromium(): Promise<Browser> {
  if (!haveChromium())
    throw new Error(
      `No Chromium at ${CHROMIUM_PATH}: run "sudo .ci/install-system.sh" (installs the Debian package "chromium"; npm test does it itself when it may) or set MYLIC_CHROMIUM.`,
    );
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--disable-dev-shm-usage',
    ],
  });
}
