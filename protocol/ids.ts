import * as z from 'zod';

/**
 * The one way numbers are read from paths and query strings (issue 11, "One id parser").
 *
 * `z.coerce.number()` reads `0x2`, `2e0`, `" 2"`, `2.` and `+2` as 2 and `1e3` as 1000, so one resource
 * has many names and filters, logs and caches disagree about which one was asked for. Here a number in
 * a URL is written one way only: decimal digits, no sign, no leading zero (except `0` itself where 0 is
 * allowed), no spaces, no fraction or exponent.
 *
 * Ids are at most 2^31 - 1: every id column is a 32-bit integer on PostgreSQL (`integer`), so a larger
 * id names nothing, and must not reach a query there (it would fail as out of range instead of "not
 * found"). JSON bodies carry numbers as numbers and use `z.number().int()` as before.
 *
 * The router answers a path parameter that does not fit with 404 NOT_FOUND (an id written another way
 * names no resource), and a query parameter that does not fit with 400 VALIDATION_FAILED.
 */

export const MAX_ID = 2 ** 31 - 1;

const ID_PATTERN = /^[1-9][0-9]{0,9}$/;
const ID_MESSAGE = `an id is a whole number from 1 to ${MAX_ID} in decimal digits (no sign, leading zero, space, fraction or exponent)`;

/** An id in a path or query string: `1` … `2147483647`, decimal digits only. */
export const IdText = z
  .string()
  .regex(ID_PATTERN, ID_MESSAGE)
  .refine((s) => Number(s) <= MAX_ID, ID_MESSAGE)
  .transform(Number);

/** Comma-separated ids in a query string (`3,5,8`), each as IdText; at most `max` of them. */
export const IdListText = (max = 50) =>
  z
    .string()
    .max(max * 11)
    .regex(
      new RegExp(`^${ID_PATTERN.source.slice(1, -1)}(,${ID_PATTERN.source.slice(1, -1)}){0,${max - 1}}$`),
      `comma-separated ids (at most ${max}); ${ID_MESSAGE}`,
    )
    .transform((s) => s.split(',').map(Number))
    .refine((ids) => ids.every((id) => id <= MAX_ID), ID_MESSAGE);

/** A whole number from `min` to `max` in a query string, written in decimal digits only (`0` or no leading zero). */
export const WholeText = (min: number, max: number) => {
  const message = `a whole number from ${min} to ${max} in decimal digits`;
  return z
    .string()
    .regex(/^(0|[1-9][0-9]{0,14})$/, message)
    .refine((s) => Number(s) >= min && Number(s) <= max, message)
    .transform(Number);
};
