import pino from 'pino';
import { type EventLog, type LogFields, setEventLog } from './event-log.js';

/** Log levels a setting may name (MYLIC_LOG_LEVEL). */
export const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
export type LogLevelSetting = (typeof LOG_LEVELS)[number];

/**
 * Structured JSON logs (pino) on stdout, one object a line: `time` (ISO), `level` (its name), `pid`,
 * `event` (dotted name) and the event's fields, e.g.
 * `{"level":"info","time":"…","pid":7,"event":"http.request","requestId":"…","route":"/api/v1/devices/:id","status":200,"ms":3.1}`.
 * Written synchronously, so the last lines before an exit are not lost.
 */
export function createLogger(
  level: LogLevelSetting,
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: true }),
) {
  return pino(
    {
      level,
      base: { pid: process.pid },
      timestamp: pino.stdTimeFunctions.isoTime,
      formatters: { level: (label) => ({ level: label }) },
    },
    destination,
  );
}

/** An EventLog writing through pino. */
export function pinoEventLog(logger: pino.Logger): EventLog {
  const at =
    (level: 'debug' | 'info' | 'warn' | 'error') =>
    (event: string, fields: LogFields = {}) =>
      logger[level]({ event, ...fields });
  return { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error') };
}

/** Creates the JSON logger at `level` and makes it the process's event log. */
export function installLogger(level: LogLevelSetting): EventLog {
  const log = pinoEventLog(createLogger(level));
  setEventLog(log);
  return log;
}
