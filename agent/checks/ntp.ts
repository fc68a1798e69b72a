import { isIP } from 'node:net';
import { NtpTimeSync } from 'ntp-time-sync';
import { MylicError } from '../../protocol/errors.js';
import { failed, passed, type CheckResult } from './check-result.js';
import { sntpQuery, type NtpReply } from './ntp-client.js';
import { formatServerAddress, parseServerAddress, type ServerAddress } from './server-address.js';

/** What one poll of an NTP server says about the device clock. */
export interface NtpSample {
  /** Server time minus device time: positive when the device clock is behind. */
  offsetMs: number;
  stratum: number;
  /** 0 no warning, 1/2 leap second pending, 3 unsynchronised (alarm). */
  leapIndicator: number;
  /** The server's time at the moment the reply arrived (device time + offset). */
  serverTime: Date;
  roundTripMs: number;
  /** With stratum 0 ("kiss-o'-death"): the server's four-letter reason, e.g. "DENY" or "RATE". */
  kissCode?: string;
}

/**
 * Where NTP samples come from. `poll` sends one fresh request (never a cached result) and resolves
 * with the reply of that server, whatever its stratum and leap indicator say; it rejects with a
 * MylicError `NTP_UNREACHABLE` when no valid reply arrives within `timeoutMs`.
 */
export interface NtpSource {
  poll(server: { host: string; port: number }, timeoutMs: number): Promise<NtpSample>;
}

export const NTP_DEFAULT_PORT = 123;
export const NTP_DEFAULT_TOLERANCE_MS = 5 * 60_000;
export const NTP_DEFAULT_TIMEOUT_MS = 3000;

const NTP_EPOCH_MS = Date.UTC(1900, 0, 1);

const kissCodeOf = (referenceId: number): string =>
  String.fromCharCode(
    (referenceId >>> 24) & 0xff,
    (referenceId >>> 16) & 0xff,
    (referenceId >>> 8) & 0xff,
    referenceId & 0xff,
  )
    .replace(/\0+$/, '')
    .replace(/[^\x20-\x7e]/g, '?');

/**
 * Judges one reply as RFC 4330 asks a client to (server mode, a transmit time, the echoed request
 * time) and turns its four timestamps into offset and round trip. Stratum and leap are left for the
 * check to judge: an unsynchronised server is an answer, not silence.
 */
export function sampleFromReply(reply: NtpReply, where: string): NtpSample {
  const invalid = (why: string) =>
    new MylicError(
      'NTP_UNREACHABLE',
      `The NTP server ${where} sent an answer that is not a valid NTP reply (${why}).`,
      { server: where },
    );
  if (reply.mode !== 4) throw invalid(`mode ${reply.mode}, expected 4`);
  if (reply.version < 1 || reply.version > 4) throw invalid(`version ${reply.version}`);
  const kissCode = reply.stratum === 0 ? kissCodeOf(reply.referenceId) : undefined;
  const t = [reply.originateMs, reply.receiveMs, reply.transmitMs, reply.destinationMs];
  const timesOk = t.every(Number.isFinite) && !reply.transmitZero;
  // A kiss-o'-death may carry no time at all; it is still an answer, and the stratum says what it means.
  if (!timesOk && reply.stratum !== 0) throw invalid('no transmit time');
  const [t1, t2, t3, t4] = timesOk
    ? (t as [number, number, number, number])
    : [reply.destinationMs, reply.destinationMs, reply.destinationMs, reply.destinationMs];
  const offsetMs = (t2 - t1 + (t3 - t4)) / 2;
  const roundTripMs = Math.max(0, t4 - t1 - (t3 - t2));
  return {
    offsetMs,
    stratum: reply.stratum,
    leapIndicator: reply.leapIndicator,
    serverTime: new Date(t4 + offsetMs),
    roundTripMs,
    ...(kissCode !== undefined ? { kissCode } : {}),
  };
}

/**
 * The real source: one request through ntp-time-sync's `getNetworkTime(host, port)`.
 *
 * Not `getTime()`: that caches its result in module-global state for 16 s across all instances and
 * servers, drops unsynchronised replies as if the server had not answered, hides stratum and leap,
 * and waits for 8 samples with up to 3 retries. `getNetworkTime` sends exactly one request, has no
 * cache, and returns the parsed packet; offset and round trip are computed here from its timestamps.
 * The library only opens `udp4` sockets, so IPv6 servers go through the small SNTP client instead.
 */
export const ntpTimeSyncSource: NtpSource = {
  async poll(server, timeoutMs) {
    const where = formatServerAddress(server);
    if (isIP(server.host) === 6) return sampleFromReply(await sntpQuery(server, timeoutMs), where);
    const sentAfter = Date.now();
    let packet: Awaited<ReturnType<NtpTimeSync['getNetworkTime']>>;
    try {
      packet = await new NtpTimeSync({ servers: [], replyTimeout: timeoutMs }).getNetworkTime(
        server.host,
        server.port,
      );
    } catch (e) {
      const why = e instanceof Error ? ((e as NodeJS.ErrnoException).code ?? e.message) : String(e);
      const message = /timeout/i.test(why)
        ? `The NTP server ${where} did not answer within ${timeoutMs} ms.`
        : `The NTP server ${where} cannot be reached (${why}).`;
      throw new MylicError('NTP_UNREACHABLE', message, { server: where, cause: why });
    }
    const ms = (d: Date | undefined) => (d instanceof Date ? d.getTime() : Number.NaN);
    const reply: NtpReply = {
      leapIndicator: packet.leapIndicator ?? Number.NaN,
      version: packet.version ?? Number.NaN,
      mode: packet.mode ?? Number.NaN,
      stratum: packet.stratum ?? Number.NaN,
      // The parser gives the reference id as decimal text unless the stratum is 1.
      referenceId: packet.stratum === 1 ? 0 : Number(packet.referenceId ?? 0) >>> 0,
      originateMs: ms(packet.originTimestamp),
      receiveMs: ms(packet.receiveTimestamp),
      transmitMs: ms(packet.transmitTimestamp),
      destinationMs: packet.destinationTimestamp.getTime(),
      transmitZero: ms(packet.transmitTimestamp) === NTP_EPOCH_MS,
    };
    // The library takes the first datagram from anyone; the echoed request time (millisecond
    // resolution) must at least fall between sending and receiving.
    if (!(reply.originateMs >= sentAfter - 2 && reply.originateMs <= reply.destinationMs + 1)) {
      throw new MylicError(
        'NTP_UNREACHABLE',
        `The NTP server ${where} sent an answer that does not belong to the request (wrong originate time).`,
        { server: where },
      );
    }
    return sampleFromReply(reply, where);
  },
};

/** The trusted time now: the device clock corrected by the sample's offset. */
export const trustedTime = (sample: NtpSample, deviceNow: Date = new Date()): Date =>
  new Date(deviceNow.getTime() + sample.offsetMs);

const plural = (n: number, unit: string) => `${n} ${unit}${n === 1 ? '' : 's'}`;

/** "600 seconds (10 minutes)", "1.5 seconds". */
export function describeSeconds(ms: number): string {
  const s = Math.abs(ms) / 1000;
  const seconds = s < 10 ? Math.round(s * 10) / 10 : Math.round(s);
  const text = plural(seconds, 'second');
  // Thresholds on the rounded figure, so that 119.996 s reads like the 120 s it is shown as.
  if (seconds < 120) return text;
  if (seconds < 7200) return `${text} (${plural(Math.round(seconds / 60), 'minute')})`;
  if (seconds < 172_800) return `${text} (${plural(Math.round(seconds / 3600), 'hour')})`;
  return `${text} (${plural(Math.round(seconds / 86_400), 'day')})`;
}

const SET_SERVER = 'mylic config --ntp <host[:port]>';

/**
 * The NTP check: the device's configured NTP server answers a fresh poll, is synchronised itself,
 * and the device clock is within the tolerance of it. Returns a result; throws only on misuse.
 */
export async function checkNtp(
  config: { server: string | null; toleranceMs?: number; timeoutMs?: number },
  source: NtpSource = ntpTimeSyncSource,
): Promise<CheckResult> {
  const toleranceMs = config.toleranceMs ?? NTP_DEFAULT_TOLERANCE_MS;
  const timeoutMs = config.timeoutMs ?? NTP_DEFAULT_TIMEOUT_MS;
  if (!(toleranceMs >= 0) || !Number.isFinite(toleranceMs))
    throw new RangeError(`checkNtp: toleranceMs must be a finite number >= 0, got ${toleranceMs}`);
  if (!(timeoutMs > 0) || !Number.isFinite(timeoutMs))
    throw new RangeError(`checkNtp: timeoutMs must be a finite number > 0, got ${timeoutMs}`);

  if (config.server === null || config.server.trim() === '') {
    return failed(
      'ntp',
      'NTP_NOT_CONFIGURED',
      'No NTP server is configured on the device, so its clock cannot be checked.',
      `Set an NTP server the device can reach under Configuration/General/Time (here: \`${SET_SERVER}\`).`,
    );
  }
  const server: ServerAddress | null = parseServerAddress(config.server, NTP_DEFAULT_PORT);
  if (!server) {
    return failed(
      'ntp',
      'NTP_NOT_CONFIGURED',
      `The NTP server setting "${config.server}" is not a host name or address with an optional port.`,
      `Correct the NTP server under Configuration/General/Time (here: \`${SET_SERVER}\`).`,
      { server: config.server },
    );
  }
  const name = config.server.trim();

  let sample: NtpSample;
  try {
    sample = await source.poll(server, timeoutMs);
  } catch (e) {
    if (e instanceof MylicError && e.code === 'NTP_UNREACHABLE') {
      return failed(
        'ntp',
        'NTP_UNREACHABLE',
        e.message,
        `Check that the NTP server ${name} is running and that UDP port ${server.port} is open between the device and it, or set a reachable NTP server under Configuration/General/Time (here: \`${SET_SERVER}\`).`,
        { server: name, timeoutMs, ...(e.details ?? {}) },
      );
    }
    throw e;
  }

  const facts = {
    server: name,
    stratum: sample.stratum,
    leapIndicator: sample.leapIndicator,
    roundTripMs: sample.roundTripMs,
  };
  if (sample.stratum === 0) {
    const kiss = sample.kissCode ? ` (kiss code ${sample.kissCode})` : '';
    const refused = sample.kissCode === 'DENY' || sample.kissCode === 'RSTR';
    return failed(
      'ntp',
      'NTP_UNSYNCHRONISED',
      refused
        ? `The NTP server ${name} refuses to give this device the time${kiss}.`
        : `The NTP server ${name} answered without a time source (stratum 0${kiss}).`,
      refused
        ? `Allow the device on the NTP server ${name}, or set another NTP server under Configuration/General/Time (here: \`${SET_SERVER}\`).`
        : `Wait a minute and check again; if it stays, set another NTP server under Configuration/General/Time (here: \`${SET_SERVER}\`).`,
      { ...facts, ...(sample.kissCode ? { kissCode: sample.kissCode } : {}) },
    );
  }
  if (sample.leapIndicator === 3 || sample.stratum >= 16) {
    return failed(
      'ntp',
      'NTP_UNSYNCHRONISED',
      sample.leapIndicator === 3
        ? `The NTP server ${name} says its own clock is not synchronised (leap indicator 3, stratum ${sample.stratum}).`
        : `The NTP server ${name} is not synchronised to any time source (stratum ${sample.stratum}).`,
      `Give the NTP server ${name} a working time source (or wait until it has synchronised), or set a synchronised NTP server under Configuration/General/Time (here: \`${SET_SERVER}\`).`,
      facts,
    );
  }

  const details = {
    ...facts,
    offsetMs: sample.offsetMs,
    toleranceMs,
    serverTime: sample.serverTime.toISOString(),
  };
  if (Math.abs(sample.offsetMs) > toleranceMs) {
    const direction = sample.offsetMs > 0 ? 'behind' : 'ahead of';
    return failed(
      'ntp',
      'NTP_CLOCK_OFF',
      `The device clock is ${describeSeconds(sample.offsetMs)} ${direction} ${name}; at most ${describeSeconds(toleranceMs)} are tolerated.`,
      `Set the device clock from the NTP server ${name} under Configuration/General/Time (NTP must be enabled there, not a manually set time), then check again.`,
      details,
    );
  }
  return passed(
    'ntp',
    `The device clock is within ${describeSeconds(toleranceMs)} of ${name} (off by ${Math.round(sample.offsetMs)} ms, stratum ${sample.stratum}).`,
    details,
  );
}
