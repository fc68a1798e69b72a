import { writeSync } from 'node:fs';

/**
 * One line to standard output, written straight to fd 1. `console.log` would first build
 * `process.stdout` (for a pipe, a net.Socket and node's stream modules): a few milliseconds on every
 * command, most of what `mylic status` costs over starting node. When fd 1 cannot take the whole line
 * at once (a non-blocking pipe that is full: EAGAIN), the rest goes through `process.stdout`, which
 * waits for the reader.
 */
export function print(text: string): void {
  const bytes = Buffer.from(`${text}\n`, 'utf8');
  let at = 0;
  try {
    while (at < bytes.length) at += writeSync(1, bytes, at);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    // EPIPE: the reader has gone (`mylic status | head -c0`); there is no one left to tell.
    if (code === 'EPIPE') return;
    if (code !== 'EAGAIN') throw e;
    process.stdout.write(bytes.subarray(at));
  }
}
