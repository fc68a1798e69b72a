import { describe, expect, it } from 'vitest';
import { MylicError } from '../../protocol/errors.js';
import {
  buildXml,
  DEFAULT_XML_MAX_ATTRIBUTE_VALUE_LENGTH,
  DEFAULT_XML_MAX_ATTRIBUTES,
  DEFAULT_XML_MAX_ATTRIBUTES_PER_ELEMENT,
  DEFAULT_XML_MAX_ELEMENTS,
  DEFAULT_XML_MAX_NAME_LENGTH,
  parseXmlSafe,
} from '../../protocol/xml.js';
import { codeOf } from '../support/error-code.js';

/**
 * Issue 11, "Bounded work per request": a hostile document costs milliseconds, not a second of the event
 * loop, and no error message quotes more than a short prefix of what was sent.
 */

function errorOf(fn: () => unknown): MylicError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MylicError) return e;
    throw e;
  }
  throw new Error('expected a MylicError, nothing was thrown');
}

const attributes = (n: number, from = 0) =>
  Array.from({ length: n }, (_, i) => ` a${from + i}="value"`).join('');

describe('parseXmlSafe limits the attributes and elements of a document', () => {
  it('refuses one element with 60,000 attributes (0.9 MB) as XML_TOO_COMPLEX', () => {
    const xml = `<mylic-document${attributes(60_000)}/>`;
    expect(xml.length).toBeGreaterThan(850_000);
    expect(codeOf(() => parseXmlSafe(xml))).toBe('XML_TOO_COMPLEX');
  });

  it('refuses an element with one attribute more than the per-element limit', () => {
    expect(() => parseXmlSafe(`<a${attributes(DEFAULT_XML_MAX_ATTRIBUTES_PER_ELEMENT)}/>`)).not.toThrow();
    expect(codeOf(() => parseXmlSafe(`<a${attributes(DEFAULT_XML_MAX_ATTRIBUTES_PER_ELEMENT + 1)}/>`))).toBe(
      'XML_TOO_COMPLEX',
    );
  });

  it('refuses a document whose attributes, each element within its limit, add up to more than the total limit', () => {
    const per = 4;
    const elements = Math.ceil((DEFAULT_XML_MAX_ATTRIBUTES + 1) / per);
    const xml = `<r>${Array.from({ length: elements }, (_, i) => `<e${attributes(per, i * per)}/>`).join('')}</r>`;
    expect(codeOf(() => parseXmlSafe(xml))).toBe('XML_TOO_COMPLEX');
  });

  it('refuses 100,000 empty elements, and one element more than the limit', () => {
    expect(codeOf(() => parseXmlSafe(`<r>${'<e/>'.repeat(100_000)}</r>`))).toBe('XML_TOO_COMPLEX');
    expect(() => parseXmlSafe(`<r>${'<e/>'.repeat(DEFAULT_XML_MAX_ELEMENTS - 1)}</r>`)).not.toThrow();
    expect(codeOf(() => parseXmlSafe(`<r>${'<e/>'.repeat(DEFAULT_XML_MAX_ELEMENTS)}</r>`))).toBe(
      'XML_TOO_COMPLEX',
    );
  });

  it('counts no attributes or elements in comments, CDATA, processing instructions or attribute values', () => {
    const inert = `<!-- <e a="1" b="2"/> -->` + `<![CDATA[<e a="1" b="2"/>]]>` + `<?pi <e a="1"/> ?>`;
    const xml = `<r v="${'x=1 y=2 '.repeat(50)}" w='<e a="1"/>'>${inert.repeat(2_000)}</r>`;
    expect(xml.length).toBeGreaterThan(100_000);
    expect(() => parseXmlSafe(xml)).not.toThrow();
  });

  it('still reads the documents the protocol builds', () => {
    const xml = buildXml({
      'mylic-document': {
        '@_kind': 'license',
        '@_format': '1',
        payload: { '@_encoding': 'base64', '#text': 'QUJD' },
        signature: { '@_algorithm': 'RSA-PSS-SHA256', '#text': 'QUJD' },
      },
    });
    expect(parseXmlSafe(xml)).toHaveProperty('mylic-document');
  });

  it('takes the limits from the caller', () => {
    expect(codeOf(() => parseXmlSafe('<r><a/><b/></r>', { maxElements: 2 }))).toBe('XML_TOO_COMPLEX');
    expect(codeOf(() => parseXmlSafe('<r a="1" b="2"/>', { maxAttributesPerElement: 1 }))).toBe(
      'XML_TOO_COMPLEX',
    );
    expect(codeOf(() => parseXmlSafe('<r a="1"><s b="2"/></r>', { maxAttributes: 1 }))).toBe(
      'XML_TOO_COMPLEX',
    );
  });
});

describe('parseXmlSafe limits names and attribute values', () => {
  it('refuses a 1 MB element name, an attribute name or value over the limit, as XML_TOO_COMPLEX', () => {
    expect(codeOf(() => parseXmlSafe(`<${'a'.repeat(1_000_000)}`))).toBe('XML_TOO_COMPLEX');
    expect(codeOf(() => parseXmlSafe(`<${'a'.repeat(999_000)}/>`))).toBe('XML_TOO_COMPLEX');
    expect(codeOf(() => parseXmlSafe(`<r></${'a'.repeat(DEFAULT_XML_MAX_NAME_LENGTH + 1)}>`))).toBe(
      'XML_TOO_COMPLEX',
    );
    expect(codeOf(() => parseXmlSafe(`<r ${'n'.repeat(DEFAULT_XML_MAX_NAME_LENGTH + 1)}="1"/>`))).toBe(
      'XML_TOO_COMPLEX',
    );
    expect(
      codeOf(() => parseXmlSafe(`<r v="${'v'.repeat(DEFAULT_XML_MAX_ATTRIBUTE_VALUE_LENGTH + 1)}"/>`)),
    ).toBe('XML_TOO_COMPLEX');
    expect(codeOf(() => parseXmlSafe(`<r v='${'v'.repeat(900_000)}'/>`))).toBe('XML_TOO_COMPLEX');
  });

  it('reads names and values up to the limits', () => {
    const name = 'n'.repeat(DEFAULT_XML_MAX_NAME_LENGTH);
    const tree = parseXmlSafe(
      `<${name} ${name}="${'v'.repeat(DEFAULT_XML_MAX_ATTRIBUTE_VALUE_LENGTH)}"></${name}>`,
    );
    expect(Object.keys(tree)).toEqual([name]);
  });
});

describe('parseXmlSafe error messages quote at most a short prefix of the input', () => {
  const long = (c: string) => c.repeat(DEFAULT_XML_MAX_NAME_LENGTH);

  it('a 1 MB unterminated tag comes back as no more than a short message', () => {
    const e = errorOf(() => parseXmlSafe(`<r a="${'a'.repeat(1_000_000)}`));
    expect(e.code).toBe('XML_MALFORMED');
    expect(e.message.length).toBeLessThan(300);
  });

  it('a long mismatched closing tag comes back clipped to 80 characters', () => {
    const e = errorOf(() => parseXmlSafe(`<r></${long('b')}>`));
    expect(e.code).toBe('XML_MALFORMED');
    expect(e.message).toContain('b'.repeat(80));
    expect(e.message).not.toContain('b'.repeat(81));
  });

  it('a long repeated attribute name comes back clipped to 80 characters', () => {
    const e = errorOf(() => parseXmlSafe(`<r ${long('n')}="1" ${long('n')}="2"/>`));
    expect(e.code).toBe('XML_MALFORMED');
    expect(e.message).not.toContain('n'.repeat(81));
  });

  it('a long invalid tag name comes back clipped to 80 characters', () => {
    const e = errorOf(() => parseXmlSafe(`<r><1${long('x').slice(1)}/></r>`));
    expect(e.code).toBe('XML_MALFORMED');
    expect(e.message).not.toContain('x'.repeat(81));
  });
});

describe('parseXmlSafe reads UTF-8 only', () => {
  it('refuses a document that declares another encoding', () => {
    for (const enc of ['UTF-16', 'ISO-8859-1', 'windows-1252']) {
      const e = errorOf(() => parseXmlSafe(`<?xml version="1.0" encoding="${enc}"?><r/>`));
      expect(e.code, enc).toBe('XML_MALFORMED');
      expect(e.message).toMatch(/UTF-8/);
    }
  });

  it('reads a document that declares UTF-8 in any case, or no encoding', () => {
    for (const decl of [
      '<?xml version="1.0" encoding="UTF-8"?>',
      "<?xml version='1.0' encoding='utf-8'?>",
      '<?xml version="1.0"?>',
      '',
    ]) {
      expect(parseXmlSafe(`${decl}<r/>`), decl).toHaveProperty('r');
    }
  });
});
