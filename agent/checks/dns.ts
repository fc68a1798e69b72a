import { randomInt } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import * as dnsPacket from 'dns-packet';
import { MylicError, type ErrorCode } from '../../protocol/errors.js';
import { failed, passed, type CheckResult } from './check-result.js';
import { formatServerAddress, parseServerAddress } from './server-address.js';

export const DNS_DEFAULT_PORT = 53;
export const DNS_DEFAULT_TIMEOUT_MS = 3000;

const RCODE_NAMES: Record<number, string> = {
  0: 'NOERROR',
  1: 'FORMERR',
  2: 'SERVFAIL',
  3: 'NXDOMAIN',
  4: 'NOTIMP',
  5: 'REFUSED',
};
const QR = 0x8000;
const TC = 0x0200;
const MAX_CNAME_HOPS = 16;

/** One spelling per address ("0:0::1" and "::1" are the same IPv6 address). */
const canonicalIp = (ip: string): string => (isIP(ip) === 6 ? new URL(`http://[${ip}]/`).hostname : ip);

const sameName = (a: string, b: string) =>
  a.replace(/\.$/, '').toLowerCase() === b.replace(/\.$/, '').toLowerCase();

/**
 * Asks one DNS server for the IPv4 addresses of a name: one UDP query (random 16-bit id, recursion
 * desired, question A IN) with dns-packet over node:dgram, from a socket connected to the server
 * (so only its address and port can answer, and "port unreachable" ends the wait at once).
 *
 * Only an answer with our id and our question counts; answers with another id or question are
 * remembered and the wait goes on until the timeout. Throws MylicError with DNS_TIMEOUT,
 * DNS_ID_MISMATCH (only answers for another question arrived), DNS_MALFORMED, DNS_TRUNCATED,
 * DNS_NXDOMAIN, DNS_SERVFAIL (also REFUSED and other error rcodes) or DNS_NO_ADDRESS.
 * CNAME chains inside the answer section are followed.
 */
export function resolveA(
  name: string,
  server: { host: string; port: number },
  timeoutMs: number,
): Promise<string[]> {
  const family = isIP(server.host);
  if (family === 0)
    return Promise.reject(
      new TypeError(`resolveA: the DNS server must be an IP address, got "${server.host}"`),
    );
  const qname = name.replace(/\.$/, '');
  const where = formatServerAddress(server);
  const details = { server: where, name: qname };
  // dns-packet would silently encode a label longer than 63 bytes wrong; such a name cannot exist in DNS.
  if (
    qname.length === 0 ||
    qname.length > 253 ||
    qname.split('.').some((label) => label.length === 0 || Buffer.byteLength(label) > 63)
  ) {
    return Promise.reject(
      new MylicError(
        'DNS_NXDOMAIN',
        `The host name "${qname}" cannot exist in DNS (empty, too long, or a label longer than 63 characters).`,
        details,
      ),
    );
  }
  const id = randomInt(0, 0x1_0000);
  const query = dnsPacket.encode({
    type: 'query',
    id,
    flags: dnsPacket.RECURSION_DESIRED,
    questions: [{ type: 'A', class: 'IN', name: qname }],
  });

  return new Promise<string[]>((resolve, reject) => {
    const socket = createSocket(family === 6 ? 'udp6' : 'udp4');
    let wrongId = 0;
    let wrongQuestion = 0;
    let unreadable = 0;
    let done = false;
    const finish = (error: MylicError | null, addresses?: string[]) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(addresses!);
    };
    const fail = (code: ErrorCode, message: string, extra: Record<string, unknown> = {}) =>
      finish(new MylicError(code, message, { ...details, ...extra }));

    const timer = setTimeout(() => {
      if (wrongId + wrongQuestion > 0) {
        const what = [
          wrongId ? `${wrongId} with another id` : '',
          wrongQuestion ? `${wrongQuestion} for another question` : '',
        ]
          .filter(Boolean)
          .join(' and ');
        fail(
          'DNS_ID_MISMATCH',
          `The DNS server ${where} sent only answers that do not belong to the question for ${qname} (${what}) within ${timeoutMs} ms.`,
          { wrongId, wrongQuestion },
        );
      } else if (unreadable > 0) {
        fail(
          'DNS_MALFORMED',
          `The DNS server ${where} sent only packets that are not readable DNS answers within ${timeoutMs} ms.`,
        );
      } else {
        fail(
          'DNS_TIMEOUT',
          `The DNS server ${where} did not answer the question for ${qname} within ${timeoutMs} ms.`,
        );
      }
    }, timeoutMs);

    socket.on('error', (err: NodeJS.ErrnoException) => {
      const why = err.code ?? err.message;
      const message =
        err.code === 'ECONNREFUSED'
          ? `The DNS server ${where} does not answer: nothing listens on UDP port ${server.port} there.`
          : `The DNS server ${where} cannot be reached (${why}).`;
      fail('DNS_TIMEOUT', message, { cause: why });
    });

    socket.on('message', (msg, rinfo) => {
      // The connected socket already keeps other senders out; checked again in case it is ever not.
      if (rinfo.port !== server.port || canonicalIp(rinfo.address) !== canonicalIp(server.host)) return;
      if (msg.length < 12) {
        unreadable++;
        return;
      }
      if (msg.readUInt16BE(0) !== id) {
        wrongId++;
        return;
      }
      const flags = msg.readUInt16BE(2);
      if ((flags & QR) === 0 || ((flags >> 11) & 0xf) !== 0) {
        // Our id, but a query or another opcode: not an answer to us.
        unreadable++;
        return;
      }
      const rcode = flags & 0xf;
      let packet: dnsPacket.DecodedPacket;
      try {
        packet = dnsPacket.decode(msg);
      } catch (e) {
        if (flags & TC)
          return fail('DNS_TRUNCATED', `The DNS server ${where} sent a truncated answer for ${qname}.`);
        return fail(
          'DNS_MALFORMED',
          `The DNS server ${where} sent an answer for ${qname} that cannot be read (${e instanceof Error ? e.message : String(e)}).`,
        );
      }
      const questions = packet.questions ?? [];
      const echoed =
        questions.length === 1 &&
        questions[0]!.type === 'A' &&
        (questions[0]!.class ?? 'IN') === 'IN' &&
        sameName(questions[0]!.name, qname);
      // A server that rejects a query may leave the question out; anything else must echo it.
      if (!echoed && !(questions.length === 0 && rcode !== 0)) {
        wrongQuestion++;
        return;
      }
      if (flags & TC)
        return fail(
          'DNS_TRUNCATED',
          `The DNS server ${where} sent a truncated answer for ${qname} (TC flag).`,
        );
      if (rcode === 3)
        return fail('DNS_NXDOMAIN', `The DNS server ${where} says that ${qname} does not exist (NXDOMAIN).`, {
          rcode: 'NXDOMAIN',
        });
      if (rcode !== 0) {
        const rcodeName = RCODE_NAMES[rcode] ?? `RCODE ${rcode}`;
        return fail(
          'DNS_SERVFAIL',
          `The DNS server ${where} could not answer the question for ${qname} (${rcodeName}).`,
          { rcode: rcodeName },
        );
      }

      const answers = packet.answers ?? [];
      const addresses: string[] = [];
      const chain: string[] = [qname];
      let current = qname;
      for (let hop = 0; hop <= MAX_CNAME_HOPS; hop++) {
        for (const a of answers)
          if (a.type === 'A' && sameName(a.name, current) && isIP(a.data) === 4) addresses.push(a.data);
        if (addresses.length > 0) break;
        const cname = answers.find((a) => a.type === 'CNAME' && sameName(a.name, current));
        if (cname?.type !== 'CNAME') break;
        current = cname.data;
        chain.push(current);
      }
      if (addresses.length === 0) {
        const via = chain.length > 1 ? ` (via ${chain.join(' → ')})` : '';
        return fail(
          'DNS_NO_ADDRESS',
          `The DNS server ${where} knows ${qname} but gave no IPv4 address for it${via}.`,
          { chain },
        );
      }
      finish(null, [...new Set(addresses)]);
    });

    // On a connect error Node calls this callback with the error instead of emitting 'error'.
    socket.connect(server.port, server.host, (err?: Error) => {
      if (err) return void socket.emit('error', err);
      socket.send(query, (sendErr) => {
        if (sendErr) socket.emit('error', sendErr);
      });
    });
  });
}

const SET_DNS = 'mylic config --dns <ip[:port]>';

/** A fix sentence for each way the lookup can fail. */
function dnsFix(code: ErrorCode, server: string, host: string): string {
  switch (code) {
    case 'DNS_TIMEOUT':
      return `Check that the DNS server ${server} is running and that UDP port 53 (or the configured port) is open between the device and it, or set a DNS server that answers in the device's IP settings (here: \`${SET_DNS}\`).`;
    case 'DNS_NXDOMAIN':
      return `Check the portal URL for typos (\`mylic config --portal <url>\`), or make the DNS server ${server} resolve ${host} (for example by forwarding to a public resolver).`;
    case 'DNS_SERVFAIL':
      return `Check that the DNS server ${server} allows queries from the device and can reach its upstream servers, or set another DNS server (here: \`${SET_DNS}\`).`;
    case 'DNS_TRUNCATED':
      return `Make the DNS server ${server} answer ${host} over UDP without truncation (fewer records in the answer), or set another DNS server (here: \`${SET_DNS}\`).`;
    case 'DNS_ID_MISMATCH':
      return `Something between the device and ${server} alters or forges DNS answers, or the server is broken: check firewalls and DNS proxies on the way, or set another DNS server (here: \`${SET_DNS}\`).`;
    case 'DNS_NO_ADDRESS':
      return `Add an IPv4 address (A record) for ${host} on the DNS server ${server}, or check the portal URL (\`mylic config --portal <url>\`).`;
    case 'DNS_MALFORMED':
      return `The DNS server ${server} sends answers that cannot be read: check what listens there, or set another DNS server (here: \`${SET_DNS}\`).`;
    default:
      return `Set a working DNS server in the device's IP settings (here: \`${SET_DNS}\`).`;
  }
}

/**
 * The DNS check: the device's configured resolver answers the portal's host name with at least one
 * IPv4 address. A portal URL with an IP address needs no DNS and passes. Returns a result; throws only
 * on misuse (a portal URL that is not a URL).
 */
export async function checkDns(config: {
  server: string | null;
  portalUrl: string;
  timeoutMs?: number;
}): Promise<CheckResult> {
  const timeoutMs = config.timeoutMs ?? DNS_DEFAULT_TIMEOUT_MS;
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs))
    throw new RangeError(`checkDns: timeoutMs must be a finite number > 0, got ${timeoutMs}`);
  const host = new URL(config.portalUrl).hostname.replace(/^\[(.*)\]$/, '$1');
  if (isIP(host) !== 0) {
    return passed('dns', `The portal address ${host} is an IP address: no DNS lookup is needed.`, {
      host,
      addresses: [host],
      server: config.server,
    });
  }
  if (config.server === null || config.server.trim() === '') {
    return failed(
      'dns',
      'DNS_NOT_CONFIGURED',
      `No DNS server is configured on the device, so it cannot find the portal ${host}.`,
      `Set the DNS server in the device's IP settings (here: \`${SET_DNS}\`).`,
      { host },
    );
  }
  const server = parseServerAddress(config.server, DNS_DEFAULT_PORT);
  if (!server || isIP(server.host) === 0) {
    return failed(
      'dns',
      'DNS_NOT_CONFIGURED',
      server
        ? `The DNS server setting "${config.server}" is a name; a DNS server must be given as an IP address (finding it by name would need DNS itself).`
        : `The DNS server setting "${config.server}" is not an IP address with an optional port.`,
      `Set the DNS server as an IP address in the device's IP settings (here: \`${SET_DNS}\`).`,
      { server: config.server, host },
    );
  }
  const name = config.server.trim();
  try {
    const addresses = await resolveA(host, server, timeoutMs);
    return passed('dns', `The DNS server ${name} resolves ${host} to ${addresses.join(', ')}.`, {
      server: name,
      host,
      addresses,
    });
  } catch (e) {
    if (e instanceof MylicError && e.code.startsWith('DNS_')) {
      return failed('dns', e.code, e.message, dnsFix(e.code, name, host), {
        ...(e.details ?? {}),
        server: name,
        host,
        timeoutMs,
      });
    }
    throw e;
  }
}
