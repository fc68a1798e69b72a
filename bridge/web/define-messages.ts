/**
 * One area's texts in the five languages (bridge/web/<area>/messages.ts). English is the reference;
 * every other language must have exactly its keys — a missing key fails the type check, an extra one the
 * object-literal check — and test/web/portal-login.test.ts checks the merged catalog at run time too.
 */
export type Translations<E> = { readonly [K in keyof E]: string };

export function defineMessages<const E extends Record<string, string>>(c: {
  en: E;
  de: Translations<E>;
  it: Translations<E>;
  nl: Translations<E>;
  fr: Translations<E>;
}) {
  return c;
}
