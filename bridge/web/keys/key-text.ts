import type { OwnKey } from '../../../protocol/keys-api.js';
import { formatDate, t, type Lang } from '../i18n.js';

/** How an own key's licenses read in a table cell: "2 × PORT8, 1 × GW4". */
export const keyLines = (ls: readonly { type: string; units: number }[]) =>
  ls.map((l) => `${l.units} × ${l.type}`).join(', ');

/** Whether and where an own key was redeemed, as a sentence. */
export function redeemedText(lang: Lang, k: OwnKey): string {
  if (!k.redeemed) return t(lang, 'ownKeyNotRedeemed');
  return k.redeemed.projectName !== null
    ? t(lang, 'ownKeyRedeemedInto', {
        date: formatDate(lang, k.redeemed.at),
        project: k.redeemed.projectName,
      })
    : t(lang, 'ownKeyRedeemedElsewhere', { date: formatDate(lang, k.redeemed.at) });
}
