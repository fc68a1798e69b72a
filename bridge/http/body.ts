import type { Context } from 'hono';
import type * as z from 'zod';
import { MylicError } from '../../protocol/errors.js';
import { MAX_DOCUMENT_BYTES } from '../../protocol/documents/index.js';

/** The media type of the request, lower case, without parameters. */
const mediaType = (c: Context) => (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();

/** Reads a JSON body and parses it with the route's schema. The size is limited by bodyLimit before. */
export async function jsonBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  if (mediaType(c) !== 'application/json') throw new MylicError('UNSUPPORTED_MEDIA_TYPE', 'Send JSON (Content-Type: application/json).');
  let raw: unknown;
  try {
    raw = await c.req.json();
  } catch {
    throw new MylicError('BAD_REQUEST', 'The body is not valid JSON.');
  }
  return schema.parse(raw);
}

/** Reads an XML document body (license protocol documents). */
export async function xmlBody(c: Context): Promise<string> {
  const type = mediaType(c);
  if (type !== 'application/xml' && type !== 'text/xml') throw new MylicError('UNSUPPORTED_MEDIA_TYPE', 'Send the document as XML (Content-Type: application/xml).');
  const buf = new Uint8Array(await c.req.arrayBuffer());
  if (buf.byteLength > MAX_DOCUMENT_BYTES) throw new MylicError('PAYLOAD_TOO_LARGE');
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(buf);
  } catch {
    throw new MylicError('XML_MALFORMED', 'The document is not valid UTF-8.');
  }
}

export const xmlResponse = (c: Context, xml: string, filename?: string) =>
  c.body(xml, 200, {
    'content-type': 'application/xml; charset=utf-8',
    ...(filename ? { 'content-disposition': `attachment; filename="${filename}"` } : {}),
  });
