import { describe, expect, it } from 'vitest';
import { CsrfForm, KeyForm, LoginForm, SsaConfirmForm } from '../../protocol/portal-forms.js';

/** The portal pages' form posts: odd shapes read as empty fields, so the page answers with a sentence. */
describe('portal form schemas', () => {
  it('read a missing, repeated or overlong field as empty', () => {
    expect(LoginForm.parse({})).toEqual({ email: '', password: '' });
    expect(LoginForm.parse({ email: ['a@b.c', 'd@e.f'], password: 'x'.repeat(5000) })).toEqual({
      email: '',
      password: '',
    });
    expect(LoginForm.parse({ email: '  ann@example.com ', password: 'pw' })).toEqual({
      email: 'ann@example.com',
      password: 'pw',
    });
    expect(CsrfForm.parse({ csrf: { nested: true } })).toEqual({ csrf: '' });
  });

  it('take the SSA total only as a whole number (else -1, which no summary has) and serials as a list', () => {
    for (const expectedTotal of [undefined, '', '12.5', '-3', '1e3', '0x10', ' 7', '9999999999']) {
      expect(SsaConfirmForm.parse({ expectedTotal }).expectedTotal, String(expectedTotal)).toBe(-1);
    }
    expect(SsaConfirmForm.parse({ expectedTotal: '192' }).expectedTotal).toBe(192);
    expect(SsaConfirmForm.parse({ optOut: 'L-1' }).optOut).toEqual(['L-1']);
    expect(SsaConfirmForm.parse({ optOut: ['L-1', 'L-2'] }).optOut).toEqual(['L-1', 'L-2']);
    expect(SsaConfirmForm.parse({ optOut: ['x'.repeat(65)] }).optOut).toEqual([]);
    expect(SsaConfirmForm.parse({ endDate: '2027-01-01T00:00:00Z' }).endDate).toBe('');
  });

  it('take a project id only in the strict decimal form', () => {
    expect(KeyForm.parse({ key: ' abcde ', projectId: '2' })).toMatchObject({ key: 'abcde', projectId: 2 });
    for (const projectId of ['0x2', '2e0', ' 2', '-1', '0', 'two']) {
      expect(KeyForm.parse({ projectId }).projectId, projectId).toBeUndefined();
    }
  });
});
