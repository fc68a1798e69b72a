/** @jsxImportSource hono/jsx */
import type { BatchResult, DeviceWarning } from '../../../protocol/devices-api.js';
import { t, type Lang, type MessageKey } from '../i18n.js';
import { deviceHref } from './device-list-view.js';

/**
 * What adding did, one row per input line (range position, file line, order line): added (with the
 * seed's warnings), already there, refused with the reason — every text in the page's language.
 */
export type Outcome = 'added' | 'there' | 'refused' | 'notTried';

export interface ResultRow {
  line: number;
  input: string;
  display: string | null;
  hardwareId: string | null;
  outcome: Outcome;
  notes: string[];
}

const REASONS: Record<string, MessageKey> = {
  DEVICE_ALREADY_IN_COMPANY: 'daErrAlreadyInCompany',
  // Seed L312–314, Not Found: a device the vendor's device database does not know.
  DEVICE_UNKNOWN: 'daErrNotFound',
  DEVICE_ALREADY_IMPORTED: 'daErrAlreadyImported',
  DEVICE_ADD_NEEDS_SSA: 'daErrNeedsSsa',
  MAC_INVALID: 'daErrMacInvalid',
  IPEI_INVALID: 'daErrIpeiInvalid',
  FORBIDDEN: 'daErrForbidden',
};

export const reasonText = (lang: Lang, code: string) => t(lang, REASONS[code] ?? 'daErrOther');

export const warningTexts = (lang: Lang, warnings: readonly DeviceWarning[]) =>
  warnings.map((w) => t(lang, w.code === 'SEVERAL_USERS' ? 'daWarnSeveralUsers' : 'daWarnSeveralCompanies'));

export function batchRows(lang: Lang, r: BatchResult): ResultRow[] {
  return r.rows.map((row) => ({
    line: row.line,
    input: row.input,
    display: row.display,
    hardwareId: row.hardwareId,
    outcome:
      row.outcome === 'added'
        ? 'added'
        : row.error?.code === 'DEVICE_ALREADY_IN_COMPANY'
          ? 'there'
          : 'refused',
    notes:
      row.outcome === 'added' ? warningTexts(lang, row.warnings) : [reasonText(lang, row.error?.code ?? '')],
  }));
}

const OUTCOME: Record<Outcome, { key: MessageKey; cls: string }> = {
  added: { key: 'daAdded', cls: 'da-added' },
  there: { key: 'daAlreadyThere', cls: 'da-there' },
  refused: { key: 'daRefused', cls: 'da-refused' },
  notTried: { key: 'daNotTried', cls: 'da-there' },
};

export function ResultTable(p: { lang: Lang; rows: ResultRow[]; sentence?: string | undefined }) {
  const { lang, rows } = p;
  const added = rows.filter((r) => r.outcome === 'added').length;
  return (
    <section class="da-result" aria-labelledby="da-result-title">
      <h2 id="da-result-title">{t(lang, 'daResultTitle')}</h2>
      <p role="status" class={added > 0 ? 'notice' : 'warning'}>
        {p.sentence ?? t(lang, 'daResultSummary', { added, failed: rows.length - added })}
      </p>
      <table>
        <thead>
          <tr>
            <th scope="col" class="num">
              {t(lang, 'daColLine')}
            </th>
            <th scope="col">{t(lang, 'daColInput')}</th>
            <th scope="col">{t(lang, 'dlColDevice')}</th>
            <th scope="col">{t(lang, 'daColOutcome')}</th>
            <th scope="col">{t(lang, 'daColReason')}</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr>
              <td class="num">{r.line}</td>
              <td>
                <code>{r.input}</code>
              </td>
              <th scope="row">
                {r.hardwareId && r.outcome !== 'refused' && r.outcome !== 'notTried' ? (
                  <a href={deviceHref(r.hardwareId)}>
                    <code>{r.display}</code>
                  </a>
                ) : (
                  <code>{r.display ?? ''}</code>
                )}
              </th>
              <td class={OUTCOME[r.outcome].cls}>{t(lang, OUTCOME[r.outcome].key)}</td>
              <td>
                {r.notes.map((n) => (
                  <p class="da-note">{n}</p>
                ))}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </section>
  );
}
