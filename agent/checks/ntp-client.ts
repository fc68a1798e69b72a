import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { isIP } from 'node:net';
import { MylicError } from '../../protocol/errors.js';
import { formatServerAddress, type ServerAddress } from './server-address.js';

/**
 * A minimal SNTP client (RFC 4330, one mode-3 request, one mode-4 reply) over node:dgram.
 *
 * The NTP check polls through ntp-time-sync; this client is only for what that library cannot do:
 * it opens `udp4` sockets only, so an NTP server given as an IPv6 address goes through here.
 */

/** One NTP reply with the four timestamps of RFC 4330 in Unix milliseconds (NaN: absent). */
export interface NtpReply {
  leapIndicator: number;
  version: number;
  mode: number;
  stratum: number;
  /** The reference identifier as a 32-bit number (kiss code when the stratum is 0). */
  referenceId: number;
  /** T1: when the request left the client (echoed by the server). */
  originateMs: number;
  /** T2: when the request reached the server. */
  receiveMs: number;
  /** T3: when the reply left the server. */
  transmitMs: number;
  /** T4: when the reply reached the client. */
  destinationMs: number;
  /** The server's transmit timestamp was all zero (RFC 4330: such a reply is not a time). */
  transmitZero: boolean;
}

const NTP_TO_UNIX_S = 2_208_988_800;
const TWO_32 = 0x1_0000_0000;

/** Writes a Unix time in milliseconds as a 64-bit NTP timestamp (era 0 until 2036, then era 1). */
export function writeNtpTimestamp(buf: Buffer, offset: number, unixMs: number): void {
  const seconds = Math.floor(unixMs / 1000);
  const fraction = Math.min(TWO_32 - 1, Math.round(((unixMs - seconds * 1000) / 1000) * TWO_32));
  buf.writeUInt32BE((seconds + NTP_TO_UNIX_S) % TWO_32, offset);
  buf.writeUInt32BE(fraction, offset + 4);
}

/** Reads a 64-bit NTP timestamp as Unix milliseconds; seconds with the top bit clear are era 1 (2036+). */
export function readNtpTimestamp(buf: Buffer, offset: number): number {
  const seconds = buf.readUInt32BE(offset);
  const fraction = buf.readUInt32BE(offset + 4);
  const era = seconds < 0x8000_0000 ? TWO_32 : 0;
  return (seconds + era - NTP_TO_UNIX_S) * 1000 + (fraction / TWO_32) * 1000;
}

/** Sends one SNTP request and waits for the matching reply; rejects with NTP_UNREACHABLE. */
export function sntpQuery(server: ServerAddress, timeoutMs: number): Promise<NtpReply> {
  const where = formatServerAddress(server);
  return new Promise<NtpReply>((resolve, reject) => {
    const socket = createSocket(isIP(server.host) === 6 ? 'udp6' : 'udp4');
    const request = Buffer.alloc(48);
    request[0] = (0 << 6) | (4 << 3) | 3; // LI 0, version 4, mode 3 (client)
    let ignored = 0;
    let done = false;
    const finish = (error: Error | null, reply?: NtpReply) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      socket.close();
      if (error) reject(error);
      else resolve(reply!);
    };
    const timer = setTimeout(
      () =>
        finish(
          new MylicError(
            'NTP_UNREACHABLE',
            `The NTP server ${where} did not answer within ${timeoutMs} ms${ignored ? ` (${ignored} packet(s) that were not a reply to this request were ignored)` : ''}.`,
            {
              server: where,
            },
          ),
        ),
      timeoutMs,
    );
    socket.on('error', (err: NodeJS.ErrnoException) =>
      finish(
        new MylicError(
          'NTP_UNREACHABLE',
          `The NTP server ${where} cannot be reached (${err.code ?? err.message}).`,
          { server: where, cause: err.code ?? err.message },
        ),
      ),
    );
    socket.on('message', (msg, rinfo) => {
      const destinationMs = Date.now();
      // The socket is connected, so the kernel already drops other senders; checked again here.
      if (
        rinfo.port !== server.port ||
        msg.length < 48 ||
        msg.compare(request, 40, 48, 24, 32) !== 0 ||
        (msg[0]! & 7) !== 4
      ) {
        ignored++;
        return;
      }
      finish(null, {
        leapIndicator: msg[0]! >> 6,
        version: (msg[0]! >> 3) & 7,
        mode: msg[0]! & 7,
        stratum: msg[1]!,
        referenceId: msg.readUInt32BE(12),
        originateMs: readNtpTimestamp(msg, 24),
        receiveMs: readNtpTimestamp(msg, 32),
        transmitMs: readNtpTimestamp(msg, 40),
        destinationMs,
        transmitZero: msg.readBigUInt64BE(40) === 0n,
      });
    });
    // On a lookup or connect error Node calls this callback with the error instead of emitting 'error'.
    socket.connect(server.port, server.host, (err?: Error) => {
      if (err) {
        socket.emit('error', err);
        return;
      }
      writeNtpTimestamp(request, 40, Date.now());
      // The low fraction bits (below a quarter millisecond) are random, so a forged reply cannot guess the echo.
      const noise = randomBytes(3);
      request[45] = (request[45]! & 0xf0) | (noise[0]! & 0x0f);
      request[46] = noise[1]!;
      request[47] = noise[2]!;
      socket.send(request, (err) => {
        if (err) socket.emit('error', err);
      });
    });
  });
}
