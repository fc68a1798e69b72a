/**
 * Distinguished names, written and read the same way everywhere.
 *
 * forge encodes attribute values as PrintableString unless told otherwise (which mangles anything
 * beyond A-Z, 0-9 and a few signs) and, when it parses, leaves UTF8String values as raw UTF-8
 * bytes that it would encode a second time when the name is copied into the issuer field of a
 * new certificate. These helpers always write UTF8String and decode what they read, so names
 * with umlauts survive and the issuer name matches its certificate's subject byte for byte.
 */
import forge from 'node-forge';

/**
 * forge's CertificateField, with valueTagClass typed as what it is at run time: an ASN.1 universal
 * type number (@types/node-forge declares it as a tag class).
 */
export interface NameField {
  type?: string | undefined;
  name?: string | undefined;
  shortName?: string | undefined;
  value?: unknown;
  valueTagClass?: number | undefined;
}

const UTF8: number = forge.asn1.Type.UTF8;

/** For forge setters, whose declared parameter type is the mistyped CertificateField. */
export const toForgeFields = (fields: NameField[]): forge.pki.CertificateField[] =>
  fields as unknown as forge.pki.CertificateField[];

/** For forge getters. */
export const fromForgeFields = (fields: readonly forge.pki.CertificateField[]): NameField[] =>
  fields as unknown as NameField[];

export interface NameParts {
  commonName: string;
  organization?: string | undefined;
}

/** CN (and O) as UTF8String attributes, ready for setSubject. */
export function nameAttributes({ commonName, organization }: NameParts): NameField[] {
  if (!commonName) throw new TypeError('commonName must not be empty');
  const attrs: NameField[] = [{ shortName: 'CN', value: commonName, valueTagClass: UTF8 }];
  if (organization) attrs.push({ shortName: 'O', value: organization, valueTagClass: UTF8 });
  return attrs;
}

/** Parsed attributes with UTF8String values decoded, safe to hand back to setIssuer/setSubject. */
export function decodedAttributes(attrs: readonly NameField[]): NameField[] {
  return attrs.map((a) =>
    a.valueTagClass === UTF8 && typeof a.value === 'string'
      ? { ...a, value: forge.util.decodeUtf8(a.value) }
      : { ...a },
  );
}

/** The common name among decoded attributes ('' when there is none). */
export function commonNameIn(attrs: readonly NameField[]): string {
  const cn = attrs.find((a) => a.type === forge.pki.oids.commonName || a.shortName === 'CN');
  return typeof cn?.value === 'string' ? cn.value : '';
}
