import { MylicError } from '../../../protocol/errors.js';

/**
 * The SSC calculator (seed: Projects → SSA; Add licenses from balance "SSC/Unit", "SSC multiplicator";
 * ARCHITECTURE §6). One pure function used by every path that sets or extends SSA.
 *
 * For each license:
 * - start of the paid period: its running or expired SSA end if it has one ("just the difference …
 *   must be paid"); else, for a version older than the current one, the release date of the next
 *   version ("pay SSCs from the release date of the next version"); else its bind date.
 * - days before the calculation date (start → calculation date) are paid twice ("days*2": a bind date
 *   in the past, or an SSA that is already over); days from max(start, calculation date) to the new
 *   end are paid once. A license already covered to the new end costs nothing.
 * - multiplier = (2 × days*2 + days) / 365, rounded half up to 4 decimals — the figure the summary
 *   shows, so that a person can redo the sum by hand (seed: 20 × 54 × 1.0000 = 1080).
 * - SSC of a line = units × SSC per unit × multiplier, rounded UP to a whole SSC per line (SSC are
 *   licenses, there is no fraction of one); the total is the sum of the lines.
 * All arithmetic is on integers (multiplier in ten-thousandths), so results are exact and repeatable.
 */
export interface SscLicense {
  id: string;
  type: string;
  units: number;
  /** null: the license works in every version (no "next version" rule). */
  version: number | null;
  bindDate: string;
  ssaEnd: string | null;
  sscPerUnitYear: number;
  optOut?: boolean;
}

export type StartReason = 'bind-date' | 'next-release' | 'running-ssa' | 'expired-ssa';

export interface SscLine {
  id: string;
  type: string;
  units: number;
  optedOut: boolean;
  /** The "bind date" column of the summary: where the paid period starts. */
  start: string;
  startReason: StartReason;
  daysTwice: number;
  days: number;
  /** Ten-thousandths: 10000 = 1.0000. */
  multiplier10k: number;
  /** As shown: 4 decimals. */
  multiplier: string;
  sscPerUnit: number;
  ssc: number;
  /** The license's SSA end after confirming (unchanged when opted out or already covered). */
  newSsaEnd: string | null;
}

export interface SscSummary {
  calculationDate: string;
  endDate: string;
  lines: SscLine[];
  total: number;
}

export interface Versions {
  current: number;
  /** Release date of a version (ISO date), undefined when there is none after it. */
  released(version: number): string | undefined;
}

const DAY = 86_400_000;
const dayNumber = (iso: string) => {
  const t = Date.parse(`${iso}T00:00:00Z`);
  if (!/^\d{4}-\d{2}-\d{2}$/.test(iso) || Number.isNaN(t))
    throw new MylicError('VALIDATION_FAILED', `"${iso}" is not a date (YYYY-MM-DD).`);
  return t / DAY;
};
const daysBetween = (from: string, to: string) => dayNumber(to) - dayNumber(from);

/** Half-up rounding of days/365 to ten-thousandths, in integers. */
export const multiplier10k = (days: number) => Math.floor((days * 10_000 * 2 + 365) / (365 * 2));
export const formatMultiplier = (m10k: number) =>
  `${Math.floor(m10k / 10_000)}.${String(m10k % 10_000).padStart(4, '0')}`;
/** units × SSC/unit × multiplier, rounded up to a whole SSC. */
export const lineSsc = (units: number, sscPerUnit: number, m10k: number) =>
  Math.ceil((units * sscPerUnit * m10k) / 10_000);

export function startOf(
  license: SscLicense,
  calculationDate: string,
  versions: Versions,
): { start: string; reason: StartReason } {
  if (license.ssaEnd)
    return {
      start: license.ssaEnd,
      reason: license.ssaEnd >= calculationDate ? 'running-ssa' : 'expired-ssa',
    };
  if (license.version !== null && license.version < versions.current) {
    const next = versions.released(license.version + 1);
    if (next) return { start: next, reason: 'next-release' };
  }
  return { start: license.bindDate, reason: 'bind-date' };
}

export function calculateSsc(
  licenses: readonly SscLicense[],
  calculationDate: string,
  endDate: string,
  versions: Versions,
): SscSummary {
  if (dayNumber(endDate) < dayNumber(calculationDate)) {
    throw new MylicError(
      'SSA_END_IN_PAST',
      `The SSA end date ${endDate} is before the calculation date ${calculationDate}.`,
    );
  }
  const lines = licenses.map((l): SscLine => {
    const { start, reason } = startOf(l, calculationDate, versions);
    if (l.optOut) {
      return {
        id: l.id,
        type: l.type,
        units: l.units,
        optedOut: true,
        start,
        startReason: reason,
        daysTwice: 0,
        days: 0,
        multiplier10k: 0,
        multiplier: formatMultiplier(0),
        sscPerUnit: l.sscPerUnitYear,
        ssc: 0,
        newSsaEnd: l.ssaEnd,
      };
    }
    const daysTwice = Math.max(0, Math.min(daysBetween(start, calculationDate), daysBetween(start, endDate)));
    const days = Math.max(0, daysBetween(start > calculationDate ? start : calculationDate, endDate));
    const m = multiplier10k(2 * daysTwice + days);
    const covered = l.ssaEnd !== null && l.ssaEnd >= endDate;
    return {
      id: l.id,
      type: l.type,
      units: l.units,
      optedOut: false,
      start,
      startReason: reason,
      daysTwice,
      days,
      multiplier10k: m,
      multiplier: formatMultiplier(m),
      sscPerUnit: l.sscPerUnitYear,
      ssc: lineSsc(l.units, l.sscPerUnitYear, m),
      newSsaEnd: covered ? l.ssaEnd : endDate,
    };
  });
  return { calculationDate, endDate, lines, total: lines.reduce((s, l) => s + l.ssc, 0) };
}
