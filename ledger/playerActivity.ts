// ledger/playerActivity.ts — a player's recent stakes and prizes (migration 013's
// player_activity row) and the stake and loss limits they are held to. Pure: the bet batch
// reads the row with the wallet locked, decides each bet against it here, and writes back
// what this returns.
//
// Windows. The rolling day and week count quarter-hours: a stake counts against them from
// the quarter-hour it is placed in until that quarter-hour is 24 hours (or 7 days) old, so a
// stake counts for at least the whole window and at most a quarter-hour more. A limit is
// never exceeded in any window of its length, and may hold back for up to 15 minutes past
// it. The calendar month counts in the player's time zone, from its first midnight (the
// database works out which month a time is in: ledger/bets.ts).
// Loss is stakes less prizes in the same window (negative after a net win).
import { invariant } from '../core/errors.ts';
import type { LimitPeriod } from '../games/jurisdictions.ts';

export const QUARTER_MS = 15 * 60_000;
const DAY_QUARTERS = 96;
/** How far back a player's activity series keeps entries, in quarter-hours: the rolling week (SQL's activity_add_won takes it too). */
export const WEEK_QUARTERS = 7 * DAY_QUARTERS;

export function quarterOf(atMs: number): number {
  return Math.floor(atMs / QUARTER_MS);
}

/** Entries older than this (for a time in quarter `q`) count in no window and are dropped. */
export function keepFrom(q: number): number {
  return q - WEEK_QUARTERS;
}

/** Stake and loss limits in force (minor units, null: none), as the batch read them. */
export interface BetLimits {
  stake: Record<LimitPeriod, number | null>;
  loss: Record<LimitPeriod, number | null>;
}

/** A player's row as the batch read it. */
export interface ActivityRow {
  playerId: number;
  limits: BetLimits;
  /** [quarter, staked, won] triples, ascending. */
  series: number[];
  monthKey: number;
  monthStaked: number;
  monthWon: number;
  /** The month key (year * 12 + month - 1) of the batch's time in the player's zone, as the database computed it. */
  monthNow: number;
  /** The end of the player's break or self-exclusion, if they have had one. */
  excludedUntilMs: number | null;
  /** Identity verified (migration 014): only then may the player bet. */
  identityVerified: boolean;
  /** Betting frozen pending a review of a risk alert (migration 023); absent: not frozen. */
  bettingFrozen?: boolean;
}

/** What a player has staked and lost in each window at one moment. */
export interface Windows {
  staked: Record<LimitPeriod, number>;
  lost: Record<LimitPeriod, number>;
}

/** The player's windows at `nowMs`, from their row. */
export function windowsAt(row: ActivityRow, nowMs: number): Windows {
  const q = quarterOf(nowMs);
  const dayFrom = q - DAY_QUARTERS;
  const weekFrom = q - WEEK_QUARTERS;
  let stakedDay = 0;
  let wonDay = 0;
  let stakedWeek = 0;
  let wonWeek = 0;
  const s = row.series;
  for (let i = 0; i < s.length; i += 3) {
    if (s[i] < weekFrom) continue;
    stakedWeek += s[i + 1];
    wonWeek += s[i + 2];
    if (s[i] < dayFrom) continue;
    stakedDay += s[i + 1];
    wonDay += s[i + 2];
  }
  const sameMonth = row.monthNow === row.monthKey;
  const stakedMonth = sameMonth ? row.monthStaked : 0;
  const wonMonth = sameMonth ? row.monthWon : 0;
  return {
    staked: { day: stakedDay, week: stakedWeek, month: stakedMonth },
    lost: { day: stakedDay - wonDay, week: stakedWeek - wonWeek, month: stakedMonth - wonMonth },
  };
}

const PERIOD_NAMES: Record<LimitPeriod, string> = { day: '24 hours', week: '7 days', month: 'calendar month' };

/**
 * Why a bet costing `costMinor` would cross one of the player's limits, having staked
 * `addedMinor` more in this batch already; undefined when it fits them all.
 */
export function limitCrossed(limits: BetLimits, windows: Windows, addedMinor: number, costMinor: number): string | undefined {
  for (const period of ['day', 'week', 'month'] as const) {
    const stake = limits.stake[period];
    const staked = windows.staked[period] + addedMinor;
    if (stake !== null && staked + costMinor > stake) return crossing('stake', period, stake, staked, costMinor);
    const loss = limits.loss[period];
    const lost = windows.lost[period] + addedMinor;
    if (loss !== null && lost + costMinor > loss) return crossing('loss', period, loss, lost, costMinor);
  }
  return undefined;
}

function crossing(kind: 'stake' | 'loss', period: LimitPeriod, limit: number, used: number, cost: number): string {
  const left = Math.max(0, limit - used);
  return `your ${kind} limit per ${PERIOD_NAMES[period]} is ${limit}; ${left} of it is left and this ticket costs ${cost}`;
}

/** The row's new series and month after staking `stakedMinor` at `nowMs`. */
export function addStake(row: ActivityRow, nowMs: number, stakedMinor: number): { series: number[]; monthKey: number; monthStaked: number; monthWon: number } {
  invariant(Number.isSafeInteger(stakedMinor) && stakedMinor > 0, () => `stake ${stakedMinor}`);
  const q = quarterOf(nowMs);
  const from = keepFrom(q);
  const s = row.series;
  const series: number[] = [];
  let added = false;
  for (let i = 0; i < s.length; i += 3) {
    if (s[i] < from) continue;
    if (s[i] === q) {
      series.push(q, s[i + 1] + stakedMinor, s[i + 2]);
      added = true;
    } else {
      if (s[i] > q && !added) {
        series.push(q, stakedMinor, 0);
        added = true;
      }
      series.push(s[i], s[i + 1], s[i + 2]);
    }
  }
  if (!added) series.push(q, stakedMinor, 0);
  const sameMonth = row.monthNow === row.monthKey;
  return { series, monthKey: row.monthNow, monthStaked: (sameMonth ? row.monthStaked : 0) + stakedMinor, monthWon: sameMonth ? row.monthWon : 0 };
}

/** A series as PostgreSQL's array text, and back. */
export function seriesLiteral(series: readonly number[]): string {
  return `{${series.join(',')}}`;
}

export function parseSeries(text: string): number[] {
  if (text === '{}') return [];
  const values = text.slice(1, -1).split(',').map(Number);
  invariant(values.length % 3 === 0 && values.every(Number.isSafeInteger), () => `malformed activity series ${text.slice(0, 80)}`);
  return values;
}
