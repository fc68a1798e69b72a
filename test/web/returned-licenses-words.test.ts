import { describe, expect, it } from 'vitest';
import { LANGUAGES, type MessageKey, t } from '../../bridge/web/i18n.js';

/**
 * Issue 15 item 14, seed L98 "If you return licenses from one of your devices, the returned licenses are
 * stored in your free licenses pool": the device page (its Return licenses box and the device's history)
 * says the returned licenses go to the free licenses, not "to the balance", in all five languages.
 */
const FREE = {
  en: 'free licenses',
  de: 'freien Lizenzen',
  it: 'licenze libere',
  nl: 'vrije licenties',
  fr: 'licences libres',
};
const BALANCE = { en: /balance/i, de: /Guthaben/, it: /saldo/, nl: /saldo/, fr: /solde/ };
const KEYS = [
  'devpInvalidationIntro',
  'hist.license.invalidated',
  'hist.license.invalidated#other',
] as MessageKey[];

describe('L98: returned licenses go to the free licenses', () => {
  for (const lang of LANGUAGES)
    it(`says so on the device page in ${lang}`, () => {
      for (const key of KEYS) {
        const text = t(lang, key, { count: 2, device: '00-90-33-00-00-01', kib: 128 });
        expect(text, key).toContain(FREE[lang]);
        expect(text, key).not.toMatch(BALANCE[lang]);
      }
    });
});
