import * as z from 'zod/mini';
import { MylicError } from '../../protocol/errors.js';
import { openDevice } from './device-context.js';

/**
 * `mylic config`: the device's network settings (NTP server, DNS server, portal URL) and the clock
 * tolerance, kept in the device store. "none" clears a server. zod/mini, like the device files
 * (device/state.ts): showing the settings is a local command that does not load the full zod.
 */
const HostPort = z
  .string()
  .check(
    z.maxLength(255),
    z.regex(/^(\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9.-]+)(:\d{1,5})?$/, 'use host or host:port'),
  );

export interface ConfigChange {
  ntp?: string;
  dns?: string;
  portal?: string;
  tolerance?: string;
}

const parseServer = (flag: string, v: string | undefined): string | null | undefined => {
  if (v === undefined) return undefined;
  if (v === 'none') return null;
  const r = HostPort.safeParse(v);
  if (!r.success) throw new MylicError('VALIDATION_FAILED', `${flag} "${v}": ${r.error.issues[0]?.message}.`);
  const port = /:(\d+)$/.exec(v)?.[1];
  if (port && (Number(port) < 1 || Number(port) > 65535))
    throw new MylicError('VALIDATION_FAILED', `${flag} "${v}": the port must be 1 to 65535.`);
  return v;
};

export async function configure(dir: string, change: ConfigChange) {
  const { store, state } = await openDevice(dir);
  const ntp = parseServer('--ntp', change.ntp);
  const dns = parseServer('--dns', change.dns);
  let portal: string | undefined;
  if (change.portal !== undefined) {
    const r = z.url({ protocol: /^https$/ }).safeParse(change.portal);
    if (!r.success)
      throw new MylicError('VALIDATION_FAILED', `--portal "${change.portal}" must be an https:// URL.`);
    portal = new URL(r.data).toString();
  }
  let tolerance: number | undefined;
  if (change.tolerance !== undefined) {
    const r = z.coerce.number().check(z.int(), z.gte(1), z.lte(86_400)).safeParse(change.tolerance);
    if (!r.success)
      throw new MylicError('VALIDATION_FAILED', '--tolerance is a number of seconds from 1 to 86400.');
    tolerance = r.data;
  }
  const changed = ntp !== undefined || dns !== undefined || portal !== undefined || tolerance !== undefined;
  const next = !changed
    ? state
    : await store.update((s) => {
        if (ntp !== undefined) s.config.ntpServer = ntp;
        if (dns !== undefined) s.config.dnsServer = dns;
        if (portal !== undefined) {
          // Another portal means another account: the session is for the old one.
          if (portal !== s.config.portalUrl) s.session = null;
          s.config.portalUrl = portal;
        }
        if (tolerance !== undefined) s.config.toleranceSeconds = tolerance;
      });
  return { ...next.config, changed };
}
