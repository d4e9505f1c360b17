// actors/AuditChainer.ts — keeps the audit log chained and its head signed (ledger/audit.ts).
//
// Every process runs one; a try-lock in the database lets one chain at a time and the others
// skip that turn, so a dead process costs nothing but its turns. Events wait in audit_pending
// for at most about one interval before they are in the chain; the head is signed with the
// operator's key at most every `signEveryMs` while it moves, and once more on stop.
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import { faultSummary, ThrottledLog, type Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { AUDIT_CHAIN_BATCH_MAX, chainPending, signHead } from '../ledger/audit.ts';

/** Rounds of chaining per wake-up: bounds one turn at AUDIT_CHAIN_BATCH_MAX times this. */
const CHAIN_ROUNDS_PER_TURN_MAX = 10;
const FAILURE_LOG_EVERY_MS = 30_000;

export interface AuditChainerOptions {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  metrics?: Metrics;
  signingKey: Uint8Array;
  everyMs: number;
  signEveryMs: number;
}

export class AuditChainer {
  private timer: NodeJS.Timeout | undefined;
  private turn: Promise<void> | undefined;
  private readonly failures: ThrottledLog;

  constructor(private readonly o: AuditChainerOptions) {
    this.failures = new ThrottledLog(o.logger, FAILURE_LOG_EVERY_MS);
  }

  start(): void {
    this.timer = setInterval(() => {
      if (!this.turn) this.turn = this.chainOnce().finally(() => (this.turn = undefined));
    }, this.o.everyMs);
    this.timer.unref();
  }

  /** Stops the timer, then chains what is pending and signs the head, once. */
  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.turn;
    await this.chainOnce(0);
  }

  /** One turn: chain until nothing is pending (bounded), then sign the head if due. */
  async chainOnce(signEveryMs = this.o.signEveryMs): Promise<void> {
    try {
      for (let round = 0; round < CHAIN_ROUNDS_PER_TURN_MAX; round++) {
        const chained = await chainPending(this.o.pool);
        if (chained === null) return;
        this.o.metrics?.auditRecordsChained.inc(chained);
        if (chained < AUDIT_CHAIN_BATCH_MAX) break;
      }
      const signed = await signHead(this.o.pool, this.o.signingKey, signEveryMs, this.o.clock.nowMs());
      if (signed !== null) this.o.metrics?.auditHeadSeq.set(signed);
    } catch (err) {
      this.o.metrics?.auditChainFailures.inc();
      this.failures.warn('audit chaining failed; retrying', { err: faultSummary(err) });
    }
  }
}
