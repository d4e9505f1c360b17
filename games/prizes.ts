// games/prizes.ts — pari-mutuel prize arithmetic: pure, exact, integer minor units.
//
//   prize fund      = floor(stake total × payout bp / 10,000)
//   tier amount     = floor(prize fund × tier bp / 10,000)
//   per line        = floor(tier amount / winning lines of the tier)   (0 winners: nothing paid)
//   ticket prize    = Σ over tiers of (its winning lines of the tier × per line)
//   house           = stake total − everything paid to players
//
// Every floor rounds towards the house, so the players' total can never exceed the stakes
// and a draw's pool always ends at exactly zero. Products go through BigInt: a stake total
// near 2^53 times 10,000 basis points is past what a double holds exactly.
import { invariant } from '../core/errors.ts';
import type { PrizeRules } from './types.ts';

export const BASIS_POINTS_TOTAL = 10_000;

export interface TierAllocation {
  name: string;
  basisPoints: number;
  /** Winning lines of this tier in the whole draw. */
  winningLines: number;
  /** The tier's share of the prize fund, before it is split. */
  tierMinor: number;
  /** What each winning line of the tier is paid (0 when there is no winner). */
  perLineMinor: number;
  /** perLineMinor × winningLines: what the tier actually pays out. */
  paidMinor: number;
}

export interface PrizeAllocation {
  stakeTotalMinor: number;
  prizeFundMinor: number;
  tiers: TierAllocation[];
  /** Sum of every tier's paidMinor. */
  playersMinor: number;
  /** House share, unwon tiers and rounding remainders: stakeTotalMinor − playersMinor. */
  houseMinor: number;
}

function shareOf(amountMinor: number, basisPoints: number): number {
  return Number((BigInt(amountMinor) * BigInt(basisPoints)) / BigInt(BASIS_POINTS_TOTAL));
}

/** A programmer error in a game module: caught at the first allocation, loudly. */
export function assertPrizeRules(prizes: PrizeRules): void {
  const bp = (v: number) => Number.isInteger(v) && v >= 0 && v <= BASIS_POINTS_TOTAL;
  invariant(bp(prizes.payoutBasisPoints), `payout basis points ${prizes.payoutBasisPoints} not an integer in 0..${BASIS_POINTS_TOTAL}`);
  invariant(prizes.tiers.length > 0, 'a prize table needs at least one tier');
  for (const tier of prizes.tiers) invariant(bp(tier.basisPoints), `tier ${tier.name}: basis points ${tier.basisPoints} not an integer in 0..${BASIS_POINTS_TOTAL}`);
  const total = prizes.tiers.reduce((sum, tier) => sum + tier.basisPoints, 0);
  invariant(total <= BASIS_POINTS_TOTAL, `tiers share ${total} basis points of the prize fund, more than ${BASIS_POINTS_TOTAL}`);
}

/** Splits a draw's stakes into per-line tier prizes and the house remainder. */
export function allocatePrizes(stakeTotalMinor: number, prizes: PrizeRules, winningLinesPerTier: readonly number[]): PrizeAllocation {
  assertPrizeRules(prizes);
  invariant(Number.isSafeInteger(stakeTotalMinor) && stakeTotalMinor >= 0, `stake total ${stakeTotalMinor} is not a non-negative integer`);
  invariant(
    winningLinesPerTier.length === prizes.tiers.length,
    `${winningLinesPerTier.length} winning-line counts for ${prizes.tiers.length} tiers`,
  );
  const prizeFundMinor = shareOf(stakeTotalMinor, prizes.payoutBasisPoints);
  const tiers = prizes.tiers.map((tier, i): TierAllocation => {
    const winningLines = winningLinesPerTier[i];
    invariant(Number.isSafeInteger(winningLines) && winningLines >= 0, `tier ${tier.name}: ${winningLines} winning lines`);
    const tierMinor = shareOf(prizeFundMinor, tier.basisPoints);
    const perLineMinor = winningLines === 0 ? 0 : Math.floor(tierMinor / winningLines);
    return { name: tier.name, basisPoints: tier.basisPoints, winningLines, tierMinor, perLineMinor, paidMinor: perLineMinor * winningLines };
  });
  const playersMinor = tiers.reduce((sum, t) => sum + t.paidMinor, 0);
  // Pair assertion: nothing rounds up, so players are never paid more than the fund.
  invariant(playersMinor <= prizeFundMinor, `tiers pay ${playersMinor}, more than the prize fund ${prizeFundMinor}`);
  return { stakeTotalMinor, prizeFundMinor, tiers, playersMinor, houseMinor: stakeTotalMinor - playersMinor };
}

/**
 * How many of a ticket's lines win each tier (one count per tier, in tier order), or null
 * when no line wins anything.
 */
export function ticketTierLines(prizes: PrizeRules, lines: readonly (readonly number[])[], numbers: readonly (readonly number[])[]): number[] | null {
  let counts: number[] | null = null;
  for (const line of lines) {
    const tier = prizes.tierOf(line, numbers);
    if (tier === null) continue;
    invariant(Number.isInteger(tier) && tier >= 0 && tier < prizes.tiers.length, `tierOf returned ${tier}`);
    counts ??= new Array<number>(prizes.tiers.length).fill(0);
    counts[tier]++;
  }
  return counts;
}

/** A ticket's prize: the sum over tiers of its winning lines times the tier's per-line amount. */
export function ticketPrizeMinor(allocation: PrizeAllocation, tierLines: readonly number[]): number {
  invariant(tierLines.length === allocation.tiers.length, `${tierLines.length} tier counts for ${allocation.tiers.length} tiers`);
  return tierLines.reduce((sum, n, i) => sum + n * allocation.tiers[i].perLineMinor, 0);
}
