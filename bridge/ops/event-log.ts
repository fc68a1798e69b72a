/**
 * The bridge's event log: every line names a dotted event (`http.request`, `license.download`,
 * `mail.sent`, …) and carries fields. The server and the operator CLI install the JSON logger
 * (bridge/ops/logger.ts, pino) at start; until then — the core used in-process by tests and tools —
 * lines go to the console as `level=… event=… key=value`, the format the bridge wrote before pino.
 * The core logs through this module only (no HTTP, no driver in it).
 */
export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface EventLog {
  debug(event: string, fields?: LogFields): void;
  info(event: string, fields?: LogFields): void;
  warn(event: string, fields?: LogFields): void;
  error(event: string, fields?: LogFields): void;
}

const plain = (v: unknown) =>
  typeof v === 'number' || typeof v === 'boolean' || (typeof v === 'string' && /^[\w.:/@-]+$/.test(v))
    ? String(v)
    : JSON.stringify(v);

const line = (level: LogLevel, event: string, fields: LogFields = {}) =>
  [`level=${level}`, `event=${event}`, ...Object.entries(fields).map(([k, v]) => `${k}=${plain(v)}`)].join(
    ' ',
  );

/** key=value lines on the console (errors and warnings on stderr). */
export const consoleLog: EventLog = {
  debug: () => undefined,
  info: (e, f) => console.log(line('info', e, f)),
  warn: (e, f) => console.error(line('warn', e, f)),
  error: (e, f) => console.error(line('error', e, f)),
};

let current: EventLog = consoleLog;

/** The process's event log. */
export const eventLog = (): EventLog => current;

/** Installs the process's event log (the server and the CLI at start); returns the previous one. */
export function setEventLog(log: EventLog): EventLog {
  const previous = current;
  current = log;
  return previous;
}

/** An error's message for a log line (the stack for unexpected ones). */
export const errorText = (e: unknown, stack = false): string =>
  String((stack ? (e as Error)?.stack : undefined) ?? (e as Error)?.message ?? e);
