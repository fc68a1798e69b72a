import { MylicError } from '../../protocol/errors.js';
import { PortalClient } from '../client.js';
import { failed, passed, type CheckResult } from './check-result.js';

/** The portal: TLS handshake with the pinned CA and /healthz, with timeouts. */
export async function checkPortal(portalUrl: string, caPem: string, timeoutMs = 5000): Promise<CheckResult> {
  const client = new PortalClient({ portalUrl, caPem, timeoutMs });
  try {
    await client.health();
    return passed('portal', `The portal ${new URL(portalUrl).host} answers over TLS.`);
  } catch (e) {
    const err = e instanceof MylicError ? e : new MylicError('PORTAL_UNREACHABLE', String(e));
    const fix =
      err.code === 'PORTAL_TLS'
        ? 'The portal certificate is not issued by the CA the device trusts: check the portal URL (`mylic config --portal`) and the device time.'
        : 'Check the portal URL (`mylic config --portal`), the network route and the DNS server of the device.';
    return failed('portal', err.code, err.message, fix);
  } finally {
    await client.close();
  }
}
