import { spawn } from 'node:child_process';
import { resolve } from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const AGENT = resolve(ROOT, 'dist/mylic.mjs');
export const BRIDGE = resolve(ROOT, 'dist/mylic-bridge.mjs');

export interface CliResult {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
  /** The one JSON document a --json command prints. */
  json: any;
}

/** Runs a built CLI (the real bundle, as a user would) and collects its output. */
export function runCli(bundle: string, args: string[], env: Record<string, string> = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [bundle, ...args], {
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code, signal) => {
      let json: unknown;
      if (args.includes('--json')) {
        try {
          json = JSON.parse(stdout);
        } catch {
          json = undefined;
        }
      }
      resolvePromise({ code, signal, stdout, stderr, json });
    });
  });
}

export const agent = (args: string[], env?: Record<string, string>) => runCli(AGENT, args, env);
export const bridgeCli = (args: string[], env?: Record<string, string>) => runCli(BRIDGE, args, env);
