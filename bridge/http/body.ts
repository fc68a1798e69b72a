import type { Context } from 'hono';
import type * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';
import { MAX_DOCUMENT_BYTES } from '../../protocol/documents/index.js';

/** The media type of the request, lower case, without parameters. */
const mediaType = (c: Context) => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

/**
 * Refuses a body declared in any charset but UTF-8 (415): such a body would otherwise be read as UTF-8
 * and mean something else than its sender meant. No charset parameter means UTF-8 (RFC 8259 for JSON;
 * our XML documents are UTF-8 by definition).
 */
function assertUtf8Charset(c: Context, send: string): void {
  for (const param of (c.req.header('content-type') ?? '').split(';').slice(1)) {
    const eq = param.indexOf('=');
    if (eq < 0 || param.slice(0, eq).trim().toLowerCase() !== 'charset') continue;
    const charset = param
      .slice(eq + 1)
      .trim()
      .replace(/^"(.*)"$/, '$1')
      .toLowerCase();
    if (charset !== 'utf-8' && charset !== 'utf8') {
      throw new MylicError(
        'UNSUPPORTED_MEDIA_TYPE',
        `${send} in UTF-8: charset=${charset.slice(0, 40)} is not accepted.`,
      );
    }
  }
}

/** The body's bytes as UTF-8 text, strictly: invalid UTF-8 is an error, never U+FFFD. */
async function utf8Text(c: Context): Promise<string | null> {
  const buf = new Uint8Array(await c.req.arrayBuffer());
  if (buf.byteLength > MAX_DOCUMENT_BYTES) throw new MylicError('PAYLOAD_TOO_LARGE');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    return null;
  }
}

/** Reads a JSON body (UTF-8 only) and parses it with the route's schema. The size is limited by bodyLimit before. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  if (mediaType(c) !== 'application/json')
    throw new MylicError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json).');
  assertUtf8Charset(c, 'Send JSON');
  const text = await utf8Text(c);
  if (text === null) throw new MylicError('BAD_REQUEST', 'The body is not valid UTF-8.');
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new MylicError('BAD_REQUEST', 'The body is not valid JSON.');
  }
  return schema.parse(raw);
}

/** Reads a text/plain body (a file of MACs), UTF-8 only. */
export async function plainTextBody(c: Context): Promise<string> {
  assertUtf8Charset(c, 'Send the file');
  const text = await utf8Text(c);
  if (text === null) throw new MylicError('BAD_REQUEST', 'The file is not valid UTF-8.');
  return text;
}

/** Reads an XML document body (license protocol documents). */
export async function xmlBody(c: Context): Promise<string> {
  const type = mediaType(c);
  if (type !== 'application/xml' && type !== 'text/xml')
    throw new MylicError(
      'UNSUPPORTED_MEDIA_TYPE',
      'Send the document as XML (Content-Type: application/xml).',
    );
  assertUtf8Charset(c, 'Send the document');
  const text = await utf8Text(c);
  if (text === null) throw new MylicError('XML_MALFORMED', 'The document is not valid UTF-8.');
  return text;
}

export const xmlResponse = (c: Context, xml: string, filename?: string) =>
  c.body(xml, 200, {
    'content-type': 'application/xml; charset=utf-8',
    ...(filename ? { 'content-disposition': `attachment; filename="${filename}"` } : {}),
  });
