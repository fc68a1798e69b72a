import type { DeviceListParams } from '../../../protocol/device-list-forms.js';
import type { Core } from '../../core/context.js';
import { listDevicesKeyset } from '../../core/devices/index.js';
import { t, type Lang } from '../i18n.js';
import type { WebSession } from '../web-session.js';

/**
 * The devices list as CSV (GET /devices.csv, the list's own filter): every row of the filter, read in
 * keyset chunks like the pages. UTF-8 with a byte-order mark (spreadsheets then read umlauts right),
 * CRLF lines, the header in the page's language. A cell starting with = + - @ (or a tab or CR) is
 * prefixed with ' so a spreadsheet never runs it as a formula (CSV injection).
 */
const CHUNK = 200;

export function csvCell(value: string): string {
  const v = /^[=+\-@\t\r]/.test(value) ? `'${value}` : value;
  return /[",;\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export async function devicesCsv(core: Core, s: WebSession, lang: Lang, params: DeviceListParams) {
  const rows: string[][] = [
    [
      t(lang, 'dlColDevice'),
      t(lang, 'dlColName'),
      t(lang, 'dlColType'),
      t(lang, 'project'),
      t(lang, 'dlColComment'),
      t(lang, 'dlColLicenses'),
      t(lang, 'dlColNotes'),
    ],
  ];
  let after: string | undefined;
  for (;;) {
    const page = await listDevicesKeyset(core, s.actor, {
      filter: params.q,
      projectId: params.project === 'all' ? null : params.project,
      sort: params.sort,
      after,
      limit: CHUNK,
    });
    for (const d of page.devices)
      rows.push([
        d.display,
        d.name ?? '',
        d.type,
        d.projectName,
        d.comment,
        String(d.licenses),
        [
          d.inRma ? t(lang, 'dlInRma') : '',
          d.otherCompanies ? t(lang, 'dlSeveralCompanies') : '',
          d.external ? t(lang, 'dlExternal') : '',
        ]
          .filter(Boolean)
          .join('; '),
      ]);
    if (!page.next) break;
    after = page.next;
  }
  return {
    filename: 'devices.csv',
    csv: `\uFEFF${rows.map((r) => r.map(csvCell).join(',')).join('\r\n')}\r\n`,
  };
}
