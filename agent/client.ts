import type { IncomingMessage } from 'node:http';
import { Agent, request } from 'node:https';
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
 * The agent's HTTPS client to the portal: node:https with an Agent of its own that trusts only the CA
 * the device was given (`ca` replaces the system roots), keeps its connection for the next request of
 * the same run, bounds every request by timeouts, and parses every answer by its schema. (It was
 * undici's Agent until issue 17: the same TLS from node's own `tls`, without 220 kB in the bundle.)
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
  private readonly agent: Agent;
  private readonly base: URL;
  /** How long a connection attempt, the wait for the answer or a pause in its body may last. */
  private readonly timeoutMs: number;

  constructor(readonly opts: ClientOptions) {
    this.base = new URL(opts.portalUrl);
    this.timeoutMs = opts.timeoutMs ?? 10_000;
    this.agent = new Agent({ ca: opts.caPem, keepAlive: true });
  }

  async close() {
    this.agent.destroy();
  }

  /** One request. `deadlineMs` bounds the whole exchange (connect, TLS, headers and body). */
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
    const url = new URL(path, this.base);
    // biome-ignore lint/suspicious/noImplicitAnyLet: typed by its assignment in the try block
    let res;
    let bytes: Buffer;
    try {
      ({ res, bytes } = await exchange(
        this.agent,
        url,
        method,
        headers,
        body,
        this.timeoutMs,
        init.deadlineMs,
      ));
    } catch (e) {
      if (e instanceof MylicError) throw e;
      throw networkError(e, this.base);
    }
    if ((res.statusCode ?? 0) >= 400) {
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

/** Thrown (and mapped by networkError) when a phase of a request outlasts the client's timeout. */
class PhaseTimeout extends Error {
  readonly code = 'MYLIC_PHASE_TIMEOUT';
  constructor(readonly connected: boolean) {
    super('timeout');
  }
}

/**
 * One request and its answer read whole (at most MAX_DOCUMENT_BYTES). `timeoutMs` bounds each phase
 * (connecting with TLS, waiting for the answer, each pause in its body); `deadlineMs`, when given,
 * bounds the whole exchange and destroys the request when it passes.
 */
function exchange(
  agent: Agent,
  url: URL,
  method: string,
  headers: Record<string, string>,
  body: string | undefined,
  timeoutMs: number,
  deadlineMs: number | undefined,
): Promise<{ res: IncomingMessage; bytes: Buffer }> {
  return new Promise((resolve, reject) => {
    if (body !== undefined) headers['content-length'] = String(Buffer.byteLength(body));
    // A deadline no longer than the phase timeout is the one that speaks.
    const phase = deadlineMs !== undefined && deadlineMs <= timeoutMs ? undefined : timeoutMs;
    const req = request(url, { agent, method, headers, timeout: phase });
    let connected = false;
    let settled = false;
    let deadline: NodeJS.Timeout | undefined;
    const fail = (e: unknown) => {
      if (settled) return;
      settled = true;
      clearTimeout(deadline);
      req.destroy();
      reject(e);
    };
    if (deadlineMs !== undefined)
      deadline = setTimeout(
        () =>
          fail(
            new MylicError(
              'PORTAL_UNREACHABLE',
              `The portal ${url.host} did not answer within ${deadlineMs} ms.`,
            ),
          ),
        deadlineMs,
      );
    req.on('socket', (socket) => {
      if (req.reusedSocket) connected = true;
      else socket.once('secureConnect', () => (connected = true));
    });
    req.on('timeout', () => fail(new PhaseTimeout(connected)));
    req.on('error', fail);
    req.on('response', (res) => {
      const chunks: Buffer[] = [];
      let size = 0;
      res.on('data', (chunk: Buffer) => {
        size += chunk.byteLength;
        if (size > MAX_DOCUMENT_BYTES)
          fail(new MylicError('PORTAL_PROTOCOL', 'The portal answer is too large.'));
        else chunks.push(chunk);
      });
      res.on('error', fail);
      res.on('close', () => {
        if (!res.complete) fail(new Error('the portal closed the connection mid-answer'));
      });
      res.on('end', () => {
        if (settled) return;
        settled = true;
        clearTimeout(deadline);
        resolve({ res, bytes: Buffer.concat(chunks) });
      });
    });
    req.end(body);
  });
}

function networkError(e: unknown, base: URL): MylicError {
  const err = e as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = err.code ?? err.cause?.code ?? '';
  if (TLS_CODES.has(code))
    return new MylicError(
      'PORTAL_TLS',
      `The portal ${base.host} showed a certificate the device does not trust (${code}).`,
    );
  if (e instanceof PhaseTimeout)
    return new MylicError(
      'PORTAL_UNREACHABLE',
      e.connected ? `The portal ${base.host} stopped answering.` : `Connecting to ${base.host} timed out.`,
    );
  return new MylicError(
    'PORTAL_UNREACHABLE',
    `The portal ${base.host} cannot be reached (${code || err.message}).`,
  );
}
