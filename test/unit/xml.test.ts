import { XMLValidator } from 'fast-xml-parser';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { MylicError } from '../../protocol/errors.js';
import { buildXml, parseXmlSafe } from '../../protocol/xml.js';
import { codeOf } from '../support/error-code.js';

function errorOf(fn: () => unknown): MylicError {
  try {
    fn();
  } catch (e) {
    if (e instanceof MylicError) return e;
    throw e;
  }
  throw new Error('expected a MylicError, nothing was thrown');
}

const nested = (depth: number): string => `${'<a>'.repeat(depth)}x${'</a>'.repeat(depth)}`;

const BILLION_LAUGHS = `<?xml version="1.0"?>
<!DOCTYPE lolz [
 <!ENTITY lol "lol">
 <!ENTITY lol2 "&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;&lol;">
 <!ENTITY lol3 "&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;&lol2;">
 <!ENTITY lol4 "&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;&lol3;">
 <!ENTITY lol5 "&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;&lol4;">
 <!ENTITY lol6 "&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;&lol5;">
 <!ENTITY lol7 "&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;&lol6;">
 <!ENTITY lol8 "&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;&lol7;">
 <!ENTITY lol9 "&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;&lol8;">
]>
<lolz>&lol9;</lolz>`;

afterEach(() => {
  vi.restoreAllMocks();
});

describe('parseXmlSafe', () => {
  it('parses elements and attributes as strings, without number or boolean coercion', () => {
    const tree = parseXmlSafe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<doc n="007" b="true"><v>0012</v><w>1e3</w></doc>',
    );
    expect(tree).toEqual({ doc: { '@_n': '007', '@_b': 'true', v: '0012', w: '1e3' } });
  });

  it('accepts UTF-8 bytes, including a byte order mark', () => {
    const bytes = new Uint8Array([0xef, 0xbb, 0xbf, ...Buffer.from('<doc>grüße</doc>', 'utf8')]);
    expect(parseXmlSafe(bytes)).toEqual({ doc: 'grüße' });
  });

  it('trims text values', () => {
    expect(parseXmlSafe('<doc>\n  <v>  abc \n</v>\n</doc>')).toEqual({ doc: { v: 'abc' } });
  });

  it('leaves entity references unexpanded', () => {
    expect(parseXmlSafe('<doc>&lt;&amp;&#65;</doc>')).toEqual({ doc: '&lt;&amp;&#65;' });
  });

  it('refuses a DOCTYPE with XML_DTD_REFUSED', () => {
    expect(codeOf(() => parseXmlSafe('<!DOCTYPE doc SYSTEM "http://example.com/x.dtd"><doc/>'))).toBe(
      'XML_DTD_REFUSED',
    );
  });

  it('refuses an ENTITY declaration anywhere, in any case, even inside a comment', () => {
    expect(codeOf(() => parseXmlSafe('<doc><!-- <!entity x "y"> --></doc>'))).toBe('XML_DTD_REFUSED');
    expect(codeOf(() => parseXmlSafe('<!doctype doc><doc/>'))).toBe('XML_DTD_REFUSED');
  });

  it('refuses the billion laughs document before any expansion', () => {
    const validate = vi.spyOn(XMLValidator, 'validate');
    expect(codeOf(() => parseXmlSafe(BILLION_LAUGHS))).toBe('XML_DTD_REFUSED');
    expect(validate).not.toHaveBeenCalled();
  });

  it('refuses 10 MB of bytes with XML_TOO_LARGE before decoding or validating them', () => {
    const validate = vi.spyOn(XMLValidator, 'validate');
    // Invalid UTF-8 throughout: had decoding run first, this would be XML_MALFORMED.
    const bytes = new Uint8Array(10 * 1024 * 1024).fill(0xff);
    expect(codeOf(() => parseXmlSafe(bytes))).toBe('XML_TOO_LARGE');
    expect(validate).not.toHaveBeenCalled();
  });

  it('refuses a 10 MB string with XML_TOO_LARGE before the DTD check', () => {
    const text = `<!DOCTYPE x><doc>${'a'.repeat(10 * 1024 * 1024)}</doc>`;
    expect(codeOf(() => parseXmlSafe(text))).toBe('XML_TOO_LARGE');
  });

  it('counts UTF-8 bytes, not characters, against the size limit', () => {
    const text = `<d>${'é'.repeat(60)}</d>`; // 67 characters, 127 bytes
    expect(codeOf(() => parseXmlSafe(text, { maxBytes: 100 }))).toBe('XML_TOO_LARGE');
    expect(parseXmlSafe(text, { maxBytes: 127 })).toEqual({ d: 'é'.repeat(60) });
  });

  it('refuses invalid UTF-8 with XML_MALFORMED', () => {
    const bytes = new Uint8Array([
      ...Buffer.from('<doc>', 'utf8'),
      0xc3,
      0x28,
      ...Buffer.from('</doc>', 'utf8'),
    ]);
    expect(codeOf(() => parseXmlSafe(bytes))).toBe('XML_MALFORMED');
  });

  it('refuses control characters XML does not allow', () => {
    expect(codeOf(() => parseXmlSafe('<doc>\u0000</doc>'))).toBe('XML_MALFORMED');
  });

  it('refuses a string with an unpaired surrogate', () => {
    expect(codeOf(() => parseXmlSafe('<doc>\uD800</doc>'))).toBe('XML_MALFORMED');
  });

  it('refuses 100-deep nesting with XML_TOO_DEEP before validating', () => {
    const validate = vi.spyOn(XMLValidator, 'validate');
    expect(codeOf(() => parseXmlSafe(nested(100)))).toBe('XML_TOO_DEEP');
    expect(validate).not.toHaveBeenCalled();
  });

  it('accepts nesting up to maxDepth and refuses one more', () => {
    expect(parseXmlSafe(nested(16))).toBeTypeOf('object');
    expect(codeOf(() => parseXmlSafe(nested(17)))).toBe('XML_TOO_DEEP');
    expect(codeOf(() => parseXmlSafe(nested(4), { maxDepth: 3 }))).toBe('XML_TOO_DEEP');
  });

  it('does not count self-closing tags, nor tags inside comments, CDATA, processing instructions or attribute values', () => {
    const text =
      '<a><b/><b/><!-- <c><c><c> --><![CDATA[<d><d><d>]]><?pi <e><e> ?><f x="<g><g>" y=\'<h>\'/></a>';
    expect(parseXmlSafe(text, { maxDepth: 1 })).toEqual({
      a: { b: ['', ''], '#text': '<d><d><d>', '?pi': '', f: { '@_x': '<g><g>', '@_y': '<h>' } },
    });
  });

  it('does not let stray closing tags buy extra depth', () => {
    expect(codeOf(() => parseXmlSafe(`</x></x></x>${nested(3)}`, { maxDepth: 2 }))).toBe('XML_TOO_DEEP');
  });

  it('refuses garbage with XML_MALFORMED and names the line', () => {
    const err = errorOf(() => parseXmlSafe('this is not xml'));
    expect(err.code).toBe('XML_MALFORMED');
    expect(err.message).toMatch(/line 1/);
  });

  it('refuses truncated XML with XML_MALFORMED', () => {
    const err = errorOf(() => parseXmlSafe('<doc>\n  <payload encoding="base64">QUJD</payl'));
    expect(err.code).toBe('XML_MALFORMED');
    expect(err.message).toMatch(/line \d+/);
  });

  it('refuses an empty document', () => {
    expect(codeOf(() => parseXmlSafe(''))).toBe('XML_MALFORMED');
  });

  it('refuses several root elements', () => {
    expect(codeOf(() => parseXmlSafe('<a>x</a><b>y</b>'))).toBe('XML_MALFORMED');
    // The validator lets these two through; the pre-scan catches them.
    expect(codeOf(() => parseXmlSafe('<a/><b/>'))).toBe('XML_MALFORMED');
    expect(codeOf(() => parseXmlSafe('<a></a>\n<a/>'))).toBe('XML_MALFORMED');
  });

  it('refuses text after the root element', () => {
    expect(codeOf(() => parseXmlSafe('<a/> trailing'))).toBe('XML_MALFORMED');
  });

  it('refuses boolean (valueless) attributes', () => {
    expect(codeOf(() => parseXmlSafe('<a b/>'))).toBe('XML_MALFORMED');
  });

  it('refuses repeated attributes', () => {
    expect(codeOf(() => parseXmlSafe('<a b="1" b="2"/>'))).toBe('XML_MALFORMED');
  });

  it("wraps the parser's own refusal of prototype-polluting names into XML_MALFORMED", () => {
    expect(codeOf(() => parseXmlSafe('<a><__proto__><polluted>1</polluted></__proto__></a>'))).toBe(
      'XML_MALFORMED',
    );
    expect(codeOf(() => parseXmlSafe('<a><constructor>1</constructor></a>'))).toBe('XML_MALFORMED');
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it('refuses input that is neither text nor bytes', () => {
    expect(codeOf(() => parseXmlSafe(42 as unknown as string))).toBe('XML_MALFORMED');
  });
});

describe('buildXml', () => {
  it('writes a UTF-8 declaration and pretty-printed elements with @_ attributes', () => {
    const xml = buildXml({ doc: { '@_kind': 'x', v: 'abc', w: { '@_a': '1', '#text': 'def' } } });
    expect(xml).toBe(
      '<?xml version="1.0" encoding="UTF-8"?>\n<doc kind="x">\n  <v>abc</v>\n  <w a="1">def</w>\n</doc>\n',
    );
  });

  it('reads back through parseXmlSafe', () => {
    const obj = {
      doc: { '@_kind': 'license', '@_format': '1', payload: { '@_encoding': 'base64', '#text': 'QUJD+/==' } },
    };
    expect(parseXmlSafe(buildXml(obj))).toEqual(obj);
  });

  it('escapes markup characters so the output stays well-formed', () => {
    const xml = buildXml({ doc: { '@_a': '"<&>', '#text': '</doc><x>' } });
    expect(parseXmlSafe(xml)).toEqual({
      doc: { '@_a': '&quot;&lt;&amp;&gt;', '#text': '&lt;/doc&gt;&lt;x&gt;' },
    });
  });
});
