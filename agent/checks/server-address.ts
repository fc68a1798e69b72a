import { isIP } from 'node:net';

/** A server the device talks UDP to: an IP address or host name, and a port. */
export interface ServerAddress {
  host: string;
  port: number;
}

const HOST_NAME =
  /^(?=.{1,253}\.?$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.?$/;

/**
 * Reads a server setting as the device keeps it: "host", "host:port", "[v6]", "[v6]:port" or a bare
 * IPv6 address. Returns null when the text is not a server address (a bad setting is a finding of the
 * check, not an exception).
 */
export function parseServerAddress(value: string, defaultPort: number): ServerAddress | null {
  const text = value.trim();
  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(\d{1,5}))?$/.exec(text);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
    if (isIP(host) !== 6) return null;
  } else if (isIP(text) === 6) {
    host = text;
  } else {
    const m = /^([^:]+)(?::(\d{1,5}))?$/.exec(text);
    if (!m) return null;
    host = m[1]!;
    portText = m[2];
    if (isIP(host) !== 4 && !HOST_NAME.test(host)) return null;
  }
  const port = portText === undefined ? defaultPort : Number(portText);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) return null;
  return { host, port };
}

/** "host:port", with brackets around an IPv6 address. */
export const formatServerAddress = (s: ServerAddress): string =>
  isIP(s.host) === 6 ? `[${s.host}]:${s.port}` : `${s.host}:${s.port}`;
