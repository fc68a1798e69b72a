import { MylicError } from '../../protocol/errors.js';
import { PortalClient } from '../client.js';
import { failed, passed, type CheckResult } from './check-result.js';

export const PORTAL_DEFAULT_TIMEOUT_MS = 5000;

/**
 * The portal: TLS handshake with the pinned CA and `/healthz`, all within `timeoutMs`. Only an answer
 * that says `"status": "ok"` passes: a portal that answers 200 but reports another status (starting,
 * maintenance) is not ready to take a transfer.
 */
export async function checkPortal(
  portalUrl: string,
  caPem: string,
  timeoutMs = PORTAL_DEFAULT_TIMEOUT_MS,
): Promise<CheckResult> {
  const host = new URL(portalUrl).host;
  const client = new PortalClient({ portalUrl, caPem, timeoutMs });
  try {
    const health = await client.health(timeoutMs);
    if (health.status !== 'ok') {
      return failed(
        'portal',
        'PORTAL_PROTOCOL',
        `The portal ${host} answers over TLS but reports the status "${health.status}", not "ok".`,
        'The portal is not ready: try again later, or ask its operator; check the portal URL (`mylic config --portal`).',
        { status: health.status },
      );
    }
    return passed('portal', `The portal ${host} answers over TLS.`);
  } catch (e) {
    const err = e instanceof MylicError ? e : new MylicError('PORTAL_UNREACHABLE', String(e));
    const fix =
      err.code === 'PORTAL_TLS'
        ? 'The portal certificate is not issued by the CA the device trusts: check the portal URL (`mylic config --portal`) and the device time.'
        : err.code === 'PORTAL_PROTOCOL'
          ? 'Something that is not the portal answers at this address: check the portal URL (`mylic config --portal`).'
          : 'Check the portal URL (`mylic config --portal`), the network route and the DNS server of the device.';
    return failed('portal', err.code, err.message, fix);
  } finally {
    await client.close();
  }
}
