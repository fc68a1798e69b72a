import { writeSync } from 'node:fs';
import { COMMANDS } from './commands/index.js';

/**
 * Entry of the agent bundle. `--version` answers before the rest of the agent is evaluated, so the
 * cheapest question a provisioning script asks costs little more than starting node. Otherwise the
 * command named first (`mylic status ...`, as scripts call it) starts loading at once, side by side
 * with the CLI module, instead of after it.
 */
declare const MYLIC_VERSION: string | undefined;

const [first] = process.argv.slice(2);
if (process.argv.length === 3 && first === '--version') {
  writeSync(1, `${typeof MYLIC_VERSION === 'string' ? MYLIC_VERSION : '0.0.0-dev'}\n`);
} else {
  if (first !== undefined && Object.hasOwn(COMMANDS, first)) COMMANDS[first]!().catch(() => undefined);
  const { main } = await import('./cli.js');
  process.exitCode = await main(process.argv.slice(2), COMMANDS);
}
