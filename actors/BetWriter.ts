// actors/BetWriter.ts — one per process: group-commits the bets of every room.
//
// A bet is acknowledged only after the transaction holding it has committed. Bets wait
// at most BET_FLUSH_DELAY_MS_MAX (or until BET_BATCH_SIZE_MAX are queued) and then go to
// Postgres together, so the database does one commit for hundreds of bets.
//
// The database may go away at any moment (a restart, a fail-over, a cut connection). A
// batch whose connection died wrote nothing, or committed without our hearing of it; either
// way it is safe to write again on a new connection, because a ticket is unique per
// (player, request id) and a repeat returns the original. So such a batch goes back to the
// head of the line and is retried with backoff until the database answers, and only a bet
// that has waited BET_DATABASE_WAIT_MS_MAX in all is answered SERVICE_UNAVAILABLE (its
// client resends it with the same request id to learn what became of it).
import type pg from 'pg';
import {
  ADVANCE_DRAWS_MAX,
  BET_BATCH_EAGER_SIZE,
  BET_BATCH_SIZE_MAX,
  BET_BATCH_SPLIT_DEPTH_MAX,
  BET_DATABASE_RETRY_DELAY_MS_MAX,
  BET_DATABASE_RETRY_DELAY_MS_MIN,
  BET_DATABASE_WAIT_MS_MAX,
  BET_FLUSH_DELAY_MS_MAX,
  BET_QUEUE_LENGTH_MAX,
  BET_QUEUE_WAIT_MS_MAX,
  BET_UNAVAILABLE_LOG_EVERY_MS,
  CUTOFF_GRACE_MS,
} from '../core/limits.ts';
import { ticketRecordOf, type LeafVersion, type TicketRecord } from '../draw/encoding.ts';
import type { WireReceipt } from '../draw/receiptWire.ts';
import { requestIdConflict, sameBet, writeBetBatch, type BetResult, type BetToWrite } from '../ledger/bets.ts';
import { ticketPublicId } from '../ledger/tickets.ts';
import { invariant } from '../core/errors.ts';
import { isDatabaseUnavailable } from '../ledger/faults.ts';
import { faultSummary, ThrottledLog, type Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';

export interface BetRequest extends BetToWrite {
  /** What the ticket's receipt names: the draw's public id and the player's pseudonym in it. */
  drawPublicId: string;
  playerPseudonym: string;
  /** The draw's ticket record version (ledger/draws.ts DrawRow.leafVersion): what its receipt signs. */
  leafVersion: LeafVersion;
  /** The draw's cutoff, for listeners that weigh how late a bet came (actors/RiskMonitor.ts). */
  cutoffAtMs: number;
}

type Accepted = Extract<BetResult, { status: 'accepted' }>;

export type BetOutcome =
  | (Accepted & { receipt?: WireReceipt })
  | Exclude<BetResult, { status: 'accepted' }>
  | { status: 'rejected'; code: 'SERVER_BUSY' | 'INTERNAL_ERROR' | 'SHUTTING_DOWN' | 'SERVICE_UNAVAILABLE'; message: string };

export interface CommittedBet {
  drawId: number;
  /** The committing transaction (see BetResult.xid). */
  xid: string;
  costMinor: number;
  lines: number[][];
  /** Who bought it, how, and when it arrived: what the risk rules count (actors/RiskMonitor.ts). */
  playerId: number;
  betType: string;
  quickPick: boolean;
  /** A fixed-odds game's (a liability per number: pick-3, pick-4). */
  fixedOdds: boolean;
  receivedAtMs: number;
  cutoffAtMs: number;
}

export interface BetWriterOptions {
  pool: pg.Pool;
  logger: Logger;
  metrics?: Metrics;
  /**
   * 'single': one transaction per bet, several in parallel — the benchmark's baseline.
   * 'ceiling': batches answered in memory, every bet accepted and nothing recorded — the
   * benchmark's ceiling (app/config.ts lets it start only when told so in words).
   */
  mode?: 'batch' | 'single' | 'ceiling';
  batchSizeMax?: number;
  flushDelayMsMax?: number;
  /** Queued bets that start a batch as soon as a slot is free (core/limits.ts BET_BATCH_EAGER_SIZE). */
  eagerSize?: number;
  queueLengthMax?: number;
  /** Past this wait of the oldest queued bet, new bets get SERVER_BUSY (core/limits.ts BET_QUEUE_WAIT_MS_MAX). */
  queueWaitMsMax?: number;
  /** Transactions in flight at once. */
  concurrency?: number;
  cutoffGraceMs?: number;
  /** Hears each commit's newly sold tickets (not duplicates): the live totals (DrawTallies). */
  commitListener?: CommittedBatchListener;
  /** Signs each committed batch's receipts (app/receiptSigner.ts); without it, no receipts. */
  receiptSigner?: ReceiptSigner;
}

/** Hears every committed batch, after the commit and before its bets are answered. */
export interface CommittedBatchListener {
  onCommitted(bets: CommittedBet[]): void;
}

/** Signs the receipts of one committed batch at once, one signature for all (draw/receipt.ts). */
export interface ReceiptSigner {
  sign(tickets: TicketRecord[]): WireReceipt[];
}

/**
 * One submission: a bet, or an advance purchase's tickets (BetToWrite.advance), which always
 * travel together, in one batch, adjacent, and are answered together.
 */
interface Pending {
  requests: BetRequest[];
  key: string;
  /** With an array of outcomes when `many`, else with the one outcome. */
  resolve: (outcomes: BetOutcome | BetOutcome[]) => void;
  many: boolean;
  splitDepth: number;
  /** When the bet reached the writer (performance.now()): its wait for the database is bounded from here. */
  enqueuedAtMs: number;
}

const SHUTTING_DOWN: BetOutcome = { status: 'rejected', code: 'SHUTTING_DOWN', message: 'server is shutting down, retry on another' };
const SERVER_BUSY: BetOutcome = { status: 'rejected', code: 'SERVER_BUSY', message: 'too many bets in flight, retry shortly' };

function firstOutcome(outcomes: BetOutcome[]): BetOutcome {
  return outcomes[0];
}

const UNAVAILABLE: BetOutcome = {
  status: 'rejected',
  code: 'SERVICE_UNAVAILABLE',
  message: 'the ledger cannot be reached; resend with the same requestId to learn whether this bet was recorded (it is never charged twice)',
};

export class BetWriter {
  private readonly queue: Pending[] = [];
  /** Halves of failed batches, retried before new bets as batches of their own. */
  private readonly retries: Pending[][] = [];
  /** Bets queued or in flight, by player and request id: a retry joins the original (joinOriginal). */
  private readonly byKey = new Map<string, { requests: BetRequest[]; outcome: Promise<BetOutcome | BetOutcome[]> }>();
  private inFlight = 0;
  /** Committed batches whose receipts and replies are still being made. */
  private settling = 0;
  private timer: NodeJS.Timeout | undefined;
  private stopping = false;
  private drainWaiters: (() => void)[] = [];
  /** While the database is unreachable: when the next batch may try again, and since when. */
  private retryAtMs = 0;
  private retryTimer: NodeJS.Timeout | undefined;
  private unavailableSinceMs: number | undefined;
  private unavailableAttempts = 0;
  /** When the database last answered again after an outage (performance.now()). */
  private databaseBackAtMs = 0;
  private readonly unavailableLog: ThrottledLog;
  /** Transactions that failed and were split or rejected: zero in a healthy process. */
  failedBatches = 0;
  /** Batches written again because their connection died or none could be made. */
  retriedBatches = 0;
  committedBatches = 0;
  committedBets = 0;

  private readonly mode: 'batch' | 'single' | 'ceiling';
  /** The ceiling's ticket numbers: counted in memory, since nothing is written. */
  private ceilingTickets = 0;
  private readonly batchSizeMax: number;
  private readonly flushDelayMsMax: number;
  private readonly eagerSize: number;
  private readonly queueLengthMax: number;
  private readonly queueWaitMsMax: number;
  private readonly concurrency: number;
  private readonly cutoffGraceMs: number;

  constructor(private readonly options: BetWriterOptions) {
    this.mode = options.mode ?? 'batch';
    this.unavailableLog = new ThrottledLog(options.logger, BET_UNAVAILABLE_LOG_EVERY_MS);
    this.batchSizeMax = this.mode === 'single' ? 1 : (options.batchSizeMax ?? BET_BATCH_SIZE_MAX);
    invariant(this.batchSizeMax >= 1, `batch size ${this.batchSizeMax} below 1`);
    invariant(this.batchSizeMax <= BET_BATCH_SIZE_MAX, `batch size ${this.batchSizeMax} exceeds BET_BATCH_SIZE_MAX`);
    this.flushDelayMsMax = this.mode === 'single' ? 0 : (options.flushDelayMsMax ?? BET_FLUSH_DELAY_MS_MAX);
    this.eagerSize = Math.min(this.batchSizeMax, options.eagerSize ?? BET_BATCH_EAGER_SIZE);
    this.queueLengthMax = options.queueLengthMax ?? BET_QUEUE_LENGTH_MAX;
    this.queueWaitMsMax = options.queueWaitMsMax ?? BET_QUEUE_WAIT_MS_MAX;
    this.concurrency = options.concurrency ?? 1;
    this.cutoffGraceMs = options.cutoffGraceMs ?? CUTOFF_GRACE_MS;
  }

  /** True while batches fail because the database cannot be reached. */
  get databaseUnavailable(): boolean {
    return this.unavailableSinceMs !== undefined;
  }

  get queueLength(): number {
    return this.queue.length + this.retries.reduce((n, b) => n + b.length, 0);
  }

  /** Resolves with exactly one outcome per call; never rejects. */
  submit(request: BetRequest): Promise<BetOutcome> {
    return this.submitPurchase([request]).then(firstOutcome);
  }

  /**
   * The room's way in: a bet alone, or an advance purchase (see submitPurchase). A bet alone
   * is most of the surge, so it takes no array of outcomes and no second promise.
   */
  submitBets(requests: BetRequest[]): Promise<BetOutcome | BetOutcome[]> {
    return requests.length === 1 ? this.enqueue(requests, false) : this.submitPurchase(requests);
  }

  /**
   * An advance purchase: the same bet for several draws, one request each, in order (their
   * `advance` set, the first one's request id the player's). Resolves with one outcome per
   * request, all accepted or all refused (ledger/betDecisions.ts decidePurchase); never rejects.
   */
  submitPurchase(requests: BetRequest[]): Promise<BetOutcome[]> {
    return this.enqueue(requests, true) as Promise<BetOutcome[]>;
  }

  /** Queues one submission; `many`: its promise resolves with an array of outcomes, else with the one. */
  private enqueue(requests: BetRequest[], many: boolean): Promise<BetOutcome | BetOutcome[]> {
    invariant(requests.length >= 1 && requests.length <= Math.max(this.batchSizeMax, ADVANCE_DRAWS_MAX), () => `a purchase of ${requests.length} tickets`);
    const key = `${requests[0].playerId}:${requests[0].requestId}`;
    const original = this.byKey.get(key);
    if (original) return this.joinOriginal(original, requests).then((o) => (many ? o : o[0]));
    if (this.stopping) return Promise.resolve(many ? requests.map(() => SHUTTING_DOWN) : SHUTTING_DOWN);
    if (this.overloaded()) {
      this.options.metrics?.betsTotal.inc({ outcome: 'SERVER_BUSY' }, requests.length);
      return Promise.resolve(many ? requests.map(() => SERVER_BUSY) : SERVER_BUSY);
    }
    this.options.metrics?.betsReceived.inc(requests.length);
    const promise = new Promise<BetOutcome | BetOutcome[]>((resolve) => {
      this.queue.push({ requests, key, resolve, many, splitDepth: 0, enqueuedAtMs: performance.now() });
    });
    this.byKey.set(key, { requests, outcome: promise });
    promise.then(() => this.byKey.delete(key));
    this.options.metrics?.betQueueLength.set(this.queue.length);
    this.schedule();
    return promise;
  }

  /**
   * Bets arrive faster than they are written: the queue is full, or its oldest bet has waited
   * queueWaitMsMax with the database answering (an outage has its own wait, expireWaiting).
   */
  private overloaded(): boolean {
    if (this.queue.length >= this.queueLengthMax) return true;
    if (this.queue.length === 0 || this.unavailableSinceMs !== undefined) return false;
    // Bets kept through an outage have waited long by the time it ends, through no
    // slowness of the writer: the queue's wait counts from the database's return.
    return performance.now() - Math.max(this.queue[0].enqueuedAtMs, this.databaseBackAtMs) > this.queueWaitMsMax;
  }

  /**
   * A resend of a bet still queued or in flight waits for the original's outcome. The same
   * bet (ledger/bets.ts, sameBet; for a purchase, the same bet for each of as many draws) is
   * answered with the original's tickets, marked duplicate, or with its refusal. Another bet
   * under that request id is a conflict if the original bought a ticket, and is tried on its
   * own if not (a refused bet leaves no trace). The original's own entry is gone by then: it
   * was removed by a callback registered first.
   */
  private joinOriginal(original: { requests: BetRequest[]; outcome: Promise<BetOutcome | BetOutcome[]> }, resends: BetRequest[]): Promise<BetOutcome[]> {
    const same = original.requests.length === resends.length && resends.every((r, k) => sameBet(original.requests[k], r));
    return original.outcome.then((outcome): BetOutcome[] | Promise<BetOutcome[]> => {
      const outcomes = Array.isArray(outcome) ? outcome : [outcome];
      if (outcomes[0].status === 'accepted') {
        return same ? outcomes.map((o) => ({ ...o, duplicate: true, xid: undefined }) as BetOutcome) : resends.map(() => requestIdConflict());
      }
      return same ? outcomes : this.submitPurchase(resends);
    });
  }

  /** Stops taking bets and resolves once every queued and in-flight bet is decided. */
  async stop(): Promise<void> {
    this.stopping = true;
    this.schedule(true);
    if (!this.idle()) await new Promise<void>((resolve) => this.drainWaiters.push(resolve));
    this.options.logger.info(
      {
        batches: this.committedBatches,
        bets: this.committedBets,
        betsPerBatchMean: this.committedBatches ? Math.round(this.committedBets / this.committedBatches) : 0,
        failedBatches: this.failedBatches,
      },
      'bet writer drained',
    );
  }

  private idle(): boolean {
    return this.queue.length === 0 && this.retries.length === 0 && this.inFlight === 0 && this.settling === 0;
  }

  /**
   * Starts what batches may start: at once when forced (the flush timer, a stop), for
   * retries, or when the queue fills a batch, or is worth a transaction (eagerSize) as a
   * slot frees; otherwise when its oldest bet has waited flushDelayMsMax.
   */
  private schedule(force = false): void {
    if (this.waitingToRetry()) return;
    while (this.inFlight < this.concurrency && (this.queue.length > 0 || this.retries.length > 0)) {
      const waitedMs = this.queue.length > 0 ? performance.now() - this.queue[0].enqueuedAtMs : 0;
      if (
        force ||
        this.retries.length > 0 ||
        this.stopping ||
        this.queue.length >= this.eagerSize ||
        waitedMs >= this.flushDelayMsMax
      ) {
        force = false;
        this.startBatch();
        continue;
      }
      if (!this.timer) {
        this.timer = setTimeout(() => {
          this.timer = undefined;
          this.schedule(true);
        }, this.flushDelayMsMax - waitedMs);
      }
      return;
    }
  }

  private startBatch(): void {
    if (this.timer) {
      clearTimeout(this.timer);
      this.timer = undefined;
    }
    const batch = this.retries.shift() ?? this.takeBatch();
    this.options.metrics?.betQueueLength.set(this.queue.length);
    this.inFlight++;
    let slotFreed = false;
    const freeSlot = () => {
      if (slotFreed) return;
      slotFreed = true;
      this.inFlight--;
      // Bets that queued up during the write go at once if they are worth a transaction;
      // a handful wait (at most the flush delay from the oldest's arrival) for more.
      this.schedule();
    };
    this.writeBatch(batch, freeSlot).finally(() => {
      freeSlot();
      if (this.idle()) {
        for (const resolve of this.drainWaiters.splice(0)) resolve();
      }
    });
  }

  /**
   * The next batch off the queue: as many submissions as hold at most batchSizeMax bets, and
   * at least one (in 'single' mode a purchase for several draws is one transaction).
   */
  private takeBatch(): Pending[] {
    let bets = 0;
    let n = 0;
    while (n < this.queue.length && (n === 0 || bets + this.queue[n].requests.length <= this.batchSizeMax)) bets += this.queue[n++].requests.length;
    return this.queue.splice(0, n);
  }

  /**
   * One transaction, then the replies. `slotDone` is called as soon as the transaction is
   * over, so the next batch's first round trip leaves before this batch's receipts and
   * replies are made (a few ms of CPU per thousand bets): the database works on the next
   * batch meanwhile instead of waiting for this process.
   */
  private async writeBatch(batch: Pending[], slotDone: () => void): Promise<void> {
    const startedMs = performance.now();
    let client: pg.PoolClient | undefined;
    let results: BetResult[];
    try {
      if (this.mode === 'ceiling') return this.answerWithoutDatabase(batch, slotDone, startedMs);
      client = await this.options.pool.connect();
      const bets: BetToWrite[] = requestsOf(batch);
      // Pair assertions with the ledger's: what goes in is a bounded, non-empty batch, and
      // what comes back answers each of its bets (a miscount would answer the wrong bet).
      invariant(bets.length > 0, 'an empty bet batch reached the writer');
      invariant(bets.length <= this.batchSizeMax || batch.length === 1, `bet batch of ${bets.length} exceeds ${this.batchSizeMax}`);
      results = await writeBetBatch(client, bets, this.cutoffGraceMs);
      // writeBetBatch checked each result against its bet (assertBatchResults); here only what
      // this side relies on to answer: one result per bet sent.
      invariant(results.length === bets.length, `${results.length} results for a batch of ${bets.length}`);
      client.release();
      client = undefined;
    } catch (err) {
      // Drop a possibly broken connection rather than reuse it.
      client?.release(err as Error);
      if (isDatabaseUnavailable(err)) this.onDatabaseUnavailable(batch, err as Error);
      else this.onBatchFailed(batch, err as Error);
      return;
    }
    // The batch is committed: from here nothing may send it back to the queue.
    if (this.unavailableSinceMs !== undefined) this.onDatabaseBack();
    await this.answerCommitted(batch, results, slotDone, startedMs);
  }

  /**
   * The ceiling: what the bet path costs without the database. Every bet is accepted as if
   * its batch had committed, and then answered exactly as a committed batch is (live totals,
   * receipts, replies), so the difference to 'batch' is the transaction alone.
   */
  private async answerWithoutDatabase(batch: Pending[], slotDone: () => void, startedMs: number): Promise<void> {
    const results: BetResult[] = requestsOf(batch).map((bet) => ({
      status: 'accepted',
      ticketId: ticketPublicId(++this.ceilingTickets),
      lines: bet.lines,
      costMinor: bet.costMinor,
      balanceMinor: 0,
      receivedAtMs: bet.receivedAtMs,
      duplicate: false,
      xid: '0',
    }));
    await new Promise<void>((resolve) => setImmediate(resolve));
    await this.answerCommitted(batch, results, slotDone, startedMs);
  }

  /** Counts, publishes, signs and answers a committed batch; frees its slot once published. */
  private async answerCommitted(batch: Pending[], results: BetResult[], slotDone: () => void, startedMs: number): Promise<void> {
    this.committedBatches++;
    this.committedBets += results.length;
    this.options.metrics?.betBatchSize.observe(results.length);
    this.options.metrics?.betCommitSeconds.observe((performance.now() - startedMs) / 1000);
    this.settling++;
    const requests = requestsOf(batch);
    try {
      this.publish(requests, results);
      slotDone();
      await new Promise<void>((resolve) => setImmediate(resolve));
      resolveEach(batch, this.withReceipts(requests, results));
      const ack = this.options.metrics?.betAckSeconds;
      if (ack) {
        const answeredMs = performance.now();
        for (const p of batch) ack.observe((answeredMs - p.enqueuedAtMs) / 1000);
      }
    } catch (err) {
      // A bug, not a money problem: every outcome is decided and committed. Answer with
      // them (without receipts) rather than leave a bet unanswered; resolving twice is a no-op.
      this.options.logger.error({ err, batchSize: results.length }, 'replying to a committed batch failed');
      resolveEach(batch, results);
    } finally {
      this.settling--;
    }
  }

  /**
   * Counters and live totals for a committed batch, at once: other processes learn of it
   * in the same turn as the commit, so a crash right after leaves the smallest gap in their
   * totals (a few µs of work, unlike the receipts).
   */
  private publish(requests: BetRequest[], results: BetResult[]): void {
    const committed: CommittedBet[] = [];
    const outcomes = new Map<string, number>();
    for (let i = 0; i < requests.length; i++) {
      const result = results[i];
      if (result.status === 'accepted' && !result.duplicate) {
        const request = requests[i];
        committed.push({
          drawId: request.drawId,
          xid: result.xid!,
          costMinor: result.costMinor,
          lines: result.lines,
          playerId: request.playerId,
          betType: request.betType,
          quickPick: request.quickPick,
          fixedOdds: request.liability !== undefined,
          receivedAtMs: result.receivedAtMs,
          cutoffAtMs: request.cutoffAtMs,
        });
      }
      const outcome = result.status === 'accepted' ? 'accepted' : result.code;
      outcomes.set(outcome, (outcomes.get(outcome) ?? 0) + 1);
    }
    for (const [outcome, n] of outcomes) this.options.metrics?.betsTotal.inc({ outcome }, n);
    if (committed.length > 0) {
      try {
        this.options.commitListener?.onCommitted(committed);
      } catch (err) {
        this.options.logger.error({ err }, 'onCommitted listener failed');
      }
    }
  }

  /**
   * One signature covers every accepted ticket of the batch (duplicates included: their
   * record is the original's, so their receipt is too). The money is committed whatever
   * happens here; a signing failure is a bug, logged, and the bets are still acknowledged.
   */
  private withReceipts(requests: BetRequest[], results: BetResult[]): BetOutcome[] {
    const signer = this.options.receiptSigner;
    if (!signer) return results;
    const records: TicketRecord[] = [];
    const indexes: number[] = [];
    for (let i = 0; i < requests.length; i++) {
      const r = results[i];
      if (r.status !== 'accepted') continue;
      const request = requests[i];
      // The bet type and stake are the request's: a repeat or duplicate is answered with its
      // original's ticket only when it is the same bet, bet type and stake included (sameBet).
      records.push(
        ticketRecordOf(request.leafVersion, {
          ticketId: r.ticketId,
          drawId: request.drawPublicId,
          player: request.playerPseudonym,
          betType: request.betType,
          stakeMinor: request.stakeMinor,
          lines: r.lines,
          costMinor: r.costMinor,
          receivedAtMs: r.receivedAtMs,
        }),
      );
      indexes.push(i);
    }
    if (records.length === 0) return results;
    let receipts: WireReceipt[];
    try {
      receipts = signer.sign(records);
    } catch (err) {
      this.options.logger.error({ err, batchSize: records.length }, 'signing receipts failed');
      return results;
    }
    for (let k = 0; k < indexes.length; k++) (results[indexes[k]] as Accepted & { receipt?: WireReceipt }).receipt = receipts[k];
    return results;
  }

  /** Retries are paused after a database fault: true (and a wake-up set) while it lasts. */
  private waitingToRetry(): boolean {
    const waitMs = this.retryAtMs - performance.now();
    if (waitMs <= 0) return false;
    this.retryTimer ??= setTimeout(() => {
      this.retryTimer = undefined;
      this.expireWaiting();
      this.schedule(true);
    }, waitMs);
    return true;
  }

  /**
   * The connection died or none could be made: nothing of the batch is known to be written,
   * and nothing is wrong with its bets. It goes back first in line, whole, and every batch
   * waits out a backoff that doubles with each failure in a row (a fail-over takes seconds;
   * a process hammering a recovering server would only slow it down).
   */
  private onDatabaseUnavailable(batch: Pending[], err: Error): void {
    const nowMs = performance.now();
    this.unavailableSinceMs ??= nowMs;
    this.unavailableAttempts++;
    this.retriedBatches++;
    this.options.metrics?.betBatchRetries.inc();
    this.options.metrics?.ledgerUnavailable.set(1);
    const delayMs = Math.min(BET_DATABASE_RETRY_DELAY_MS_MAX, BET_DATABASE_RETRY_DELAY_MS_MIN * 2 ** (this.unavailableAttempts - 1));
    this.retryAtMs = Math.max(this.retryAtMs, nowMs + delayMs);
    this.unavailableLog.warn('ledger unreachable; bet batch kept for retry', {
      err: faultSummary(err),
      batchSize: batch.length,
      attempts: this.unavailableAttempts,
      retryInMs: delayMs,
    });
    this.retries.unshift(batch);
    this.expireWaiting();
  }

  private onDatabaseBack(): void {
    const downMs = performance.now() - this.unavailableSinceMs!;
    this.options.logger.info({ downMs: Math.round(downMs), attempts: this.unavailableAttempts }, 'ledger reachable again; bets flowing');
    this.unavailableSinceMs = undefined;
    this.databaseBackAtMs = performance.now();
    this.unavailableAttempts = 0;
    this.retryAtMs = 0;
    this.options.metrics?.ledgerUnavailable.set(0);
  }

  /** Answers every waiting bet whose wait for the database is over; the rest keep their place. */
  private expireWaiting(): void {
    const oldestAllowedMs = performance.now() - BET_DATABASE_WAIT_MS_MAX;
    const expire = (batch: Pending[]) => {
      const kept = batch.filter((p) => p.enqueuedAtMs > oldestAllowedMs);
      if (kept.length === batch.length) return batch;
      for (const p of batch) {
        if (p.enqueuedAtMs > oldestAllowedMs) continue;
        this.options.metrics?.betsTotal.inc({ outcome: 'SERVICE_UNAVAILABLE' }, p.requests.length);
        p.resolve(p.many ? p.requests.map(() => UNAVAILABLE) : UNAVAILABLE);
      }
      return kept;
    };
    const retries = this.retries.splice(0).map(expire).filter((b) => b.length > 0);
    this.retries.push(...retries);
    const queued = expire(this.queue);
    if (queued !== this.queue) this.queue.splice(0, this.queue.length, ...queued);
    this.options.metrics?.betQueueLength.set(this.queue.length);
    if (this.idle()) for (const resolve of this.drainWaiters.splice(0)) resolve();
  }

  /**
   * A failed transaction wrote nothing. Split the batch and retry the halves so that one
   * poisonous bet cannot sink the others; a lone bet that still fails is rejected. A
   * commit whose outcome was lost is safe to retry: the (player, request id) key makes
   * the retry return the original ticket instead of charging twice.
   */
  private onBatchFailed(batch: Pending[], err: Error): void {
    this.failedBatches++;
    this.options.metrics?.betBatchFailures.inc();
    const depth = batch[0].splitDepth;
    this.options.logger.error({ err, batchSize: batch.length, splitDepth: depth }, 'bet batch failed');
    if (depth >= BET_BATCH_SPLIT_DEPTH_MAX || (batch.length === 1 && depth >= 2)) {
      for (const p of batch) {
        this.options.metrics?.betsTotal.inc({ outcome: 'INTERNAL_ERROR' }, p.requests.length);
        const failed: BetOutcome = { status: 'rejected', code: 'INTERNAL_ERROR', message: 'the bet could not be recorded; retry with the same requestId' };
        p.resolve(p.many ? p.requests.map(() => failed) : failed);
      }
      return;
    }
    for (const p of batch) p.splitDepth = depth + 1;
    const half = Math.ceil(batch.length / 2);
    this.retries.push(batch.slice(0, half));
    if (batch.length > half) this.retries.push(batch.slice(half));
  }
}


/** A batch's bets in order: each submission's requests, adjacent. */
function requestsOf(batch: Pending[]): BetRequest[] {
  const requests: BetRequest[] = [];
  for (const p of batch) {
    if (p.requests.length === 1) requests.push(p.requests[0]);
    else for (const r of p.requests) requests.push(r);
  }
  return requests;
}

/** Each submission its outcomes, in the order requestsOf laid them out. */
function resolveEach(batch: Pending[], outcomes: BetOutcome[]): void {
  let at = 0;
  for (const p of batch) {
    const n = p.requests.length;
    p.resolve(p.many ? outcomes.slice(at, at + n) : outcomes[at]);
    at += n;
  }
  invariant(at === outcomes.length, `${outcomes.length} outcomes for ${at} bets`);
}
