import { XMLBuilder, XMLParser, XMLValidator } from 'fast-xml-parser';
import { MylicError } from './errors.js';

/**
 * Safe XML parsing for documents that come from outside (uploads, portal answers, files on disk).
 *
 * The checks run cheapest first and each one before any work the next one would do:
 *   size (bytes) → strict UTF-8 → no DTD / entity declarations → nesting depth (linear pre-scan)
 *   → well-formedness (XMLValidator) → parse (XMLParser, no entity processing, all values as strings).
 * Every failure is a MylicError with an XML_* code; the library never throws through.
 */

export interface XmlLimits {
  /** Largest accepted input in bytes (UTF-8). Default 1 MiB. */
  maxBytes?: number;
  /** Deepest accepted element nesting; the root element is depth 1. Default 16. */
  maxDepth?: number;
}

export const DEFAULT_XML_MAX_BYTES = 1024 * 1024;
export const DEFAULT_XML_MAX_DEPTH = 16;

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

/**
 * One linear pass over the markup: counts element nesting (open +1, close -1, self-closing 0),
 * skips comments, CDATA sections, processing instructions and quoted attribute values.
 * Also notes text outside the root element and a second root element, which the validator lets
 * through in some forms (`<a/>junk`, `<a/><b/>`); the caller refuses them once the validator has
 * had its say.
 * Well-formedness is left to the validator: on anything unexpected the scan just stops.
 */
function scanDepth(text: string, maxDepth: number): { outsideRoot: boolean } {
  const n = text.length;
  let depth = 0;
  let textOutsideRoot = false;
  let roots = 0;
  let i = 0;
  while (i < n) {
    const c = text.charCodeAt(i);
    if (c !== 0x3c /* < */) {
      if (depth === 0 && !isSpace(c)) textOutsideRoot = true;
      i++;
      continue;
    }
    if (text.startsWith('<!--', i)) {
      const end = text.indexOf('-->', i + 4);
      if (end < 0) break;
      i = end + 3;
    } else if (text.startsWith('<![CDATA[', i)) {
      const end = text.indexOf(']]>', i + 9);
      if (end < 0) break;
      if (depth === 0) textOutsideRoot = true;
      i = end + 3;
    } else if (text.startsWith('<?', i)) {
      const end = text.indexOf('?>', i + 2);
      if (end < 0) break;
      i = end + 2;
    } else if (text.startsWith('<!', i)) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) break;
      i = end + 1;
    } else if (text.startsWith('</', i)) {
      const end = text.indexOf('>', i + 2);
      if (end < 0) break;
      // A stray closing tag is the validator's business; never let it buy extra depth.
      if (depth > 0) depth--;
      i = end + 1;
    } else {
      // Start tag: find its closing '>' outside quoted attribute values.
      let j = i + 1;
      let quote = 0;
      while (j < n) {
        const d = text.charCodeAt(j);
        if (quote !== 0) {
          if (d === quote) quote = 0;
        } else if (d === 0x22 /* " */ || d === 0x27 /* ' */) {
          quote = d;
        } else if (d === 0x3e /* > */) {
          break;
        }
        j++;
      }
      if (j >= n) break;
      const selfClosing = text.charCodeAt(j - 1) === 0x2f; /* / */
      if (depth === 0) roots++;
      if (!selfClosing) {
        depth++;
        if (depth > maxDepth) {
          throw new MylicError('XML_TOO_DEEP', `The XML document is nested deeper than ${maxDepth} elements.`);
        }
      }
      i = j + 1;
    }
  }
  return { outsideRoot: textOutsideRoot || roots > 1 };
}

let parser: XMLParser | undefined;
let builder: XMLBuilder | undefined;

/**
 * Parses untrusted XML into a plain object (attributes as `@_name`, text as strings, never numbers).
 * Throws MylicError XML_TOO_LARGE, XML_MALFORMED, XML_DTD_REFUSED or XML_TOO_DEEP.
 */
export function parseXmlSafe(input: string | Uint8Array, limits?: XmlLimits): Record<string, unknown> {
  const maxBytes = limits?.maxBytes ?? DEFAULT_XML_MAX_BYTES;
  const maxDepth = limits?.maxDepth ?? DEFAULT_XML_MAX_DEPTH;
  if (typeof input !== 'string' && !(input instanceof Uint8Array)) {
    throw new MylicError('XML_MALFORMED', 'The XML document must be text or bytes.');
  }
  checkSize(input, maxBytes);
  const text = decode(input);
  if (DTD_PATTERN.test(text)) {
    throw new MylicError('XML_DTD_REFUSED');
  }
  const { outsideRoot } = scanDepth(text, maxDepth);

  let verdict: ReturnType<typeof XMLValidator.validate>;
  try {
    verdict = XMLValidator.validate(text, { allowBooleanAttributes: false });
  } catch (e) {
    throw new MylicError('XML_MALFORMED', `The XML document is not well-formed: ${(e as Error).message}`);
  }
  if (verdict !== true) {
    const { msg, line, col } = verdict.err;
    throw new MylicError('XML_MALFORMED', `The XML document is not well-formed (line ${line}${col === undefined ? '' : `, column ${col}`}): ${msg}`, {
      line,
      ...(col === undefined ? {} : { column: col }),
    });
  }
  if (outsideRoot) {
    throw new MylicError('XML_MALFORMED', 'The XML document is not well-formed: it has content outside its single root element.');
  }

  let parsed: unknown;
  try {
    parser ??= new XMLParser(PARSER_OPTIONS);
    parsed = parser.parse(text);
  } catch (e) {
    throw new MylicError('XML_MALFORMED', `The XML document cannot be read: ${(e as Error).message}`);
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
