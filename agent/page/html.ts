/**
 * A tiny escaping template for the device page. Every interpolated value is escaped unless it is
 * already `Html` (the result of another `html` template); arrays are joined, and null, undefined and
 * false render nothing. There is no way to mark a string as safe from outside this file except
 * `trustedStyle` for the page's own constant stylesheet.
 */
export class Html {
  constructor(readonly value: string) {}
  toString() {
    return this.value;
  }
}

type Part = Html | string | number | boolean | null | undefined | readonly Part[];

const ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};

export const escapeHtml = (s: string): string => s.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);

const render = (part: Part): string => {
  if (part === null || part === undefined || part === false || part === true) return '';
  if (part instanceof Html) return part.value;
  if (Array.isArray(part)) return part.map(render).join('');
  return escapeHtml(String(part));
};

export function html(strings: TemplateStringsArray, ...values: Part[]): Html {
  let out = strings[0] ?? '';
  values.forEach((v, i) => {
    out += render(v) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

/** The page's own stylesheet, a constant of this module tree: the one raw insertion. */
export const trustedStyle = (css: string) => new Html(css.replace(/<\/style/gi, ''));
