// games/raffle.ts — a raffle: every ticket is one entry, numbered by the ledger (its ticket
// id), with nothing to choose. After cutoff the sealed ticket list fixes the entries and
// their order; the draw picks RAFFLE_PRIZES_MINOR.length distinct positions in that list
// (fewer if fewer tickets were sold), without replacement, and the i-th position drawn
// wins prize i. A ticket is one line with no numbers (the ticket encoding allows it).
//
// The bet: lines must be exactly [[]] (one entry, nothing chosen), at the one stake; its
// line mask is the empty bit string (maskSegments is empty; migration 007's masks are
// `bit varying`, and a zero-length varbit is a valid one). A ticket is one entry: to hold
// several entries a player buys several tickets.
//
// The draw (draw/README.md, section 11): raffleDrums(n) is the one drum the verifiable draw
// uses, named 'tickets', positions 1..max(n, 1) without replacement, min(prizes, that) balls.
// draw/select.ts picks them from the DRBG; settleRaffle maps them to prizes. raffleWinners
// below is the same selection as a pure function of a randomInt (0-based), for callers
// without a verifiable draw (simulation, tests); the published draw never calls it.
//
// Money: fixed prizes, paid by the house beyond the stakes (houseIn), the rest of the stakes
// to the house (houseOut). Nothing rolls over: a prize drawn at a position nobody bought (only
// when nothing was sold) is not paid.
import { invariant } from '../core/errors.ts';
import { betTypeAndStake, houseFlows } from './catalogueKit.ts';
import { oddsRow, type OddsRow } from './odds.ts';
import type { BetTypeRules, CatalogueGame, DrawSettlement, GameRules, RandomInt, TierResult } from './types.ts';

export const RAFFLE_STAKE_MINOR = 1_000;
/** Best first: one 100,000.00, two 10,000.00, ten 1,000.00, a hundred 100.00. */
export const RAFFLE_PRIZES_MINOR: readonly number[] = [
  10_000_000,
  ...new Array<number>(2).fill(1_000_000),
  ...new Array<number>(10).fill(100_000),
  ...new Array<number>(100).fill(10_000),
];

const BET_TYPES: readonly BetTypeRules[] = [
  { id: 'standard', name: 'Raffle entry', description: 'One numbered entry; the draw picks the winning entries among all sold.', stakesMinor: [RAFFLE_STAKE_MINOR], linesPerTicketMax: 1 },
];

/** Most positions raffleWinners draws at once: it keeps up to two Map entries a position. */
export const RAFFLE_WINNERS_MAX = 100_000;

/**
 * `count` distinct positions in 0..ticketCount−1, in draw order (fewer when fewer tickets),
 * by a partial Fisher–Yates shuffle that stores only the positions it has swapped (a Map),
 * so ten million tickets cost no more than ten. Position i is drawn as randomInt(i, ticketCount).
 */
export function raffleWinners(ticketCount: number, count: number, randomInt: RandomInt): number[] {
  invariant(Number.isSafeInteger(ticketCount) && ticketCount >= 0, `a raffle of ${ticketCount} tickets`);
  invariant(Number.isSafeInteger(count) && count >= 0 && count <= RAFFLE_WINNERS_MAX, `a raffle of ${count} prizes (at most ${RAFFLE_WINNERS_MAX})`);
  const swapped = new Map<number, number>();
  const at = (i: number) => swapped.get(i) ?? i;
  const winners: number[] = [];
  for (let i = 0; i < Math.min(count, ticketCount); i++) {
    const j = randomInt(i, ticketCount);
    invariant(Number.isInteger(j) && j >= i && j < ticketCount, `randomInt(${i}, ${ticketCount}) gave ${j}`);
    const picked = at(j);
    swapped.set(j, at(i));
    swapped.set(i, picked);
    winners.push(picked);
  }
  return winners;
}

/**
 * The draw's one drum (draw/README.md): positions 1..N of the sealed ticket list, N the
 * sealed count (1 when nothing was sold: its one position then wins nothing), one ball per
 * prize, without replacement. The i-th ball drawn is the ticket winning prize i.
 */
export function raffleDrums(ticketCount: number): GameRules['drums'] {
  const positions = Math.max(ticketCount, 1);
  return [{ name: 'tickets', min: 1, max: positions, count: Math.min(RAFFLE_PRIZES_MINOR.length, positions), replacement: false }];
}

/** A raffle's tiers: one per distinct prize amount, best first (a ticket wins at most one prize). */
export function raffleTierNames(): string[] {
  return [...new Set(RAFFLE_PRIZES_MINOR)].map((amount) => `prize of ${amount / 100} EUR`);
}

/**
 * The drawn positions, checked against the draw's drum: whole numbers 1..max(tickets, 1),
 * distinct, no more than the prizes. Anything else is a corrupt draw record: settlement
 * stops rather than pay or skip on it.
 */
function assertRafflePositions(ticketCount: number, positions: readonly number[]): void {
  invariant(Number.isSafeInteger(ticketCount) && ticketCount >= 0, `a raffle of ${ticketCount} tickets`);
  const drum = raffleDrums(ticketCount)[0];
  invariant(positions.length === drum.count, `${positions.length} raffle positions drawn, the drum draws ${drum.count}`);
  for (const p of positions) invariant(Number.isInteger(p) && p >= drum.min && p <= drum.max, `raffle position ${p} outside 1..${drum.max}`);
  invariant(new Set(positions).size === positions.length, 'a raffle position drawn twice');
}

/**
 * A raffle draw's settlement from its drawn positions: position i (1-based) of `positions`
 * wins prize i when a ticket was sold there. Pure; the winners are positions, not classes.
 */
export function settleRaffle(stakeTotalMinor: number, ticketCount: number, positions: readonly number[]): Omit<DrawSettlement, 'prizes'> & { winners: { position: number; amountMinor: number; tier: number }[] } {
  assertRafflePositions(ticketCount, positions);
  const amounts = [...new Set(RAFFLE_PRIZES_MINOR)];
  const winners = positions
    .map((position, i) => ({ position, amountMinor: RAFFLE_PRIZES_MINOR[i], tier: amounts.indexOf(RAFFLE_PRIZES_MINOR[i]) }))
    .filter((w) => w.position <= ticketCount);
  const tiers: TierResult[] = raffleTierNames().map((name, i) => {
    const won = winners.filter((w) => w.tier === i).length;
    return { name, kind: 'fixed', winningLines: won, perLineMinor: amounts[i], paidMinor: won * amounts[i], baseStakeMinor: RAFFLE_STAKE_MINOR };
  });
  const playersMinor = winners.reduce((sum, w) => sum + w.amountMinor, 0);
  return { winners, tiers, playersMinor, rolloverInMinor: 0, rolloverOutMinor: 0, ...houseFlows(stakeTotalMinor, 0, playersMinor, 0) };
}

export const raffle: CatalogueGame = {
  id: 'raffle',
  name: 'Raffle',
  currency: 'EUR',
  schedule: { timeZone: 'Europe/Berlin', cutoff: { hour: 15, minute: 0 }, draw: { hour: 16, minute: 0 } },
  drums: [],
  prizeModel: 'raffle',
  betTypes: BET_TYPES,
  maskSegments: () => [],
  validateBet(input) {
    const chosen = betTypeAndStake(this, input);
    if (!chosen.ok) return chosen;
    const lines = input.lines;
    if (!Array.isArray(lines) || lines.length !== 1 || !Array.isArray(lines[0]) || lines[0].length !== 0) {
      return { ok: false, code: 'INVALID_SELECTION', reason: 'a raffle entry has nothing to choose: send lines [[]] or quickPick 1' };
    }
    return { ok: true, bet: { betType: 'standard', stakeMinor: chosen.stakeMinor, lines: [[]], costMinor: chosen.stakeMinor, lineMasks: [''] } };
  },
  quickPick: (_betType, lineCount) => Array.from({ length: lineCount }, () => []),
  drawnMask: () => '',
  settle() {
    throw new Error('a raffle is settled by its winning positions (settleRaffle), not by line classes');
  },
  odds: (): OddsRow[] => [oddsRow('standard', 'any prize, at 100,000 entries sold', `${RAFFLE_PRIZES_MINOR.length} prizes`, { favourable: BigInt(RAFFLE_PRIZES_MINOR.length), total: 100_000n })],
  raffle: { prizesMinor: RAFFLE_PRIZES_MINOR },
  estimate: () => ({ jackpotMinor: RAFFLE_PRIZES_MINOR[0], tiers: [...new Set(RAFFLE_PRIZES_MINOR)].map((amount, i) => ({ name: raffleTierNames()[i], perLineMinor: amount })) }),
};
