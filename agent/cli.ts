import { parseArgs } from 'node:util';
import { print } from './print.js';
import { EXIT, MylicError } from '../protocol/errors.js';
import type { CommandInput, CommandResult, CommandTable } from './commands/types.js';
import { ReportedFailure } from './reported-failure.js';
import { USAGE, options } from './usage.js';

export { USAGE };

declare const MYLIC_VERSION: string | undefined;
export const VERSION = typeof MYLIC_VERSION === 'string' ? MYLIC_VERSION : '0.0.0-dev';

async function run(
  commands: CommandTable,
  positionals: string[],
  values: CommandInput['values'],
): Promise<CommandResult> {
  const cmd = positionals.join(' ');
  const load = Object.hasOwn(commands, positionals[0]!) ? commands[positionals[0]!] : undefined;
  if (!load || (positionals[0] === 'device' && cmd !== 'device init'))
    throw new MylicError('USAGE', `Unknown command "${cmd}".\n\n${USAGE}`);
  const arg = (name: string, value: string | undefined) => {
    if (!value) throw new MylicError('USAGE', `${name} is required.\n\n${USAGE}`);
    return value;
  };
  const dir = values.dir ?? process.env.MYLIC_DEVICE_DIR ?? './device';
  const command = await load();
  return command.default({ positionals, values, dir, arg });
}

/**
 * The CLI: `commands` is the launcher's table of command modules (agent/commands/index.ts), so the
 * launcher can start loading the asked-for command while this module loads.
 */
export async function main(argv: string[], commands: CommandTable): Promise<number> {
  let json = argv.includes('--json');
  try {
    // `--version` alone (or with --json) is the agent's version; `--version V` after a command is a license version.
    const bare = argv.filter((a) => a !== '--json');
    if (bare.length === 1 && bare[0] === '--version') {
      print(json ? JSON.stringify({ ok: true, command: 'version', result: { version: VERSION } }) : VERSION);
      return EXIT.OK;
    }
    const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
    json = !!values.json;
    if (values.help || !positionals.length) {
      if (!json) {
        print(USAGE);
      } else if (values.help) {
        print(JSON.stringify({ ok: true, command: 'help', result: { usage: USAGE, exitCodes: EXIT } }));
      } else {
        const err = new MylicError('USAGE', 'No command given: `mylic --help` lists the commands.', {
          usage: USAGE,
        });
        print(JSON.stringify({ ok: false, ...err.toBody() }));
      }
      return values.help ? EXIT.OK : EXIT.USAGE;
    }
    const result = await run(commands, positionals, values);
    print(
      json
        ? JSON.stringify({ ok: true, command: positionals[0], result })
        : (await import('./render.js')).render(positionals[0]!, result),
    );
    return EXIT.OK;
  } catch (e) {
    if (e instanceof ReportedFailure) {
      print(
        json
          ? JSON.stringify({ ok: false, command: 'check', result: e.result, ...e.error.toBody() })
          : (await import('./render.js')).render('check', e.result),
      );
      return e.error.exitCode;
    }
    const err = toMylicError(e);
    if (json) print(JSON.stringify({ ok: false, ...err.toBody() }));
    else console.error(`error ${err.code}: ${err.message}`);
    return err.exitCode;
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
