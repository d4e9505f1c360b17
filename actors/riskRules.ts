// actors/riskRules.ts — the risk rules' decisions, pure: windows that count, and functions
// from what was seen to whether a rule fires. No I/O and no clock: every time comes in as an
// argument, so each rule is tested alone (test/risk-rules.test.ts) and actors/RiskMonitor.ts
// does the reading, writing and publishing around them.
//
// The per-bet structures are built for the hot path: O(1) amortized work per bet, and every
// map has a named upper bound past which its oldest key is forgotten (an evicted player or
// selection starts counting again from zero: a rule may then fire late, never falsely).
import { invariant } from '../core/errors.ts';
import type { RiskRules } from './riskConfig.ts';
import type { TicketRecordGroup } from '../ledger/risk.ts';

/** Buckets per window of SlidingCounts: the window's edge is exact to 1/this of its length. */
export const WINDOW_BUCKETS = 6;

interface Buckets {
  counts: Float64Array;
  /** Absolute index (atMs / bucketMs) of the newest bucket written. */
  head: number;
  /** Absolute bucket of the last firing, so one window fires once. */
  firedHead: number;
}

/**
 * Counts per key over a sliding window, in WINDOW_BUCKETS buckets of windowMs / WINDOW_BUCKETS:
 * add() answers the count over the buckets that overlap (atMs − windowMs, atMs], which covers
 * between windowMs − bucketMs and windowMs of time. Keys past keysMax evict the least
 * recently moved-on key (a key moves to the back of the map when it opens a new bucket).
 */
export class SlidingCounts<K> {
  private readonly entries = new Map<K, Buckets>();
  readonly bucketMs: number;

  constructor(
    readonly windowMs: number,
    readonly keysMax: number,
  ) {
    invariant(Number.isSafeInteger(windowMs) && windowMs >= WINDOW_BUCKETS, () => `window of ${windowMs} ms`);
    invariant(Number.isSafeInteger(keysMax) && keysMax >= 1, () => `keysMax ${keysMax}`);
    this.bucketMs = windowMs / WINDOW_BUCKETS;
  }

  get size(): number {
    return this.entries.size;
  }

  /** Adds `n` at atMs to key's count; returns the count over the window ending at atMs. */
  add(key: K, atMs: number, n = 1): number {
    const bucket = Math.floor(atMs / this.bucketMs);
    let e = this.entries.get(key);
    if (e === undefined) {
      if (this.entries.size >= this.keysMax) this.entries.delete(this.entries.keys().next().value as K);
      e = { counts: new Float64Array(WINDOW_BUCKETS), head: bucket, firedHead: -Infinity };
      this.entries.set(key, e);
    } else if (bucket > e.head) {
      // Clear the buckets between the old head and this one (at most all of them).
      const steps = Math.min(bucket - e.head, WINDOW_BUCKETS);
      for (let k = 1; k <= steps; k++) e.counts[(e.head + k) % WINDOW_BUCKETS] = 0;
      e.head = bucket;
      // Moving on to a new bucket: to the back of the eviction order.
      this.entries.delete(key);
      this.entries.set(key, e);
    }
    // A bet from before the window (arriving late, out of order) counts nowhere.
    if (bucket > e.head - WINDOW_BUCKETS) e.counts[bucket % WINDOW_BUCKETS] += n;
    let sum = 0;
    for (let k = 0; k < WINDOW_BUCKETS; k++) sum += e.counts[k];
    return sum;
  }

  /**
   * True once per window for a key over `max`: the count just answered by add() exceeded it,
   * and the key has not fired within the last window.
   */
  fireOnce(key: K, atMs: number): boolean {
    const e = this.entries.get(key);
    if (e === undefined) return false;
    const bucket = Math.floor(atMs / this.bucketMs);
    if (bucket - e.firedHead < WINDOW_BUCKETS) return false;
    e.firedHead = bucket;
    return true;
  }
}

interface Seen {
  /** Player id -> when last seen, in the order last seen (oldest first). */
  players: Map<number, number>;
  firedAtMs: number;
}

/**
 * Distinct accounts per key over a sliding window (the identical-selection burst): keeps at
 * most accountsMin of the most recent accounts per key, which is all the rule asks about, and
 * at most keysMax keys. Fires once per key per window.
 */
export class DistinctAccounts<K> {
  private readonly entries = new Map<K, Seen>();

  constructor(
    readonly windowMs: number,
    readonly accountsMin: number,
    readonly keysMax: number,
  ) {
    invariant(accountsMin >= 2, () => `accountsMin ${accountsMin}`);
    invariant(keysMax >= 1, () => `keysMax ${keysMax}`);
  }

  get size(): number {
    return this.entries.size;
  }

  /** Records playerId on key at atMs; returns the accounts (oldest first) when the key reaches accountsMin, else null. */
  add(key: K, playerId: number, atMs: number): number[] | null {
    let e = this.entries.get(key);
    if (e === undefined) {
      if (this.entries.size >= this.keysMax) this.entries.delete(this.entries.keys().next().value as K);
      e = { players: new Map(), firedAtMs: -Infinity };
      this.entries.set(key, e);
    }
    const players = e.players;
    players.delete(playerId);
    players.set(playerId, atMs);
    if (players.size < this.accountsMin) return null;
    // Forget those seen before the window, and beyond the accountsMin most recent: each
    // account is removed at most once per time it is added, so this is O(1) amortized.
    for (const [id, seenAtMs] of players) {
      if (seenAtMs > atMs - this.windowMs && players.size <= this.accountsMin) break;
      players.delete(id);
    }
    if (players.size < this.accountsMin || atMs - e.firedAtMs < this.windowMs) return null;
    e.firedAtMs = atMs;
    return [...players.keys()];
  }
}

/** One draw's stakes in the last minutes before its cutoff, by combination. */
export interface LateStakes {
  cutoffAtMs: number;
  totalMinor: number;
  byCombination: Map<string, number>;
  leader: string;
  leaderMinor: number;
  /** Combinations alerted on already in this draw. */
  fired: Set<string>;
}

export function lateStakes(cutoffAtMs: number): LateStakes {
  return { cutoffAtMs, totalMinor: 0, byCombination: new Map(), leader: '', leaderMinor: 0, fired: new Set() };
}

/** Most combinations followed per draw: past it, a new combination adds to the total only. */
export const LATE_COMBINATIONS_PER_DRAW_MAX = 200_000;

/** Whether a bet received at atMs falls in the surge window of a draw cutting off at cutoffAtMs. */
export function inSurgeWindow(atMs: number, cutoffAtMs: number, rule: RiskRules['late_surge']): boolean {
  return atMs >= cutoffAtMs - rule.lastMinutes * 60_000 && atMs < cutoffAtMs;
}

/**
 * Adds a late stake on `combination`; returns the combination whose share of the late stakes
 * is now at or above the rule's, once the stakes reach its minimum (once per combination per
 * draw), or null. The leader is kept as stakes arrive, so the check is O(1).
 */
export function addLateStake(s: LateStakes, combination: string, stakeMinor: number, rule: RiskRules['late_surge']): { combination: string; shareMinor: number; totalMinor: number } | null {
  s.totalMinor += stakeMinor;
  const before = s.byCombination.get(combination);
  if (before !== undefined || s.byCombination.size < LATE_COMBINATIONS_PER_DRAW_MAX) {
    const now = (before ?? 0) + stakeMinor;
    s.byCombination.set(combination, now);
    if (now > s.leaderMinor) {
      s.leader = combination;
      s.leaderMinor = now;
    }
  }
  if (s.totalMinor < rule.stakeMinMinor || s.fired.has(s.leader)) return null;
  if (s.leaderMinor * 100 < rule.sharePercentMin * s.totalMinor) return null;
  s.fired.add(s.leader);
  return { combination: s.leader, shareMinor: s.leaderMinor, totalMinor: s.totalMinor };
}

/** The combinations a bet's stake counts on: each line's numbers, its cost shared evenly. */
export function lineCombinations(lines: readonly (readonly number[])[]): string[] {
  const out = new Array<string>(lines.length);
  for (let i = 0; i < lines.length; i++) out[i] = lines[i].join('-');
  return out;
}

/** A ticket's selection as the burst rule compares it: the bet type and its lines, in order. */
export function selectionKey(drawId: number, betType: string, lines: readonly (readonly number[])[]): string {
  let key = `${drawId}|${betType}`;
  if (lines.length === 1) return `${key}|${lines[0].join(',')}`;
  const sorted = lines.map((l) => l.join(',')).sort();
  for (const l of sorted) key += `|${l}`;
  return key;
}

// ---- Deposits ------------------------------------------------------------------------------

/** The band of amounts the structuring rule watches: [threshold × (1 − below%), threshold). */
export function structuringBand(rule: RiskRules['structured_deposits']): { lowMinor: number; highMinor: number } {
  return { lowMinor: Math.ceil((rule.thresholdMinor * (100 - rule.belowPercent)) / 100), highMinor: rule.thresholdMinor };
}

export function inStructuringBand(amountMinor: number, rule: RiskRules['structured_deposits']): boolean {
  const band = structuringBand(rule);
  return amountMinor >= band.lowMinor && amountMinor < band.highMinor;
}

// ---- Win rate ------------------------------------------------------------------------------

/** One player's tickets of one game, bet type and line count, as the ledger groups them. */
export type TicketGroup = TicketRecordGroup;

export interface WinRateVerdict {
  playerId: number;
  tickets: number;
  winningTickets: number;
  /** What the odds expect, to two decimals. */
  expectedWins: number;
  ratio: number;
  stakeMinor: number;
  prizeMinor: number;
}

/**
 * Players whose winning tickets are out of line with the odds: for each, the expected number
 * of winning tickets is Σ tickets × (1 − (1 − p)^lines), p the chance of one line winning any
 * prize of its bet type (chanceOf; a bet type it does not know is left out). A player fires
 * with at least ticketsMin tickets and winsMin winning ones, winning ratioMin times what is
 * expected or more.
 */
export function winRateVerdicts(groups: readonly TicketGroup[], rule: RiskRules['win_rate'], chanceOf: (gameId: string, betType: string) => number | undefined): WinRateVerdict[] {
  const byPlayer = new Map<number, { tickets: number; wins: number; expected: number; stake: number; prize: number }>();
  for (const g of groups) {
    const p = chanceOf(g.gameId, g.betType);
    if (p === undefined) continue;
    invariant(p >= 0 && p <= 1, () => `chance ${p} for ${g.gameId}/${g.betType}`);
    const a = byPlayer.get(g.playerId) ?? { tickets: 0, wins: 0, expected: 0, stake: 0, prize: 0 };
    a.tickets += g.tickets;
    a.wins += g.winningTickets;
    a.expected += g.tickets * (1 - (1 - p) ** g.lineCount);
    a.stake += g.stakeMinor;
    a.prize += g.prizeMinor;
    byPlayer.set(g.playerId, a);
  }
  const out: WinRateVerdict[] = [];
  for (const [playerId, a] of byPlayer) {
    if (a.tickets < rule.ticketsMin || a.wins < rule.winsMin) continue;
    if (a.wins < rule.ratioMin * a.expected) continue;
    const ratio = a.expected > 0 ? a.wins / a.expected : Infinity;
    out.push({ playerId, tickets: a.tickets, winningTickets: a.wins, expectedWins: Math.round(a.expected * 100) / 100, ratio: Math.round(ratio * 100) / 100, stakeMinor: a.stake, prizeMinor: a.prize });
  }
  return out;
}

/**
 * The chance of one line of a bet type winning any prize, from a game's odds table: the
 * sum of its tiers' chances. Where tiers are alternatives by the line's kind (a pick-3 box of
 * a 6-way or a 3-way number; keno's spot counts, taken as the likeliest one), this is an upper
 * bound: the rule errs towards silence.
 */
export function anyPrizeChances(rows: readonly { betType: string; tier: string; favourable: string; total: string }[]): Map<string, number> {
  const byFamily = new Map<string, Map<string, number>>();
  for (const r of rows) {
    // Keno's tiers are per spot count ("5 spots 3 hits"): one line has one spot count.
    const family = /^(\d+) spots/.exec(r.tier)?.[1] ?? '';
    const families = byFamily.get(r.betType) ?? new Map<string, number>();
    families.set(family, (families.get(family) ?? 0) + Number(r.favourable) / Number(r.total));
    byFamily.set(r.betType, families);
  }
  const out = new Map<string, number>();
  for (const [betType, families] of byFamily) out.set(betType, Math.min(1, Math.max(...families.values())));
  return out;
}
