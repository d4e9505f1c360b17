// ledger/protection.ts — a player's limits on deposits, stakes and losses: every request
// recorded (player_limit_changes, migration 013), the limits in force copied into the
// player's activity row where the bet batch reads them, and the deposit check.
//
// The rules of a change, applied with the player's wallet locked (as the bet batch holds it,
// so a change and a batch never interleave):
//   - a decrease, or a first limit, takes effect at once;
//   - an increase or a removal takes effect 24 hours after it was asked for;
//   - a request supersedes any of the same kind and period still pending;
//   - none may exceed the jurisdiction's maximum, and where a maximum is set, the limit
//     cannot be removed.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import type { LimitKind, LimitPeriod, LimitTable } from '../games/jurisdictions.ts';
import { type LiabilityOf, type Refunds, refundAdvanceTickets } from './refunds.ts';
import { withTransaction } from './transaction.ts';

export const LIMIT_INCREASE_DELAY_MS = 24 * 3_600_000;

const KINDS: readonly LimitKind[] = ['deposit', 'stake', 'loss'];
const PERIODS: readonly LimitPeriod[] = ['day', 'week', 'month'];

function intList(values: readonly number[]): string {
  for (const v of values) invariant(Number.isSafeInteger(v), () => `not an integer: ${v}`);
  return `'{${values.join(',')}}'::int8[]`;
}

/**
 * Copies the limits in force at `nowMs` into the players' activity rows, with the time the
 * next pending change takes effect. One statement, no parameters (it travels in the bet
 * batch's simple-protocol messages).
 */
export function refreshLimitsSql(playerIds: readonly number[], nowMs: number): string {
  invariant(Number.isSafeInteger(nowMs), 'refresh time');
  const at = `to_timestamp(${nowMs}::double precision / 1000)`;
  const columns = KINDS.flatMap((k) => PERIODS.map((p) => `${k}_${p} = limit_in_force(a.player_id, '${k}', '${p}', ${at})`));
  return `update player_activity a set ${columns.join(', ')},
            limits_refresh_at = (select min(c.effective_at) from player_limit_changes c
                                  where c.player_id = a.player_id and c.effective_at > ${at} and c.superseded_at is null)
      where a.player_id = any(${intList(playerIds)});`;
}

export interface LimitRequest {
  kind: LimitKind;
  period: LimitPeriod;
  /** Minor units; null removes the limit. */
  amountMinor: number | null;
}

export interface LimitView {
  kind: LimitKind;
  period: LimitPeriod;
  /** In force now; null: none. */
  amountMinor: number | null;
  /** A change asked for and not yet in force. */
  pending: { amountMinor: number | null; effectiveAt: string } | null;
}

export type LimitChangeOutcome =
  | { status: 'changed'; effectiveAt: string; immediate: boolean }
  | { status: 'refused'; reason: 'above_maximum' | 'maximum_set'; maximumMinor: number };

/**
 * Records one request and brings the row up to date, with the wallet locked. `maximum` is the
 * player's jurisdiction's. Returns when it takes effect, or why it was refused.
 */
export async function requestLimit(pool: pg.Pool, playerId: number, request: LimitRequest, maximum: LimitTable, nowMs: number): Promise<LimitChangeOutcome> {
  const max = maximum[request.kind]?.[request.period];
  if (max !== undefined && request.amountMinor === null) return { status: 'refused', reason: 'maximum_set', maximumMinor: max };
  if (max !== undefined && request.amountMinor! > max) return { status: 'refused', reason: 'above_maximum', maximumMinor: max };
  return withTransaction(pool, async (client) => {
    await lockWallet(client, playerId);
    const now = new Date(nowMs);
    const { rows } = await client.query<{ amount: number | null }>(`select limit_in_force($1, $2, $3, $4) as amount`, [playerId, request.kind, request.period, now]);
    const current = rows[0].amount === null ? null : Number(rows[0].amount);
    const immediate = request.amountMinor !== null && (current === null || request.amountMinor <= current);
    const effectiveAt = new Date(immediate ? nowMs : nowMs + LIMIT_INCREASE_DELAY_MS);
    await client.query(
      `update player_limit_changes set superseded_at = $4
        where player_id = $1 and kind = $2 and period = $3 and effective_at > $4 and superseded_at is null`,
      [playerId, request.kind, request.period, now],
    );
    await client.query(
      `insert into player_limit_changes (player_id, kind, period, amount_minor, requested_at, effective_at, source)
       values ($1, $2, $3, $4, $5, $6, 'player')`,
      [playerId, request.kind, request.period, request.amountMinor, now, effectiveAt],
    );
    await client.query(refreshLimitsSql([playerId], nowMs));
    return { status: 'changed', effectiveAt: effectiveAt.toISOString(), immediate };
  });
}

/** A new player's limits: their jurisdiction's defaults, in force at once, recorded as the jurisdiction's. */
export async function setInitialLimits(client: pg.Pool | pg.ClientBase, playerId: number, limits: LimitTable, nowMs: number, source: 'jurisdiction' | 'player'): Promise<void> {
  const rows: [LimitKind, LimitPeriod, number][] = [];
  for (const kind of KINDS) for (const period of PERIODS) {
    const amount = limits[kind]?.[period];
    if (amount !== undefined) rows.push([kind, period, amount]);
  }
  if (rows.length === 0) return;
  const now = new Date(nowMs);
  await client.query(
    `insert into player_limit_changes (player_id, kind, period, amount_minor, requested_at, effective_at, source)
     select $1, k, p, a, $5, $5, $6 from unnest($2::text[], $3::text[], $4::int8[]) as x(k, p, a)`,
    [playerId, rows.map((r) => r[0]), rows.map((r) => r[1]), rows.map((r) => r[2]), now, source],
  );
  await client.query(refreshLimitsSql([playerId], nowMs));
}

async function lockWallet(client: pg.ClientBase, playerId: number): Promise<number> {
  const { rows } = await client.query(`select id from accounts where player_id = $1 and kind = 'player_wallet' for no key update`, [playerId]);
  invariant(rows.length === 1, () => `player ${playerId} has no wallet`);
  return Number(rows[0].id);
}

/** Every limit of the player, in force and pending, at `nowMs`. */
export async function playerLimits(pool: pg.Pool, playerId: number, nowMs: number): Promise<LimitView[]> {
  const now = new Date(nowMs);
  const { rows } = await pool.query(
    `select k, p, limit_in_force($1, k, p, $2) as amount, pending.amount_minor as pending_amount, pending.effective_at as pending_at
       from unnest($3::text[]) as kinds(k) cross join unnest($4::text[]) as periods(p)
       left join lateral (
         select c.amount_minor, c.effective_at from player_limit_changes c
          where c.player_id = $1 and c.kind = k and c.period = p and c.effective_at > $2 and c.superseded_at is null
          order by c.effective_at desc, c.id desc limit 1
       ) pending on true`,
    [playerId, now, KINDS, PERIODS],
  );
  return rows.map((r) => ({
    kind: r.k,
    period: r.p,
    amountMinor: r.amount === null ? null : Number(r.amount),
    pending: r.pending_at === null ? null : { amountMinor: r.pending_amount === null ? null : Number(r.pending_amount), effectiveAt: new Date(r.pending_at).toISOString() },
  }));
}

export interface LimitChangeRecord {
  kind: LimitKind;
  period: LimitPeriod;
  amountMinor: number | null;
  requestedAt: string;
  effectiveAt: string;
  source: string;
  supersededAt: string | null;
}

/** Every change the player (or the jurisdiction) asked for, newest first. */
export async function limitChanges(pool: pg.Pool, playerId: number, max: number): Promise<LimitChangeRecord[]> {
  const { rows } = await pool.query(
    `select kind, period, amount_minor, requested_at, effective_at, source, superseded_at from player_limit_changes
      where player_id = $1 order by requested_at desc, id desc limit $2`,
    [playerId, max],
  );
  return rows.map((r) => ({
    kind: r.kind,
    period: r.period,
    amountMinor: r.amount_minor === null ? null : Number(r.amount_minor),
    requestedAt: new Date(r.requested_at).toISOString(),
    effectiveAt: new Date(r.effective_at).toISOString(),
    source: r.source,
    supersededAt: r.superseded_at === null ? null : new Date(r.superseded_at).toISOString(),
  }));
}

/** A break of 1 day to 6 weeks, or a self-exclusion of 6 months, 1 year or 5 years. */
export type ExclusionRequest = { kind: 'break'; days: number } | { kind: 'self_exclusion'; months: 6 | 12 | 60 };

export const BREAK_DAYS_MAX = 42;
export const SELF_EXCLUSION_MONTHS = [6, 12, 60] as const;

/** When an exclusion asked for at `nowMs` ends: whole days, or calendar months (UTC). */
export function exclusionEndMs(request: ExclusionRequest, nowMs: number): number {
  if (request.kind === 'break') {
    invariant(Number.isInteger(request.days) && request.days >= 1 && request.days <= BREAK_DAYS_MAX, () => `break of ${request.days} days`);
    return nowMs + request.days * 86_400_000;
  }
  invariant((SELF_EXCLUSION_MONTHS as readonly number[]).includes(request.months), () => `self-exclusion of ${request.months} months`);
  const d = new Date(nowMs);
  const end = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth() + request.months, 1, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds(), d.getUTCMilliseconds()));
  // The same day of the month, or the month's last day where it is shorter (31 August + 6 months: 28 or 29 February).
  const lastDay = new Date(Date.UTC(end.getUTCFullYear(), end.getUTCMonth() + 1, 0)).getUTCDate();
  end.setUTCDate(Math.min(d.getUTCDate(), lastDay));
  return end.getTime();
}

/**
 * Records a break or self-exclusion and moves the player's exclusion to its end, with the
 * wallet locked (a bet batch holding it finishes first; every later one sees the exclusion),
 * and in the same transaction refunds every ticket the player bought in advance for a draw
 * not yet open (ledger/refunds.ts). An exclusion only ever lengthens: the player is excluded
 * until the latest end asked for. Returns that time and the refunds. The caller then ends the
 * player's sessions everywhere.
 */
export async function requestExclusion(
  pool: pg.Pool,
  playerId: number,
  request: ExclusionRequest,
  nowMs: number,
  liabilityOf: LiabilityOf,
): Promise<{ excludedUntilMs: number; endsAtMs: number; refunds: Refunds }> {
  const endsAtMs = exclusionEndMs(request, nowMs);
  const duration = request.kind === 'break' ? `${request.days} days` : `${request.months} months`;
  return withTransaction(pool, async (client) => {
    const walletId = await lockWallet(client, playerId);
    await client.query(
      `insert into player_exclusions (player_id, kind, duration, requested_at, ends_at) values ($1, $2, $3, $4, $5)`,
      [playerId, request.kind, duration, new Date(nowMs), new Date(endsAtMs)],
    );
    const { rows } = await client.query<{ until: Date }>(
      `update players set excluded_until = greatest(coalesce(excluded_until, $2), $2) where id = $1 returning excluded_until as until`,
      [playerId, new Date(endsAtMs)],
    );
    const refunds = await refundAdvanceTickets(client, playerId, walletId, request.kind, nowMs, liabilityOf);
    return { excludedUntilMs: new Date(rows[0].until).getTime(), endsAtMs, refunds };
  });
}

export interface ExclusionRecord {
  kind: 'break' | 'self_exclusion';
  duration: string;
  requestedAt: string;
  endsAt: string;
}

/** Every break and self-exclusion the player asked for, newest first. */
export async function exclusions(pool: pg.Pool, playerId: number, max: number): Promise<ExclusionRecord[]> {
  const { rows } = await pool.query(
    `select kind, duration, requested_at, ends_at from player_exclusions where player_id = $1 order by requested_at desc, id desc limit $2`,
    [playerId, max],
  );
  return rows.map((r) => ({ kind: r.kind, duration: r.duration, requestedAt: new Date(r.requested_at).toISOString(), endsAt: new Date(r.ends_at).toISOString() }));
}

/** Whether the player has ever chosen a limit of their own (at registration or since), not only their jurisdiction's defaults. */
export async function hasChosenLimits(pool: pg.Pool, playerId: number): Promise<boolean> {
  const { rows } = await pool.query(`select exists (select 1 from player_limit_changes where player_id = $1 and source = 'player') as chosen`, [playerId]);
  return rows[0].chosen === true;
}
