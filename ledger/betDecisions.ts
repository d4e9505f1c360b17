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
import { addStake, limitCrossed, windowsAt, type ActivityRow, type Windows } from './playerActivity.ts';
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
  /**
   * Advance play: ticket `index` of a purchase of `count`, the same bet for `count` draws of
   * a game in a row (index 0 the room's own draw), under request ids advanceRequestId gives.
   * A purchase is adjacent in its batch and decided as one (decidePurchase): all or none.
   */
  advance?: { index: number; count: number };
}

/**
 * The request id of ticket `index` of an advance purchase: the player's own for the first,
 * then `<id>+<index>`. A client's request id cannot hold '+' (rooms/betMessage.ts), so these
 * never meet one, and each ticket keeps the (player, request id) key that makes it idempotent.
 */
export function advanceRequestId(requestId: string, index: number): string {
  return index === 0 ? requestId : `${requestId}+${index}`;
}

/** A ticket bought in advance of its draw's sales: a request id advanceRequestId made for index >= 1. */
export const ADVANCE_REQUEST_ID_SQL_PATTERN = '[+][1-9][0-9]*$';

export interface BetLiability {
  capMinor: number;
  payouts: readonly { combination: string; payoutMinor: number }[];
}

export type BetRejectCode = 'DRAW_CLOSED' | 'DRAW_NOT_OPEN' | 'INSUFFICIENT_FUNDS' | 'REQUEST_ID_CONFLICT' | 'SOLD_OUT' | 'LIMIT_REACHED' | 'EXCLUDED' | 'KYC_REQUIRED' | 'BETTING_FROZEN';

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
  /**
   * Each player's limits and recent stakes and prizes (ledger/playerActivity.ts), by player
   * id, and the time the batch counts them at. Absent: no limits are checked and nothing is
   * recorded (the pure tests of other rules).
   */
  activity?: { rows: ReadonlyMap<number, ActivityRow>; nowMs: number };
}

/** A player's activity row as the batch writes it back. */
export interface ActivityWrite {
  playerId: number;
  series: number[];
  monthKey: number;
  monthStaked: number;
  monthWon: number;
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
  /** The activity rows of the players who bought, as they are to be written back. */
  activityWrites: ActivityWrite[];
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

/** What deciding a batch has committed to so far: decideBets' running state. */
interface Running {
  readonly state: BatchState;
  /** Running balances; the state read stays as read. */
  readonly balances: Map<number, number>;
  readonly liabilities: Map<string, SoldLiability>;
  readonly decisions: BetDecision[];
  readonly accepted: number[];
  readonly acceptedByKey: Map<string, number>;
  readonly walletDebits: Map<number, number>;
  readonly poolCredits: Map<number, number>;
  readonly liabilityAdds: Map<string, LiabilityAdd>;
  /** Stakes accepted so far in this batch, by player. */
  readonly staked: Map<number, number>;
  /** Each player's windows before this batch, computed once. */
  readonly windows: Map<number, Windows>;
  refusedCount: number;
}

/**
 * Decides every bet of a batch, in order, against the running balance of its wallet: a
 * bet is accepted only if its wallet still covers it after the bets accepted before it.
 * An advance purchase (BetToWrite.advance) is decided as one: all its tickets, or none.
 */
export function decideBets(bets: readonly BetToWrite[], state: BatchState): BatchDecision {
  const run: Running = {
    state,
    balances: new Map(state.balances),
    liabilities: new Map(state.liabilities ?? []),
    decisions: new Array<BetDecision>(bets.length),
    accepted: [],
    acceptedByKey: new Map(),
    walletDebits: new Map(),
    poolCredits: new Map(),
    liabilityAdds: new Map(),
    staked: new Map(),
    windows: new Map(),
    refusedCount: 0,
  };
  for (let i = 0; i < bets.length; i++) {
    const count = bets[i].advance?.count ?? 1;
    if (count === 1) {
      apply(bets, i, decideOne(bets, i, run, balanceOf(bets[i], run), run.staked.get(bets[i].playerId) ?? 0, run.accepted.length), run);
      continue;
    }
    decidePurchase(bets, i, count, run);
    i += count - 1;
  }
  const { decisions, accepted, walletDebits, poolCredits, liabilityAdds, refusedCount } = run;
  return { decisions, accepted, walletDebits, poolCredits, liabilityAdds, activityWrites: activityWrites(run), refusedCount };
}

/** The new activity row of every player who bought in this batch. */
function activityWrites(run: Running): ActivityWrite[] {
  const activity = run.state.activity;
  if (!activity) return [];
  const writes: ActivityWrite[] = [];
  for (const [playerId, stakedMinor] of run.staked) {
    const row = activity.rows.get(playerId)!;
    writes.push({ playerId, ...addStake(row, activity.nowMs, stakedMinor) });
  }
  return writes;
}

export const KYC_REQUIRED_MESSAGE = 'your identity is not verified: POST /api/me/identity, then bet once it is';
export const BETTING_FROZEN_MESSAGE = 'betting on your account is paused pending a review; your balance, deposits and withdrawals are unaffected, and you will be able to bet again once the review is done';

/** The player's activity row (migration 013); every player has one, a trigger makes it with them. */
function activityRowOf(bet: BetToWrite, activity: NonNullable<BatchState['activity']>): ActivityRow {
  const row = activity.rows.get(bet.playerId);
  if (row === undefined) invariant(false, () => `no activity row for player ${bet.playerId}`);
  return row;
}

/**
 * Why the player may not buy at all, whatever the bet: excluded (a break or a self-exclusion
 * that a session ended too late to stop), their identity not verified, or their betting
 * frozen pending a review of a risk alert (ledger/risk.ts). Decided before
 * funds, so an unverified player with an empty wallet hears what to do first.
 */
function playerRefusal(bet: BetToWrite, run: Running): BetDecision | undefined {
  const activity = run.state.activity;
  if (!activity) return undefined;
  const row = activityRowOf(bet, activity);
  if (row.excludedUntilMs !== null && row.excludedUntilMs > activity.nowMs) {
    return { outcome: 'refused', code: 'EXCLUDED', message: `you have excluded yourself from play until ${new Date(row.excludedUntilMs).toISOString()}` };
  }
  if (!row.identityVerified) return { outcome: 'refused', code: 'KYC_REQUIRED', message: KYC_REQUIRED_MESSAGE };
  if (row.bettingFrozen === true) return { outcome: 'refused', code: 'BETTING_FROZEN', message: BETTING_FROZEN_MESSAGE };
  return undefined;
}

/** Why bet i would cross one of its player's limits after `addedMinor` staked earlier in the batch; undefined when it would not. */
function limitRefusal(bet: BetToWrite, run: Running, addedMinor: number): BetDecision | undefined {
  const activity = run.state.activity;
  if (!activity) return undefined;
  const row = activityRowOf(bet, activity);
  let windows = run.windows.get(bet.playerId);
  if (windows === undefined) {
    windows = windowsAt(row, activity.nowMs);
    run.windows.set(bet.playerId, windows);
  }
  const crossed = limitCrossed(row.limits, windows, addedMinor, bet.costMinor);
  return crossed === undefined ? undefined : { outcome: 'refused', code: 'LIMIT_REACHED', message: crossed };
}

function balanceOf(bet: BetToWrite, run: Running): number {
  const balance = run.balances.get(bet.walletAccountId);
  invariant(balance !== undefined, () => `wallet ${bet.walletAccountId} not found`);
  return balance;
}

/** Bet i's decision on the running state, `balance` and `addedMinor` staked in the batch before it, changing nothing. */
function decideOne(bets: readonly BetToWrite[], i: number, run: Running, balance: number, addedMinor: number, acceptedIndex: number): BetDecision {
  const bet = bets[i];
  const key = requestKey(bet);
  const earlier = run.acceptedByKey.get(key);
  if (earlier === undefined) {
    const prior = run.state.existing.get(key);
    const barred = prior === undefined ? playerRefusal(bet, run) : undefined;
    if (barred) return barred;
    const decision = decideFirst(bet, prior, run.state.draws.get(bet.drawId), balance, acceptedIndex, run.liabilities);
    return decision.outcome === 'accepted' ? (limitRefusal(bet, run, addedMinor) ?? decision) : decision;
  }
  return sameBet(bets[run.accepted[earlier]], bet) ? { outcome: 'repeat', ofAcceptedIndex: earlier, balanceMinor: balance } : CONFLICT;
}

/** Records bet i's decision and, if it is a new ticket, its debit, credit and liability. */
function apply(bets: readonly BetToWrite[], i: number, decision: BetDecision, run: Running): void {
  const bet = bets[i];
  run.decisions[i] = decision;
  if (decision.outcome === 'refused') run.refusedCount++;
  if (decision.outcome !== 'accepted') return;
  run.balances.set(bet.walletAccountId, decision.balanceMinor);
  run.acceptedByKey.set(requestKey(bet), run.accepted.length);
  run.accepted.push(i);
  run.walletDebits.set(bet.walletAccountId, (run.walletDebits.get(bet.walletAccountId) ?? 0) + bet.costMinor);
  run.poolCredits.set(decision.poolAccountId, (run.poolCredits.get(decision.poolAccountId) ?? 0) + bet.costMinor);
  run.staked.set(bet.playerId, (run.staked.get(bet.playerId) ?? 0) + bet.costMinor);
  if (bet.liability) addLiability(bet.drawId, bet.liability, run.liabilities, run.liabilityAdds);
}

/**
 * An advance purchase, bets[start..start + count): one wallet, one draw each, so its tickets
 * neither share a balance check with anyone between them nor a liability row with each other.
 * Each is decided as if the ones before it were bought; then all are applied, or none:
 *   - all new tickets: bought, each debited;
 *   - all the same bets as tickets bought before (or earlier in this batch): those tickets;
 *   - one refused: every one refused, with its code and which draw of the purchase it was;
 *   - some bought before and some not (a resend naming more draws): REQUEST_ID_CONFLICT.
 */
function decidePurchase(bets: readonly BetToWrite[], start: number, count: number, run: Running): void {
  const head = bets[start];
  invariant(start + count <= bets.length, `advance purchase ${head.requestId} of ${count} tickets cut off by its batch`);
  const tentative: BetDecision[] = [];
  let balance = balanceOf(head, run);
  let added = run.staked.get(head.playerId) ?? 0;
  for (let k = 0; k < count; k++) {
    const bet = bets[start + k];
    invariant(bet.advance?.index === k && bet.advance.count === count && bet.walletAccountId === head.walletAccountId, `advance purchase ${head.requestId}: ticket ${k} out of place`);
    const d = decideOne(bets, start + k, run, balance, added, run.accepted.length + k);
    if (d.outcome === 'accepted') {
      balance = d.balanceMinor;
      added += bet.costMinor;
    }
    tentative.push(d);
  }
  const outcome = purchaseOutcome(tentative, count);
  for (let k = 0; k < count; k++) apply(bets, start + k, outcome ?? tentative[k], run);
}

/** The one decision every ticket of a purchase gets instead of its own, or null: each keeps its own. */
function purchaseOutcome(tentative: readonly BetDecision[], count: number): BetDecision | null {
  let bought = 0;
  let before = 0;
  let refusedAt = -1;
  for (let k = 0; k < count; k++) {
    const d = tentative[k];
    if (d.outcome === 'refused' && d.code === 'REQUEST_ID_CONFLICT') return d;
    if (d.outcome === 'accepted') bought++;
    else if (d.outcome === 'refused') refusedAt = refusedAt < 0 ? k : refusedAt;
    else before++;
  }
  if (bought === count || before === count) return null;
  // Some of its tickets were bought before and some are not: not the purchase they belong to.
  if (before > 0) return CONFLICT;
  const refusal = tentative[refusedAt] as Extract<BetDecision, { outcome: 'refused' }>;
  return { outcome: 'refused', code: refusal.code, message: `draw ${refusedAt + 1} of the ${count} bought in advance: ${refusal.message}; none was bought` };
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

/**
 * The cutoff fence (layer 2): open, received in [open, cutoff), and the database clock within
 * grace. A ticket bought in advance (advance.index >= 1) is received before its draw opens,
 * with the purchase's first ticket, which this same fence held to its own draw's window: it
 * needs its draw scheduled or open and the purchase received before its own cutoff.
 */
function fenceRefusal(bet: BetToWrite, draw: LockedDraw | undefined): BetDecision | undefined {
  const inAdvance = (bet.advance?.index ?? 0) > 0;
  const selling = draw !== undefined && (draw.status === 'open' || (inAdvance && draw.status === 'scheduled'));
  if (!selling || bet.receivedAtMs >= draw.cutoffAtMs || !draw.withinGrace) {
    const notYet = draw !== undefined && draw.status === 'scheduled' && bet.receivedAtMs < draw.cutoffAtMs;
    return notYet ? NOT_OPENED : CLOSED;
  }
  if (bet.receivedAtMs < draw.openAtMs && !inAdvance) return NOT_OPEN_ON_ARRIVAL;
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
    invariant(r.xid !== undefined, () => `new ticket ${r.ticketId} has no transaction id`);
    invariant(r.ticketId.length > 1, () => `bet ${bets[i].requestId} was accepted without a ticket id`);
    invariant(r.costMinor === bets[i].costMinor, () => `ticket ${r.ticketId} cost ${r.costMinor}, its bet ${bets[i].costMinor}`);
  }
}
