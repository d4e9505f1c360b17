// app/logger.ts — pino JSON lines with stable field names; secrets never logged.
import { pino, type DestinationStream, type Logger } from 'pino';

export type { Logger };

/** `destination` defaults to stdout; tests pass their own to read what the server logs. */
export function createLogger(level: string, destination?: DestinationStream): Logger {
  const options = {
    level,
    base: { pid: process.pid },
    // Defence in depth: these keys never leave the process even if passed by mistake.
    redact: { paths: ['token', 'password', 'seed', '*.token', '*.password', '*.seed', 'authorization'], censor: '[redacted]' },
  };
  return destination ? pino(options, destination) : pino(options);
}
