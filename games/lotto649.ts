// games/lotto649.ts — lotto 6/49: six distinct numbers from 1..49 per line.
import { LINES_PER_TICKET_MAX } from '../core/limits.ts';
import { invariant } from '../core/errors.ts';
import { betTypeAndStake, distinctLine, houseFlows, pickDistinctFrom, segmentMask, sharedPrizeEstimate } from './catalogueKit.ts';
import { hypergeometric, oddsRow, type OddsRow } from './odds.ts';
import type { BetTypeRules, CatalogueGame, DrawSettlement, GameRules, LineClass, LiveEstimate, MaskSegment, PrizeRules, RandomInt, TierResult } from './types.ts';

const PICK = 6;
const NUMBER_MIN = 1;
const NUMBER_MAX = 49;

/** A line of six distinct numbers 1..49, canonical ascending (the order typed carries no meaning); or why not. */
function validateLine(line: unknown, index: number): number[] | string {
  return distinctLine(line, index, NUMBER_MIN, NUMBER_MAX, PICK, PICK);
}

/** k distinct numbers from [min, max], every k-set equally likely (catalogueKit's partial Fisher–Yates). */
export const pickDistinct: (k: number, min: number, max: number, randomInt: RandomInt) => number[] = pickDistinctFrom;

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

// ---------------------------------------------------------------------------------------
// The catalogue entry (games/types.ts CatalogueGame): the same game, with a rolling jackpot.
//
//   prize fund     = floor(stakes × 50%)                          (as LOTTO649_PRIZES)
//   tier amount    = floor(fund × tier share)                     (50/20/15/15%)
//   jackpot        = match6 amount + the rollover carried in
//   match6 won     → split among its lines (floor), nothing rolls
//   match6 unwon   → the jackpot rolls to the game's next draw, up to LOTTO649_JACKPOT_CAP_MINOR;
//                    what is above the cap "rolls down": added to this draw's match5 amount
//   other tiers    → split among their lines (floor); unwon tiers and remainders go to the house
//
// The rolldown goes to match5 only. If match5 has no winner either, the rolled-down amount
// goes to the house like any unwon lower tier. It is bounded: the rollover carried in is at
// most the cap, so the excess is at most this draw's own match6 share (25% of its stakes),
// and at the sales that take a jackpot to the cap, match5 (1 in 54,200.84 a line) is all
// but certain to be won.
// A rollover carried in above the cap (only if the cap were lowered) rolls down the same way.
// ---------------------------------------------------------------------------------------

/** The most a lotto 6/49 jackpot carries forward: 10,000,000.00 EUR. */
export const LOTTO649_JACKPOT_CAP_MINOR = 1_000_000_000;

const LOTTO649_SEGMENTS: readonly MaskSegment[] = [{ name: 'main', bits: NUMBER_MAX - NUMBER_MIN + 1 }];
const LOTTO649_BET_TYPES: readonly BetTypeRules[] = [
  {
    id: 'standard',
    name: 'Lotto 6/49 line',
    description: `Pick ${PICK} numbers from ${NUMBER_MIN} to ${NUMBER_MAX}; match 3 or more of the 6 drawn to win a share of the pool.`,
    stakesMinor: [200],
    linesPerTicketMax: LINES_PER_TICKET_MAX,
  },
];

function lineMaskOf(line: readonly number[]): string {
  return segmentMask(LOTTO649_SEGMENTS[0].bits, line, NUMBER_MIN);
}

/**
 * The matched count of a class, checked to be one a lotto 6/49 line can have: a class of
 * any other shape comes from a corrupt mask or a changed layout, and must stop settlement
 * rather than settle its lines as losers.
 */
function matchedOfClass(cls: LineClass): number {
  invariant(cls.betType === 'standard', `not a lotto 6/49 class: bet type ${cls.betType}`);
  invariant(cls.matches.length === 1, `not a lotto 6/49 class: ${cls.matches.length} segments`);
  invariant(cls.spots.length === 1, `not a lotto 6/49 class: ${cls.spots.length} segments chosen`);
  invariant(cls.spots[0] === PICK, `not a lotto 6/49 class: ${cls.spots[0]} numbers chosen`);
  const matched = cls.matches[0];
  invariant(Number.isInteger(matched) && matched >= 0 && matched <= PICK, `not a lotto 6/49 class: ${matched} matched`);
  return matched;
}

/** Pari-mutuel split with the rolling jackpot above. Pure; integer minor units. */
export function settleLotto649(input: { stakeTotalMinor: number; rolloverInMinor: number; classes: readonly LineClass[] }): DrawSettlement {
  const { stakeTotalMinor, rolloverInMinor } = input;
  const tiers = LOTTO649_PRIZES.tiers;
  const winning = new Array<number>(tiers.length).fill(0);
  const winners: { cls: LineClass; tier: number }[] = [];
  for (const cls of input.classes) {
    const matched = matchedOfClass(cls);
    if (matched < MATCHED_MIN_TO_WIN) continue;
    winning[PICK - matched] += cls.lines;
    winners.push({ cls, tier: PICK - matched });
  }
  const fund = shareOfMinor(stakeTotalMinor, LOTTO649_PRIZES.payoutBasisPoints);
  const amounts = tiers.map((t) => shareOfMinor(fund, t.basisPoints));
  amounts[0] += rolloverInMinor;
  let rolloverOutMinor = 0;
  if (winning[0] === 0) {
    rolloverOutMinor = Math.min(amounts[0], LOTTO649_JACKPOT_CAP_MINOR);
    amounts[1] += amounts[0] - rolloverOutMinor;
    amounts[0] = 0;
  }
  const perLine = amounts.map((a, i) => (winning[i] === 0 ? 0 : Math.floor(a / winning[i])));
  const results: TierResult[] = tiers.map((t, i) => ({ name: t.name, kind: 'share', winningLines: winning[i], perLineMinor: perLine[i], paidMinor: perLine[i] * winning[i] }));
  const playersMinor = results.reduce((sum, t) => sum + t.paidMinor, 0);
  return {
    prizes: winners.filter((w) => perLine[w.tier] > 0).map((w) => ({ ...w, perLineMinor: perLine[w.tier] })),
    tiers: results,
    playersMinor,
    rolloverInMinor,
    rolloverOutMinor,
    ...houseFlows(stakeTotalMinor, rolloverInMinor, playersMinor, rolloverOutMinor),
  };
}

function shareOfMinor(amountMinor: number, basisPoints: number): number {
  return Number((BigInt(amountMinor) * BigInt(basisPoints)) / 10_000n);
}

/** The odds of each tier: C(6, m) C(43, 6 − m) / C(49, 6). */
export function lotto649Odds(): OddsRow[] {
  return LOTTO649_PRIZES.tiers.map((t, i) =>
    oddsRow('standard', t.name, `${t.basisPoints / 100}% of the prize fund${i === 0 ? ', plus the rollover' : ''}`, hypergeometric(NUMBER_MAX, PICK, PICK, PICK - i)),
  );
}

/** Live: the jackpot if won now (this draw's share plus the rollover) and each tier's expected prize a line. */
export function estimateLotto649(input: { stakeTotalMinor: number; linesSold: number; rolloverInMinor: number }): LiveEstimate {
  const fund = shareOfMinor(input.stakeTotalMinor, LOTTO649_PRIZES.payoutBasisPoints);
  const amounts = LOTTO649_PRIZES.tiers.map((t) => shareOfMinor(fund, t.basisPoints));
  amounts[0] += input.rolloverInMinor;
  return {
    jackpotMinor: amounts[0],
    tiers: LOTTO649_PRIZES.tiers.map((t, i) => ({ name: t.name, perLineMinor: sharedPrizeEstimate(amounts[i], input.linesSold, hypergeometric(NUMBER_MAX, PICK, PICK, PICK - i)) })),
  };
}

export const lotto649Game: CatalogueGame = {
  id: lotto649.id,
  name: lotto649.name,
  currency: lotto649.currency,
  schedule: lotto649.schedule,
  drums: lotto649.drums,
  prizeModel: 'pari-mutuel',
  betTypes: LOTTO649_BET_TYPES,
  maskSegments: () => LOTTO649_SEGMENTS,
  validateBet(input) {
    const chosen = betTypeAndStake(this, input);
    if (!chosen.ok) return chosen;
    const checked = lotto649.validateLines(input.lines);
    if (!checked.ok) return { ok: false, code: 'INVALID_SELECTION', reason: checked.reason };
    const { lines } = checked;
    return { ok: true, bet: { betType: chosen.type.id, stakeMinor: chosen.stakeMinor, lines, costMinor: chosen.stakeMinor * lines.length, lineMasks: lines.map(lineMaskOf) } };
  },
  quickPick: (_betType, lineCount, randomInt) => lotto649.quickPick(lineCount, randomInt),
  drawnMask(_betType, numbers) {
    invariant(numbers.length === 1 && numbers[0].length === PICK, `lotto 6/49 numbers must be one drum of ${PICK}`);
    return lineMaskOf(numbers[0]);
  },
  settle: settleLotto649,
  odds: lotto649Odds,
  estimate: estimateLotto649,
};
