// actors/RiskMonitor.ts — fraud and anomaly detection (issue 15), one per process, fed from
// the bet and money streams:
//   - committed bets (a CommittedBatchListener of the BetWriter): velocity per player, bursts
//     of one selection from many accounts, late surges on one combination. In memory, O(1)
//     amortized per bet, no await and no database on the hot path (actors/riskRules.ts);
//   - logins and registrations: accounts sharing a client address or a device fingerprint
//     (counted in the ledger, risk_sightings, so every process sees every account);
//   - completed deposits: deposits structured just under a reporting threshold (ledger read);
//   - settled draws: winners whose wins are out of line with the game's odds (ledger read).
// A rule that fires becomes an alert: stored in risk_alerts (deduplicated by its key; a rule
// whose action is 'freeze' freezes the player's betting in the same transaction,
// ledger/risk.ts), counted (lottery_risk_alerts_total) and published on presence, from where
// every process's operators room (rooms/OperatorsRoom.ts) pushes it to the operators there.
// That work is queued, at most RISK_TASKS_QUEUED_MAX tasks, one at a time: past the bound a
// task is dropped and counted (lottery_risk_tasks_dropped_total), never left to grow.
//
// In a cluster each process sees only the bets its own rooms took. Velocity counts a player's
// bets per process (a player betting through several processes at once is counted in parts),
// and the burst and surge rules count per process: their thresholds are per process, and a
// burst spread evenly over P processes needs P times the accounts to be seen. Players are
// spread over processes by matchmaking, so a real burst concentrates in proportion; setting
// accountsMin (and stakeMinMinor) to the cluster-wide figure divided by P keeps the meaning.
// The ledger-read rules (address, device, deposits, win rate) see the whole cluster.
import crypto from 'node:crypto';
import type { Presence } from '@colyseus/core';
import type pg from 'pg';
import type { Clock } from '../core/clock.ts';
import type { Logger } from '../core/logger.ts';
import { ThrottledLog } from '../core/logger.ts';
import type { Metrics } from '../core/metrics.ts';
import { depositsInBand, publicIdsOf, recordAlert, recordSighting, sightingHash, sweepSightings, winnerRecords, type AlertDraft, type AlertView, type SightingKind } from '../ledger/risk.ts';
import type { CommittedBatchListener, CommittedBet } from './BetWriter.ts';
import type { RiskRuleName, RiskRules } from './riskConfig.ts';
import {
  addLateStake,
  DistinctAccounts,
  inStructuringBand,
  inSurgeWindow,
  lateStakes,
  lineCombinations,
  selectionKey,
  SlidingCounts,
  structuringBand,
  winRateVerdicts,
  type LateStakes,
} from './riskRules.ts';

/** Where alerts travel between processes (presence: in-process, or Redis in a cluster). */
export const RISK_ALERTS_TOPIC = 'lottery:risk-alerts';

/** Players whose bet rate is followed at once; past it the least recently active is forgotten. */
export const RISK_PLAYERS_TRACKED_MAX = 200_000;
/** Selections (draw, bet type, lines) whose accounts are followed at once. */
export const RISK_SELECTIONS_TRACKED_MAX = 200_000;
/** Draws whose late stakes are followed at once (a few games, a few draws each, are open). */
export const RISK_DRAWS_TRACKED_MAX = 64;
/** Alert writes, sighting checks and ledger reads waiting: past it new ones are dropped and counted. */
export const RISK_TASKS_QUEUED_MAX = 10_000;
/** Accounts an alert about shared addresses or devices lists by name. */
export const RISK_ACCOUNTS_LISTED_MAX = 20;
/** Winners of one draw whose record the win-rate rule reads (largest prizes first). */
export const RISK_WINNERS_CHECKED_MAX = 1_000;
/** Longest device fingerprint taken (app/schemas.ts bounds it too): it is hashed, never stored. */
export const DEVICE_FINGERPRINT_CHARS_MAX = 256;
/** How often sightings older than the longest window are swept. */
const SWEEP_EVERY_MS = 60 * 60 * 1000;
const DROPPED_LOG_EVERY_MS = 10_000;

export interface RiskMonitorOptions {
  pool: pg.Pool;
  presence: Presence;
  clock: Clock;
  logger: Logger;
  metrics: Metrics;
  rules: RiskRules;
  /** A line's chance of any prize, per game and bet type (games/ odds tables). */
  chanceOf: (gameId: string, betType: string) => number | undefined;
}

export class RiskMonitor implements CommittedBatchListener {
  private readonly rules: RiskRules;
  private readonly velocity: SlidingCounts<number>;
  private readonly bursts: DistinctAccounts<string>;
  private readonly late = new Map<number, LateStakes>();
  private readonly tasks: (() => Promise<void>)[] = [];
  private running = false;
  private idleWaiters: (() => void)[] = [];
  private readonly droppedLog: ThrottledLog;
  private sweepTimer: NodeJS.Timeout | undefined;
  private stopped = false;

  constructor(private readonly o: RiskMonitorOptions) {
    this.rules = o.rules;
    this.velocity = new SlidingCounts(o.rules.velocity.windowSeconds * 1000, RISK_PLAYERS_TRACKED_MAX);
    this.bursts = new DistinctAccounts(o.rules.selection_burst.windowSeconds * 1000, o.rules.selection_burst.accountsMin, RISK_SELECTIONS_TRACKED_MAX);
    this.droppedLog = new ThrottledLog(o.logger, DROPPED_LOG_EVERY_MS);
  }

  start(): void {
    this.sweepTimer = setInterval(() => this.enqueue(() => this.sweep()), SWEEP_EVERY_MS);
    this.sweepTimer.unref();
  }

  /** Stops taking work and waits (at most `waitMsMax`) for the alerts already queued. */
  async stop(waitMsMax = 5_000): Promise<void> {
    this.stopped = true;
    clearInterval(this.sweepTimer);
    if (!this.running && this.tasks.length === 0) return;
    let timer: NodeJS.Timeout | undefined;
    await Promise.race([this.idle(), new Promise<void>((resolve) => (timer = setTimeout(resolve, waitMsMax)))]);
    clearTimeout(timer);
  }

  /** Resolves once every queued task has run (tests wait on it). */
  idle(): Promise<void> {
    if (!this.running && this.tasks.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idleWaiters.push(resolve));
  }

  // ---- The hot path: committed bets ----------------------------------------------------------

  /** Called by the BetWriter after each commit, before the bets are answered: memory only. */
  onCommitted(bets: CommittedBet[]): void {
    try {
      const { velocity, selection_burst, late_surge } = this.rules;
      for (let i = 0; i < bets.length; i++) {
        const bet = bets[i];
        if (velocity.enabled) this.countVelocity(bet, velocity);
        if (selection_burst.enabled && (selection_burst.quickPicks || !bet.quickPick) && (selection_burst.fixedOdds || !bet.fixedOdds)) this.countSelection(bet);
        if (late_surge.enabled && inSurgeWindow(bet.receivedAtMs, bet.cutoffAtMs, late_surge)) this.countLate(bet, late_surge);
      }
    } catch (err) {
      // A bug here must not touch the bets: they are committed and about to be answered.
      this.o.logger.error({ err }, 'risk monitor failed on a committed batch');
    }
  }

  private countVelocity(bet: CommittedBet, rule: RiskRules['velocity']): void {
    const count = this.velocity.add(bet.playerId, bet.receivedAtMs);
    if (count <= rule.betsMax || !this.velocity.fireOnce(bet.playerId, bet.receivedAtMs)) return;
    const windowStart = Math.floor(bet.receivedAtMs / (rule.windowSeconds * 1000));
    this.raise('velocity', {
      playerId: bet.playerId,
      drawId: bet.drawId,
      dedupeKey: `${bet.playerId}:${windowStart}`,
      details: { bets: count, betsMax: rule.betsMax, windowSeconds: rule.windowSeconds, at: new Date(bet.receivedAtMs).toISOString() },
    });
  }

  private countSelection(bet: CommittedBet): void {
    const key = selectionKey(bet.drawId, bet.betType, bet.lines);
    const accounts = this.bursts.add(key, bet.playerId, bet.receivedAtMs);
    if (accounts === null) return;
    const rule = this.rules.selection_burst;
    const { drawId, betType, lines } = bet;
    this.enqueue(async () => {
      // Operators know players by public id; the hot path has only row ids.
      const players = await publicIdsOf(this.o.pool, accounts.slice(0, RISK_ACCOUNTS_LISTED_MAX));
      await this.store('selection_burst', {
        playerId: null,
        drawId,
        // Once per selection per draw while the alert stands (a long ticket's key by its hash).
        dedupeKey: key.length <= 200 ? key : crypto.createHash('sha256').update(key).digest('hex'),
        details: { betType, lines, accounts: accounts.length, players, accountsMin: rule.accountsMin, windowSeconds: rule.windowSeconds },
      });
    });
  }

  private countLate(bet: CommittedBet, rule: RiskRules['late_surge']): void {
    let draw = this.late.get(bet.drawId);
    if (draw === undefined) {
      // The oldest draw followed is the first to have cut off: forget it.
      if (this.late.size >= RISK_DRAWS_TRACKED_MAX) this.late.delete(this.late.keys().next().value as number);
      draw = lateStakes(bet.cutoffAtMs);
      this.late.set(bet.drawId, draw);
    }
    const combinations = lineCombinations(bet.lines);
    const perLineMinor = bet.costMinor / combinations.length;
    for (const combination of combinations) {
      const fired = addLateStake(draw, combination, perLineMinor, rule);
      if (fired === null) continue;
      this.raise('late_surge', {
        playerId: null,
        drawId: bet.drawId,
        dedupeKey: `${bet.drawId}:${fired.combination}`,
        details: {
          combination: fired.combination,
          stakeMinor: Math.round(fired.shareMinor),
          lateStakeTotalMinor: Math.round(fired.totalMinor),
          sharePercent: Math.round((fired.shareMinor * 1000) / fired.totalMinor) / 10,
          lastMinutes: rule.lastMinutes,
          cutoffAt: new Date(draw.cutoffAtMs).toISOString(),
        },
      });
    }
  }

  // ---- Logins and registrations --------------------------------------------------------------

  /** A player logged in or registered from `address`, with the device fingerprint the client sent, if any. */
  onSighting(s: { playerId: number; address: string; device?: string }): void {
    const { shared_address, shared_device } = this.rules;
    if (shared_address.enabled && s.address) this.enqueue(() => this.checkSighting('address', s.playerId, s.address));
    if (shared_device.enabled && s.device) this.enqueue(() => this.checkSighting('device', s.playerId, s.device!.slice(0, DEVICE_FINGERPRINT_CHARS_MAX)));
  }

  private async checkSighting(kind: SightingKind, playerId: number, value: string): Promise<void> {
    const rule = kind === 'address' ? this.rules.shared_address : this.rules.shared_device;
    const nowMs = this.o.clock.nowMs();
    const hash = sightingHash(kind, value);
    const seen = await recordSighting(this.o.pool, { kind, hash, playerId, atMs: nowMs, sinceMs: nowMs - rule.windowDays * 86_400_000, listedMax: RISK_ACCOUNTS_LISTED_MAX });
    if (seen.accounts < rule.accountsMin) return;
    // One alert per address or device while it stands; the hash's head names it in the key.
    await this.store(kind === 'address' ? 'shared_address' : 'shared_device', {
      playerId,
      drawId: null,
      dedupeKey: hash.toString('hex').slice(0, 32),
      details: { accounts: seen.accounts, players: seen.players, accountsMin: rule.accountsMin, windowDays: rule.windowDays },
    });
  }

  // ---- Deposits ------------------------------------------------------------------------------

  /** A deposit completed (the provider's webhook applied it). */
  onDeposit(d: { playerId: number; amountMinor: number }): void {
    const rule = this.rules.structured_deposits;
    if (!rule.enabled || !inStructuringBand(d.amountMinor, rule)) return;
    this.enqueue(async () => {
      const nowMs = this.o.clock.nowMs();
      const band = structuringBand(rule);
      const found = await depositsInBand(this.o.pool, d.playerId, { ...band, sinceMs: nowMs - rule.windowHours * 3_600_000 });
      if (found.count < rule.depositsMin) return;
      await this.store('structured_deposits', {
        playerId: d.playerId,
        drawId: null,
        // One per player per window: a new run of deposits next window is a new alert.
        dedupeKey: `${d.playerId}:${Math.floor(nowMs / (rule.windowHours * 3_600_000))}`,
        details: { deposits: found.count, totalMinor: found.totalMinor, bandMinor: [band.lowMinor, band.highMinor], thresholdMinor: rule.thresholdMinor, windowHours: rule.windowHours },
      });
    });
  }

  // ---- Settled draws -------------------------------------------------------------------------

  /** A draw was settled by this process (DrawRunner.onSettled): its winners' records are weighed. */
  onSettled(drawId: number): void {
    const rule = this.rules.win_rate;
    if (!rule.enabled) return;
    this.enqueue(async () => {
      const sinceMs = this.o.clock.nowMs() - rule.windowDays * 86_400_000;
      const groups = await winnerRecords(this.o.pool, drawId, sinceMs, RISK_WINNERS_CHECKED_MAX);
      for (const v of winRateVerdicts(groups, rule, this.o.chanceOf)) {
        await this.store('win_rate', {
          playerId: v.playerId,
          drawId,
          dedupeKey: `${v.playerId}:${drawId}`,
          details: { ...v, windowDays: rule.windowDays, ratioMin: rule.ratioMin },
        });
      }
    });
  }

  // ---- Alerts --------------------------------------------------------------------------------

  /** From the hot path: the alert is written later, in the queue. */
  private raise(rule: RiskRuleName, draft: Omit<AlertDraft, 'rule' | 'severity'>): void {
    this.enqueue(() => this.store(rule, draft));
  }

  /** Stores the alert (and the freeze its rule asks for), counts it and publishes it; a duplicate does nothing. */
  private async store(rule: RiskRuleName, draft: Omit<AlertDraft, 'rule' | 'severity'>): Promise<void> {
    const config = this.rules[rule];
    const freeze = config.action === 'freeze' && draft.playerId !== null;
    const alert = await recordAlert(this.o.pool, { ...draft, rule, severity: config.severity }, freeze);
    if (alert === null) return;
    this.o.metrics.riskAlerts.inc({ rule, severity: config.severity });
    this.o.logger.warn({ alertId: alert.alertId, rule, severity: config.severity, player: alert.player, draw: alert.draw, frozeBetting: alert.frozeBetting }, 'risk alert raised');
    this.publish(alert);
  }

  private publish(alert: AlertView): void {
    Promise.resolve(this.o.presence.publish(RISK_ALERTS_TOPIC, alert)).catch((err: Error) => {
      // Stored and counted: operators find it in the list even if the live push failed.
      this.o.logger.warn({ err: { message: err.message }, alertId: alert.alertId }, 'publishing a risk alert failed');
    });
  }

  private async sweep(): Promise<void> {
    const longestDays = Math.max(this.rules.shared_address.windowDays, this.rules.shared_device.windowDays);
    await sweepSightings(this.o.pool, this.o.clock.nowMs() - longestDays * 86_400_000);
  }

  // ---- The bounded queue ---------------------------------------------------------------------

  private enqueue(task: () => Promise<void>): void {
    if (this.stopped) return;
    if (this.tasks.length >= RISK_TASKS_QUEUED_MAX) {
      this.o.metrics.riskTasksDropped.inc();
      this.droppedLog.warn('risk monitor queue full; work dropped', { queued: this.tasks.length });
      return;
    }
    this.tasks.push(task);
    if (!this.running) void this.drain();
  }

  /** One task at a time: the monitor holds at most one pool connection, never starving the API. */
  private async drain(): Promise<void> {
    this.running = true;
    while (this.tasks.length > 0) {
      const task = this.tasks.shift()!;
      try {
        await task();
      } catch (err) {
        this.o.logger.error({ err }, 'risk monitor task failed');
      }
    }
    this.running = false;
    for (const resolve of this.idleWaiters.splice(0)) resolve();
  }
}
