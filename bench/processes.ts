import { spawn, type ChildProcess } from 'node:child_process';
import { BRIDGE } from '../test/support/cli.js';
import { ROOT } from './load.js';

/** Child processes of the benchmark: long-running servers and timed one-shot commands. */
export interface Server {
  child: ChildProcess;
  pid: number;
  port: number;
  log: () => string;
  stop: () => Promise<void>;
}

/**
 * Starts `node ...args` and waits until its output matches `ready` (group 1: the port). Used for
 * the trivial Hono server and for the bridge started with extra node flags (--cpu-prof).
 */
export async function startServerProcess(
  args: string[],
  ready: RegExp,
  env: Record<string, string> = {},
): Promise<Server> {
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${args.join(' ')} did not start:\n${log}`)), 30_000);
    const onData = (d: Buffer) => {
      log += d;
      const m = ready.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`${args.join(' ')} exited with ${code}:\n${log}`));
    });
  });
  return {
    child,
    pid: child.pid!,
    port,
    log: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null || child.signalCode !== null) return resolve();
        const force = setTimeout(() => child.kill('SIGKILL'), 15_000);
        child.once('exit', () => {
          clearTimeout(force);
          resolve();
        });
        child.kill('SIGTERM');
      }),
  };
}

/**
 * The bridge bundle as its own process with extra node flags (e.g. --cpu-prof) on an existing data
 * dir; `env` adds settings (e.g. MYLIC_LICENSE_SIGNATURE).
 */
export function startBridgeWithFlags(
  dataDir: string,
  nodeFlags: string[],
  env: Record<string, string> = {},
): Promise<Server> {
  return startServerProcess(
    [...nodeFlags, BRIDGE, 'serve'],
    // The JSON log line {"event":"bridge.started","url":"https://HOST:PORT",…} (bridge/ops/logger.ts).
    /bridge\.started\W+url\W+https:\/\/[^:]+:(\d+)/,
    { MYLIC_DATA: dataDir, PORT: '0', HOST: 'localhost', ...env },
  );
}

export interface Timed {
  ms: number;
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs a command to its end and measures wall time from spawn to exit (stdout drained). */
export function timed(command: string, args: string[], env: Record<string, string> = {}): Promise<Timed> {
  return new Promise((resolve, reject) => {
    const start = performance.now();
    const child = spawn(command, args, {
      cwd: ROOT,
      env: { ...process.env, ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.on('error', reject);
    child.on('close', (code) => resolve({ ms: performance.now() - start, code, stdout, stderr }));
  });
}
