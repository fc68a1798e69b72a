import { describe, expect, it } from 'vitest';
import { HISTORY_EVENTS } from '../../bridge/core/history.js';
import { describeEvent, EVENT_TEXT, EVENT_VARIANTS, eventKey } from '../../bridge/web/history/event-text.js';
import { LANGUAGES, MESSAGES } from '../../bridge/web/i18n.js';

/**
 * Every history event the core writes has a sentence in all five languages (seed: History; the page
 * shows events as sentences): adding an event to HISTORY_EVENTS without its label fails here.
 */
const names = {
  users: {},
  projects: { 7: 'Main' },
  devices: { 3: '00-90-33-01-23-45' },
  companies: { 9: 'Partner Ltd' },
};
const row = (event: string, detail: Record<string, unknown> = {}) => ({
  event,
  userId: null,
  projectId: 7,
  deviceId: 3,
  detail,
});
const all = MESSAGES as unknown as Record<string, Record<string, string>>;

describe('history event labels', () => {
  it('exist for every event in HISTORY_EVENTS, and for each variant, in all five languages', () => {
    const missing: string[] = [];
    for (const event of HISTORY_EVENTS) {
      if (!Object.hasOwn(EVENT_TEXT, event)) missing.push(`EVENT_TEXT ${event}`);
      for (const variant of [undefined, ...(EVENT_VARIANTS[event] ?? [])])
        for (const lang of LANGUAGES) {
          const text = all[lang]![eventKey(event, variant)];
          if (typeof text !== 'string' || text.trim() === '')
            missing.push(`${lang} ${eventKey(event, variant)}`);
        }
    }
    expect(missing).toEqual([]);
  });

  it('name no event the core does not write', () => {
    const known = new Set<string>(HISTORY_EVENTS);
    const stray = Object.keys(MESSAGES.en)
      .filter((k) => k.startsWith('hist.'))
      .map((k) => k.slice(5).split('#')[0]!)
      .filter((e) => !known.has(e));
    expect(stray).toEqual([]);
  });

  it('become a whole sentence for every event, even with an empty detail, with no placeholder left', () => {
    for (const event of HISTORY_EVENTS)
      for (const lang of LANGUAGES) {
        const text = describeEvent(lang, row(event), names);
        expect(text, `${lang} ${event}`).not.toMatch(/\{\w+\}/);
        expect(text.length, `${lang} ${event}`).toBeGreaterThan(8);
      }
  });

  it('fill in the detail: units, types, devices, projects and companies, in the reader’s language', () => {
    expect(
      describeEvent('de', row('license.bound', { serial: 'S-1', type: 'PBX-Port13', units: 1200 }), names),
    ).toBe('1.200 × PBX-Port13 wurden an das Gerät 00-90-33-01-23-45 gebunden (Lizenz S-1).');
    expect(
      describeEvent(
        'fr',
        row('device.moved', { from: { id: 1, name: 'Old' }, to: { id: 2, name: 'New' }, licenses: 2 }),
        names,
      ),
    ).toBe('L’appareil 00-90-33-01-23-45 a été déplacé du projet Old vers New avec 2 licences.');
    expect(describeEvent('en', row('project.right_granted', { company: 9 }), names)).toBe(
      'The company Partner Ltd was given rights on the project.',
    );
    expect(
      describeEvent(
        'it',
        row('company.user_changed', { email: 'x@y.test', admin: true, locked: false }),
        names,
      ),
    ).toBe('L’appartenenza di x@y.test è stata modificata: ora amministratore dell’azienda e sbloccato.');
    expect(
      describeEvent(
        'nl',
        row('key.redeemed', { kind: 'own', licenses: [{ type: 'GW-Channel', units: 3 }] }),
        names,
      ),
    ).toBe('Een eigen activeringssleutel met 3 × GW-Channel is ingewisseld in het saldo.');
    expect(describeEvent('en', row('project.ssa_set', { endDate: '2027-03-31', total: 12 }), names)).toBe(
      'The project was put under SSA until Mar 31, 2027 for 12 SSC.',
    );
  });
});
