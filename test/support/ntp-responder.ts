import { createSocket, type Socket } from 'node:dgram';

/**
 * A small NTP server for tests: real UDP on loopback (port 0), answering RFC 4330 mode-3 requests
 * with mode-4 replies from its own clock plus a configurable skew, with faults to inject.
 * Written independently of the agent's NTP code, so a shared misunderstanding cannot hide.
 */
export interface NtpResponderOptions {
  /** Added to this machine's clock: +600_000 means the server is 10 minutes ahead of the device. */
  skewMs: number;
  stratum: number;
  /** 0 no warning … 3 unsynchronised. */
  leap: number;
  /** Receive requests but never answer. */
  silent: boolean;
  /** With stratum 0: the kiss code in the reference id, e.g. "DENY". */
  kissCode: string;
}

export interface NtpResponder {
  readonly host: string;
  readonly port: number;
  /** As the device keeps it: "127.0.0.1:40123" or "[::1]:40123". */
  readonly address: string;
  /** Mode-3 requests received so far. */
  readonly requests: number;
  /** Changes the behaviour for the following requests. */
  set(options: Partial<NtpResponderOptions>): void;
  close(): Promise<void>;
}

const NTP_UNIX_DELTA_S = 2_208_988_800;

function writeTimestamp(buf: Buffer, offset: number, unixMs: number) {
  const seconds = Math.floor(unixMs / 1000);
  const fraction = Math.floor(((unixMs - seconds * 1000) / 1000) * 2 ** 32);
  buf.writeUInt32BE((seconds + NTP_UNIX_DELTA_S) >>> 0, offset);
  buf.writeUInt32BE(fraction >>> 0, offset + 4);
}

export async function startNtpResponder(
  options: Partial<NtpResponderOptions> = {},
  host: '127.0.0.1' | '::1' = '127.0.0.1',
): Promise<NtpResponder> {
  const opts: NtpResponderOptions = {
    skewMs: 0,
    stratum: 2,
    leap: 0,
    silent: false,
    kissCode: '',
    ...options,
  };
  let requests = 0;
  const socket: Socket = createSocket(host === '::1' ? 'udp6' : 'udp4');
  const serverNow = () => Date.now() + opts.skewMs;

  socket.on('message', (msg, rinfo) => {
    const receivedAt = serverNow();
    if (msg.length < 48 || (msg[0]! & 7) !== 3) return; // only client requests
    requests++;
    if (opts.silent) return;
    const version = (msg[0]! >> 3) & 7 || 4;
    const reply = Buffer.alloc(48);
    reply[0] = ((opts.leap & 3) << 6) | (version << 3) | 4;
    reply[1] = opts.stratum & 0xff;
    reply[2] = msg[2]! || 6; // poll
    reply.writeInt8(-20, 3); // precision ~ 1 µs
    reply.writeUInt32BE(0x0000_0010, 4); // root delay
    reply.writeUInt32BE(0x0000_0020, 8); // root dispersion
    if (opts.stratum === 0) Buffer.from(opts.kissCode.padEnd(4, '\0').slice(0, 4), 'latin1').copy(reply, 12);
    else if (opts.stratum === 1) Buffer.from('LOCL', 'latin1').copy(reply, 12);
    else Buffer.from([127, 127, 1, 1]).copy(reply, 12);
    writeTimestamp(reply, 16, receivedAt - 16_000); // reference: last set 16 s ago
    msg.copy(reply, 24, 40, 48); // originate = the client's transmit timestamp, byte for byte
    writeTimestamp(reply, 32, receivedAt);
    writeTimestamp(reply, 40, serverNow());
    socket.send(reply, rinfo.port, rinfo.address);
  });

  await new Promise<void>((resolve, reject) => {
    socket.once('error', reject);
    socket.bind(0, host, () => {
      socket.off('error', reject);
      resolve();
    });
  });
  const port = socket.address().port;
  return {
    host,
    port,
    address: host === '::1' ? `[::1]:${port}` : `${host}:${port}`,
    get requests() {
      return requests;
    },
    set(change) {
      Object.assign(opts, change);
    },
    close: () => new Promise<void>((resolve) => socket.close(() => resolve())),
  };
}
