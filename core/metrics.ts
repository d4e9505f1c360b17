// core/metrics.ts — Prometheus metrics, one registry per server instance.
import client from 'prom-client';
import { BET_BATCH_SIZE_MAX, BET_QUERY_MS_MAX, CLOCK_SKEW_WARN_MS } from './limits.ts';

/**
 * Histogram buckets from `min` up to the limit `max` that bounds what is observed, on a
 * 1-2-5 series, ending exactly at `max`: the top bucket is the limit itself, so nothing
 * the limit allows lands only in +Inf, and raising the limit raises the buckets.
 */
export function bucketsUpTo(min: number, max: number): number[] {
  if (!(min > 0 && max >= min)) throw new RangeError(`buckets need 0 < min <= max (got ${min}, ${max})`);
  const buckets: number[] = [];
  for (let decade = min; decade < max; decade *= 10) {
    for (const step of [1, 2, 5]) {
      // toPrecision: 0.001 * 10 * 10 is not 0.1 in binary floating point.
      const bound = Number((decade * step).toPrecision(12));
      if (bound < max) buckets.push(bound);
    }
  }
  buckets.push(max);
  return buckets;
}

export function createMetrics() {
  const registry = new client.Registry();
  client.collectDefaultMetrics({ register: registry });
  return { registry, ...betMetrics(registry), ...drawMetrics(registry), ...operationsMetrics(registry), ...riskMetrics(registry) };
}

/** The bet writer's: batch sizes and times, outcomes, the queue, the ledger's reachability. */
function betMetrics(registry: client.Registry) {
  return {
    betBatchSize: new client.Histogram({
      name: 'lottery_bet_batch_size',
      help: 'Bets per group-commit transaction',
      // Batches go up to BET_BATCH_SIZE_MAX: a full batch must have a bucket of its own.
      buckets: bucketsUpTo(1, BET_BATCH_SIZE_MAX),
      registers: [registry],
    }),
    betCommitSeconds: new client.Histogram({
      name: 'lottery_bet_commit_seconds',
      help: 'Time to write and commit one bet batch',
      // A batch's statements are cut off at BET_QUERY_MS_MAX each: up to that, in seconds.
      buckets: bucketsUpTo(0.001, BET_QUERY_MS_MAX / 1000),
      registers: [registry],
    }),
    betsTotal: new client.Counter({
      name: 'lottery_bets_total',
      help: 'Bets decided, by outcome',
      labelNames: ['outcome'],
      registers: [registry],
    }),
    betsReceived: new client.Counter({
      name: 'lottery_bets_received_total',
      help: 'Bets handed to the bet writer (each ticket of an advance purchase counts)',
      registers: [registry],
    }),
    betAckSeconds: new client.Histogram({
      name: 'lottery_bet_ack_seconds',
      help: 'From a bet reaching the writer to its answer (committed, with its receipt, or refused)',
      buckets: bucketsUpTo(0.001, BET_QUERY_MS_MAX / 1000),
      registers: [registry],
    }),
    betQueueLength: new client.Gauge({ name: 'lottery_bet_queue_length', help: 'Bets waiting for the writer', registers: [registry] }),
    betBatchFailures: new client.Counter({
      name: 'lottery_bet_batch_failures_total',
      help: 'Bet batches whose transaction failed and were split or retried',
      registers: [registry],
    }),
    betBatchRetries: new client.Counter({
      name: 'lottery_bet_batch_retries_total',
      help: 'Bet batches written again because the database could not be reached (connection lost, restart, fail-over)',
      registers: [registry],
    }),
    ledgerUnavailable: new client.Gauge({
      name: 'lottery_ledger_unavailable',
      help: '1 while the bet writer cannot reach the database (bets wait, then get SERVICE_UNAVAILABLE)',
      registers: [registry],
    }),
  };
}

/** The draw lifecycle's, and the clock and leadership it depends on. */
function drawMetrics(registry: client.Registry) {
  return {
    drawSteps: new client.Counter({
      name: 'lottery_draw_steps_total',
      help: 'Draw lifecycle steps completed (sealed, drawn, settled)',
      labelNames: ['step'],
      registers: [registry],
    }),
    drawStepSeconds: new client.Histogram({
      name: 'lottery_draw_step_seconds',
      help: 'How long a draw step took (seal, draw, settle) in the process that did it',
      labelNames: ['step'],
      buckets: bucketsUpTo(0.01, 600),
      registers: [registry],
    }),
    drawsHalted: new client.Counter({
      name: 'lottery_draws_halted_total',
      help: 'Draws halted because a committed input could not be revealed: an alarm, never expected',
      registers: [registry],
    }),
    drawsLate: new client.Counter({
      name: 'lottery_draws_late_total',
      help: 'Draws made more than DRAW_LATE_ALARM_MS after their draw time (the database was away at draw time): an alarm',
      registers: [registry],
    }),
    clockSkew: new client.Gauge({
      name: 'lottery_clock_skew_seconds',
      help: `Database clock minus this process clock (warned past ${CLOCK_SKEW_WARN_MS / 1000} s)`,
      registers: [registry],
    }),
    clockSkewed: new client.Gauge({
      name: 'lottery_clock_skewed',
      help: `1 while this process clock is more than ${CLOCK_SKEW_WARN_MS} ms from the database clock`,
      registers: [registry],
    }),
    drawsLed: new client.Gauge({
      name: 'lottery_draws_led',
      help: 'Draws this process leads (holds the advisory lock of)',
      registers: [registry],
    }),
    leadershipTakeovers: new client.Counter({
      name: 'lottery_draw_leadership_acquired_total',
      help: 'Times this process became leader of a draw',
      registers: [registry],
    }),
  };
}

/** Operations: the HTTP error rate, the audit chain, and gauges read when scraped (observeProcess). */
function operationsMetrics(registry: client.Registry) {
  return {
    httpResponses: new client.Counter({
      name: 'lottery_http_responses_total',
      help: 'HTTP answers by status class (2xx, 4xx, 5xx)',
      labelNames: ['class'],
      registers: [registry],
    }),
    auditRecordsChained: new client.Counter({
      name: 'lottery_audit_records_chained_total',
      help: 'Audit events this process moved into the hash chain',
      registers: [registry],
    }),
    auditHeadSeq: new client.Gauge({
      name: 'lottery_audit_signed_head_seq',
      help: 'The last audit record whose head this process signed',
      registers: [registry],
    }),
    auditChainFailures: new client.Counter({
      name: 'lottery_audit_chain_failures_total',
      help: 'Turns of the audit chainer that failed (retried)',
      registers: [registry],
    }),
    ledgerViolations: new client.Gauge({
      name: 'lottery_ledger_invariant_violations',
      help: 'Violations the last periodic ledger check found (npm run ledger:check): anything above 0 is an alarm',
      registers: [registry],
    }),
    ledgerCheckedAt: new client.Gauge({
      name: 'lottery_ledger_checked_timestamp_seconds',
      help: 'When the last periodic ledger check finished (unix seconds)',
      registers: [registry],
    }),
  };
}

/** The risk monitor's (actors/RiskMonitor.ts). */
function riskMetrics(registry: client.Registry) {
  return {
    riskAlerts: new client.Counter({
      name: 'lottery_risk_alerts_total',
      help: 'Risk alerts raised (stored, not duplicates), by rule and severity',
      labelNames: ['rule', 'severity'],
      registers: [registry],
    }),
    riskTasksDropped: new client.Counter({
      name: 'lottery_risk_tasks_dropped_total',
      help: 'Risk monitor work (alert writes, ledger checks) dropped because its queue was full',
      registers: [registry],
    }),
  };
}

/** What a process reports about itself when scraped, read at that moment. */
export interface ProcessGauges {
  rooms(): number;
  connections(): number;
  /** Each database pool by name (the bet writer's and the rest's): connections open, idle, and queries waiting for one. */
  pools(): Record<string, { total: number; idle: number; waiting: number }>;
  /** Seconds past due for draws not yet closed after cutoff, and not yet drawn after draw time (0: none). */
  overdue(): Promise<{ closeSeconds: number; drawSeconds: number; halted: number }>;
}

export function observeProcess(registry: client.Registry, gauges: ProcessGauges): void {
  const gauge = (name: string, help: string, read: (g: client.Gauge) => void | Promise<void>, labelNames: string[] = []) =>
    new client.Gauge({ name, help, labelNames, registers: [registry], collect() { return read(this); } });
  gauge('lottery_rooms', 'Colyseus rooms in this process', (g) => g.set(gauges.rooms()));
  gauge('lottery_connections', 'Clients connected to rooms of this process', (g) => g.set(gauges.connections()));
  gauge('lottery_db_pool_connections', 'Database pool connections by pool and state (total, idle)', (g) => {
    for (const [pool, p] of Object.entries(gauges.pools())) {
      g.set({ pool, state: 'total' }, p.total);
      g.set({ pool, state: 'idle' }, p.idle);
    }
  }, ['pool', 'state']);
  gauge('lottery_db_pool_waiting', 'Queries waiting for a connection, by pool', (g) => {
    for (const [pool, p] of Object.entries(gauges.pools())) g.set({ pool }, p.waiting);
  }, ['pool']);
  // One query for the three, whichever gauge is collected first in a scrape.
  let overdue: Promise<{ closeSeconds: number; drawSeconds: number; halted: number }> | undefined;
  const read = () => (overdue ??= gauges.overdue().finally(() => setTimeout(() => (overdue = undefined), 0)));
  gauge('lottery_draw_close_overdue_seconds', 'How long past cutoff the oldest draw still not closed is (0: none)', async (g) => g.set((await read()).closeSeconds));
  gauge('lottery_draw_overdue_seconds', 'How long past draw time the oldest draw still not drawn is (0: none)', async (g) => g.set((await read()).drawSeconds));
  gauge('lottery_draws_halted', 'Draws halted now, waiting for an operator (resume or void)', async (g) => g.set((await read()).halted));
}

export type Metrics = ReturnType<typeof createMetrics>;
