import { parseArgs } from 'node:util';
import * as z from 'zod';
import { EXIT, MylicError } from '../protocol/errors.js';
import { formatMac } from '../protocol/hardware-id.js';
import { runChecks } from './flows/checks.js';
import { configure } from './flows/config.js';
import { confirmFromFile } from './flows/confirm.js';
import { openDevice } from './flows/device-context.js';
import { factoryInit } from './flows/factory-init.js';
import { invalidateBackup, invalidateTransfer } from './flows/invalidate.js';
import { download, installFromFile, portalLicenses } from './flows/licenses.js';
import { login, logout } from './flows/login.js';
import { requestCertificate } from './flows/request-certificate.js';
import { testLicense } from './flows/test-license.js';
import { render } from './render.js';
import { startDevicePage } from './page/server.js';
import { acknowledgeReset } from './flows/reset.js';

declare const MYLIC_VERSION: string | undefined;
export const VERSION = typeof MYLIC_VERSION === 'string' ? MYLIC_VERSION : '0.0.0-dev';

export const USAGE = `usage: mylic <command> [options] [--dir DEVICE_DIR] [--json]

Device (factory):
  device init --mac MAC --dir DIR [--type IP811] [--firmware 13.1] [--portal URL] [--pki DIR]
Portal:
  login --email E [--password P]     log in (password also from MYLIC_PASSWORD); the device proves its key
  logout
  licenses                           what the portal holds for this device, and the versions to download
  download [--version V]             fetch, check and install the license file (default: the firmware's version)
  install FILE                       check and install a license file downloaded from the portal
  invalidate --transfer              invalidate the returnable licenses and return them online
  invalidate --backup FILE           invalidate and save the document for upload on the portal
  confirm FILE                       apply the portal's confirmation file (Step1)
  test-license [--version V] (--slave | --pbx N)
                                     download and install test licenses (V11+: 3 months, once per device)
  request-certificate [--password P] new key and certificate from the portal (needs the right); with the
                                     password (or MYLIC_PASSWORD) it logs in again so the portal uses it at once
Device:
  check                              certificate, NTP, DNS, clock and portal checks, each with its fix
  config [--ntp H[:P]|none] [--dns H[:P]|none] [--portal URL] [--tolerance SECONDS]
                                     show or change the device's network settings
  status                             identity, installed licenses, pending invalidation, reset needed
  reset                              acknowledge the reset the device asked for
  page [--port N]                    serve the device's General→License page on http://127.0.0.1:N/ (default 8080)
  --version                          print the agent version

The device folder is --dir, else MYLIC_DEVICE_DIR, else ./device.
Exit codes: 0 ok, 2 usage/bad input, 3 auth, 4 not found, 5 conflict, 6 document refused,
7 portal unreachable, 8 device check failed, 10 internal.`;

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  version: { type: 'string' },
  dir: { type: 'string' },
  mac: { type: 'string' },
  type: { type: 'string' },
  firmware: { type: 'string' },
  portal: { type: 'string' },
  pki: { type: 'string' },
  email: { type: 'string' },
  password: { type: 'string' },
  transfer: { type: 'boolean' },
  backup: { type: 'string' },
  ntp: { type: 'string' },
  dns: { type: 'string' },
  tolerance: { type: 'string' },
  slave: { type: 'boolean' },
  pbx: { type: 'string' },
  port: { type: 'string' },
} as const;

const VersionArg = z.coerce.number().int().min(5).max(14);

async function run(
  positionals: string[],
  v: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'],
) {
  const dir = v.dir ?? process.env.MYLIC_DEVICE_DIR ?? './device';
  const cmd = positionals.join(' ');
  const arg = (name: string, value: string | undefined) => {
    if (!value) throw new MylicError('USAGE', `${name} is required.\n\n${USAGE}`);
    return value;
  };
  const file = () => arg('FILE', positionals[1]);
  switch (positionals[0]) {
    case 'device':
      if (cmd !== 'device init') break;
      return factoryInit({
        dir: arg('--dir', v.dir),
        mac: arg('--mac', v.mac),
        deviceType: v.type ?? 'IP811',
        firmware: v.firmware ?? '13.1',
        portalUrl: v.portal ?? process.env.MYLIC_PORTAL ?? 'https://localhost:8443/',
        pkiDir: v.pki ?? './data/pki',
      });
    case 'login':
      return login(
        dir,
        arg('--email', v.email),
        arg('--password (or MYLIC_PASSWORD)', v.password ?? process.env.MYLIC_PASSWORD),
      );
    case 'logout':
      return logout(dir);
    case 'licenses':
      return portalLicenses(dir);
    case 'download': {
      const version = v.version === undefined ? undefined : VersionArg.safeParse(v.version);
      if (version && !version.success)
        throw new MylicError('VERSION_INVALID', `--version must be 5 to 14, not "${v.version}".`);
      return download(dir, version?.data);
    }
    case 'install':
      return installFromFile(dir, file());
    case 'invalidate':
      if (v.transfer && v.backup)
        throw new MylicError('USAGE', 'Choose --transfer or --backup FILE, not both.');
      if (v.transfer) return invalidateTransfer(dir);
      if (v.backup) return invalidateBackup(dir, v.backup);
      throw new MylicError('USAGE', `invalidate needs --transfer or --backup FILE.\n\n${USAGE}`);
    case 'confirm':
      return confirmFromFile(dir, file());
    case 'request-certificate':
      return requestCertificate(dir, { password: v.password ?? process.env.MYLIC_PASSWORD });
    case 'test-license': {
      const version = v.version === undefined ? undefined : VersionArg.safeParse(v.version);
      if (version && !version.success)
        throw new MylicError('VERSION_INVALID', `--version must be 5 to 14, not "${v.version}".`);
      if (v.slave && v.pbx !== undefined)
        throw new MylicError('USAGE', 'Choose --slave or --pbx N, not both.');
      const pbx = v.pbx === undefined ? undefined : z.coerce.number().int().min(1).max(1000).safeParse(v.pbx);
      if (pbx && !pbx.success)
        throw new MylicError('AMOUNT_INVALID', '--pbx must be a whole number from 1 to 1000.');
      return testLicense(dir, { version: version?.data, slave: !!v.slave, pbx: pbx?.data });
    }
    case 'config':
      return configure(dir, { ntp: v.ntp, dns: v.dns, portal: v.portal, tolerance: v.tolerance });
    case 'check': {
      const { store, state } = await openDevice(dir);
      const report = await runChecks(store, state);
      const bad = report.results.find((r) => !r.ok);
      // The whole report is the answer either way; a failed check also sets the exit code.
      if (bad) throw new ReportedFailure(new MylicError(bad.code!, `${bad.message} ${bad.fix}`), report);
      return report;
    }
    case 'status': {
      const { store, state } = await openDevice(dir);
      const pending = await store.pending();
      return {
        hardwareId: state.hardwareId,
        mac: formatMac(state.hardwareId),
        deviceType: state.deviceType,
        firmware: state.firmware,
        portal: state.config.portalUrl,
        loggedInAs: state.session?.email ?? null,
        installed: await store.installed(),
        pendingInvalidation: pending
          ? { documentId: pending.documentId, serials: pending.serials, state: pending.state }
          : null,
        resetRequired: state.resetRequired,
      };
    }
    case 'reset':
      return acknowledgeReset(dir);
    case 'page': {
      const port = z.coerce
        .number()
        .int()
        .min(0)
        .max(65535)
        .safeParse(v.port ?? '8080');
      if (!port.success) throw new MylicError('USAGE', `--port must be 0 to 65535, not "${v.port}".`);
      await openDevice(dir); // NOT_INITIALISED before listening
      const page = await startDevicePage({ dir, port: port.data });
      console.error(`device page on ${page.url} (Ctrl-C to stop)`);
      await new Promise<void>((resolve) => {
        process.once('SIGINT', () => resolve());
        process.once('SIGTERM', () => resolve());
      });
      await page.close();
      return { url: page.url, stopped: true };
    }
  }
  throw new MylicError('USAGE', `Unknown command "${cmd}".\n\n${USAGE}`);
}

export async function main(argv = process.argv.slice(2)): Promise<number> {
  let json = argv.includes('--json');
  try {
    // `--version` alone (or with --json) is the agent's version; `--version V` after a command is a license version.
    const bare = argv.filter((a) => a !== '--json');
    if (bare.length === 1 && bare[0] === '--version') {
      console.log(
        json ? JSON.stringify({ ok: true, command: 'version', result: { version: VERSION } }) : VERSION,
      );
      return EXIT.OK;
    }
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    json = !!values.json;
    if (values.help || !positionals.length) {
      if (!json) {
        console.log(USAGE);
      } else if (values.help) {
        console.log(JSON.stringify({ ok: true, command: 'help', result: { usage: USAGE, exitCodes: EXIT } }));
      } else {
        const err = new MylicError('USAGE', 'No command given: `mylic --help` lists the commands.', {
          usage: USAGE,
        });
        console.log(JSON.stringify({ ok: false, ...err.toBody() }));
      }
      return values.help ? EXIT.OK : EXIT.USAGE;
    }
    const result = await run(positionals, values);
    console.log(
      json ? JSON.stringify({ ok: true, command: positionals[0], result }) : render(positionals[0]!, result),
    );
    return EXIT.OK;
  } catch (e) {
    if (e instanceof ReportedFailure) {
      console.log(
        json
          ? JSON.stringify({ ok: false, command: 'check', result: e.result, ...e.error.toBody() })
          : render('check', e.result),
      );
      return e.error.exitCode;
    }
    const err = toMylicError(e);
    if (json) console.log(JSON.stringify({ ok: false, ...err.toBody() }));
    else console.error(`error ${err.code}: ${err.message}`);
    return err.exitCode;
  }
}

/** A command that failed but still has a full result to show (e.g. `check`). */
class ReportedFailure extends Error {
  constructor(
    readonly error: MylicError,
    // biome-ignore lint/suspicious/noExplicitAny: each command answers its own JSON document
    readonly result: Record<string, any>,
  ) {
    super(error.message);
  }
}

function toMylicError(e: unknown): MylicError {
  if (e instanceof MylicError) return e;
  const code = (e as NodeJS.ErrnoException)?.code ?? '';
  if (code.startsWith('ERR_PARSE_ARGS'))
    return new MylicError('USAGE', `${(e as Error).message}\n\n${USAGE}`);
  if (code === 'ENOENT') return new MylicError('NOT_FOUND', (e as Error).message);
  return new MylicError('INTERNAL', String((e as Error)?.message ?? e));
}
