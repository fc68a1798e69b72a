import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../bridge/config.js';
import { issueTestLicenseFile } from '../../bridge/core/licenses/test-licenses.js';
import { warrantyStatus } from '../../bridge/core/licenses/warranty.js';
import { applyOperatorSettings, DEFAULT_SETTINGS } from '../../bridge/core/settings.js';
import { makeTestCore, type TestCore } from '../support/core.js';
import { tempDir } from '../support/tmp.js';
import { keyCompany } from './keys-fixtures.js';
import { placeDevice } from './licenses-fixtures.js';

/**
 * Issue 15 item 14: numbers the seed does not give are operator settings (README "Our additions to the
 * seed"): seed L196 "If you add the warranty extension immediately after the receipt of your device, you
 * can add the cheaper warranty extension licenses" ("immediately" = MYLIC_WARRANTY_EARLY_DAYS, 90), and
 * seed L209–211 "You can also download test licenses" (how long: MYLIC_TEST_LICENSE_MONTHS, 3, for V11+,
 * MYLIC_TEST_LICENSE_DAYS, 30, for V6–V10), and the Configurator link of seed L294 (MYLIC_CONFIGURATOR_URL).
 */

let root: { dir: string; cleanup: () => Promise<void> };
let tc: TestCore;

beforeAll(async () => {
  root = await tempDir('mylic-settings-');
  tc = await makeTestCore(root.dir);
});
afterEach(() => {
  applyOperatorSettings(DEFAULT_SETTINGS);
});
afterAll(async () => {
  await tc?.close();
  await root.cleanup();
});

const addDays = (iso: string, days: number) =>
  new Date(Date.parse(`${iso}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);

describe('operator settings for what the seed leaves open', () => {
  it('reads the settings from the environment, with our defaults, and refuses a bad value', () => {
    expect(loadConfig({}).settings).toEqual({
      warrantyEarlyDays: 90,
      testLicenseMonths: 3,
      legacyTestLicenseDays: 30,
      configuratorUrl: null,
    });
    expect(
      loadConfig({
        MYLIC_WARRANTY_EARLY_DAYS: '14',
        MYLIC_TEST_LICENSE_MONTHS: '6',
        MYLIC_TEST_LICENSE_DAYS: '10',
        MYLIC_CONFIGURATOR_URL: 'https://configurator.example/',
      }).settings,
    ).toEqual({
      warrantyEarlyDays: 14,
      testLicenseMonths: 6,
      legacyTestLicenseDays: 10,
      configuratorUrl: 'https://configurator.example/',
    });
    expect(() => loadConfig({ MYLIC_WARRANTY_EARLY_DAYS: '0' })).toThrow(/MYLIC_WARRANTY_EARLY_DAYS/);
    expect(() => loadConfig({ MYLIC_CONFIGURATOR_URL: 'javascript:alert(1)' })).toThrow(
      /MYLIC_CONFIGURATOR_URL/,
    );
  });

  it('L196 "immediately after the receipt": the cheaper warranty window is the operator\'s number of days', async () => {
    const a = await keyCompany(tc, 'window');
    const dev = await placeDevice(tc, a, 'IP811');
    const row = await tc.core.store.db
      .selectFrom('devices')
      .select(['id', 'shipped_on', 'created_at'])
      .where('id', '=', dev.deviceId)
      .executeTakeFirstOrThrow();
    const byDefault = await warrantyStatus(tc.core.store.db, row);
    expect(byDefault.earlyUntil).toBe(addDays(byDefault.receipt, 90));
    applyOperatorSettings({ warrantyEarlyDays: 7 });
    expect((await warrantyStatus(tc.core.store.db, row)).earlyUntil).toBe(addDays(byDefault.receipt, 7));
  });

  it("L209–211 test licenses: a V6–V10 test license lasts the operator's number of days", async () => {
    const a = await keyCompany(tc, 'testdays');
    const dev = await placeDevice(tc, a, 'IP811');
    applyOperatorSettings({ legacyTestLicenseDays: 5 });
    await issueTestLicenseFile(
      tc.core,
      { userId: a.user.id, deviceId: dev.deviceId },
      { version: 7, slave: false, pbx: 2 },
    );
    const row = await tc.core.store.db
      .selectFrom('test_licenses')
      .select(['ends_on', 'issued_at'])
      .where('device_id', '=', dev.deviceId)
      .executeTakeFirstOrThrow();
    expect(row.ends_on).toBe(addDays(row.issued_at.slice(0, 10), 5));
  });
});
