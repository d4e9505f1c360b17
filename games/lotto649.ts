// games/lotto649.ts — lotto 6/49: six distinct numbers from 1..49 per line.
import { LINES_PER_TICKET_MAX } from '../core/limits.ts';
import type { GameRules, RandomInt } from './types.ts';

const PICK = 6;
const NUMBER_MIN = 1;
const NUMBER_MAX = 49;

function validateLine(line: unknown, index: number): number[] | string {
  if (!Array.isArray(line)) return `line ${index + 1} is not an array`;
  if (line.length !== PICK) return `line ${index + 1} has ${line.length} numbers, needs ${PICK}`;
  const seen = new Set<number>();
  for (const n of line) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < NUMBER_MIN || n > NUMBER_MAX) {
      return `line ${index + 1} has ${JSON.stringify(n)}, numbers must be whole numbers ${NUMBER_MIN}..${NUMBER_MAX}`;
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
};
