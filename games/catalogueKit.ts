// games/catalogueKit.ts — what the catalogue's games share: masks by segment, the money
// flows of a settlement, fixed-odds settlement, and bet-envelope checks.
import { invariant } from '../core/errors.ts';
import type { BetInput, BetTypeRules, CatalogueGame, DrawSettlement, LineClass, MaskSegment, TierResult } from './types.ts';

/** Where segmentMask writes a mask's characters before it reads them out as one flat string. */
const MASK_SCRATCH = Buffer.alloc(256);
const ZERO = 0x30;
const ONE = 0x31;

/**
 * A segment of `bits` bits with the bits of the given numbers set ('1' from the left), number
 * `from` being bit 0; a number listed twice is set once. Every bet's lines go through here at
 * the surge, so the characters are written into a scratch buffer and read out once: one flat
 * string a mask, not a chain of concatenations to flatten later and collect.
 */
export function segmentMask(bits: number, numbers: readonly number[], from = 0): string {
  const scratch = bits <= MASK_SCRATCH.length ? MASK_SCRATCH : Buffer.alloc(bits);
  scratch.fill(ZERO, 0, bits);
  for (let i = 0; i < numbers.length; i++) {
    const p = numbers[i] - from;
    invariant(Number.isInteger(p) && p >= 0 && p < bits, () => `bit ${p} outside a segment of ${bits}`);
    scratch[p] = ONE;
  }
  return scratch.toString('latin1', 0, bits);
}

/** Per segment, how many bits are set in both masks and in the first (a line's class, in JS). */
export function classOf(segments: readonly MaskSegment[], lineMask: string, drawnMask: string): { matches: number[]; spots: number[] } {
  const matches: number[] = [];
  const spots: number[] = [];
  let at = 0;
  for (const s of segments) {
    let m = 0;
    let n = 0;
    for (let i = at; i < at + s.bits; i++) {
      if (lineMask[i] === '1') {
        n++;
        if (drawnMask[i] === '1') m++;
      }
    }
    matches.push(m);
    spots.push(n);
    at += s.bits;
  }
  return { matches, spots };
}

/**
 * The house's part, from the flows players and rollover take: whatever stakes and rollover
 * do not cover, the house puts in (houseIn); whatever is left, it takes (houseOut).
 */
export function houseFlows(stakeTotalMinor: number, rolloverInMinor: number, playersMinor: number, rolloverOutMinor: number): { houseInMinor: number; houseOutMinor: number } {
  const net = stakeTotalMinor + rolloverInMinor - playersMinor - rolloverOutMinor;
  return { houseInMinor: Math.max(0, -net), houseOutMinor: Math.max(0, net) };
}

/** A fixed prize: `multiple` × stake ÷ `divisor`, rounded down (an exact integer for every stake offered). */
export interface FixedPrize {
  tier: number;
  multiple: number;
  divisor: number;
}

/** Settles a fixed-odds draw: each winning class paid its prize per line, the house the rest (or the shortfall). */
export function settleFixed(
  tierNames: readonly string[],
  input: { stakeTotalMinor: number; rolloverInMinor: number; classes: readonly LineClass[] },
  prizeOf: (cls: LineClass) => FixedPrize | null,
  smallestStake: (betType: string) => number,
): DrawSettlement {
  invariant(input.rolloverInMinor === 0, 'a fixed-odds game has no rollover');
  const tiers: TierResult[] = tierNames.map((name) => ({ name, kind: 'fixed', winningLines: 0, perLineMinor: 0, paidMinor: 0 }));
  const prizes: DrawSettlement['prizes'] = [];
  for (const cls of input.classes) {
    const prize = prizeOf(cls);
    if (!prize) continue;
    const perLineMinor = Math.floor((cls.stakeMinor * prize.multiple) / prize.divisor);
    invariant(Number.isSafeInteger(perLineMinor * cls.lines), `prize ${perLineMinor} × ${cls.lines} lines is not exact`);
    prizes.push({ cls, tier: prize.tier, perLineMinor });
    const tier = tiers[prize.tier];
    tier.winningLines += cls.lines;
    tier.paidMinor += perLineMinor * cls.lines;
    tier.baseStakeMinor = smallestStake(cls.betType);
    tier.perLineMinor = Math.floor((tier.baseStakeMinor * prize.multiple) / prize.divisor);
    invariant(cls.stakeMinor % tier.baseStakeMinor === 0, `${cls.betType}: a stake of ${cls.stakeMinor} is not a multiple of ${tier.baseStakeMinor}`);
    invariant(perLineMinor === tier.perLineMinor * (cls.stakeMinor / tier.baseStakeMinor), `${cls.betType}: a prize not proportional to the stake`);
  }
  const playersMinor = tiers.reduce((sum, t) => sum + t.paidMinor, 0);
  return { prizes, tiers, playersMinor, rolloverInMinor: 0, rolloverOutMinor: 0, ...houseFlows(input.stakeTotalMinor, 0, playersMinor, 0) };
}

type Refusal = { ok: false; code: 'INVALID_SELECTION' | 'INVALID_BET_TYPE' | 'INVALID_STAKE'; reason: string };

/** The bet type and stake a bet names (defaults: the first bet type, its smallest stake), or why not. */
export function betTypeAndStake(game: Pick<CatalogueGame, 'id' | 'betTypes'>, input: BetInput): { ok: true; type: BetTypeRules; stakeMinor: number } | Refusal {
  const type = input.betType === undefined ? game.betTypes[0] : game.betTypes.find((b) => b.id === input.betType);
  if (!type) {
    const name = typeof input.betType === 'string' ? input.betType.slice(0, 32) : typeof input.betType;
    return { ok: false, code: 'INVALID_BET_TYPE', reason: `${game.id} has no bet type ${name}; it has ${game.betTypes.map((b) => b.id).join(', ')}` };
  }
  const stakeMinor = input.stakeMinor === undefined ? type.stakesMinor[0] : input.stakeMinor;
  if (typeof stakeMinor !== 'number' || !type.stakesMinor.includes(stakeMinor)) {
    return { ok: false, code: 'INVALID_STAKE', reason: `a ${type.id} line stakes one of ${type.stakesMinor.join(', ')} (minor units)` };
  }
  return { ok: true, type, stakeMinor };
}

/** The lines array's own shape: a non-empty array within the bet type's line limit. */
export function linesArray(lines: unknown, type: BetTypeRules): unknown[] | Refusal {
  if (!Array.isArray(lines) || lines.length === 0) return { ok: false, code: 'INVALID_SELECTION', reason: 'lines must be a non-empty array of lines' };
  if (lines.length > type.linesPerTicketMax) {
    return { ok: false, code: 'INVALID_SELECTION', reason: `at most ${type.linesPerTicketMax} lines per ticket, got ${lines.length}` };
  }
  return lines;
}

/** How a value a client sent is named in an error (never JSON.stringify it: BigInt throws, nesting overflows). */
export function describe(n: unknown): string {
  return typeof n === 'number' ? String(n) : `a ${n === null ? 'null' : Array.isArray(n) ? 'list' : typeof n}`;
}

/** k distinct numbers from [min, max] by a partial Fisher–Yates shuffle: every k-set equally likely. */
export function pickDistinctFrom(k: number, min: number, max: number, randomInt: (min: number, maxExclusive: number) => number): number[] {
  const pool = Array.from({ length: max - min + 1 }, (_, i) => min + i);
  for (let i = 0; i < k; i++) {
    const j = randomInt(i, pool.length);
    [pool[i], pool[j]] = [pool[j], pool[i]];
  }
  return pool.slice(0, k).sort((a, b) => a - b);
}

/** A line of distinct whole numbers in [min, max], `minCount`..`maxCount` of them, sorted; or why not. */
export function distinctLine(line: unknown, index: number, min: number, max: number, minCount: number, maxCount: number): number[] | string {
  if (!Array.isArray(line)) return `line ${index + 1} is not an array`;
  if (line.length < minCount || line.length > maxCount) {
    return `line ${index + 1} has ${line.length} numbers, needs ${minCount === maxCount ? minCount : `${minCount} to ${maxCount}`}`;
  }
  for (const n of line) {
    if (typeof n !== 'number' || !Number.isInteger(n) || n < min || n > max) return `line ${index + 1} has ${describe(n)}, numbers must be whole numbers ${min}..${max}`;
  }
  // Sorted, a repeat sits next to itself: no set needed (at most LINES_PER_TICKET_MAX lines of a few numbers).
  const sorted = (line as number[]).slice().sort(ascendingNumbers);
  for (let i = 1; i < sorted.length; i++) if (sorted[i] === sorted[i - 1]) return `line ${index + 1} repeats ${sorted[i]}`;
  return sorted;
}

function ascendingNumbers(a: number, b: number): number {
  return a - b;
}

/**
 * A pari-mutuel tier's estimated prize a line: its amount split among the winners expected
 * at `lines` sold with win chance favourable/total, at least one winner (so never more than
 * the whole amount). Exact integer arithmetic, rounded down like the settlement.
 */
export function sharedPrizeEstimate(amountMinor: number, lines: number, chance: { favourable: bigint; total: bigint }): number {
  const expected = (BigInt(lines) * chance.favourable) / chance.total;
  return Number(BigInt(amountMinor) / (expected > 1n ? expected : 1n));
}


/**
 * A line game's validateBet: the bet type and stake (betTypeAndStake), the lines array
 * (linesArray), each line by `line` (canonical numbers, or why not), and each line's mask.
 */
export function validateLineBet(
  game: Pick<CatalogueGame, 'id' | 'betTypes'>,
  input: BetInput,
  line: (raw: unknown, index: number, betType: string) => number[] | string,
  maskOf: (line: number[]) => string,
): ReturnType<CatalogueGame['validateBet']> {
  const chosen = betTypeAndStake(game, input);
  if (!chosen.ok) return chosen;
  const raw = linesArray(input.lines, chosen.type);
  if (!Array.isArray(raw)) return raw;
  const lines: number[][] = [];
  for (let i = 0; i < raw.length; i++) {
    const checked = line(raw[i], i, chosen.type.id);
    if (typeof checked === 'string') return { ok: false, code: 'INVALID_SELECTION', reason: checked };
    lines.push(checked);
  }
  return { ok: true, bet: { betType: chosen.type.id, stakeMinor: chosen.stakeMinor, lines, costMinor: chosen.stakeMinor * lines.length, lineMasks: lines.map(maskOf) } };
}
