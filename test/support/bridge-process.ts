import { spawn, type ChildProcess } from 'node:child_process';
import { BRIDGE } from './cli.js';

export interface BridgeProcess {
  url: string;
  port: number;
  dataDir: string;
  caFile: string;
  pkiDir: string;
  env: Record<string, string>;
  /** The bridge's process (its pid, to signal it; its exit). */
  child: ChildProcess;
  /** Everything it printed so far (JSON log lines). */
  output: () => string;
  stop: () => Promise<void>;
}

/** Starts the real bridge bundle as its own process over TLS on a free port, with its own data folder. */
export async function startBridgeProcess(
  dataDir: string,
  extraEnv: Record<string, string> = {},
  /** More arguments of `serve` (e.g. --workers 2). */
  serveArgs: string[] = [],
): Promise<BridgeProcess> {
  const env = { MYLIC_DATA: dataDir, PORT: '0', HOST: 'localhost', ...extraEnv };
  const child: ChildProcess = spawn(process.execPath, [BRIDGE, 'serve', ...serveArgs], {
    env: { ...process.env, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`bridge did not start:\n${log}`)), 30_000);
    const onData = (d: Buffer) => {
      log += d;
      // The JSON log line {"event":"bridge.started","url":"https://HOST:PORT",…} (bridge/ops/logger.ts).
      const m = /bridge\.started\W+url\W+https:\/\/[^:]+:(\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', onData);
    child.stderr!.on('data', onData);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`bridge exited with ${code}:\n${log}`));
    });
  });
  return {
    url: `https://localhost:${port}/`,
    port,
    dataDir,
    pkiDir: `${dataDir}/pki`,
    caFile: `${dataDir}/pki/root-ca.pem`,
    env,
    child,
    output: () => log,
    stop: () =>
      new Promise<void>((resolve) => {
        if (child.exitCode !== null) return resolve();
        child.once('exit', () => resolve());
        child.kill('SIGTERM');
      }),
  };
}
