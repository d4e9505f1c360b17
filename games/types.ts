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
  /** How a draw's stakes become prizes (games/prizes.ts does the arithmetic). */
  prizes: PrizeRules;
}

/** One prize tier: its share of the prize fund in basis points (1/10,000), exact integers. */
export interface PrizeTier {
  name: string;
  basisPoints: number;
}

/**
 * Pari-mutuel prize rules: the prize fund is a fixed share of the stakes, each tier a fixed
 * share of the fund split equally among that tier's winning lines. Whatever is not paid to
 * players goes to the house, so a pool can never pay out more than it took.
 */
export interface PrizeRules {
  /** Share of the stake total that forms the prize fund, in basis points. */
  payoutBasisPoints: number;
  /** Best tier first. Their basis points (shares of the prize fund) sum to at most 10,000. */
  tiers: readonly PrizeTier[];
  /** The index in `tiers` a canonical line wins against the drawn numbers (one array per drum), or null. */
  tierOf(line: readonly number[], numbers: readonly (readonly number[])[]): number | null;
}
