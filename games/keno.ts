// games/keno.ts — keno: 20 numbers drawn from 1..80; a player picks 1 to 10 "spots" and a
// stake, and is paid a fixed multiple of the stake by how many of the spots are drawn
// (KENO_PAYTABLE). The chance of k hits with s spots is hypergeometric:
// C(20, k) C(60, s − k) / C(80, s); KENO_RETURN_TO_PLAYER states each spot count's return to
// player, and the tests check it against that count.
import { invariant } from '../core/errors.ts';
import { validateLineBet, distinctLine, pickDistinctFrom, segmentMask, settleFixed, type FixedPrize } from './catalogueKit.ts';
import { hypergeometric, oddsRow, percent, returnToPlayer, type OddsRow } from './odds.ts';
import type { BetTypeRules, CatalogueGame, LineClass, MaskSegment } from './types.ts';

const DRUM = 80;
const DRAWN = 20;
export const KENO_SPOTS_MAX = 10;
export const KENO_STAKES_MINOR = [100, 200, 500, 1000] as const;

/** Per spot count: hits → multiple of the stake. Ten spots with no hit pays too. */
export const KENO_PAYTABLE: Readonly<Record<number, Readonly<Record<number, number>>>> = {
  1: { 1: 2 },
  2: { 2: 11 },
  3: { 3: 27, 2: 2 },
  4: { 4: 72, 3: 5, 2: 1 },
  5: { 5: 410, 4: 18, 3: 2 },
  6: { 6: 1100, 5: 57, 4: 7, 3: 1 },
  7: { 7: 2000, 6: 100, 5: 11, 4: 5, 3: 1 },
  8: { 8: 10000, 7: 300, 6: 50, 5: 15, 4: 2 },
  9: { 9: 25000, 8: 2000, 7: 100, 6: 20, 5: 5, 4: 2 },
  10: { 10: 100000, 9: 5000, 8: 500, 7: 50, 6: 10, 5: 2, 0: 5 },
};

/** Return to player per spot count, percent to 4 decimals, as computed from the paytable (tested). */
export const KENO_RETURN_TO_PLAYER: Readonly<Record<number, string>> = {
  1: '50.0000',
  2: '66.1392',
  3: '65.2142',
  4: '64.9439',
  5: '64.9951',
  6: '64.7920',
  7: '65.2984',
  8: '64.7475',
  9: '64.8069',
  10: '63.6694',
};

/** The exact return to player of a spot count's paytable. */
export function kenoReturnToPlayer(spots: number): string {
  const table = KENO_PAYTABLE[spots];
  return percent(returnToPlayer(Object.entries(table).map(([hits, multiple]) => ({ chance: hypergeometric(DRUM, DRAWN, spots, Number(hits)), multiple }))), 4);
}

const SEGMENTS: readonly MaskSegment[] = [{ name: 'main', bits: DRUM }];
const BET_TYPES: readonly BetTypeRules[] = [
  {
    id: 'standard',
    name: 'Keno line',
    description: `Pick 1 to ${KENO_SPOTS_MAX} numbers from 1 to ${DRUM}; ${DRAWN} are drawn; the paytable for your number of picks says what each count of hits pays.`,
    stakesMinor: KENO_STAKES_MINOR,
    linesPerTicketMax: 10,
  },
];

/** Tier names: `${spots} spots ${hits} hits`, one per paying cell of the table. */
const TIERS = Object.entries(KENO_PAYTABLE).flatMap(([spots, table]) => Object.keys(table).map((hits) => `${spots} spots ${hits} hits`));

const maskOf = (line: readonly number[]) => segmentMask(DRUM, line, 1);

/**
 * What a line of a class wins, as a multiple of its stake (KENO_PAYTABLE), or null. A class
 * no keno line can have (not 1..10 spots, more hits than spots) is a corrupt mask or a
 * changed layout: it stops settlement instead of settling its lines as losers.
 */
export function kenoPrize(cls: Pick<LineClass, 'betType' | 'matches' | 'spots'>): FixedPrize | null {
  invariant(cls.betType === 'standard', `not a keno class: bet type ${cls.betType}`);
  invariant(cls.matches.length === 1, `not a keno class: ${cls.matches.length} segments matched`);
  invariant(cls.spots.length === 1, `not a keno class: ${cls.spots.length} segments chosen`);
  const [hits] = cls.matches;
  const [spots] = cls.spots;
  invariant(Number.isInteger(spots) && spots >= 1 && spots <= KENO_SPOTS_MAX, `not a keno class: ${spots} spots`);
  invariant(Number.isInteger(hits) && hits >= 0 && hits <= spots, `not a keno class: ${hits} hits of ${spots} spots`);
  const multiple = KENO_PAYTABLE[spots][hits];
  return multiple === undefined ? null : { tier: TIERS.indexOf(`${spots} spots ${hits} hits`), multiple, divisor: 1 };
}

export const keno: CatalogueGame = {
  id: 'keno',
  name: 'Keno',
  currency: 'EUR',
  schedule: { timeZone: 'Europe/Berlin', cutoff: { hour: 15, minute: 0 }, draw: { hour: 16, minute: 0 } },
  drums: [{ name: 'main', min: 1, max: DRUM, count: DRAWN, replacement: false }],
  prizeModel: 'fixed',
  betTypes: BET_TYPES,
  maskSegments: () => SEGMENTS,
  validateBet(input) {
    return validateLineBet(this, input, (raw, i) => distinctLine(raw, i, 1, DRUM, 1, KENO_SPOTS_MAX), maskOf);
  },
  // A quick pick takes the most popular size, ten spots.
  quickPick: (_betType, lineCount, randomInt) => Array.from({ length: lineCount }, () => pickDistinctFrom(KENO_SPOTS_MAX, 1, DRUM, randomInt)),
  drawnMask(_betType, numbers) {
    invariant(numbers.length === 1 && numbers[0].length === DRAWN, `keno numbers are one drum of ${DRAWN}`);
    return maskOf(numbers[0]);
  },
  settle: (input) => settleFixed(TIERS, input, kenoPrize, () => KENO_STAKES_MINOR[0]),
  estimate: () => ({
    jackpotMinor: null,
    tiers: Object.entries(KENO_PAYTABLE).flatMap(([spots, table]) => Object.entries(table).map(([hits, multiple]) => ({ name: `${spots} spots ${hits} hits`, perLineMinor: KENO_STAKES_MINOR[0] * multiple }))),
  }),
  odds: (): OddsRow[] =>
    Object.entries(KENO_PAYTABLE).flatMap(([spots, table]) =>
      Object.entries(table).map(([hits, multiple]) => oddsRow('standard', `${spots} spots ${hits} hits`, `${multiple} × stake`, hypergeometric(DRUM, DRAWN, Number(spots), Number(hits)))),
    ),
};
