/**
 * How much of a client's input an error message may quote (issue 11, "Bounded work per request": a
 * 1 MB body once came back whole in an error message). Every source that puts input into a message
 * quotes it through `clipEcho`; the bridge's error mapper (bridge/http/errors.ts) bounds every message
 * again, whatever its source.
 */
export const ECHO_MAX = 80;

/** `text` unchanged when at most `max` characters long, else its first `max` characters and "…". */
export function clipEcho(text: string, max = ECHO_MAX): string {
  if (text.length <= max) return text;
  // Never cut a surrogate pair in half.
  const end = /[\uD800-\uDBFF]/.test(text[max - 1]!) ? max - 1 : max;
  return `${text.slice(0, end)}…`;
}

// Single quotes only around runs without spaces (names, as the XML library quotes them): an apostrophe
// in an English sentence is not a quote.
const LONG_QUOTED = new RegExp(`"([^"]{${ECHO_MAX + 1},})"|'([^'\\s]{${ECHO_MAX + 1},})'`, 'g');

/**
 * `message` with every quoted run ("…", or '…' without spaces: where messages put the input they quote)
 * longer than ECHO_MAX clipped by `clipEcho`, and the whole message at most `max` characters.
 */
export function boundMessage(message: string, max = 1_000): string {
  const clipped = message.replace(LONG_QUOTED, (_m, dq: string | undefined, sq: string | undefined) =>
    dq !== undefined ? `"${clipEcho(dq)}"` : `'${clipEcho(sq!)}'`,
  );
  return clipEcho(clipped, max);
}
