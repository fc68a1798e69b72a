import type { parseArgs } from 'node:util';
import type { options } from '../usage.js';

/** What every command module gets: its positionals, the parsed options and the device folder. */
export interface CommandInput {
  positionals: string[];
  values: ReturnType<typeof parseArgs<{ options: typeof options; allowPositionals: true }>>['values'];
  dir: string;
  /** The value of a required option or positional, else a USAGE error naming it. */
  arg: (name: string, value: string | undefined) => string;
}

// biome-ignore lint/suspicious/noExplicitAny: each command answers its own JSON document
export type CommandResult = Record<string, any>;

/** Command name → its module, imported when asked for (agent/commands/index.ts). */
export type CommandTable = Record<
  string,
  () => Promise<{ default: (input: CommandInput) => Promise<CommandResult> }>
>;
