import { createSocket, type Socket } from 'node:dgram';
import * as dnsPacket from 'dns-packet';

/**
 * A small DNS server for tests: real UDP on 127.0.0.1 (port 0), answering A questions with
 * dns-packet from a table of names, with faults to inject. Unknown names get NXDOMAIN, names with
 * an empty address list get an empty NOERROR answer, CNAMEs are put in the answer before the A records.
 */
export type DnsFault =
  | 'nxdomain' // every name: NXDOMAIN
  | 'servfail' // every name: SERVFAIL
  | 'silent' // never answer
  | 'truncated' // TC flag set, no records
  | 'wrongId' // the right answer, but with another id
  | 'wrongIdThenRight' // a wrong-id answer first, the right one 50 ms later
  | 'otherPort' // the right answer, sent from another port
  | 'garbage'; // our id, then bytes that are no DNS message

export interface DnsResponderOptions {
  /** name → IPv4 addresses. */
  records: Record<string, string[]>;
  /** alias → target name. */
  cnames: Record<string, string>;
  fault: DnsFault | null;
}

export interface DnsResponder {
  readonly host: string;
  readonly port: number;
  /** As the device keeps it: "127.0.0.1:40053". */
  readonly address: string;
  readonly queries: number;
  set(options: Partial<DnsResponderOptions>): void;
  close(): Promise<void>;
}

export async function startDnsResponder(options: Partial<DnsResponderOptions> = {}): Promise<DnsResponder> {
  const opts: DnsResponderOptions = { records: {}, cnames: {}, fault: null, ...options };
  let queries = 0;
  let closed = false;
  const socket: Socket = createSocket('udp4');
  const other: Socket = createSocket('udp4');

  const answer = (query: dnsPacket.DecodedPacket): Buffer => {
    const question = query.questions?.[0];
    const base = { type: 'response' as const, id: query.id ?? 0, questions: question ? [question] : [] };
    const flags = dnsPacket.RECURSION_DESIRED | dnsPacket.RECURSION_AVAILABLE;
    if (!question) return dnsPacket.encode({ ...base, flags: flags | 1 /* FORMERR */ });
    if (opts.fault === 'nxdomain') return dnsPacket.encode({ ...base, flags: flags | 3 });
    if (opts.fault === 'servfail') return dnsPacket.encode({ ...base, flags: flags | 2 });
    if (opts.fault === 'truncated')
      return dnsPacket.encode({ ...base, flags: flags | dnsPacket.TRUNCATED_RESPONSE });

    const answers: dnsPacket.Answer[] = [];
    let name = question.name.toLowerCase();
    for (let hop = 0; hop < 10 && opts.cnames[name] !== undefined; hop++) {
      const target = opts.cnames[name]!;
      answers.push({ type: 'CNAME', name, ttl: 60, class: 'IN', data: target });
      name = target.toLowerCase();
    }
    const addresses = opts.records[name];
    if (addresses === undefined) return dnsPacket.encode({ ...base, flags: flags | 3, answers });
    if (question.type === 'A')
      for (const data of addresses) answers.push({ type: 'A', name, ttl: 60, class: 'IN', data });
    return dnsPacket.encode({ ...base, flags: flags | dnsPacket.AUTHORITATIVE_ANSWER, answers });
  };

  socket.on('message', (msg, rinfo) => {
    let query: dnsPacket.DecodedPacket;
    try {
      query = dnsPacket.decode(msg);
    } catch {
      return;
    }
    if (query.type !== 'query') return;
    queries++;
    const reply = (buf: Buffer, from: Socket = socket) => {
      if (!closed) from.send(buf, rinfo.port, rinfo.address);
    };
    switch (opts.fault) {
      case 'silent':
        return;
      case 'garbage': {
        const junk = Buffer.from([0, 0, 0x81, 0x80, 0, 1, 0, 5, 0, 0, 0, 0, 0xff, 0xfe, 0x13, 0x37]);
        junk.writeUInt16BE(query.id ?? 0, 0);
        return reply(junk);
      }
      case 'wrongId': {
        const buf = answer(query);
        buf.writeUInt16BE(((query.id ?? 0) ^ 0x5a5a) & 0xffff, 0);
        return reply(buf);
      }
      case 'wrongIdThenRight': {
        const right = answer(query);
        const wrong = Buffer.from(right);
        wrong.writeUInt16BE(((query.id ?? 0) ^ 0x5a5a) & 0xffff, 0);
        reply(wrong);
        setTimeout(() => reply(right), 50);
        return;
      }
      case 'otherPort':
        return reply(answer(query), other);
      default:
        return reply(answer(query));
    }
  });

  const bind = (s: Socket) =>
    new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.bind(0, '127.0.0.1', () => {
        s.off('error', reject);
        resolve();
      });
    });
  await bind(socket);
  await bind(other);
  const port = socket.address().port;
  return {
    host: '127.0.0.1',
    port,
    address: `127.0.0.1:${port}`,
    get queries() {
      return queries;
    },
    set(change) {
      Object.assign(opts, change);
    },
    close: async () => {
      closed = true;
      await new Promise<void>((resolve) => socket.close(() => resolve()));
      await new Promise<void>((resolve) => other.close(() => resolve()));
    },
  };
}
