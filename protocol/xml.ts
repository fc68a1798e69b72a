import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { boundMessage, clipEcho } from './echo.js';
import { MylicError } from './errors.js';

/**
 * Safe XML parsing for documents that come from outside (uploads, portal answers, files on disk).
 *
 * The checks run cheapest first and each one before any work the next one would do:
 *   size (bytes) → strict UTF-8 → UTF-8 declared (if at all) → no DTD / entity declarations
 *   → one linear pre-scan: nesting depth, elements, attributes per element and in all
 *   → well-formedness (XMLValidator) → parse (XMLParser, no entity processing, all values as strings).
 * The pre-scan bounds what the library is given: it spent ~0.6 s on one element with 60,000 attributes
 * (issue 11); anything over the limits is refused in milliseconds, before the library sees it.
 * Every failure is a MylicError with an XML_* code; the library never throws through. Messages quote at
 * most ECHO_MAX characters of the input (protocol/echo.ts).
 */

export interface XmlLimits {
  /** Largest accepted input in bytes (UTF-8). Default 1 MiB. */
  maxBytes?: number;
  /** Deepest accepted element nesting; the root element is depth 1. Default 16. */
  maxDepth?: number;
  /** Most elements in the document (start tags, self-closing ones included). Default 1,000. */
  maxElements?: number;
  /** Most attributes on one element. Default 32. */
  maxAttributesPerElement?: number;
  /** Most attributes in the whole document. Default 1,000. */
  maxAttributes?: number;
  /** Longest element or attribute name. Default 256. */
  maxNameLength?: number;
  /** Longest attribute value, in characters. Default 4,096. */
  maxAttributeValueLength?: number;
}

export const DEFAULT_XML_MAX_BYTES = 1024 * 1024;
export const DEFAULT_XML_MAX_DEPTH = 16;
/** Our documents have fewer than 10 elements and 4 attributes on one element; these leave room. */
export const DEFAULT_XML_MAX_ELEMENTS = 1_000;
export const DEFAULT_XML_MAX_ATTRIBUTES_PER_ELEMENT = 32;
export const DEFAULT_XML_MAX_ATTRIBUTES = 1_000;
/** Names and attribute values cost the library ~0.1 s per megabyte; ours are short. */
export const DEFAULT_XML_MAX_NAME_LENGTH = 256;
export const DEFAULT_XML_MAX_ATTRIBUTE_VALUE_LENGTH = 4_096;

const XML_DECLARATION = '<?xml version="1.0" encoding="UTF-8"?>\n';

const PARSER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  parseTagValue: false,
  parseAttributeValue: false,
  processEntities: false,
  allowBooleanAttributes: false,
  ignoreDeclaration: true,
  trimValues: true,
} as const;

const BUILDER_OPTIONS = {
  ignoreAttributes: false,
  attributeNamePrefix: '@_',
  suppressBooleanAttributes: false,
  // Escapes & < > " ' in text and attribute values so the output is always well-formed.
  processEntities: true,
  format: true,
} as const;

/** DOCTYPE or ENTITY declarations anywhere (also inside comments or CDATA: we do not guess). */
const DTD_PATTERN = /<!(?:DOCTYPE|ENTITY)/i;
/** Characters XML 1.0 does not allow at all (C0 controls except TAB, LF, CR; U+FFFE, U+FFFF). */
const FORBIDDEN_CHARS = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\uFFFE\uFFFF]/;
/** A UTF-16 surrogate that is not part of a pair (only possible in string input). */
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

function utf8ByteLength(s: string): number {
  return Buffer.byteLength(s, 'utf8');
}

function checkSize(input: string | Uint8Array, maxBytes: number): void {
  if (typeof input === 'string') {
    // Every UTF-16 code unit is at least one UTF-8 byte: a long string is refused without counting.
    if (input.length > maxBytes || utf8ByteLength(input) > maxBytes) {
      throw new MylicError('XML_TOO_LARGE', `The XML document is larger than ${maxBytes} bytes.`);
    }
  } else if (input.byteLength > maxBytes) {
    throw new MylicError('XML_TOO_LARGE', `The XML document is larger than ${maxBytes} bytes.`);
  }
}

function decode(input: string | Uint8Array): string {
  let text: string;
  if (typeof input === 'string') {
    if (LONE_SURROGATE.test(input)) {
      throw new MylicError('XML_MALFORMED', 'The XML document contains an unpaired surrogate.');
    }
    text = input.charCodeAt(0) === 0xfeff ? input.slice(1) : input;
  } else {
    try {
      // fatal: invalid UTF-8 is an error, not U+FFFD; a leading BOM is consumed.
      text = new TextDecoder('utf-8', { fatal: true }).decode(input);
    } catch {
      throw new MylicError('XML_MALFORMED', 'The XML document is not valid UTF-8.');
    }
  }
  if (FORBIDDEN_CHARS.test(text)) {
    throw new MylicError('XML_MALFORMED', 'The XML document contains characters XML does not allow.');
  }
  return text;
}

const isSpace = (c: number): boolean => c === 0x20 || c === 0x09 || c === 0x0a || c === 0x0d;

interface ScanLimits {
  maxDepth: number;
  maxElements: number;
  maxAttributesPerElement: number;
  maxAttributes: number;
  maxNameLength: number;
  maxAttributeValueLength: number;
}

const tooComplex = (message: string) => new MylicError('XML_TOO_COMPLEX', message);

/**
 * One linear pass over the markup: counts element nesting (open +1, close -1, self-closing 0), elements
 * and attributes (each `=` outside quotes in a start tag; attributes without a value are refused by the
 * validator), and refuses as soon as a limit is passed. Skips comments, CDATA sections, processing
 * instructions and quoted attribute values. Markup left open at the end (a tag, comment, CDATA section
 * or processing instruction never closed) is malformed whatever else it holds: refused here, so the
 * validator never walks a megabyte-long name.
 * Also notes text outside the root element and a second root element, which the validator lets
 * through in some forms (`<a/>junk`, `<a/><b/>`); the caller refuses them once the validator has
 * had its say. Other well-formedness is left to the validator.
 */
function scanStructure(text: string, limits: ScanLimits): { outsideRoot: boolean } {
  const n = text.length;
  let depth = 0;
  let elements = 0;
  let attributes = 0;
  let textOutsideRoot = false;
  let roots = 0;
  let i = 0;
  const unclosed = (what: string) => {
    let line = 1;
    for (let k = text.indexOf('\n'); k >= 0 && k < i; k = text.indexOf('\n', k + 1)) line++;
    const column = i - text.lastIndexOf('\n', i - 1);
    return new MylicError(
      'XML_MALFORMED',
      `The XML document is not well-formed (line ${line}, column ${column}): ${what} is never closed.`,
      { line, column },
    );
  };
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== 0x3c /* < */) {
      if (depth === 0 && !isSpace(c)) textOutsideRoot = true;
      i++;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) throw unclosed('a comment');
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) throw unclosed('a CDATA section');
      if (depth === 0) textOutsideRoot = true;
      i = end + 3;
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) throw unclosed('a processing instruction');
      i = end + 2;
    } else if (text.startsWith('<!', i)) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) throw unclosed('a declaration');
      i = end + 1;
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) throw unclosed('a closing tag');
      if (end - i - 2 > limits.maxNameLength)
        throw tooComplex(
          `An element name in the XML document is longer than ${limits.maxNameLength} characters.`,
        );
      // A stray closing tag is the validator's business; never let it buy extra depth.
      if (depth > 0) depth--;
      i = end + 1;
    } else {
      // Start tag: find its closing '>' outside quoted attribute values, counting its attributes.
      let j = i + 1;
      let quote = 0;
      let quoteAt = 0;
      let own = 0;
      // Start of the current name (element or attribute) outside quotes.
      let nameAt = j;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (quote !== 0) {
          if (d === quote) {
            quote = 0;
            if (j - quoteAt - 1 > limits.maxAttributeValueLength)
              throw tooComplex(
                `An attribute value in the XML document is longer than ${limits.maxAttributeValueLength} characters.`,
              );
            nameAt = j + 1;
          }
          j++;
          continue;
        }
        if (isSpace(d) || d === 0x2f /* / */) {
          nameAt = j + 1;
        } else if (
          d !== 0x3e /* > */ &&
          d !== 0x3d /* = */ &&
          d !== 0x22 &&
          d !== 0x27 &&
          j - nameAt >= limits.maxNameLength
        ) {
          throw tooComplex(
            `An element or attribute name in the XML document is longer than ${limits.maxNameLength} characters.`,
          );
        }
        if (d === 0x22 /* " */ || d === 0x27 /* ' */) {
          quote = d;
          quoteAt = j;
        } else if (d === 0x3d /* = */) {
          nameAt = j + 1;
          if (++own > limits.maxAttributesPerElement)
            throw tooComplex(
              `An element of the XML document has more than ${limits.maxAttributesPerElement} attributes.`,
            );
          if (++attributes > limits.maxAttributes)
            throw tooComplex(`The XML document has more than ${limits.maxAttributes} attributes.`);
        } else if (d === 0x3e /* > */) {
          break;
        }
        j++;
      }
      if (j >= n) throw unclosed('a start tag');
      if (++elements > limits.maxElements)
        throw tooComplex(`The XML document has more than ${limits.maxElements} elements.`);
      const selfClosing = text.charCodeAt(j - 1) === 0x2f; /* / */
      if (depth === 0) roots++;
      if (!selfClosing) {
        depth++;
        if (depth > limits.maxDepth) {
          throw new MylicError(
            'XML_TOO_DEEP',
            `The XML document is nested deeper than ${limits.maxDepth} elements.`,
          );
        }
      }
      i = j + 1;
    }
  }
  return { outsideRoot: textOutsideRoot || roots > 1 };
}

/** The encoding an XML declaration at the start names, if any; only UTF-8 is accepted. */
const DECLARED_ENCODING = /^<\?xml\s[^?>]{0,200}?\bencoding\s*=\s*(?:"([^"]{0,100})"|'([^']{0,100})')/;

function checkDeclaredEncoding(text: string): void {
  const m = DECLARED_ENCODING.exec(text);
  if (!m) return;
  const encoding = m[1] ?? m[2] ?? '';
  if (!/^utf-?8$/i.test(encoding)) {
    throw new MylicError(
      'XML_MALFORMED',
      `The XML document declares the encoding "${clipEcho(encoding, 40)}": documents are UTF-8 only.`,
    );
  }
}

let parser: XMLParser | undefined;
let builder: XMLBuilder | undefined;

/**
 * Parses untrusted XML into a plain object (attributes as `@_name`, text as strings, never numbers).
 * Throws MylicError XML_TOO_LARGE, XML_MALFORMED, XML_DTD_REFUSED, XML_TOO_DEEP or XML_TOO_COMPLEX.
 */
export function parseXmlSafe(input: string | Uint8Array, limits?: XmlLimits): Record<string, unknown> {
  const maxBytes = limits?.maxBytes ?? DEFAULT_XML_MAX_BYTES;
  const scanLimits: ScanLimits = {
    maxDepth: limits?.maxDepth ?? DEFAULT_XML_MAX_DEPTH,
    maxElements: limits?.maxElements ?? DEFAULT_XML_MAX_ELEMENTS,
    maxAttributesPerElement: limits?.maxAttributesPerElement ?? DEFAULT_XML_MAX_ATTRIBUTES_PER_ELEMENT,
    maxAttributes: limits?.maxAttributes ?? DEFAULT_XML_MAX_ATTRIBUTES,
    maxNameLength: limits?.maxNameLength ?? DEFAULT_XML_MAX_NAME_LENGTH,
    maxAttributeValueLength: limits?.maxAttributeValueLength ?? DEFAULT_XML_MAX_ATTRIBUTE_VALUE_LENGTH,
  };
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new MylicError('XML_MALFORMED', 'The XML document must be text or bytes.');
  }
  checkSize(input, maxBytes);
  const text = decode(input);
  checkDeclaredEncoding(text);
  if (DTD_PATTERN.test(text)) {
    throw new MylicError('XML_DTD_REFUSED');
  }
  const { outsideRoot } = scanStructure(text, scanLimits);

  let verdict: ReturnType<typeof XMLValidator.validate>;
  try {
    verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  } catch (e) {
    throw new MylicError(
      'XML_MALFORMED',
      `The XML document is not well-formed: ${boundMessage((e as Error).message, 200)}`,
    );
  }
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new MylicError(
      'XML_MALFORMED',
      `The XML document is not well-formed (line ${line}${col === undefined ? '' : `, column ${col}`}): ${boundMessage(msg, 200)}`,
      {
        line,
        ...(col === undefined ? {} : { column: col }),
      },
    );
  }
  if (outsideRoot) {
    throw new MylicError(
      'XML_MALFORMED',
      'The XML document is not well-formed: it has content outside its single root element.',
    );
  }

  let parsed: unknown;
  try {
    parser ??= new XMLParser(PARSER_OPTIONS);
    parsed = parser.parse(text);
  } catch (e) {
    throw new MylicError(
      'XML_MALFORMED',
      `The XML document cannot be read: ${boundMessage((e as Error).message, 200)}`,
    );
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) {
    throw new MylicError('XML_MALFORMED', 'The XML document has no root element.');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Builds pretty-printed XML with an `<?xml version="1.0" encoding="UTF-8"?>` declaration.
 * Same conventions as parseXmlSafe: attributes as `@_name`, text as `#text`. Values are escaped
 * (& < > " '); note that parseXmlSafe does not expand entities, so only values without those
 * characters read back unchanged (all of ours: base64, identifiers, algorithm names).
 */
export function buildXml(obj: Record<string, unknown>): string {
  builder ??= new XMLBuilder(BUILDER_OPTIONS);
  return XML_DECLARATION + builder.build(obj);
}
