import { Agent } from 'undici';
import * as z from 'zod';
import { MylicError, isErrorCode } from '../protocol/errors.js';
import {
  CertificateResponse,
  ChallengeResponse,
  DEVICE_API,
  DeviceLicensesResponse,
  DeviceLoginResponse,
  XML_CONTENT_TYPE,
} from '../protocol/device-protocol.js';
import { MAX_DOCUMENT_BYTES } from '../protocol/documents/index.js';

/**
 * The agent's HTTPS client to the portal: undici (in the bundle only the parts it uses, see
 * undici-agent.cjs), trusting only the CA the device was given (no
 * system roots), with timeouts, and every answer parsed by its schema.
 */
const ErrorBody = z.object({
  error: z.object({
    code: z.string(),
    message: z.string(),
    details: z.record(z.string(), z.unknown()).optional(),
  }),
});

const HealthResponse = z.object({ status: z.string().max(200) });

const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
  'DEPTH_ZERO_SELF_SIGNED_CERT',
  'SELF_SIGNED_CERT_IN_CHAIN',
  'ERR_TLS_CERT_ALTNAME_INVALID',
  'CERT_HAS_EXPIRED',
  'CERT_NOT_YET_VALID',
  'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
]);

export interface ClientOptions {
  portalUrl: string;
  caPem: string;
  timeoutMs?: number;
}

export class PortalClient {
  private readonly dispatcher: Agent;
  private readonly base: URL;

  constructor(readonly opts: ClientOptions) {
    this.base = new URL(opts.portalUrl);
    const timeout = opts.timeoutMs ?? 10_000;
    this.dispatcher = new Agent({
      connect: { ca: opts.caPem, timeout },
      headersTimeout: timeout,
      bodyTimeout: timeout,
    });
  }

  private destroyed = false;

  async close() {
    if (!this.destroyed) await this.dispatcher.close();
  }

  /**
   * One request. `deadlineMs` bounds the whole exchange (connect, TLS, headers and body): undici's own
   * timeouts are per phase and coarse (its connect timer fires up to a second late).
   */
  private async send(
    method: 'GET' | 'POST',
    path: string,
    init: { token?: string; json?: unknown; xml?: string; deadlineMs?: number } = {},
  ) {
    const headers: Record<string, string> = { accept: 'application/json, application/xml' };
    if (init.token) headers.authorization = `Bearer ${init.token}`;
    let body: string | undefined;
    if (init.json !== undefined) {
      headers['content-type'] = 'application/json';
      body = JSON.stringify(init.json);
    } else if (init.xml !== undefined) {
      headers['content-type'] = XML_CONTENT_TYPE;
      body = init.xml;
    }
    const exchange = (async () => {
      const url = new URL(path, this.base);
      const res = await this.dispatcher.request({
        origin: url.origin,
        path: `${url.pathname}${url.search}`,
        method,
        headers,
        body,
      });
      return { res, bytes: await readLimited(res.body, MAX_DOCUMENT_BYTES) };
    })();
    // biome-ignore lint/suspicious/noImplicitAnyLet: typed by its assignment in the try block
    let res;
    let bytes: Buffer;
    let timer: NodeJS.Timeout | undefined;
    try {
      if (init.deadlineMs === undefined) ({ res, bytes } = await exchange);
      else {
        // undici does not abort a connection attempt through a signal; the deadline destroys the
        // dispatcher instead (this client is then used up, as a check's client is).
        const deadline = new Promise<never>((_, reject) => {
          timer = setTimeout(() => {
            exchange.catch(() => undefined);
            this.destroyed = true;
            void this.dispatcher.destroy().catch(() => undefined);
            reject(
              new MylicError(
                'PORTAL_UNREACHABLE',
                `The portal ${this.base.host} did not answer within ${init.deadlineMs} ms.`,
              ),
            );
          }, init.deadlineMs);
        });
        ({ res, bytes } = await Promise.race([exchange, deadline]));
      }
    } catch (e) {
      if (e instanceof MylicError) throw e;
      throw networkError(e, this.base);
    } finally {
      clearTimeout(timer);
    }
    if (res.statusCode >= 400) {
      // biome-ignore lint/suspicious/noImplicitAnyLet: typed by its assignment in the try block
      let parsed;
      try {
        parsed = ErrorBody.safeParse(JSON.parse(strictUtf8(bytes) ?? ''));
      } catch {
        parsed = undefined;
      }
      if (parsed?.success && isErrorCode(parsed.data.error.code)) {
        throw new MylicError(parsed.data.error.code, parsed.data.error.message, parsed.data.error.details);
      }
      throw new MylicError('PORTAL_PROTOCOL', `The portal answered HTTP ${res.statusCode}.`);
    }
    return { bytes, contentType: String(res.headers['content-type'] ?? '') };
  }

  private async json<S extends z.ZodType>(
    schema: S,
    method: 'GET' | 'POST',
    path: string,
    init?: { token?: string; json?: unknown; deadlineMs?: number },
  ) {
    const { bytes } = await this.send(method, path, init);
    const text = strictUtf8(bytes);
    if (text === null) throw new MylicError('PORTAL_PROTOCOL', 'The portal answer is not valid UTF-8.');
    let raw: unknown;
    try {
      raw = JSON.parse(text);
    } catch {
      throw new MylicError('PORTAL_PROTOCOL', 'The portal did not answer JSON.');
    }
    const r = schema.safeParse(raw);
    if (!r.success)
      throw new MylicError(
        'PORTAL_PROTOCOL',
        `The portal's answer does not fit the protocol: ${r.error.issues[0]?.path.join('.')}`,
      );
    return r.data as z.output<S>;
  }

  /**
   * An XML document as the bytes the portal sent: the caller opens it with the strict parser (invalid
   * UTF-8 is XML_MALFORMED) and stores exactly these bytes. Decoding here would replace bad bytes.
   */
  private async xml(
    method: 'POST',
    path: string,
    init: { token: string; json?: unknown; xml?: string },
  ): Promise<Uint8Array> {
    const { bytes, contentType } = await this.send(method, path, init);
    if (!contentType.startsWith('application/xml'))
      throw new MylicError('PORTAL_PROTOCOL', 'The portal did not answer an XML document.');
    return bytes;
  }

  challenge(hardwareId: string) {
    return this.json(ChallengeResponse, 'POST', `${DEVICE_API}/challenge`, { json: { hardwareId } });
  }
  login(body: {
    email: string;
    password: string;
    hardwareId: string;
    certificate: string;
    challenge: string;
    signature: string;
  }) {
    return this.json(DeviceLoginResponse, 'POST', `${DEVICE_API}/login`, { json: body });
  }
  licenses(token: string) {
    return this.json(DeviceLicensesResponse, 'GET', `${DEVICE_API}/licenses`, { token });
  }
  licenseFile(token: string, version: number) {
    return this.xml('POST', `${DEVICE_API}/license-file`, { token, json: { version } });
  }
  requestCertificate(token: string, csr: string) {
    return this.json(CertificateResponse, 'POST', `${DEVICE_API}/certificate`, { token, json: { csr } });
  }
  testLicenseFile(token: string, req: { version: number; slave: boolean; pbx?: number }) {
    return this.xml('POST', `${DEVICE_API}/test-license`, { token, json: req });
  }
  transferInvalidation(token: string, documentXml: string) {
    return this.xml('POST', `${DEVICE_API}/invalidations`, { token, xml: documentXml });
  }
  /** GET /healthz within `deadlineMs`: what the portal says about itself (`status` is "ok" when it serves). */
  health(deadlineMs?: number) {
    return this.json(HealthResponse, 'GET', '/healthz', deadlineMs === undefined ? {} : { deadlineMs });
  }
}

/** UTF-8 decoded strictly (a BOM is dropped), or null when the bytes are not UTF-8. */
function strictUtf8(bytes: Uint8Array): string | null {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return null;
  }
}

async function readLimited(body: AsyncIterable<Uint8Array>, max: number): Promise<Buffer> {
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.byteLength;
    if (size > max) throw new MylicError('PORTAL_PROTOCOL', 'The portal answer is too large.');
    chunks.push(chunk);
  }
  return Buffer.concat(chunks);
}

function networkError(e: unknown, base: URL): MylicError {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  if (TLS_CODES.has(code))
    return new MylicError(
      'PORTAL_TLS',
      `The portal ${base.host} showed a certificate the device does not trust (${code}).`,
    );
  if (code === 'UND_ERR_CONNECT_TIMEOUT') {
    return new MylicError('PORTAL_UNREACHABLE', `Connecting to ${base.host} timed out.`);
  }
  return new MylicError(
    'PORTAL_UNREACHABLE',
    `The portal ${base.host} cannot be reached (${code || err.message}).`,
  );
}
