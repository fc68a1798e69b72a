import { formatMac } from './format-mac.js';

/** Human output of the CLI: short lines that say what happened and what to do next. */
// biome-ignore lint/suspicious/noExplicitAny: the renderers read the JSON documents the commands answer
type Any = Record<string, any>;

const licenseLine = (l: Any) =>
  `  ${String(l.serial).padEnd(20)} ${String(l.type).padEnd(16)} x${l.units}${l.testEnd ? `  test license until ${l.testEnd}` : l.returnable ? '' : '  (stays on the device)'}${l.ssaEnd ? `  SSA until ${l.ssaEnd}` : ''}`;

/** The licenses the portal kept on the device, each with why; V5–V7 ones say how to return them (seed L227). */
const keptLines = (kept: Any[] = []) =>
  kept.map(
    (k) =>
      `  kept ${k.serial}: ${k.reason}${k.code === 'NO_DOWNGRADE_NOT_ACCEPTED' ? ' (invalidate again with --accept-no-downgrade)' : ''}`,
  );

export function render(command: string, r: Any): string {
  switch (command) {
    case 'device':
      return `device ${r.mac} (${r.deviceType}, firmware ${r.firmware}) created in ${r.dir}`;
    case 'login':
      return `logged in as ${r.email}: company ${r.company.name} (${r.company.id}), project ${r.project.name}`;
    case 'licenses':
      return [
        `device ${formatMac(r.hardwareId)} (${r.deviceType}) in project ${r.project.name}; firmware runs V${r.runsVersion}`,
        'licenses on the portal:',
        ...(r.licenses.length ? r.licenses.map(licenseLine) : ['  (none)']),
        `versions to download: ${r.versions.map((v: Any) => `V${v.version}${v.encrypted ? '' : ' (unencrypted: licenses become non-returnable)'}`).join(', ') || '(none)'}`,
        r.pendingInvalidation
          ? `pending invalidation ${r.pendingInvalidation.documentId}: finish it with \`mylic invalidate --transfer\` or \`mylic confirm FILE\``
          : '',
      ]
        .filter(Boolean)
        .join('\n');
    case 'page':
      return `device page ${r.url} stopped`;
    case 'reset':
      return 'reset acknowledged';
    case 'request-certificate':
      return [
        `new device certificate for ${formatMac(r.hardwareId)} installed`,
        r.portalUsesNewCertificate ? 'logged in again: the portal uses the new certificate' : '',
        r.loginError ? `logging in again failed (${r.loginError.code}: ${r.loginError.message})` : '',
        r.next ?? '',
      ]
        .filter(Boolean)
        .join('\n');
    case 'download':
    case 'test-license':
    case 'install':
      return [
        `installed V${r.version} license file (${r.encrypted ? 'encrypted' : 'unencrypted'}) with ${r.licenses.length} licenses:`,
        ...r.licenses.map(licenseLine),
        'reset the device to activate the licenses',
      ].join('\n');
    case 'invalidate':
      if (r.file)
        return `${r.resumed ? 'pending invalidation' : 'invalidated'} ${r.documentId}; document saved to ${r.file}\n${r.next}`;
      return [
        `${r.resumed ? 'finished pending invalidation' : 'invalidated and transferred'} ${r.documentId}: ${r.returned.length} licenses returned to the portal${r.kept.length ? `, ${r.kept.length} kept` : ''}`,
        ...keptLines(r.kept),
        ...(r.warnings ?? []).map((w: string) => `warning: ${w}`),
        'reset the device',
      ].join('\n');
    case 'confirm':
      if (r.kind === 'certificate')
        return r.alreadyApplied
          ? `certificate confirmation ${r.documentId} already applied`
          : `certificate confirmation ${r.documentId} applied: the device has its new certificate`;
      return [
        `confirmation ${r.documentId} applied: ${r.returned.length} licenses returned${r.kept.length ? `, ${r.kept.length} kept` : ''}`,
        ...keptLines(r.kept),
        'reset the device',
      ].join('\n');
    case 'check':
      return [
        ...r.results.map(
          (c: Any) =>
            `${c.ok ? 'ok  ' : 'FAIL'} ${String(c.name).padEnd(12)} ${c.ok ? c.message : `${c.code}: ${c.message}\n                  fix: ${c.fix}`}`,
        ),
        r.ok ? 'all checks passed' : 'some checks failed',
      ].join('\n');
    case 'config':
      return [
        `portal     ${r.portalUrl}`,
        `ntp        ${r.ntpServer ?? '(not set)'}`,
        `dns        ${r.dnsServer ?? '(not set)'}`,
        `tolerance  ${r.toleranceSeconds} s`,
      ].join('\n');
    case 'status':
      return [
        `device ${r.mac} (${r.deviceType}), firmware ${r.firmware}, portal ${r.portal}`,
        `logged in: ${r.loggedInAs ?? 'no'}`,
        r.installed
          ? `installed V${r.installed.version}:\n${r.installed.licenses.map(licenseLine).join('\n')}`
          : 'no license file installed',
        r.pendingInvalidation
          ? `pending invalidation ${r.pendingInvalidation.documentId} (${r.pendingInvalidation.state})`
          : '',
        r.resetRequired ? 'reset required' : '',
      ]
        .filter(Boolean)
        .join('\n');
    default:
      return JSON.stringify(r, null, 2);
  }
}
