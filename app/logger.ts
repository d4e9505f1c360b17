// app/logger.ts — pino JSON lines with stable field names; secrets never logged.
import { pino, type Logger } from 'pino';

export type { Logger };

export function createLogger(level: string): Logger {
  return pino({
    level,
    base: { pid: process.pid },
    // Defence in depth: these keys never leave the process even if passed by mistake.
    redact: { paths: ['token', 'password', 'seed', '*.token', '*.password', '*.seed', 'authorization'], censor: '[redacted]' },
  });
}
