// games/types.ts — what every game module provides: pure rules, no I/O.
import type { DailySchedule } from './schedule.ts';

/** Uniform integer in [min, maxExclusive); production passes crypto.randomInt (a CSPRNG). */
export type RandomInt = (min: number, maxExclusive: number) => number;

export interface GameRules {
  id: string;
  name: string;
  currency: string;
  linePriceMinor: number;
  linesPerTicketMax: number;
  /** Short human description of a line, for error messages and the catalogue. */
  lineSpec: string;
  schedule: DailySchedule;
  /** How the winning numbers are drawn (draw/README.md): drums in order, k of [min, max] each. */
  drums: { name: string; min: number; max: number; count: number; replacement: boolean }[];
  /** Returns the canonical lines, or a reason the selection is invalid. */
  validateLines(lines: unknown): { ok: true; lines: number[][] } | { ok: false; reason: string };
  quickPick(lineCount: number, randomInt: RandomInt): number[][];
}
