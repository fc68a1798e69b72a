import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import * as z from 'zod';
import { EXIT, MylicError } from '../protocol/errors.js';
import { openCore } from './bootstrap.js';
import { loadConfig } from './config.js';
import { createUser, findUserByEmail } from './core/accounts/index.js';
import { issueVendorKey } from './core/keys/index.js';
import { catalog } from './core/catalog.js';
import { createCompany, findProjectByName } from './core/organisation/index.js';
import type { Core } from './core/context.js';
import { addDevice } from './core/devices/index.js';
import { acceptInvalidation, confirmationFor } from './core/licenses/index.js';
import { companyCounts } from './core/balance/index.js';
import { bindFromBalance } from './core/licenses/index.js';
import { actAs, operatorCredit } from './core/organisation/index.js';
import { parseRight, setRight } from './core/rights.js';
import { runSsaMails } from './core/ssa/index.js';
import { setVendorAccount } from './core/organisation/index.js';
import { registerOrder } from './core/devices/index.js';
import { FREED_RMA_PROJECT, rmaArrived, rmaReship } from './core/devices/index.js';
import {
  readRegistrationFiles,
  registerFactoryDevices,
  registerVendorDevices,
  REGISTRATIONS_FOLDER,
} from './core/devices/index.js';
import { loadLegacyExport } from './core/legacy/index.js';
import { main as serveBridge } from './server.js';
import { DB_USAGE, dbCommand, isDbCommand } from './ops/db-commands.js';
import { dbCopy } from './db-copy.js';
import { main as servePlay, openPlay, syncPlayFromLive } from './play-server.js';
import { playCopyInfo } from './core/play/index.js';

/**
 * `mylic-bridge`: the server and the vendor's back-office commands, run on the bridge host against
 * its database. Every command takes --json; exit codes are those of protocol/errors.ts.
 */
const USAGE = `usage: mylic-bridge <command> [options] [--json]

  serve [--workers N]                                 start the HTTPS bridge (PORT, HOST, MYLIC_DATA); N processes
                                                      sharing the port (PostgreSQL; default one per core; SQLite: 1)
${DB_USAGE}
  db copy --to postgres://…                           copy this SQLite portal into an empty PostgreSQL database,
                                                      then check row counts and conservation (README "Growing")
  serve --sandbox                                     start myplay, the sandbox portal (MYLIC_PLAY_PORT, 8444), on a
                                                      copy of the live database (MYLIC_PLAY_SQLITE; made when missing)
  sandbox sync                                        bring the live device table into myplay's database now
  catalog                                             print versions, license types (packs, rules, prices) and device types
  ops user create --email E --password P --name N     create an active user account
  ops company create --name N --admin EMAIL           create a company with its DEFAULT project
  ops balance add --company ID --type T --units N [--project P] [--ref R]
  ops device add --company ID --mac MAC [--project P] place a device of the device database in a company's project
                                                      (its type is the database's; unknown: DEVICE_UNKNOWN)
  ops device register [FILE|DIR]                      register devices and their factory certificates in the device
                                                      database (\`mylic device init --pki\` files; default: the PKI folder)
  ops device register --type T --mac M [--mac M2 …]   register devices in the device database as the vendor, without
                                                      a certificate yet (a fresh portal's devices)
  ops license bind --company ID --mac MAC --type T --units N [--project P] [--ssa-confirm]
                                                      bind from the project's balance; in a project under SSA the
                                                      license comes under its SSA: without --ssa-confirm the bind is
                                                      refused (SSA_CONFIRMATION_REQUIRED, with the SSC summary) when
                                                      SSC is due; with it the SSC is paid from the company's SSC
                                                      balance (this project first) and the license gets the SSA end
  ops right grant|revoke --user EMAIL --right R [--company ID]
                                                      rights: request-certificate, check-foreign-device, buy-on-credit,
                                                      move-licenses; held per company (all of the user's without --company)
  ops counts --company ID                             units by type: activated, balance, bound, free
  ops order add --order NO --company ID --mac M [--mac M2 …] [--type T] [--date YYYY-MM-DD]
                                                      register an order of a company and the devices shipped with it
  ops rma arrived --mac M                             the RMA device arrived: its licenses become movable
  ops rma reship --mac M                              the RMA device goes to another customer: its licenses are freed
                                                      into project Freed_RMA_licenses of their company
  ops ssa run-mails [--now ISO]                       send the SSA expiry mails due now (or at --now)
  ops key issue --type T --units N [--type T2 --units N2 …] [--order NO] [--reference REF]
                                                      issue a vendor activation key with these licenses
  ops vendor-account set --account ID --postal-code Z --name N [--street S] [--city C] [--country C]
                                                      create or change a vendor customer record (company data)
  legacy load FILE                                    load an export of the old license manager (JSON,
                                                      docs/legacy-import.md) for the Import of projects
  invalidation upload --user EMAIL --file F [--out C] upload an invalidation (backup) file
  invalidation confirmation --user EMAIL --document ID [--out C]
                                                      download a confirmation again`;

const options = {
  json: { type: 'boolean' },
  help: { type: 'boolean', short: 'h' },
  email: { type: 'string' },
  password: { type: 'string' },
  name: { type: 'string' },
  admin: { type: 'string' },
  company: { type: 'string' },
  project: { type: 'string' },
  // --type and --units repeat for `ops key issue` (one pair per license); other commands take one of each.
  type: { type: 'string', multiple: true },
  units: { type: 'string', multiple: true },
  order: { type: 'string' },
  reference: { type: 'string' },
  ref: { type: 'string' },
  // --mac repeats for `ops order add` (one per device); other commands take one.
  mac: { type: 'string', multiple: true },
  date: { type: 'string' },
  user: { type: 'string' },
  file: { type: 'string' },
  out: { type: 'string' },
  document: { type: 'string' },
  right: { type: 'string' },
  account: { type: 'string' },
  'postal-code': { type: 'string' },
  street: { type: 'string' },
  city: { type: 'string' },
  country: { type: 'string' },
  to: { type: 'string' },
  now: { type: 'string' },
  // ops license bind: confirms the SSC summary in a project under SSA.
  'ssa-confirm': { type: 'boolean' },
  // serve: how many bridge processes share the port (bridge/ops/cluster.ts).
  workers: { type: 'string' },
  // serve: myplay, the sandbox portal (bridge/play-server.ts).
  sandbox: { type: 'boolean' },
} as const;

type Values = ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];

/** The one value of an option; a repeatable option (--type, --units) must be given once here. */
const one = (v: Values, key: keyof Values): string | undefined => {
  const raw = v[key];
  if (Array.isArray(raw)) {
    if (raw.length > 1) throw new MylicError('USAGE', `--${key} may be given only once for this command.`);
    return raw[0];
  }
  return typeof raw === 'string' ? raw : undefined;
};
const need = (v: Values, key: keyof Values): string => {
  const value = one(v, key);
  if (typeof value !== 'string' || !value) throw new MylicError('USAGE', `--${key} is required.\n\n${USAGE}`);
  return value;
};
const int = (v: Values, key: keyof Values) => {
  const r = z.coerce.number().int().positive().safeParse(need(v, key));
  if (!r.success) throw new MylicError('USAGE', `--${key} must be a positive whole number.`);
  return r.data;
};

async function userId(core: Core, email: string) {
  const user = await findUserByEmail(core.store.db, email);
  if (!user) throw new MylicError('USER_NOT_FOUND', `There is no user ${email}.`);
  return user.id;
}

async function run(cmd: string, v: Values): Promise<{ text: string; json: unknown }> {
  if (cmd === 'catalog') {
    const json = {
      versions: catalog.versions,
      currentVersion: catalog.currentVersion,
      licenseTypes: catalog.licenseTypes,
      deviceTypes: catalog.devices,
      warranty: catalog.warranty,
    };
    const rule = (t: (typeof catalog.licenseTypes)[number]) =>
      [
        t.packSize > 1 ? `pack of ${t.packSize}` : '',
        t.dependsOnPbx === 'equal' ? '= PBX amount' : t.dependsOnPbx === 'at-most' ? '<= PBX amount' : '',
        t.upgradeFrom !== null ? `upgrades V${t.upgradeFrom}` : '',
        t.externalKey ? `keeps its ${t.externalKey}` : '',
        t.warranty ? `${t.warranty} warranty` : '',
      ]
        .filter(Boolean)
        .join(', ');
    const text = [
      'Versions:',
      ...catalog.versions.map((r) => `  V${r.version}  released ${r.released}`),
      'License types (price in cents per unit):',
      ...catalog.licenseTypes.map(
        (t) =>
          `  ${t.name.padEnd(20)} ${t.family.padEnd(9)} ${(t.version === null ? 'all' : `V${t.version}`).padEnd(4)} ${t.ssa ? `SSC/unit/year ${String(t.sscPerUnitYear).padEnd(3)}` : 'no SSA           '} price ${String(t.price).padEnd(6)} ${!t.bindable ? 'balance only   ' : t.returnable ? 'returnable     ' : 'stays on device'} ${rule(t)}`,
      ),
      'Device types (firmware; maximum amount per kind):',
      ...catalog.devices.map(
        (d) =>
          `  ${d.name.padEnd(13)} ${d.category.padEnd(12)} ${d.firmware ? `V${d.firmware.from}-V${d.firmware.to}` : 'no files'}  ${Object.entries(
            d.maxima,
          )
            .map(([k, n]) => `${k} ${n}`)
            .join(', ')}`,
      ),
      `Warranty: the cheaper extension within ${loadConfig().settings.warrantyEarlyDays} days of receipt; at most ${catalog.warranty.maxExtensionYears} years.`,
    ].join('\n');
    return { text, json };
  }
  const { core } = await openCore(loadConfig());
  try {
    const project = v.project ?? 'DEFAULT';
    const legacyFile = /^legacy load (.+)$/.exec(cmd)?.[1];
    if (legacyFile !== undefined) {
      const r = await loadLegacyExport(core, await readFile(legacyFile, 'utf8'));
      return {
        text: `old license manager export loaded: ${r.groups} group(s), ${r.users} user(s), ${r.devices} device(s), ${r.licenses} license(s)${r.skipped ? `; ${r.skipped} row(s) loaded before, left as they are` : ''}`,
        json: r,
      };
    }
    const registerArg = /^ops device register(?: (.+))?$/.exec(cmd);
    const word = {
      created: 'new in the device database',
      certificate: 'certificate recorded',
      unchanged: 'unchanged',
    };
    if (registerArg && v.mac !== undefined) {
      if (registerArg[1] !== undefined)
        throw new MylicError('USAGE', `Give either FILE|DIR or --type and --mac.\n\n${USAGE}`);
      const r = await registerVendorDevices(core, { deviceType: need(v, 'type'), devices: v.mac });
      return {
        text: r.map((d) => `${d.display}  ${d.deviceType}  ${word[d.result]}`).join('\n'),
        json: { devices: r },
      };
    }
    if (registerArg) {
      const path = registerArg[1] ?? join(loadConfig().pkiDir, REGISTRATIONS_FOLDER);
      const r = await registerFactoryDevices(core, await readRegistrationFiles(path));
      return {
        text: [
          `${r.length} device registration(s) read from ${path}`,
          ...r.map((d) => `  ${d.display}  ${d.deviceType}  ${word[d.result]}`),
        ].join('\n'),
        json: { devices: r },
      };
    }
    switch (cmd) {
      case 'ops user create': {
        const r = await createUser(core, {
          email: need(v, 'email'),
          password: need(v, 'password'),
          name: need(v, 'name'),
          active: true,
        });
        return { text: `user ${r.email} created (id ${r.id})`, json: r };
      }
      case 'ops company create': {
        const r = await createCompany(core, await userId(core, need(v, 'admin')), need(v, 'name'));
        return {
          text: `company ${r.companyId} created with project DEFAULT (id ${r.defaultProjectId})`,
          json: r,
        };
      }
      case 'ops balance add': {
        const r = await operatorCredit(
          core,
          int(v, 'company'),
          project,
          need(v, 'type'),
          int(v, 'units'),
          v.ref ?? null,
        );
        return { text: `${r.units} ${r.type} added to project ${project}`, json: r };
      }
      case 'ops device add': {
        const companyId = int(v, 'company');
        const p = await findProjectByName(core.store.db, companyId, project);
        if (v.type !== undefined)
          throw new MylicError(
            'USAGE',
            "ops device add takes no --type: the type is the device database's (register a new device with ops device register --type T --mac M first).",
          );
        const r = await addDevice(core, await actAs(core, companyId), p.id, need(v, 'mac'));
        return { text: `device ${r.hardwareId} (${r.type}) added to project ${project}`, json: r };
      }
      case 'ops license bind': {
        const companyId = int(v, 'company');
        const p = await findProjectByName(core.store.db, companyId, project);
        const r = await bindFromBalance(core, await actAs(core, companyId), {
          projectId: p.id,
          hardwareId: need(v, 'mac'),
          licenseType: need(v, 'type'),
          units: int(v, 'units'),
          // The operator's confirmation of the SSC summary (the project is under SSA); absent: asked for.
          ...(v['ssa-confirm'] ? { ssa: {} } : {}),
        });
        const ssa = r.ssa ? `; SSA until ${r.ssa.endDate}, ${r.ssa.total} SSC paid` : '';
        return {
          text: `${r.units} ${r.licenseType} bound to ${r.hardwareId} (serial ${r.serial})${ssa}`,
          json: r,
        };
      }
      case 'ops right grant':
      case 'ops right revoke': {
        const r = await setRight(
          core,
          await userId(core, need(v, 'user')),
          parseRight(need(v, 'right')),
          cmd.endsWith('grant'),
          // Held per company (seed L272); without --company: in every company the user belongs to now.
          v.company !== undefined ? int(v, 'company') : undefined,
        );
        return {
          text: `right ${r.right} ${r.granted ? 'granted to' : 'revoked from'} ${v.user} in company ${r.companyIds.join(', ')}`,
          json: r,
        };
      }
      case 'ops counts': {
        const rows = await companyCounts(core.store.db, int(v, 'company'));
        const text =
          rows
            .map(
              (r) =>
                `${r.type.padEnd(18)} activated ${r.activated}  balance ${r.balance}  bound ${r.bound}  free ${r.free}`,
            )
            .join('\n') || '(nothing)';
        return { text, json: rows };
      }
      case 'invalidation upload': {
        const xml = await readFile(need(v, 'file'), 'utf8');
        const r = await acceptInvalidation(core, { userId: await userId(core, need(v, 'user')) }, xml);
        const out = v.out ?? `confirmation-${r.confirmation.documentId}.xml`;
        await writeFile(out, r.confirmationXml);
        const c = r.confirmation;
        return {
          text: `${r.replay ? 'already uploaded: same confirmation again' : 'licenses returned'}: ${c.accepted.length} accepted, ${c.rejected.length} kept on the device; confirmation written to ${out}; upload it on the device (Step1)`,
          json: {
            documentId: c.documentId,
            hardwareId: c.hardwareId,
            accepted: c.accepted,
            rejected: c.rejected,
            replay: r.replay,
            confirmationFile: out,
          },
        };
      }
      case 'invalidation confirmation': {
        const documentId = need(v, 'document');
        const xml = await confirmationFor(core, { userId: await userId(core, need(v, 'user')) }, documentId);
        const out = v.out ?? `confirmation-${documentId}.xml`;
        await writeFile(out, xml);
        return { text: `confirmation written to ${out}`, json: { documentId, confirmationFile: out } };
      }
      // ops: organisation commands (vendor records, …)
      case 'ops vendor-account set': {
        const r = await setVendorAccount(core, {
          accountId: need(v, 'account'),
          postalCode: need(v, 'postal-code'),
          name: need(v, 'name'),
          ...(v.street !== undefined ? { street: v.street } : {}),
          ...(v.city !== undefined ? { city: v.city } : {}),
          ...(v.country !== undefined ? { country: v.country } : {}),
        });
        return {
          text: `vendor account ${r.accountId} ${r.created ? 'created' : 'updated'} (${r.name}, ${r.postalCode}); companies using it: ${r.companies.join(', ') || 'none'}`,
          json: r,
        };
      }
      // ops: activation key commands (vendor keys, …)
      // ops: device commands (orders, RMA, …)
      case 'ops order add': {
        const macs = v.mac ?? [];
        if (!macs.length) throw new MylicError('USAGE', `--mac is required (once per device).\n\n${USAGE}`);
        const type = one(v, 'type');
        const r = await registerOrder(core, {
          orderNumber: need(v, 'order'),
          companyId: int(v, 'company'),
          devices: macs.map((device) => ({ device, type })),
          orderedOn: v.date,
        });
        const lines = r.devices
          .map((d) => `  ${d.display}  ${d.type}${d.created ? '  (new in the device database)' : ''}`)
          .join('\n');
        return {
          text: `order ${r.orderNumber} of company ${r.companyId} (${r.orderedOn}):\n${lines}`,
          json: r,
        };
      }
      case 'ops rma arrived': {
        const r = await rmaArrived(core, need(v, 'mac'));
        return {
          text: `RMA device ${r.display} arrived (requested ${r.requestedAt}); its licenses are movable now`,
          json: r,
        };
      }
      case 'ops rma reship': {
        const r = await rmaReship(core, need(v, 'mac'));
        const freed = r.freed
          .map(
            (f) =>
              `  company ${f.companyId}: ${f.serials.length} license(s) into project ${FREED_RMA_PROJECT} (id ${f.projectId}${f.projectCreated ? ', created' : ''})`,
          )
          .join('\n');
        return {
          text: `RMA device ${r.display} reshipped; removed from ${r.removedFrom.length} project(s)${freed ? `\n${freed}` : '; no licenses to free'}`,
          json: r,
        };
      }
      // ops: license and SSA commands (…)
      case 'ops ssa run-mails': {
        const now = v.now === undefined ? core.clock.now() : new Date(v.now);
        if (Number.isNaN(now.getTime()))
          throw new MylicError('USAGE', '--now must be an ISO date or time, e.g. 2026-05-12T08:00:00Z.');
        const r = await runSsaMails(core, now);
        return {
          text: `SSA expiry mails at ${r.at}: ${r.recorded} recorded, ${r.sent} sent, ${r.failed} failed (retried next run), ${r.dropped} no longer due`,
          json: r,
        };
      }
      case 'ops key issue': {
        const types = v.type ?? [];
        const amounts = v.units ?? [];
        if (types.length === 0 || types.length !== amounts.length)
          throw new MylicError('USAGE', `Give each license as a pair --type T --units N.\n\n${USAGE}`);
        const licenses = types.map((type, i) => {
          const units = z.coerce.number().int().positive().safeParse(amounts[i]);
          if (!units.success)
            throw new MylicError(
              'USAGE',
              `--units must be a positive whole number (license ${i + 1}, ${type}).`,
            );
          return { type, units: units.data };
        });
        const r = await issueVendorKey(core, {
          licenses,
          orderNumber: v.order ?? '',
          orderReference: v.reference ?? '',
        });
        const lines = r.licenses.map((l) => `  ${String(l.units).padStart(6)} ${l.type}`).join('\n');
        return {
          text: `activation key ${r.key}\n${lines}${r.orderNumber ? `\norder number ${r.orderNumber}` : ''}${r.orderReference ? `\norder reference ${r.orderReference}` : ''}`,
          json: r,
        };
      }
      default:
        throw new MylicError('USAGE', `Unknown command "${cmd}".\n\n${USAGE}`);
    }
  } finally {
    await core.store.close();
  }
}

/** `serve [--workers N]` (bridge/server.ts); the option is read in `main`. */
const serveOptions: { workers?: string | undefined } = {};
const serve = () => serveBridge(serveOptions);

export async function main(argv = process.argv.slice(2)): Promise<number> {
  let json = argv.includes('--json');
  try {
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    json = !!values.json;
    serveOptions.workers = values.workers;
    if (values.help || positionals.length === 0) {
      console.log(USAGE);
      return positionals.length === 0 && !values.help ? EXIT.USAGE : EXIT.OK;
    }
    if (positionals[0] === 'serve') {
      await (values.sandbox ? servePlay() : serve());
      return -1; // keeps running
    }
    if (positionals.join(' ') === 'sandbox sync') {
      const config = loadConfig();
      const { core, copiedNow } = await openPlay(config);
      try {
        const r = await syncPlayFromLive(config, core);
        const copy = await playCopyInfo(core);
        console.log(
          json
            ? JSON.stringify({ ok: true, result: { ...r, copiedAt: copy?.copiedAt ?? null, copiedNow } })
            : `myplay (${config.play.sqliteFile}, copied from the live database ${copy?.copiedAt ?? '?'}${copiedNow ? ', now' : ''}): ${r.seen} live device(s) read, ${r.added} new, ${r.certificates} certificate(s) changed`,
        );
        return EXIT.OK;
      } finally {
        await core.store.close();
      }
    }
    if (positionals.join(' ') === 'db copy') {
      const copied = await dbCopy(loadConfig(), values.to);
      console.log(json ? JSON.stringify({ ok: true, result: copied.json }) : copied.text);
      return EXIT.OK;
    }
    const result = isDbCommand(positionals)
      ? await dbCommand(loadConfig(), positionals)
      : await run(positionals.join(' '), values);
    console.log(json ? JSON.stringify({ ok: true, result: result.json }) : result.text);
    return EXIT.OK;
  } catch (e) {
    const err =
      e instanceof MylicError
        ? e
        : e instanceof Error &&
            'code' in e &&
            String((e as { code: unknown }).code).startsWith('ERR_PARSE_ARGS')
          ? new MylicError('USAGE', `${e.message}\n\n${USAGE}`)
          : e instanceof Error && (e as NodeJS.ErrnoException).code === 'ENOENT'
            ? new MylicError('NOT_FOUND', e.message)
            : new MylicError('INTERNAL', String((e as Error)?.message ?? e));
    if (json) console.log(JSON.stringify({ ok: false, ...err.toBody() }));
    else console.error(`error ${err.code}: ${err.message}`);
    return err.exitCode;
  }
}
