// ledger/betDecisions.ts — what a bet batch accepts, refuses and answers as a duplicate.
//
// Pure: the data read inside the batch's transaction goes in (the draws as locked, the
// wallets' balances, tickets already bought under the batch's request ids), one tagged
// decision per bet comes out, with the debits and credits that follow from them. Nothing
// here reads or writes; ledger/bets.ts does the I/O around it, as TigerBeetle's state
// machine decides in prepare/commit apart from its storage calls. Deciding a batch twice
// over the same data gives the same decisions, which is what lets bets.ts decide again
// once it has looked up more (refused bets that may repeat a bought ticket).
import { invariant } from '../core/errors.ts';
import { ticketPublicId } from './tickets.ts';

export interface BetToWrite {
  playerId: number;
  walletAccountId: number;
  drawId: number;
  requestId: string;
  /** The game's bet type ('standard' where a game has only one). */
  betType: string;
  /** Stake of one line (the line price where the player does not choose it). */
  stakeMinor: number;
  lines: number[][];
  /** Each line as its game's bit-string mask (games/types.ts), in the order of `lines`. */
  lineMasks: string[];
  quickPick: boolean;
  costMinor: number;
  receivedAtMs: number;
  /**
   * Fixed-odds games: what the ticket could cost the house per number combination, and the
   * most the house sells on one combination of one draw (games/types.ts, liability).
   */
  liability?: BetLiability;
}

export interface BetLiability {
  capMinor: number;
  payouts: readonly { combination: string; payoutMinor: number }[];
}

export type BetRejectCode = 'DRAW_CLOSED' | 'DRAW_NOT_OPEN' | 'INSUFFICIENT_FUNDS' | 'REQUEST_ID_CONFLICT' | 'SOLD_OUT';

export type BetResult =
  | {
      status: 'accepted';
      ticketId: string;
      lines: number[][];
      costMinor: number;
      balanceMinor: number;
      receivedAtMs: number;
      /** True when an earlier request with this id already bought the ticket. */
      duplicate: boolean;
      /**
       * Id of the transaction that wrote the ticket (a decimal xid8), absent on duplicates.
       * Live totals use it to count a commit exactly once against a ledger snapshot.
       */
      xid?: string;
    }
  | { status: 'rejected'; code: BetRejectCode; message: string };

/** What decides whether two bets with one request id are the same bet (see sameBet). */
export interface BetIdentity {
  drawId: number;
  betType: string;
  stakeMinor: number;
  quickPick: boolean;
  lines: number[][];
}

/** A draw as the batch locked it (FOR SHARE). */
export interface LockedDraw {
  id: number;
  status: string;
  openAtMs: number;
  cutoffAtMs: number;
  poolAccountId: number;
  /** Database clock still within cutoff + grace. */
  withinGrace: boolean;
}

/** A ticket already bought under a (player, request id) of the batch. */
export interface PriorTicket extends BetIdentity {
  rowId: number;
  costMinor: number;
  receivedAtMs: number;
}

/** Everything a batch is decided on, read inside its transaction. */
export interface BatchState {
  draws: ReadonlyMap<number, LockedDraw>;
  /** Wallet balances as locked, before this batch. */
  balances: ReadonlyMap<number, number>;
  /** Tickets already bought, by requestKey. */
  existing: ReadonlyMap<string, PriorTicket>;
  /**
   * Per liabilityKey, what is sold on the combination and its cap, as locked. The cap is the
   * one recorded at the combination's first sale in the draw; absent: nothing sold yet, and
   * the bet's cap applies.
   */
  liabilities?: ReadonlyMap<string, SoldLiability>;
}

export interface SoldLiability {
  soldMinor: number;
  capMinor: number;
}

/** One combination of one draw, as liabilities are counted and locked. */
export interface LiabilityAdd {
  drawId: number;
  combination: string;
  addMinor: number;
  capMinor: number;
}

export type BetDecision =
  /** A new ticket: the acceptedIndex-th of the batch's inserts. */
  | { outcome: 'accepted'; acceptedIndex: number; poolAccountId: number; balanceMinor: number }
  /** The same bet as one accepted earlier in this batch: its ticket, charged nothing. */
  | { outcome: 'repeat'; ofAcceptedIndex: number; balanceMinor: number }
  /** The same bet as a ticket already bought: that ticket, charged nothing. */
  | { outcome: 'duplicate'; prior: PriorTicket; balanceMinor: number }
  | { outcome: 'refused'; code: BetRejectCode; message: string };

export interface BatchDecision {
  /** One per bet, in the order of the bets. */
  decisions: BetDecision[];
  /** The bet index of each new ticket, in insert order. */
  accepted: number[];
  /** Total debit per wallet account, and credit per draw pool account. */
  walletDebits: Map<number, number>;
  poolCredits: Map<number, number>;
  /** Liability the accepted bets add, by liabilityKey. */
  liabilityAdds: Map<string, LiabilityAdd>;
  refusedCount: number;
}

/** A combination's key in BatchState.liabilities and BatchDecision.liabilityAdds. */
export function liabilityKey(drawId: number, combination: string): string {
  return `${drawId}:${combination}`;
}

/** A bet's idempotency key: one ticket per (player, request id). */
export function requestKey(bet: { playerId: number; requestId: string }): string {
  return `${bet.playerId}:${bet.requestId}`;
}

/**
 * Whether `resend`, carrying the request id `original` was bought with, is that same bet
 * (answered with the original ticket, charged nothing) or another one (REQUEST_ID_CONFLICT).
 * Another draw, bet type or stake is another bet. A quick pick is the same as a quick pick
 * of as many lines: its numbers are drawn anew at every send, and a retry must get the
 * original numbers. Explicit lines are the same when equal as the game's canonical lines
 * (games/types.ts validateBet: lotto numbers sorted, a pick-3 straight in its order), with
 * the lines sorted, so the order a player listed them in carries no meaning (a line listed
 * twice is two lines).
 */
export function sameBet(original: BetIdentity, resend: BetIdentity): boolean {
  if (original.drawId !== resend.drawId || original.quickPick !== resend.quickPick) return false;
  if (original.betType !== resend.betType || original.stakeMinor !== resend.stakeMinor) return false;
  if (original.lines.length !== resend.lines.length) return false;
  if (original.quickPick) return true;
  return canonicalLines(original.lines) === canonicalLines(resend.lines);
}

function canonicalLines(lines: number[][]): string {
  return lines
    .map((line) => line.join(','))
    .sort()
    .join(';');
}

const REQUEST_ID_CONFLICT = {
  status: 'rejected',
  code: 'REQUEST_ID_CONFLICT',
  message: 'this requestId already bought another bet: that ticket stands, this bet was not bought; use a new requestId',
} as const;

/** The answer to a resend of a request id that bought another bet: nothing is bought or charged. */
export function requestIdConflict(): BetResult {
  return { ...REQUEST_ID_CONFLICT };
}

const CONFLICT: BetDecision = { outcome: 'refused', code: REQUEST_ID_CONFLICT.code, message: REQUEST_ID_CONFLICT.message };

/**
 * Decides every bet of a batch, in order, against the running balance of its wallet: a
 * bet is accepted only if its wallet still covers it after the bets accepted before it.
 */
export function decideBets(bets: readonly BetToWrite[], state: BatchState): BatchDecision {
  const balances = new Map(state.balances); // running balances; the state read stays as read
  const decisions = new Array<BetDecision>(bets.length);
  const accepted: number[] = [];
  const acceptedByKey = new Map<string, number>();
  const walletDebits = new Map<number, number>();
  const poolCredits = new Map<number, number>();
  const liabilityAdds = new Map<string, LiabilityAdd>();
  const liabilities = new Map(state.liabilities ?? []);
  let refusedCount = 0;
  for (let i = 0; i < bets.length; i++) {
    const bet = bets[i];
    const balance = balances.get(bet.walletAccountId);
    invariant(balance !== undefined, `wallet ${bet.walletAccountId} not found`);
    const key = requestKey(bet);
    const earlier = acceptedByKey.get(key);
    const decision =
      earlier === undefined
        ? decideFirst(bet, state.existing.get(key), state.draws.get(bet.drawId), balance, accepted.length, liabilities)
        : sameBet(bets[accepted[earlier]], bet)
          ? ({ outcome: 'repeat', ofAcceptedIndex: earlier, balanceMinor: balance } as const)
          : CONFLICT;
    decisions[i] = decision;
    if (decision.outcome === 'refused') refusedCount++;
    if (decision.outcome !== 'accepted') continue;
    balances.set(bet.walletAccountId, decision.balanceMinor);
    acceptedByKey.set(key, accepted.length);
    accepted.push(i);
    walletDebits.set(bet.walletAccountId, (walletDebits.get(bet.walletAccountId) ?? 0) + bet.costMinor);
    poolCredits.set(decision.poolAccountId, (poolCredits.get(decision.poolAccountId) ?? 0) + bet.costMinor);
    if (bet.liability) addLiability(bet.drawId, bet.liability, liabilities, liabilityAdds);
  }
  return { decisions, accepted, walletDebits, poolCredits, liabilityAdds, refusedCount };
}

/** A bet whose request id no earlier bet of this batch was accepted under. */
function decideFirst(
  bet: BetToWrite,
  prior: PriorTicket | undefined,
  draw: LockedDraw | undefined,
  balance: number,
  acceptedIndex: number,
  liabilities: ReadonlyMap<string, SoldLiability>,
): BetDecision {
  // A resend of a bought ticket returns that ticket, whatever has changed since (closed
  // draw, spent funds): checked before anything else.
  if (prior) return sameBet(prior, bet) ? { outcome: 'duplicate', prior, balanceMinor: balance } : CONFLICT;
  const refusal = fenceRefusal(bet, draw);
  if (refusal) return refusal;
  if (balance < bet.costMinor) {
    return { outcome: 'refused', code: 'INSUFFICIENT_FUNDS', message: `ticket costs ${bet.costMinor}, balance is ${balance}` };
  }
  const soldOut = bet.liability && soldOutCombination(bet.drawId, bet.liability, liabilities);
  if (soldOut) {
    return { outcome: 'refused', code: 'SOLD_OUT', message: `combination ${soldOut} is sold out for this draw: the house takes no more on it` };
  }
  return { outcome: 'accepted', acceptedIndex, poolAccountId: draw!.poolAccountId, balanceMinor: balance - bet.costMinor };
}

/** Combined payouts of one bet per combination (a box and a straight may both name one). */
function payoutsByCombination(liability: BetLiability): Map<string, number> {
  const sums = new Map<string, number>();
  for (const p of liability.payouts) sums.set(p.combination, (sums.get(p.combination) ?? 0) + p.payoutMinor);
  return sums;
}

/** The first combination this bet would take past the cap, given what is sold so far. */
function soldOutCombination(drawId: number, liability: BetLiability, sold: ReadonlyMap<string, SoldLiability>): string | undefined {
  for (const [combination, payout] of payoutsByCombination(liability)) {
    const now = sold.get(liabilityKey(drawId, combination));
    if ((now?.soldMinor ?? 0) + payout > (now?.capMinor ?? liability.capMinor)) return combination;
  }
  return undefined;
}

function addLiability(drawId: number, liability: BetLiability, sold: Map<string, SoldLiability>, adds: Map<string, LiabilityAdd>): void {
  for (const [combination, payout] of payoutsByCombination(liability)) {
    const key = liabilityKey(drawId, combination);
    const now = sold.get(key);
    sold.set(key, { soldMinor: (now?.soldMinor ?? 0) + payout, capMinor: now?.capMinor ?? liability.capMinor });
    const add = adds.get(key);
    if (add) add.addMinor += payout;
    else adds.set(key, { drawId, combination, addMinor: payout, capMinor: liability.capMinor });
  }
}

const NOT_OPENED: BetDecision = { outcome: 'refused', code: 'DRAW_NOT_OPEN', message: 'sales for this draw have not opened yet' };
const NOT_OPEN_ON_ARRIVAL: BetDecision = { outcome: 'refused', code: 'DRAW_NOT_OPEN', message: 'sales for this draw had not opened when the bet arrived' };
const CLOSED: BetDecision = { outcome: 'refused', code: 'DRAW_CLOSED', message: 'sales for this draw are closed' };

/** The cutoff fence (layer 2): open, received in [open, cutoff), and the database clock within grace. */
function fenceRefusal(bet: BetToWrite, draw: LockedDraw | undefined): BetDecision | undefined {
  if (!draw || draw.status !== 'open' || bet.receivedAtMs >= draw.cutoffAtMs || !draw.withinGrace) {
    const notYet = draw !== undefined && draw.status === 'scheduled' && bet.receivedAtMs < draw.cutoffAtMs;
    return notYet ? NOT_OPENED : CLOSED;
  }
  if (bet.receivedAtMs < draw.openAtMs) return NOT_OPEN_ON_ARRIVAL;
  return undefined;
}

/**
 * The answers to a decided batch once written: each new ticket gets its row id and the
 * transaction's id, each repeat its original's ticket. Pure, like decideBets.
 */
export function betResults(bets: readonly BetToWrite[], batch: BatchDecision, ticketRowIds: readonly number[], xid: string | undefined): BetResult[] {
  invariant(ticketRowIds.length === batch.accepted.length, `${ticketRowIds.length} ticket ids for ${batch.accepted.length} new tickets`);
  invariant(batch.accepted.length === 0 || xid !== undefined, 'new tickets without the id of their transaction');
  const results = new Array<BetResult>(bets.length);
  for (let i = 0; i < bets.length; i++) {
    const d = batch.decisions[i];
    if (d.outcome === 'refused') {
      results[i] = { status: 'rejected', code: d.code, message: d.message };
    } else if (d.outcome === 'duplicate') {
      const p = d.prior;
      const ticketId = ticketPublicId(p.rowId);
      results[i] = { status: 'accepted', ticketId, lines: p.lines, costMinor: p.costMinor, balanceMinor: d.balanceMinor, receivedAtMs: p.receivedAtMs, duplicate: true };
    } else {
      const k = d.outcome === 'accepted' ? d.acceptedIndex : d.ofAcceptedIndex;
      const original = bets[batch.accepted[k]];
      const ticketId = ticketPublicId(ticketRowIds[k]);
      const { lines, costMinor, receivedAtMs } = original;
      results[i] =
        d.outcome === 'accepted'
          ? { status: 'accepted', ticketId, lines, costMinor, balanceMinor: d.balanceMinor, receivedAtMs, duplicate: false, xid }
          : { status: 'accepted', ticketId, lines, costMinor, balanceMinor: d.balanceMinor, receivedAtMs, duplicate: true };
    }
  }
  return results;
}

/**
 * Pair assertions on a written batch's answers, for the ledger as it hands them back and
 * the bet writer as it takes them: one answer per bet, each new ticket with its id and
 * its transaction's, each at the cost of its bet.
 */
export function assertBatchResults(bets: readonly BetToWrite[], results: readonly BetResult[]): void {
  invariant(results.length === bets.length, `${results.length} results for ${bets.length} bets`);
  for (let i = 0; i < results.length; i++) {
    const r = results[i];
    if (r.status !== 'accepted' || r.duplicate) continue;
    invariant(r.xid !== undefined, `new ticket ${r.ticketId} has no transaction id`);
    invariant(r.ticketId.length > 1, `bet ${bets[i].requestId} was accepted without a ticket id`);
    invariant(r.costMinor === bets[i].costMinor, `ticket ${r.ticketId} cost ${r.costMinor}, its bet ${bets[i].costMinor}`);
  }
}
