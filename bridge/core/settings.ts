/**
 * Operator settings: the numbers the seed does not give, which we chose and the operator may change
 * (README "Our additions to the seed"). Read from the environment by bridge/config.ts and applied once at
 * start (bootstrap.ts); the core reads them here, so the services keep their signatures.
 *
 * - warrantyEarlyDays: seed L196 "If you add the warranty extension immediately after the receipt of your
 *   device, you can add the cheaper warranty extension licenses": "immediately" is ours, 90 days.
 * - testLicenseMonths / legacyTestLicenseDays: seed L209–211 names no duration; ours: 3 months since V11
 *   (one per device), 30 days for V6–V10.
 * - configuratorUrl: seed L294 "Currently this is just a link to the innovaphone PBX Configurator".
 */
export interface OperatorSettings {
  warrantyEarlyDays: number;
  testLicenseMonths: number;
  legacyTestLicenseDays: number;
  /** null: no Configurator link in the menu. */
  configuratorUrl: string | null;
}

export const DEFAULT_SETTINGS: Readonly<OperatorSettings> = Object.freeze({
  warrantyEarlyDays: 90,
  testLicenseMonths: 3,
  legacyTestLicenseDays: 30,
  configuratorUrl: null,
});

let current: Readonly<OperatorSettings> = DEFAULT_SETTINGS;

export const operatorSettings = (): Readonly<OperatorSettings> => current;

/** Sets the settings (missing ones take their defaults); returns the previous ones, for tests to restore. */
export function applyOperatorSettings(settings: Partial<OperatorSettings>): Readonly<OperatorSettings> {
  const previous = current;
  current = Object.freeze({ ...DEFAULT_SETTINGS, ...settings });
  return previous;
}
