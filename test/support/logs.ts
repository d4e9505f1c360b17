// test/support/logs.ts — what a server in this process logs: its pino lines and anything
// written through console (Colyseus' default logger), one entry per line.
import { Writable } from 'node:stream';
import util from 'node:util';
import { pino } from 'pino';
import type { Logger } from '../../core/logger.ts';

const CONSOLE_METHODS = ['log', 'info', 'warn', 'error', 'debug', 'trace'] as const;

export interface LogEntry {
  /** pino level (30 info, 40 warn, 50 error), or 'console' for console output. */
  level: number | 'console';
  text: string;
}

export class LogCapture {
  readonly entries: LogEntry[] = [];
  private saved: Partial<Record<(typeof CONSOLE_METHODS)[number], (...args: unknown[]) => void>> = {};

  /** A pino destination. */
  readonly destination = {
    write: (chunk: string) => {
      for (const text of chunk.split('\n')) {
        if (text === '') continue;
        let level: number | 'console' = 'console';
        try {
          level = JSON.parse(text).level;
        } catch {
          // not JSON: keep it as console output
        }
        this.entries.push({ level, text });
      }
    },
  };

  /** Also records console output (one entry per call, as a terminal would show it). */
  captureConsole(): void {
    for (const m of CONSOLE_METHODS) {
      this.saved[m] = console[m];
      console[m] = (...args: unknown[]) => this.entries.push({ level: 'console', text: util.format(...args) });
    }
  }

  restoreConsole(): void {
    for (const m of CONSOLE_METHODS) if (this.saved[m]) console[m] = this.saved[m]!;
  }

  mark(): number {
    return this.entries.length;
  }

  /** Entries at info or above (and all console output) since `mark`. */
  since(mark: number): LogEntry[] {
    return this.entries.slice(mark).filter((e) => e.level === 'console' || e.level >= 30);
  }
}

/** A stack trace's frame line, as V8 prints it. */
export const STACK_FRAME = /\n\s+at |\\n\s+at /;

/** A pino logger whose lines land, parsed, in `lines` (to read what a server in this process logged). */
export function memoryLogger(level: string): { logger: Logger; lines: any[] } {
  const lines: any[] = [];
  const logger = pino(
    { level },
    new Writable({
      write(chunk, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()));
        done();
      },
    }),
  );
  return { logger, lines };
}
