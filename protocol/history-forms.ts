import * as z from 'zod';
import { IdText, WholeText } from './ids.js';

/**
 * The History and Search pages' GET queries (bridge/web/history, bridge/web/search). As in
 * portal-forms.ts, a field in an odd shape reads as empty or as its default, never as a crash; the
 * page then says what is wrong beside the field.
 */

export const HISTORY_PERIODS = ['day', 'week', 'month', 'year', 'always'] as const;

const text = (max: number) => z.string().trim().max(max).catch('');

export const HistoryParams = z.object({
  context: z.enum(['company', 'user', 'device']).catch('company'),
  /** The selected user: an id; anything else reads as "no user" or, when sent, as none of ours (404). */
  user: z.string().max(20).optional().catch('x'),
  /** The selected device: a MAC or IPEI in any form the devices pages accept. */
  device: text(64),
  period: z.enum(HISTORY_PERIODS).catch('week'),
  /** Optional calendar days (YYYY-MM-DD) narrowing the period; checked by the page. */
  from: text(10),
  to: text(10),
  /** 'all': every project (the seed's "deselect the current project"); absent: the selected project. */
  project: z.literal('all').optional().catch(undefined),
  page: WholeText(1, 100_000).catch(1),
});
export type HistoryParams = z.infer<typeof HistoryParams>;

/** A user id from the query, or undefined when it is not one. */
export const userIdOf = (raw: string | undefined): number | undefined => {
  const r = IdText.safeParse(raw ?? '');
  return r.success ? r.data : undefined;
};

export const SearchParams = z.object({ q: z.string().max(200).optional().catch('') });
