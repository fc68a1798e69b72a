import type * as z from 'zod';
import { MylicError } from '../errors.js';
import { isCanonicalHardwareId } from '../hardware-id.js';
import { parseXmlSafe } from '../xml.js';
import { DOCUMENT_KINDS, type DocumentKind } from './payloads.js';
import { isSignatureAlg, SIGNATURE_ALGS, type SignatureAlg } from './signature.js';

/**
 * The XML envelope shared by the three documents (ARCHITECTURE §4):
 *
 *   <mylic-document kind="license|invalidation|confirmation" format="1">
 *     <payload encoding="base64">…</payload>
 *     <signature alg="Ed25519|RSA-PSS-SHA256">…</signature>
 *     <certificate>…</certificate>            (invalidation only)
 *   </mylic-document>
 *
 * or, for encrypted license files, a single <encrypted> element (see encryption.ts).
 * Reading is strict: unknown, missing or repeated elements and attributes are refused.
 */

/** The largest document we read or write (bytes of XML). */
export const MAX_DOCUMENT_BYTES = 1024 * 1024;
/**
 * An invalidation names at most 1,000 serials (payloads.ts) and one certificate: far below 128 KiB. It is
 * the one document the portal takes from outside, so it gets its own, smaller limit, checked before the
 * XML is read: a hostile upload is refused in milliseconds whatever it holds (issue 11).
 */
export const MAX_INVALIDATION_BYTES = 128 * 1024;
const MAX_BYTES: Record<DocumentKind, number> = {
  license: MAX_DOCUMENT_BYTES,
  invalidation: MAX_INVALIDATION_BYTES,
  confirmation: MAX_DOCUMENT_BYTES,
  certificate: MAX_DOCUMENT_BYTES,
};

export const ROOT_ELEMENT = 'mylic-document';
export const ENVELOPE_FORMAT = '1';
export const PAYLOAD_ENCODING = 'base64';
export const ENCRYPTION_ALG = 'RSA-OAEP-SHA256+A256GCM';

const malformed = (message: string): MylicError => new MylicError('DOC_MALFORMED', message);

// ---------------------------------------------------------------------------------------------
// base64

const BASE64_SHAPE = /^[A-Za-z0-9+/]*={0,2}$/;

export const toBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString('base64');

/**
 * Strict base64: standard alphabet, padded, no whitespace, and canonical (re-encoding gives the
 * same text, so unused bits are zero and no two texts decode to the same bytes).
 */
export function fromBase64Strict(text: string, what: string): Buffer {
  if (text.length === 0) throw malformed(`The ${what} is empty.`);
  if (text.length % 4 !== 0 || !BASE64_SHAPE.test(text)) throw malformed(`The ${what} is not valid base64.`);
  const bytes = Buffer.from(text, 'base64');
  if (bytes.toString('base64') !== text) throw malformed(`The ${what} is not valid base64.`);
  return bytes;
}

// ---------------------------------------------------------------------------------------------
// reading the parsed tree

interface Element {
  readonly attrs: ReadonlyMap<string, string>;
  readonly text: string;
  readonly children: ReadonlyMap<string, unknown>;
}

/** Splits a parsed node into attributes, text and child elements (Maps: no prototype games). */
function asElement(value: unknown, where: string): Element {
  if (typeof value === 'string') return { attrs: new Map(), text: value, children: new Map() };
  if (Array.isArray(value)) throw malformed(`<${where}> appears more than once.`);
  if (value === null || typeof value !== 'object') throw malformed(`<${where}> cannot be read.`);
  const attrs = new Map<string, string>();
  const children = new Map<string, unknown>();
  let text = '';
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith('@_')) {
      if (typeof v !== 'string')
        throw malformed(`The attribute ${key.slice(2)} of <${where}> cannot be read.`);
      attrs.set(key.slice(2), v);
    } else if (key === '#text') {
      if (typeof v !== 'string') throw malformed(`The text of <${where}> cannot be read.`);
      text = v;
    } else {
      children.set(key, v);
    }
  }
  return { attrs, text, children };
}

interface Shape {
  attrs?: readonly string[];
  children?: readonly string[];
  text?: boolean;
}

/** Refuses attributes and children not in the shape, and text where none belongs. */
function expectShape(el: Element, where: string, shape: Shape): void {
  for (const name of el.attrs.keys()) {
    if (!shape.attrs?.includes(name)) throw malformed(`<${where}> has an unexpected attribute "${name}".`);
  }
  for (const name of el.children.keys()) {
    if (!shape.children?.includes(name)) throw malformed(`<${where}> has an unexpected element <${name}>.`);
  }
  if (!shape.text && el.text !== '') throw malformed(`<${where}> has unexpected text.`);
}

function requireAttr(el: Element, where: string, name: string): string {
  const v = el.attrs.get(name);
  if (v === undefined) throw malformed(`<${where}> has no ${name} attribute.`);
  return v;
}

function requireChild(el: Element, parent: string, name: string): Element {
  if (!el.children.has(name)) throw malformed(`<${parent}> has no <${name}> element.`);
  return asElement(el.children.get(name), name);
}

/** A leaf element holding base64 text and no attributes other than those listed. */
function leafBase64(
  el: Element,
  parent: string,
  name: string,
  attrs: readonly string[] = [],
): { bytes: Buffer; attrs: ReadonlyMap<string, string> } {
  const leaf = requireChild(el, parent, name);
  expectShape(leaf, name, { attrs, text: true });
  return { bytes: fromBase64Strict(leaf.text, `<${name}> content`), attrs: leaf.attrs };
}

function isDocumentKind(s: string): s is DocumentKind {
  return (DOCUMENT_KINDS as readonly string[]).includes(s);
}

/** Parses the XML safely and returns the root element and its kind; no other checks. */
function readRoot(
  xml: string | Uint8Array,
  maxBytes = MAX_DOCUMENT_BYTES,
): { kind: DocumentKind; root: Element } {
  const tree = parseXmlSafe(xml, { maxBytes });
  const keys = Object.keys(tree);
  if (keys.length !== 1 || keys[0] !== ROOT_ELEMENT) {
    throw malformed(`The document root must be a single <${ROOT_ELEMENT}> element.`);
  }
  const root = asElement(tree[ROOT_ELEMENT], ROOT_ELEMENT);
  const kind = requireAttr(root, ROOT_ELEMENT, 'kind');
  if (!isDocumentKind(kind)) throw malformed(`"${kind}" is not a document kind.`);
  const format = requireAttr(root, ROOT_ELEMENT, 'format');
  if (format !== ENVELOPE_FORMAT) throw malformed(`Document format "${format}" is not supported.`);
  return { kind, root };
}

/** Reads only the envelope kind, safely (size, DTD and depth limits apply), for routing uploads. */
export function peekKind(xml: string | Uint8Array): DocumentKind {
  return readRoot(xml).kind;
}

export function expectKind(actual: string, expected: DocumentKind, what = 'document'): void {
  if (actual !== expected) {
    throw new MylicError('DOC_KIND_MISMATCH', `Expected a ${expected} ${what}, got ${actual}.`);
  }
}

export interface SignedEnvelope {
  readonly form: 'signed';
  readonly payloadBytes: Buffer;
  /** The algorithm the envelope names, one of SIGNATURE_ALGS. */
  readonly alg: SignatureAlg;
  readonly signature: Buffer;
  /** The embedded certificate PEM (invalidation only), strictly decoded as UTF-8. */
  readonly certificatePem: string | undefined;
}

export interface EncryptedEnvelope {
  readonly form: 'encrypted';
  readonly hardwareId: string;
  readonly key: Buffer;
  readonly iv: Buffer;
  readonly tag: Buffer;
  readonly data: Buffer;
}

const SIGNED_CHILDREN: Record<DocumentKind, readonly string[]> = {
  license: ['payload', 'signature'],
  invalidation: ['payload', 'signature', 'certificate'],
  confirmation: ['payload', 'signature'],
  certificate: ['payload', 'signature'],
};

/**
 * Reads an envelope of the expected kind. `allowEncrypted` admits the encrypted license form.
 * Checks, in this order: XML safety → root and kind (DOC_KIND_MISMATCH) → structure
 * (DOC_MALFORMED) → algorithms (DOC_ALGORITHM_UNSUPPORTED) → base64 (DOC_MALFORMED).
 */
export function readEnvelope(
  xml: string | Uint8Array,
  expected: DocumentKind,
  allowEncrypted = false,
): SignedEnvelope | EncryptedEnvelope {
  const { kind, root } = readRoot(xml, MAX_BYTES[expected]);
  expectKind(kind, expected);

  if (allowEncrypted && root.children.has('encrypted')) {
    expectShape(root, ROOT_ELEMENT, { attrs: ['kind', 'format'], children: ['encrypted'] });
    const enc = asElement(root.children.get('encrypted'), 'encrypted');
    expectShape(enc, 'encrypted', { attrs: ['alg', 'hardware-id'], children: ['key', 'iv', 'tag', 'data'] });
    const alg = requireAttr(enc, 'encrypted', 'alg');
    if (alg !== ENCRYPTION_ALG) {
      throw new MylicError(
        'DOC_ALGORITHM_UNSUPPORTED',
        `Encryption algorithm "${alg}" is not allowed (only ${ENCRYPTION_ALG}).`,
      );
    }
    const hardwareId = requireAttr(enc, 'encrypted', 'hardware-id');
    if (!isCanonicalHardwareId(hardwareId)) throw malformed(`"${hardwareId}" is not a hardware id.`);
    return {
      form: 'encrypted',
      hardwareId,
      key: leafBase64(enc, 'encrypted', 'key').bytes,
      iv: leafBase64(enc, 'encrypted', 'iv').bytes,
      tag: leafBase64(enc, 'encrypted', 'tag').bytes,
      data: leafBase64(enc, 'encrypted', 'data').bytes,
    };
  }

  expectShape(root, ROOT_ELEMENT, { attrs: ['kind', 'format'], children: SIGNED_CHILDREN[kind] });
  const payloadEl = requireChild(root, ROOT_ELEMENT, 'payload');
  expectShape(payloadEl, 'payload', { attrs: ['encoding'], text: true });
  const encoding = requireAttr(payloadEl, 'payload', 'encoding');
  if (encoding !== PAYLOAD_ENCODING)
    throw malformed(`Payload encoding "${encoding}" is not supported (only ${PAYLOAD_ENCODING}).`);
  const signatureEl = requireChild(root, ROOT_ELEMENT, 'signature');
  expectShape(signatureEl, 'signature', { attrs: ['alg'], text: true });
  const alg = requireAttr(signatureEl, 'signature', 'alg');
  if (!isSignatureAlg(alg)) {
    throw new MylicError(
      'DOC_ALGORITHM_UNSUPPORTED',
      `Signature algorithm "${alg}" is not allowed (only ${SIGNATURE_ALGS.join(' or ')}).`,
    );
  }

  let certificatePem: string | undefined;
  if (kind === 'invalidation') {
    const certBytes = leafBase64(root, ROOT_ELEMENT, 'certificate').bytes;
    certificatePem = decodeUtf8(certBytes, 'certificate');
  }
  return {
    form: 'signed',
    payloadBytes: fromBase64Strict(payloadEl.text, 'payload'),
    alg,
    signature: fromBase64Strict(signatureEl.text, 'signature'),
    certificatePem,
  };
}

export function decodeUtf8(bytes: Uint8Array, what: string): string {
  try {
    return new TextDecoder('utf-8', { fatal: true, ignoreBOM: true }).decode(bytes);
  } catch {
    throw malformed(`The ${what} is not valid UTF-8.`);
  }
}

/**
 * The envelopes are written by template, not by the XML library: every value in them is base64, a
 * document kind, a constant, an algorithm name of the allow-list or a canonical hardware id, none of
 * which needs escaping, and the text is byte for byte what buildXml wrote for the same values (a test
 * compares the two). The library cost about as much as the Ed25519 signature per license file.
 */
const XML_HEAD = '<?xml version="1.0" encoding="UTF-8"?>\n';

/** Builds the signed envelope XML. */
export function buildSignedEnvelope(
  kind: DocumentKind,
  payloadBytes: Uint8Array,
  signed: { alg: SignatureAlg; signature: Uint8Array },
  certificatePem?: string,
): string {
  if (!isDocumentKind(kind) || !isSignatureAlg(signed.alg))
    throw new Error(`Cannot write a ${kind} envelope signed with ${signed.alg}.`);
  const certificate =
    certificatePem === undefined
      ? ''
      : `  <certificate>${toBase64(Buffer.from(certificatePem, 'utf8'))}</certificate>\n`;
  return checkedSize(
    `${XML_HEAD}<${ROOT_ELEMENT} kind="${kind}" format="${ENVELOPE_FORMAT}">\n` +
      `  <payload encoding="${PAYLOAD_ENCODING}">${toBase64(payloadBytes)}</payload>\n` +
      `  <signature alg="${signed.alg}">${toBase64(signed.signature)}</signature>\n` +
      `${certificate}</${ROOT_ELEMENT}>\n`,
  );
}

/** Builds the encrypted license envelope XML. */
export function buildEncryptedEnvelope(
  hardwareId: string,
  parts: { key: Uint8Array; iv: Uint8Array; tag: Uint8Array; data: Uint8Array },
): string {
  if (!isCanonicalHardwareId(hardwareId)) throw new Error(`"${hardwareId}" is not a hardware id.`);
  return checkedSize(
    `${XML_HEAD}<${ROOT_ELEMENT} kind="license" format="${ENVELOPE_FORMAT}">\n` +
      `  <encrypted alg="${ENCRYPTION_ALG}" hardware-id="${hardwareId}">\n` +
      `    <key>${toBase64(parts.key)}</key>\n` +
      `    <iv>${toBase64(parts.iv)}</iv>\n` +
      `    <tag>${toBase64(parts.tag)}</tag>\n` +
      `    <data>${toBase64(parts.data)}</data>\n` +
      `  </encrypted>\n</${ROOT_ELEMENT}>\n`,
  );
}

/** A document we could not read back is not written: too many licenses or serials for one file. */
function checkedSize(xml: string): string {
  const bytes = Buffer.byteLength(xml, 'utf8');
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new MylicError(
      'XML_TOO_LARGE',
      `The document would be ${bytes} bytes, more than the ${MAX_DOCUMENT_BYTES} bytes a reader accepts.`,
    );
  }
  return xml;
}

// ---------------------------------------------------------------------------------------------
// payload

export const encodePayload = (payload: unknown): Buffer => Buffer.from(JSON.stringify(payload), 'utf8');

function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map(
      (issue) => `${issue.path.length > 0 ? issue.path.map(String).join('.') : '(root)'}: ${issue.message}`,
    )
    .join('; ');
}

/**
 * Payload bytes (already signature-checked) → UTF-8 JSON → kind check → zod schema.
 * Failures are DOC_MALFORMED (with the zod issue paths) or DOC_KIND_MISMATCH.
 */
export function decodePayload<S extends z.ZodType>(
  bytes: Uint8Array,
  kind: DocumentKind,
  schema: S,
): z.output<S> {
  let json: unknown;
  try {
    json = JSON.parse(decodeUtf8(bytes, 'payload'));
  } catch (e) {
    if (e instanceof MylicError) throw e;
    throw malformed('The payload is not valid JSON.');
  }
  if (json === null || typeof json !== 'object' || Array.isArray(json))
    throw malformed('The payload is not a JSON object.');
  const payloadKind: unknown = (json as Record<string, unknown>).kind;
  if (typeof payloadKind === 'string') expectKind(payloadKind, kind, 'payload');
  const result = schema.safeParse(json);
  if (!result.success) throw malformed(`The ${kind} payload is not valid: ${describeIssues(result.error)}`);
  return result.data;
}

/** Validates a payload before it is encoded; an invalid one is a programming error. */
export function checkPayloadForEncoding<S extends z.ZodType>(
  payload: unknown,
  kind: DocumentKind,
  schema: S,
): z.output<S> {
  const result = schema.safeParse(payload);
  if (!result.success)
    throw new Error(`Cannot encode an invalid ${kind} payload: ${describeIssues(result.error)}`);
  return result.data;
}
