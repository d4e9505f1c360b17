// core/logger.ts — pino JSON lines with stable field names; secrets never logged.
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

/** What a log line needs of an error that is an operating condition (a database away): never its stack. */
export function faultSummary(err: unknown): { message: string; code?: string } {
  const e = err as { message?: unknown; code?: unknown };
  return { message: String(e?.message ?? err).slice(0, 200), code: typeof e?.code === 'string' ? e.code : undefined };
}

/**
 * At most one line per kind every `everyMs`, counting the ones held back in the next: a
 * fault that hits every request (a database away) must not turn into a log flood, which is
 * a denial of service of its own.
 */
export class ThrottledLog {
  private readonly lastByKind = new Map<string, { loggedAtMs: number; suppressed: number }>();

  constructor(
    private readonly logger: Logger,
    private readonly everyMs: number,
    private readonly nowMs: () => number = Date.now,
  ) {}

  /** `kind` is a fixed message (the map holds one entry per kind, so never put data in it). */
  warn(kind: string, fields: Record<string, unknown>): void {
    const nowMs = this.nowMs();
    const last = this.lastByKind.get(kind);
    if (last && nowMs - last.loggedAtMs < this.everyMs) {
      last.suppressed++;
      return;
    }
    this.logger.warn({ ...fields, suppressed: last?.suppressed ?? 0 }, kind);
    this.lastByKind.set(kind, { loggedAtMs: nowMs, suppressed: 0 });
  }
}
