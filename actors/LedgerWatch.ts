// actors/LedgerWatch.ts — runs the ledger's invariant check (ledger/invariants.ts, the one
// `npm run ledger:check` runs) every so often and reports what it found as metrics, so an
// alert rule wakes someone when the books stop balancing. One process of the cluster checks
// per turn (a try-lock in the check's own read-only snapshot); the others skip it. No check
// starts in the last minutes before a cutoff: its reads would compete with the surge of bets.
import type pg from 'pg';
import { LEDGER_LONG_STATEMENT_MS_MAX } from '../core/limits.ts';
import { faultSummary, type Logger } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { inspectLedger, type LinePrices } from '../ledger/invariants.ts';
import { withTransaction } from '../ledger/transaction.ts';

// Any constant, the same in every process.
const LEDGER_WATCH_LOCK_KEY = 7_461_002_024;
/** No check starts this close to a draw's cutoff (the pre-cutoff surge). */
const QUIET_BEFORE_CUTOFF_MS = 10 * 60_000;

export class LedgerWatch {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;

  constructor(
    private readonly o: { pool: pg.Pool; logger: Logger; metrics: Metrics; linePrices: LinePrices; everyMs: number },
  ) {}

  start(): void {
    if (this.o.everyMs <= 0) return;
    this.timer = setInterval(() => {
      if (!this.running) this.running = this.checkOnce().finally(() => (this.running = undefined));
    }, this.o.everyMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.running;
  }

  /** One check, if no other process is checking; returns the violations found, or null when skipped or failed. */
  async checkOnce(): Promise<string[] | null> {
    try {
      const report = await withTransaction(
        this.o.pool,
        async (client) => {
          const { rows } = await client.query(
            `select pg_try_advisory_xact_lock($1) as got,
                    exists (select 1 from draws where status in ('scheduled', 'open')
                              and cutoff_at between clock_timestamp() and clock_timestamp() + make_interval(secs => $2::double precision / 1000)) as surge`,
            [LEDGER_WATCH_LOCK_KEY, QUIET_BEFORE_CUTOFF_MS],
          );
          return rows[0].got && !rows[0].surge ? inspectLedger(client, this.o.linePrices) : null;
        },
        { isolation: 'repeatable read', readOnly: true, statementTimeoutMs: LEDGER_LONG_STATEMENT_MS_MAX },
      );
      if (!report) return null;
      this.o.metrics.ledgerViolations.set(report.violations.length);
      this.o.metrics.ledgerCheckedAt.set(Date.now() / 1000);
      if (!report.ok) this.o.logger.error({ violations: report.violations.slice(0, 20), alarm: true }, 'ledger invariants violated');
      return report.violations;
    } catch (err) {
      this.o.logger.warn({ err: faultSummary(err) }, 'periodic ledger check failed; trying again next turn');
      return null;
    }
  }
}
