// app/colyseusLogger.ts — Colyseus' log calls as our pino lines.
//
// Colyseus logs through a console-like object (`new Server({ logger })`). Most of what it
// logs is about one client's request: `debugAndPrintError` prints the full stack of any
// error that is not a ServerError (an unreadable msgpack frame, say), through console, as
// ten or more lines per refused request. Here every call becomes one JSON line holding the
// first line of its text, cut to CLIENT_LOG_LINE_CHARS_MAX; the whole text, stack and
// all, is kept at debug level for whoever is chasing a bug.
import { CLIENT_LOG_LINE_CHARS_MAX } from '../core/limits.ts';
import type { Logger } from '../core/logger.ts';

type Level = 'trace' | 'debug' | 'info' | 'warn' | 'error';

/** One argument of a console-style call as text, never throwing (BigInt, cycles). */
function textOf(value: unknown): string {
  if (typeof value === 'string') return value;
  if (value instanceof Error) return value.stack ?? `${value.name}: ${value.message}`;
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return Object.prototype.toString.call(value);
  }
}

export interface ColyseusLogger {
  trace(...args: unknown[]): void;
  debug(...args: unknown[]): void;
  info(...args: unknown[]): void;
  warn(...args: unknown[]): void;
  error(...args: unknown[]): void;
}

export function colyseusLogger(logger: Logger): ColyseusLogger {
  const log =
    (level: Level) =>
    (...args: unknown[]): void => {
      if (!logger.isLevelEnabled(level)) return;
      const text = args.map(textOf).join(' ');
      const newline = text.indexOf('\n');
      const first = (newline < 0 ? text : text.slice(0, newline)).slice(0, CLIENT_LOG_LINE_CHARS_MAX);
      logger[level]({ source: 'colyseus' }, first);
      if (first.length < text.length && logger.isLevelEnabled('debug')) logger.debug({ source: 'colyseus', detail: text }, 'colyseus log in full');
    };
  return { trace: log('trace'), debug: log('debug'), info: log('info'), warn: log('warn'), error: log('error') };
}
