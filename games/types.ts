// games/types.ts — what every game module provides: pure rules, no I/O.
import type { OddsRow } from './odds.ts';
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

// ---------------------------------------------------------------------------------------
// Issue 12: the catalogue contract. Every game of games/catalogue.ts implements CatalogueGame;
// the bet path, settlement (set-based SQL over tickets.line_masks) and the API read games
// only through it. Amounts are integer minor units; nothing here does I/O.
// ---------------------------------------------------------------------------------------

/** A way to bet on a game: how a line is chosen and what one line's stake may be. */
export interface BetTypeRules {
  /** Stable id on the wire and in tickets.bet_type: 'standard' for a game with one bet type. */
  id: string;
  name: string;
  /** One sentence for players: what is picked and when it wins. */
  description: string;
  /** The stakes a player may choose for one line, ascending; one element when the price is fixed. */
  stakesMinor: readonly number[];
  linesPerTicketMax: number;
}

/** One segment of a line mask (games/lineMask.ts): a run of bits, each standing for one possibility. */
export interface MaskSegment {
  name: string;
  bits: number;
}

/** A bet as the client sent it, before validation (rooms/betMessage.ts has parsed its shape). */
export interface BetInput {
  /** Absent means the game's first bet type (lotto 6/49 clients never send one). */
  betType?: unknown;
  /** Absent means the bet type's smallest stake. */
  stakeMinor?: unknown;
  lines: unknown;
}

/** A valid bet in canonical form: what is written to the ticket and receipted. */
export interface CanonicalBet {
  betType: string;
  stakeMinor: number;
  /** Canonical lines: what the sealed ticket list and the receipt carry. */
  lines: number[][];
  /** What the ticket costs: stakeMinor × lines for every bet type of the current games. */
  costMinor: number;
  /** One mask per line, in the layout of maskSegments(betType). */
  lineMasks: string[];
}

/**
 * A group of a draw's lines that settle alike. Settlement counts them in SQL, grouping by
 * bet type, stake and, per mask segment, bit_count(line & drawn) and bit_count(line).
 */
export interface LineClass {
  betType: string;
  stakeMinor: number;
  /** Per segment of maskSegments(betType): how many of the line's bits are drawn bits. */
  matches: readonly number[];
  /** Per segment: how many bits the line has set. */
  spots: readonly number[];
  /** How many lines of the draw are in this class. */
  lines: number;
}

/** What one tier did in a draw: for GET /api/draws/:id and the settlement record. */
export interface TierResult {
  name: string;
  kind: 'share' | 'fixed';
  winningLines: number;
  /** What each winning line was paid; for 'fixed' tiers, at baseStakeMinor. */
  perLineMinor: number;
  /** 'fixed' tiers: the stake perLineMinor is for (a line staking k times it is paid k times as much). */
  baseStakeMinor?: number;
  paidMinor: number;
}

/**
 * A draw's settlement, decided from its line classes alone. Money flows, every one ≥ 0:
 *   stakes + rolloverIn + houseIn = players + rolloverOut + houseOut
 * houseIn is the house funding a guaranteed minimum or fixed prizes beyond the pool;
 * rolloverOut is what an unwon (or capped) top tier carries to the game's next draw.
 */
export interface DrawSettlement {
  /** The winning classes only, each with the prize of one of its lines. */
  prizes: { cls: LineClass; tier: number; perLineMinor: number }[];
  tiers: TierResult[];
  playersMinor: number;
  rolloverInMinor: number;
  rolloverOutMinor: number;
  houseInMinor: number;
  houseOutMinor: number;
}

/** A live view of a draw's prizes (CatalogueGame.estimate). */
export interface LiveEstimate {
  /** The top prize if won now (null for a game without a jackpot). */
  jackpotMinor: number | null;
  tiers: { name: string; perLineMinor: number }[];
}

/** The catalogue's view of a game: everything the platform needs to sell, draw and settle it. */
export interface CatalogueGame {
  id: string;
  name: string;
  currency: string;
  schedule: DailySchedule;
  /** How the winning numbers are drawn (draw/README.md); a raffle draws winning ticket positions instead. */
  drums: GameRules['drums'];
  /** How prizes are decided: 'pari-mutuel' (shares of the pool), 'fixed' (odds), 'mixed', 'raffle'. */
  prizeModel: 'pari-mutuel' | 'fixed' | 'mixed' | 'raffle';
  betTypes: readonly BetTypeRules[];
  /** Layout of line masks and drawn masks for a bet type (one layout may serve several bet types). */
  maskSegments(betType: string): readonly MaskSegment[];
  /** The bet in canonical form, or a machine code and a reason for the player. */
  validateBet(input: BetInput): { ok: true; bet: CanonicalBet } | { ok: false; code: 'INVALID_SELECTION' | 'INVALID_BET_TYPE' | 'INVALID_STAKE'; reason: string };
  quickPick(betType: string, lineCount: number, randomInt: RandomInt): number[][];
  /** The drawn numbers (one array per drum) as the mask lines of betType are matched against. */
  drawnMask(betType: string, numbers: readonly (readonly number[])[]): string;
  /** Each bet type's tiers with their exact odds and prizes (GET /api/games). */
  odds(): readonly OddsRow[];
  /**
   * What the current sales would pay, for the live display (pure, cheap: every room calls
   * it at every patch): the jackpot as it stands, and per tier the prize of one winning line
   * — a pari-mutuel tier's share split among the winners its odds expect at the lines sold
   * (never more than the whole share), a fixed tier's prize at its base stake.
   */
  estimate(input: { stakeTotalMinor: number; linesSold: number; rolloverInMinor: number }): LiveEstimate;
  /**
   * Decides a draw's prizes from its line classes (pure; see DrawSettlement). A class no line
   * of the game can have is a programmer or data error and throws. A raffle's winners are
   * positions, not classes: it is settled by games/raffle.ts settleRaffle and its settle throws.
   */
  settle(input: { stakeTotalMinor: number; rolloverInMinor: number; classes: readonly LineClass[] }): DrawSettlement;
  /**
   * Fixed-odds games only: what a line could cost the house, per number combination it can
   * win on, and the most the house sells on one combination in one draw. A bet that would
   * take a combination past the cap is refused SOLD_OUT (enforced in the bet transaction).
   */
  liability?: {
    capMinor: number;
    /**
     * The least any bet adds to this combination (a pick-3 pair takes at least a 3-way box
     * half, a triple a straight): one with less room left is shown sold out. Undefined: a
     * string that is not a combination of the game.
     */
    smallestPayoutOn(combination: string): number | undefined;
    /** The largest of smallestPayoutOn over every combination: a bound to read candidates by. */
    smallestPayoutMaxMinor: number;
    of(bet: CanonicalBet): { combination: string; payoutMinor: number }[];
  };
  /**
   * Raffles only: the prizes, best first. The draw picks min(prizes, tickets sold) distinct
   * positions in the sealed ticket list (draw/README.md); the i-th position drawn wins prize i.
   */
  raffle?: { prizesMinor: readonly number[] };
}
