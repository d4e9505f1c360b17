// games/jackpot569.ts — the two-drum jackpot game: 5 numbers from 1..69 and a bonus ball
// from 1..26, drawn from separate drums. A line costs 2.00 EUR.
//
//   5 + bonus   the jackpot: 35% of the draw's stakes plus the rollover, split among its
//               winning lines (floor). If it is won and smaller than JACKPOT569_MINIMUM_MINOR,
//               the house tops it up to that minimum (the guarantee). If nobody wins it, what
//               stakes and rollover put in (never the house's top-up) rolls to the next draw.
//   the others  fixed prizes (JACKPOT569_FIXED, multiples of the stake), paid from the other
//               65% of the stakes; what they do not use goes to the house, what they need
//               beyond it the house pays.
//
// The guarantee is for the jackpot, not for each winner: two winners of a jackpot at its
// minimum are paid half the minimum each. The house's top-up never rolls over: an unwon
// jackpot carries what the players' stakes and earlier rollovers put in, so a seed paid by
// the house is paid only when someone wins it. Shares round down (floor), the remainder to
// the house. The flows are netted per draw (catalogueKit houseFlows): the house puts in
// (houseIn) only what the draw's own stakes left after the rollover do not cover.
import { invariant } from '../core/errors.ts';
import { validateLineBet, distinctLine, houseFlows, pickDistinctFrom, segmentMask, sharedPrizeEstimate } from './catalogueKit.ts';
import { binomial, oddsRow, type Chance, type OddsRow } from './odds.ts';
import type { BetTypeRules, CatalogueGame, DrawSettlement, LineClass, MaskSegment, TierResult } from './types.ts';

const MAIN = { pick: 5, max: 69 };
const BONUS = { pick: 1, max: 26 };
const STAKE_MINOR = 200;
export const JACKPOT569_SHARE_BASIS_POINTS = 3_500;
/** 20,000,000.00 EUR guaranteed to a won jackpot. */
export const JACKPOT569_MINIMUM_MINOR = 2_000_000_000;

/** Fixed tiers: [main matched, bonus matched, multiple, divisor] (prize = stake × multiple ÷ divisor). */
export const JACKPOT569_FIXED: readonly (readonly [number, number, number, number])[] = [
  [5, 0, 500_000, 1], // 1,000,000.00
  [4, 1, 25_000, 1], // 50,000.00
  [4, 0, 50, 1], // 100.00
  [3, 1, 50, 1], // 100.00
  [3, 0, 7, 2], // 7.00
  [2, 1, 7, 2], // 7.00
  [1, 1, 2, 1], // 4.00
  [0, 1, 2, 1], // 4.00
];

const tierName = (main: number, bonus: number) => `${main}+${bonus}`;
const TIERS = ['5+1', ...JACKPOT569_FIXED.map(([m, b]) => tierName(m, b))];

const SEGMENTS: readonly MaskSegment[] = [
  { name: 'main', bits: MAIN.max },
  { name: 'bonus', bits: BONUS.max },
];
const BET_TYPES: readonly BetTypeRules[] = [
  {
    id: 'standard',
    name: 'Jackpot line',
    description: `Pick ${MAIN.pick} numbers from 1 to ${MAIN.max} and a bonus number from 1 to ${BONUS.max}; all six win the jackpot, fewer win fixed prizes.`,
    stakesMinor: [STAKE_MINOR],
    linesPerTicketMax: 10,
  },
];

/** A line is [five main numbers ascending…, bonus]: six numbers, the last from the bonus drum. */
function validLine(line: unknown, index: number): number[] | string {
  if (!Array.isArray(line) || line.length !== MAIN.pick + 1) return `line ${index + 1} must be ${MAIN.pick} numbers 1..${MAIN.max} then a bonus number 1..${BONUS.max}`;
  const main = distinctLine(line.slice(0, MAIN.pick), index, 1, MAIN.max, MAIN.pick, MAIN.pick);
  if (typeof main === 'string') return main;
  const bonus = distinctLine(line.slice(MAIN.pick), index, 1, BONUS.max, 1, 1);
  if (typeof bonus === 'string') return `${bonus} (the bonus number)`;
  return [...main, ...bonus];
}

const maskOf = (main: readonly number[], bonus: number) => segmentMask(MAIN.max, main, 1) + segmentMask(BONUS.max, [bonus - 1]);

/**
 * The tier a class wins (0 the jackpot, i the i-th fixed tier), or null. A class no line of
 * this game can have (other than 5 main and 1 bonus number at the one stake) is a corrupt
 * mask or a changed layout: it stops settlement instead of settling its lines as losers.
 */
function tierOfClass(cls: LineClass): number | null {
  invariant(cls.betType === 'standard', `not a jackpot 5/69+1/26 class: bet type ${cls.betType}`);
  invariant(cls.stakeMinor === STAKE_MINOR, `not a jackpot 5/69+1/26 class: stake ${cls.stakeMinor}`);
  invariant(cls.matches.length === 2, `not a jackpot 5/69+1/26 class: ${cls.matches.length} segments matched`);
  invariant(cls.spots.length === 2, `not a jackpot 5/69+1/26 class: ${cls.spots.length} segments chosen`);
  invariant(cls.spots[0] === MAIN.pick, `not a jackpot 5/69+1/26 class: ${cls.spots[0]} main numbers chosen`);
  invariant(cls.spots[1] === BONUS.pick, `not a jackpot 5/69+1/26 class: ${cls.spots[1]} bonus numbers chosen`);
  const [main, bonus] = cls.matches;
  invariant(Number.isInteger(main) && main >= 0 && main <= MAIN.pick, `not a jackpot 5/69+1/26 class: ${main} main matched`);
  invariant(bonus === 0 || bonus === 1, `not a jackpot 5/69+1/26 class: ${bonus} bonus matched`);
  if (main === MAIN.pick && bonus === BONUS.pick) return 0;
  const fixed = JACKPOT569_FIXED.findIndex(([m, b]) => m === main && b === bonus);
  return fixed === -1 ? null : fixed + 1;
}

/** Pure settlement: the jackpot pari-mutuel with its guarantee and rollover, the rest fixed. */
export function settleJackpot569(input: { stakeTotalMinor: number; rolloverInMinor: number; classes: readonly LineClass[] }): DrawSettlement {
  const { stakeTotalMinor, rolloverInMinor } = input;
  const tiers: TierResult[] = TIERS.map((name, i) => ({ name, kind: i === 0 ? 'share' : 'fixed', winningLines: 0, perLineMinor: 0, paidMinor: 0 }));
  const winners: { cls: LineClass; tier: number; perLineMinor: number }[] = [];
  for (const cls of input.classes) {
    const tier = tierOfClass(cls);
    if (tier === null) continue;
    tiers[tier].winningLines += cls.lines;
    const fixed = tier > 0 ? JACKPOT569_FIXED[tier - 1] : null;
    winners.push({ cls, tier, perLineMinor: fixed ? Math.floor((cls.stakeMinor * fixed[2]) / fixed[3]) : 0 });
  }
  const jackpotMinor = Number((BigInt(stakeTotalMinor) * BigInt(JACKPOT569_SHARE_BASIS_POINTS)) / 10_000n) + rolloverInMinor;
  const jackpotWinners = tiers[0].winningLines;
  const jackpotPerLine = jackpotWinners === 0 ? 0 : Math.floor(Math.max(jackpotMinor, JACKPOT569_MINIMUM_MINOR) / jackpotWinners);
  for (const w of winners) {
    if (w.tier === 0) w.perLineMinor = jackpotPerLine;
    tiers[w.tier].paidMinor += w.perLineMinor * w.cls.lines;
  }
  tiers.forEach((t, i) => {
    t.perLineMinor = i === 0 ? jackpotPerLine : Math.floor((STAKE_MINOR * JACKPOT569_FIXED[i - 1][2]) / JACKPOT569_FIXED[i - 1][3]);
    if (i > 0) t.baseStakeMinor = STAKE_MINOR;
  });
  const rolloverOutMinor = jackpotWinners === 0 ? jackpotMinor : 0;
  const playersMinor = tiers.reduce((sum, t) => sum + t.paidMinor, 0);
  return { prizes: winners, tiers, playersMinor, rolloverInMinor, rolloverOutMinor, ...houseFlows(stakeTotalMinor, rolloverInMinor, playersMinor, rolloverOutMinor) };
}

function chanceOf(main: number, bonus: number): Chance {
  const mainWays = binomial(MAIN.pick, main) * binomial(MAIN.max - MAIN.pick, MAIN.pick - main);
  return { favourable: mainWays * BigInt(bonus === 1 ? 1 : BONUS.max - 1), total: binomial(MAIN.max, MAIN.pick) * BigInt(BONUS.max) };
}

export const jackpot569: CatalogueGame = {
  id: 'jackpot569',
  name: 'Jackpot 5/69 + 1/26',
  currency: 'EUR',
  schedule: { timeZone: 'Europe/Berlin', cutoff: { hour: 15, minute: 0 }, draw: { hour: 16, minute: 0 } },
  drums: [
    { name: 'main', min: 1, max: MAIN.max, count: MAIN.pick, replacement: false },
    { name: 'bonus', min: 1, max: BONUS.max, count: BONUS.pick, replacement: false },
  ],
  prizeModel: 'mixed',
  betTypes: BET_TYPES,
  maskSegments: () => SEGMENTS,
  validateBet(input) {
    return validateLineBet(this, input, validLine, (l) => maskOf(l.slice(0, MAIN.pick), l[MAIN.pick]));
  },
  quickPick: (_betType, lineCount, randomInt) =>
    Array.from({ length: lineCount }, () => [...pickDistinctFrom(MAIN.pick, 1, MAIN.max, randomInt), randomInt(1, BONUS.max + 1)]),
  drawnMask(_betType, numbers) {
    invariant(numbers.length === 2 && numbers[0].length === MAIN.pick && numbers[1].length === 1, 'jackpot numbers are 5 main and 1 bonus');
    return maskOf(numbers[0], numbers[1][0]);
  },
  settle: settleJackpot569,
  estimate(input) {
    const shared = Number((BigInt(input.stakeTotalMinor) * BigInt(JACKPOT569_SHARE_BASIS_POINTS)) / 10_000n) + input.rolloverInMinor;
    const jackpotMinor = Math.max(shared, JACKPOT569_MINIMUM_MINOR);
    return {
      jackpotMinor,
      tiers: [
        { name: '5+1', perLineMinor: sharedPrizeEstimate(jackpotMinor, input.linesSold, chanceOf(5, 1)) },
        ...JACKPOT569_FIXED.map(([m, b, multiple, divisor]) => ({ name: tierName(m, b), perLineMinor: (STAKE_MINOR * multiple) / divisor })),
      ],
    };
  },
  odds: (): OddsRow[] => [
    oddsRow('standard', '5+1', `35% of stakes plus the rollover, at least ${JACKPOT569_MINIMUM_MINOR / 100} EUR`, chanceOf(5, 1)),
    ...JACKPOT569_FIXED.map(([m, b, multiple, divisor]) => oddsRow('standard', tierName(m, b), `${(STAKE_MINOR * multiple) / divisor / 100} EUR`, chanceOf(m, b))),
  ],
};
