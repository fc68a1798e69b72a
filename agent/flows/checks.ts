import { isIP } from 'node:net';
import { MylicError } from '../../protocol/errors.js';
import type { DeviceStore } from '../device/store.js';
import type { DeviceState } from '../device/state.js';
import { checkCertificate } from '../checks/certificate.js';
import type { CheckName, CheckResult } from '../checks/check-result.js';
import { advanceTrustedTime, checkClockNotSetBack } from '../checks/clock.js';
import { checkDns } from '../checks/dns.js';
import { checkNtp } from '../checks/ntp.js';
import { checkPortal } from '../checks/portal.js';
import { openDevice } from './device-context.js';

/**
 * `mylic check`: the three causes the seed names for a failing transfer ("NTP or DNS is not
 * configured properly or device certificate is not installed"), plus the clock and the portal, found
 * before a user trips over them. The certificate is judged by the NTP time when NTP answers.
 */
export interface CheckReport {
  ok: boolean;
  checkedAt: string;
  results: CheckResult[];
}

export async function runChecks(
  store: DeviceStore,
  state: DeviceState,
  only?: readonly CheckName[],
): Promise<CheckReport> {
  const want = (n: CheckName) => !only || only.includes(n);
  const now = new Date();
  // The network checks run side by side, so `mylic check` takes as long as the slowest of them (each
  // bounded by its own timeout), not their sum. The certificate check waits for NTP (it judges the
  // certificate's validity at the NTP time); the results keep their order.
  const dns = want('dns')
    ? checkDns({ server: state.config.dnsServer, portalUrl: state.config.portalUrl })
    : undefined;
  const portal = want('portal')
    ? store.readText('trust', 'root-ca.pem').then((ca) => checkPortal(state.config.portalUrl, ca))
    : undefined;
  // Settled before anything can throw below, so no rejection is left unhandled.
  dns?.catch(() => undefined);
  portal?.catch(() => undefined);
  const results: CheckResult[] = [];
  if (want('clock')) results.push(checkClockNotSetBack(state, now));
  let checkedAt = now;
  if (want('ntp')) {
    const ntp = await checkNtp({
      server: state.config.ntpServer,
      toleranceMs: state.config.toleranceSeconds * 1000,
    });
    results.push(ntp);
    const offset = ntp.details?.offsetMs;
    if (typeof offset === 'number' && ntp.code !== 'NTP_UNREACHABLE' && ntp.code !== 'NTP_UNSYNCHRONISED') {
      checkedAt = new Date(now.getTime() + offset);
      if (ntp.ok) await store.update((s) => advanceTrustedTime(s, checkedAt));
    }
  }
  if (want('certificate')) results.push(await checkCertificate(store, state, checkedAt));
  if (dns) results.push(await dns);
  if (portal) results.push(await portal);
  return { ok: results.every((r) => r.ok), checkedAt: checkedAt.toISOString(), results };
}

export async function check(dir: string) {
  const { store, state } = await openDevice(dir);
  const report = await runChecks(store, state);
  if (!report.ok) {
    const first = report.results.find((r) => !r.ok)!;
    throw new MylicError(first.code!, `${first.message} ${first.fix}`, { report });
  }
  return report;
}

/**
 * Before a flow: the certificate must be good and the clock not set back; for a flow that talks to
 * the portal (`network`), NTP and DNS must pass when they are configured. A failing check blocks the
 * flow before it changes anything.
 *
 * An NTP or DNS server that is not configured at all does not block: an agent beside the device may
 * rely on its host's clock and resolver, and the clock is still guarded by the issue times of the
 * signed documents. It is not silent either: the answer is a warning for each, which the flow passes
 * on in its result (and `mylic check` reports NTP_NOT_CONFIGURED / DNS_NOT_CONFIGURED with the fix).
 */
export async function preflight(store: DeviceStore, state: DeviceState, network: boolean): Promise<string[]> {
  const names: CheckName[] = ['clock', 'certificate'];
  const warnings: string[] = [];
  if (network) {
    if (state.config.ntpServer) names.push('ntp');
    else
      warnings.push(
        'NTP_NOT_CONFIGURED: no NTP server is configured, so the device clock was not checked (`mylic config --ntp HOST`).',
      );
    const portalIsIp = isIP(new URL(state.config.portalUrl).hostname.replace(/^\[(.*)\]$/, '$1')) !== 0;
    if (state.config.dnsServer) names.push('dns');
    else if (!portalIsIp)
      warnings.push(
        "DNS_NOT_CONFIGURED: no DNS server is configured, so the portal name was resolved by the host, not by the device's resolver (`mylic config --dns IP`).",
      );
  }
  const report = await runChecks(store, state, names);
  const bad = report.results.find((r) => !r.ok);
  if (bad) throw new MylicError(bad.code!, `${bad.message} ${bad.fix}`, { check: bad.name });
  return warnings;
}
