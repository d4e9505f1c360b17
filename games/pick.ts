// games/pick.ts — daily pick-3 and pick-4: fixed odds on 3 or 4 digits, each drawn from its
// own drum of 0..9 (so digits may repeat: 1-1-7 is a result like any other).
//
// Bet types, each at a stake the player chooses (minor units, per line):
//   straight      the digits in the exact order drawn
//   box           the digits in any order. Pays by how many orders the line has ("ways"):
//                 pick-3 6-way (three different digits) or 3-way (a pair); pick-4 24-, 12-,
//                 6- or 4-way. A line of one digit repeated (1-1-1) has one order: not a box.
//   straight_box  half the stake on each: exact order wins both halves, any other order the box half
//
// Prizes are multiples of the stake (PICK_PAYS below, the shape of the published US daily
// games' tables). The house sells at most PICK_LIABILITY_CAP_MINOR (pick-3) or
// PICK4_LIABILITY_CAP_MINOR (pick-4) of prizes on one ordered combination of one draw: a
// bet that would pass it is refused SOLD_OUT (ledger/bets.ts).
//
// Line mask (one layout for all three bet types, so one SQL pass settles a draw):
//   p1..pN   a segment per position, 10 bits: bit d set when that position is digit d
//   ge1..geN a segment per multiplicity K, 10 bits: bit d set when d occurs at least K times
// The drawn digits give a mask of the same layout. Straight wins when every p-segment
// matches 1; box wins when every ge-segment matches all its spots (the multisets are then
// equal, both having N digits), and the line's ge-spots tell its number of ways.
import { invariant } from '../core/errors.ts';
import { validateLineBet, describe, segmentMask, settleFixed, type FixedPrize } from './catalogueKit.ts';
import { factorial, oddsRow, type Chance, type OddsRow } from './odds.ts';
import type { BetTypeRules, CanonicalBet, CatalogueGame, LineClass, MaskSegment } from './types.ts';

/** Stakes a line may have. Even, so that straight/box puts a whole half on each part. */
export const PICK_STAKES_MINOR = [100, 200, 500, 1000] as const;
for (const stake of PICK_STAKES_MINOR) invariant(stake % 2 === 0, `a pick stake of ${stake} cannot be halved for straight/box`);
/** Prizes the house sells on one ordered combination of one draw: pick-3 50,000.00 EUR (ten top straights), pick-4 500,000.00 EUR. */
export const PICK_LIABILITY_CAP_MINOR = 5_000_000;
export const PICK4_LIABILITY_CAP_MINOR = 50_000_000;

/** Multiples of the stake. box[w] is what a w-way box pays. */
const PICK_PAYS = {
  3: { straight: 500, box: { 6: 80, 3: 160 } as Record<number, number> },
  4: { straight: 5000, box: { 24: 200, 12: 400, 6: 800, 4: 1200 } as Record<number, number> },
} as const;

type Digits = 3 | 4;

/** Distinct orders of a multiset of digits: N! / Π count!. */
export function waysOf(digits: readonly number[]): number {
  const counts = new Map<number, number>();
  for (const d of digits) counts.set(d, (counts.get(d) ?? 0) + 1);
  let denominator = 1n;
  for (const c of counts.values()) denominator *= factorial(c);
  return Number(factorial(digits.length) / denominator);
}

/** Every distinct order of the digits, as combination strings ('117', '171', '711'). */
export function ordersOf(digits: readonly number[]): string[] {
  if (digits.length <= 1) return [digits.join('')];
  const out = new Set<string>();
  digits.forEach((d, i) => {
    for (const rest of ordersOf([...digits.slice(0, i), ...digits.slice(i + 1)])) out.add(`${d}${rest}`);
  });
  return [...out].sort();
}

function segmentsOf(n: Digits): MaskSegment[] {
  const p = Array.from({ length: n }, (_, i) => ({ name: `p${i + 1}`, bits: 10 }));
  const ge = Array.from({ length: n }, (_, i) => ({ name: `ge${i + 1}`, bits: 10 }));
  return [...p, ...ge];
}

function maskOf(n: Digits, digits: readonly number[]): string {
  const positional = digits.map((d) => segmentMask(10, [d]));
  const counts = new Array<number>(10).fill(0);
  for (const d of digits) counts[d]++;
  const multiplicity = Array.from({ length: n }, (_, k) => segmentMask(10, counts.flatMap((c, d) => (c >= k + 1 ? [d] : []))));
  return [...positional, ...multiplicity].join('');
}

function validLine(n: Digits, betType: string, line: unknown, index: number): number[] | string {
  if (!Array.isArray(line) || line.length !== n) return `line ${index + 1} must be ${n} digits`;
  for (const d of line) if (typeof d !== 'number' || !Number.isInteger(d) || d < 0 || d > 9) return `line ${index + 1} has ${describe(d)}, digits are whole numbers 0..9`;
  const digits = line as number[];
  if (betType !== 'straight' && waysOf(digits) === 1) return `line ${index + 1}: ${digits.join('')} has one order only; bet it straight`;
  // Canonical: a straight keeps its order (it is the bet); a box's order carries no meaning.
  return betType === 'box' ? [...digits].sort((a, b) => a - b) : [...digits];
}

/** The ways of a line from its multiplicity spots (s_K digits occur at least K times). */
function waysFromSpots(n: Digits, geSpots: readonly number[]): number {
  let denominator = 1n;
  for (let k = 1; k <= n; k++) {
    const exactlyK = geSpots[k - 1] - (geSpots[k] ?? 0);
    denominator *= factorial(k) ** BigInt(exactlyK);
  }
  return Number(factorial(n) / denominator);
}

function tierNames(n: Digits): string[] {
  const ways = Object.keys(PICK_PAYS[n].box).map(Number).sort((a, b) => b - a);
  return ['straight', ...ways.map((w) => `box ${w}-way`), ...ways.map((w) => `straight_box exact ${w}-way`), ...ways.map((w) => `straight_box any order ${w}-way`)];
}

/**
 * A class a line of N digits can have: one digit per position, and multiplicity spots
 * s_1 ≥ s_2 ≥ … ≥ s_N ≥ 0 summing to N (each digit counted once per copy). Any other is a
 * corrupt mask or a changed layout: it stops settlement instead of settling as a loss.
 */
function assertPickClass(n: Digits, cls: Pick<LineClass, 'matches' | 'spots'>): void {
  invariant(cls.matches.length === 2 * n, `a pick-${n} class has ${2 * n} segments, not ${cls.matches.length} matched`);
  invariant(cls.spots.length === 2 * n, `a pick-${n} class has ${2 * n} segments, not ${cls.spots.length} chosen`);
  for (let p = 0; p < n; p++) invariant(cls.spots[p] === 1, `a pick-${n} class has one digit in position ${p + 1}, not ${cls.spots[p]}`);
  const ge = cls.spots.slice(n);
  for (let k = 1; k < n; k++) invariant(ge[k] <= ge[k - 1], `pick-${n} multiplicity spots ${ge} do not decrease`);
  invariant(ge.reduce((sum, x) => sum + x, 0) === n, `pick-${n} multiplicity spots ${ge} do not count ${n} digits`);
}

/** What one line of a class wins, as a multiple of its stake; null when nothing. */
export function pickPrize(n: Digits, cls: Pick<LineClass, 'betType' | 'matches' | 'spots'>): FixedPrize | null {
  assertPickClass(n, cls);
  const exact = cls.matches.slice(0, n).every((m) => m === 1);
  const boxed = cls.matches.slice(n).every((m, k) => m === cls.spots[n + k]);
  const pays = PICK_PAYS[n];
  const names = tierNames(n);
  if (cls.betType === 'straight') return exact ? { tier: 0, multiple: pays.straight, divisor: 1 } : null;
  if (!boxed) return null;
  const ways = waysFromSpots(n, cls.spots.slice(n));
  const box = pays.box[ways];
  invariant(box !== undefined, `a ${ways}-way box is not sold`);
  if (cls.betType === 'box') return { tier: names.indexOf(`box ${ways}-way`), multiple: box, divisor: 1 };
  invariant(cls.betType === 'straight_box', `pick-${n} has no bet type ${cls.betType}`);
  return exact
    ? { tier: names.indexOf(`straight_box exact ${ways}-way`), multiple: pays.straight + box, divisor: 2 }
    : { tier: names.indexOf(`straight_box any order ${ways}-way`), multiple: box, divisor: 2 };
}

/** A tier's prize for one line at `stake` (tier names of tierNames()). */
function pickPrizeAtStake(n: Digits, tier: string, stake: number): number {
  const pays = PICK_PAYS[n];
  const ways = Number(/(\d+)-way/.exec(tier)?.[1]);
  if (tier === 'straight') return stake * pays.straight;
  if (tier.startsWith('box')) return stake * pays.box[ways];
  return tier.includes('exact') ? (stake * (pays.straight + pays.box[ways])) / 2 : (stake * pays.box[ways]) / 2;
}

function liabilityOf(n: Digits, bet: Pick<CanonicalBet, 'betType' | 'stakeMinor' | 'lines'>): { combination: string; payoutMinor: number }[] {
  const pays = PICK_PAYS[n];
  const out: { combination: string; payoutMinor: number }[] = [];
  for (const line of bet.lines) {
    const own = line.join('');
    if (bet.betType === 'straight') {
      out.push({ combination: own, payoutMinor: bet.stakeMinor * pays.straight });
      continue;
    }
    const box = pays.box[waysOf(line)];
    for (const order of ordersOf(line)) {
      const multiple = bet.betType === 'box' ? 2 * box : order === own ? pays.straight + box : box;
      out.push({ combination: order, payoutMinor: (bet.stakeMinor * multiple) / 2 });
    }
  }
  return out;
}

/**
 * The least a bet adds to one ordered combination: bets at the smallest stake on each order
 * of its digits, of each bet type that takes them (a straight/box pays its own order more
 * than the others; a straight on another order adds nothing). 1,000 (pick-3) or 10,000
 * (pick-4) combinations, each worked out once.
 */
const smallestPayouts = new Map<string, number | undefined>();

function smallestPayoutOn(n: Digits, combination: string): number | undefined {
  const key = `${n}:${combination}`;
  if (smallestPayouts.has(key)) return smallestPayouts.get(key);
  let least: number | undefined;
  if (new RegExp(`^[0-9]{${n}}$`).test(combination)) {
    const line = [...combination].map(Number);
    const triple = new Set(line).size === 1;
    // Every bet on any order of its digits (a straight/box pays its own order more than the others).
    const lines = [...ordersOf(line)].map((order) => [...order].map(Number));
    for (const betType of ['straight', 'box', 'straight_box']) {
      if (betType !== 'straight' && triple) continue;
      for (const p of liabilityOf(n, { betType, stakeMinor: PICK_STAKES_MINOR[0], lines })) {
        if (p.combination === combination) least = least === undefined ? p.payoutMinor : Math.min(least, p.payoutMinor);
      }
    }
  }
  if (smallestPayouts.size < 20_000) smallestPayouts.set(key, least);
  return least;
}

function oddsOf(n: Digits): OddsRow[] {
  const total = 10n ** BigInt(n);
  const chance = (favourable: number): Chance => ({ favourable: BigInt(favourable), total });
  const pays = PICK_PAYS[n];
  const ways = Object.keys(pays.box).map(Number).sort((a, b) => b - a);
  return [
    oddsRow('straight', 'straight', `${pays.straight} × stake`, chance(1)),
    ...ways.map((w) => oddsRow('box', `box ${w}-way`, `${pays.box[w]} × stake`, chance(w))),
    ...ways.map((w) => oddsRow('straight_box', `straight_box exact ${w}-way`, `${(pays.straight + pays.box[w]) / 2} × stake`, chance(1))),
    ...ways.map((w) => oddsRow('straight_box', `straight_box any order ${w}-way`, `${pays.box[w] / 2} × stake`, chance(w - 1))),
  ];
}

function betTypesOf(n: Digits): BetTypeRules[] {
  const common = { stakesMinor: PICK_STAKES_MINOR, linesPerTicketMax: 10 };
  return [
    { id: 'straight', name: 'Straight', description: `Pick ${n} digits 0-9; win if they are drawn in your order.`, ...common },
    { id: 'box', name: 'Box', description: `Pick ${n} digits 0-9 (not all the same); win if they are drawn in any order.`, ...common },
    { id: 'straight_box', name: 'Straight/Box', description: 'Half the stake straight, half box: exact order wins both halves, any other order the box half.', ...common },
  ];
}

export function pickGame(n: Digits): CatalogueGame {
  const segments = segmentsOf(n);
  const names = tierNames(n);
  const id = `pick${n}`;
  return {
    id,
    name: `Pick-${n}`,
    currency: 'EUR',
    schedule: { timeZone: 'Europe/Berlin', cutoff: { hour: 15, minute: 0 }, draw: { hour: 16, minute: 0 } },
    drums: Array.from({ length: n }, (_, i) => ({ name: `d${i + 1}`, min: 0, max: 9, count: 1, replacement: false })),
    prizeModel: 'fixed',
    betTypes: betTypesOf(n),
    maskSegments: () => segments,
    validateBet(input) {
      return validateLineBet(this, input, (raw, i, betType) => validLine(n, betType, raw, i), (l) => maskOf(n, l));
    },
    quickPick(betType, lineCount, randomInt) {
      return Array.from({ length: lineCount }, () => {
        for (;;) {
          const digits = Array.from({ length: n }, () => randomInt(0, 10));
          if (betType === 'straight' || waysOf(digits) > 1) return betType === 'box' ? digits.sort((a, b) => a - b) : digits;
        }
      });
    },
    drawnMask(_betType, numbers) {
      invariant(numbers.length === n && numbers.every((d) => d.length === 1), `pick-${n} numbers are ${n} drums of one digit`);
      return maskOf(n, numbers.map((d) => d[0]));
    },
    settle: (input) => settleFixed(names, input, (cls) => pickPrize(n, cls), () => PICK_STAKES_MINOR[0]),
    odds: () => oddsOf(n),
    estimate: () => ({
      jackpotMinor: null,
      tiers: oddsOf(n).map((row) => ({ name: row.tier, perLineMinor: pickPrizeAtStake(n, row.tier, PICK_STAKES_MINOR[0]) })),
    }),
    liability: {
      capMinor: n === 3 ? PICK_LIABILITY_CAP_MINOR : PICK4_LIABILITY_CAP_MINOR,
      smallestPayoutOn: (combination) => smallestPayoutOn(n, combination),
      // A triple's: only a straight names it (a box of one order is refused).
      smallestPayoutMaxMinor: PICK_STAKES_MINOR[0] * PICK_PAYS[n].straight,
      of: (bet) => liabilityOf(n, bet),
    },
  };
}

export const pick3 = pickGame(3);
export const pick4 = pickGame(4);
