// games/lotto649.ts — lotto 6/49: six distinct numbers from 1..49 per line.
import { LINES_PER_TICKET_MAX } from '../core/limits.ts';
import { invariant } from '../core/errors.ts';
import type { GameRules, PrizeRules, RandomInt } from './types.ts';

const PICK = 6;
const NUMBER_MIN = 1;
const NUMBER_MAX = 49;

function validateLine(line: unknown, index: number): number[] | string {
  if (!Array.isArray(line)) return `line ${index + 1} is not an array`;
  if (line.length !== PICK) return `line ${index + 1} has ${line.length} numbers, needs ${PICK}`;
  const seen = new Set<number>();
  for (const n of line) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < NUMBER_MIN || n > NUMBER_MAX) {
      // Never JSON.stringify what a client sent: a BigInt throws, deep nesting overflows the stack.
      const what = typeof n === 'number' ? String(n) : `a ${n === null ? 'null' : Array.isArray(n) ? 'list' : typeof n}`;
      return `line ${index + 1} has ${what}, numbers must be whole numbers ${NUMBER_MIN}..${NUMBER_MAX}`;
    }
    if (seen.has(n)) return `line ${index + 1} repeats ${n}`;
    seen.add(n);
  }
  // Canonical form is ascending: the order a player typed carries no meaning.
  return [...seen].sort((a, b) => a - b);
}

/** k distinct numbers from [min, max] by a partial Fisher–Yates shuffle: every k-set equally likely. */
export function pickDistinct(k: number, min: number, max: number, randomInt: RandomInt): number[] {
  const pool = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  for (let i = 0; i < k; i++) {
    const j = randomInt(i, pool.length);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

/** Fewest matched numbers that win anything. */
const MATCHED_MIN_TO_WIN = 3;

/** How many numbers of a line are among the drawn main numbers. */
export function matchedMain(line: readonly number[], numbers: readonly (readonly number[])[]): number {
  // The draw's one drum must be what the rules draw; anything else is a corrupt record.
  // (Checked before building the message: this runs for every line of every ticket.)
  if (numbers.length !== 1 || numbers[0].length !== PICK) invariant(false, `lotto 6/49 numbers must be one drum of ${PICK}, got ${JSON.stringify(numbers)}`);
  const drawn = numbers[0];
  let matched = 0;
  for (const n of line) if (drawn.includes(n)) matched++;
  return matched;
}

/** Half the stakes form the prize fund; tiers by matched numbers, best first (index = 6 − matched). */
export const LOTTO649_PRIZES: PrizeRules = {
  payoutBasisPoints: 5_000,
  tiers: [
    { name: 'match6', basisPoints: 5_000 },
    { name: 'match5', basisPoints: 2_000 },
    { name: 'match4', basisPoints: 1_500 },
    { name: 'match3', basisPoints: 1_500 },
  ],
  tierOf(line, numbers) {
    const matched = matchedMain(line, numbers);
    return matched >= MATCHED_MIN_TO_WIN ? PICK - matched : null;
  },
};

export const lotto649: GameRules = {
  id: 'lotto649',
  name: 'Lotto 6/49',
  currency: 'EUR',
  linePriceMinor: 200,
  linesPerTicketMax: LINES_PER_TICKET_MAX,
  lineSpec: `${PICK} distinct numbers from ${NUMBER_MIN} to ${NUMBER_MAX}`,
  schedule: { timeZone: 'Europe/Berlin', cutoff: { hour: 15, minute: 0 }, draw: { hour: 16, minute: 0 } },
  drums: [{ name: 'main', min: 1, max: 49, count: 6, replacement: false }],

  validateLines(lines) {
    if (!Array.isArray(lines) || lines.length === 0) return { ok: false, reason: 'lines must be a non-empty array of lines' };
    if (lines.length > this.linesPerTicketMax) {
      return { ok: false, reason: `at most ${this.linesPerTicketMax} lines per ticket, got ${lines.length}` };
    }
    const canonical: number[][] = [];
    for (let i = 0; i < lines.length; i++) {
      const line = validateLine(lines[i], i);
      if (typeof line === 'string') return { ok: false, reason: line };
      canonical.push(line);
    }
    return { ok: true, lines: canonical };
  },

  quickPick(lineCount, randomInt) {
    return Array.from({ length: lineCount }, () => pickDistinct(PICK, NUMBER_MIN, NUMBER_MAX, randomInt));
  },

  prizes: LOTTO649_PRIZES,
};
