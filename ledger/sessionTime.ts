// ledger/sessionTime.ts — the player's reality check interval and session time limit
// (migration 017), every change recorded, and the session's play as a reality check shows it.
import crypto from 'node:crypto';
import type pg from 'pg';
import { withTransaction } from './transaction.ts';

export interface SessionTimeSettings {
  realityCheckMinutes: number | null;
  sessionLimitMinutes: number | null;
}

/**
 * Sets what the request names (undefined leaves a setting as it is), recording each change.
 * A time limit applies to the sessions already open too: each ends at the latest this long
 * after it began. Returns the settings now in force.
 */
export async function setSessionTime(pool: pg.Pool, playerId: number, change: Partial<SessionTimeSettings>, nowMs: number): Promise<SessionTimeSettings> {
  return withTransaction(pool, async (client) => {
    const at = new Date(nowMs);
    for (const [setting, value] of [
      ['reality_check_minutes', change.realityCheckMinutes],
      ['session_limit_minutes', change.sessionLimitMinutes],
    ] as const) {
      if (value === undefined) continue;
      await client.query(`update players set ${setting} = $2 where id = $1`, [playerId, value]);
      await client.query(`insert into player_setting_changes (player_id, setting, value, asked_at) values ($1, $2, $3, $4)`, [playerId, setting, value, at]);
    }
    if (change.sessionLimitMinutes !== undefined && change.sessionLimitMinutes !== null) {
      await client.query(
        `update sessions set expires_at = least(expires_at, created_at + make_interval(mins => $2))
          where player_id = $1 and revoked_at is null and expires_at > $3`,
        [playerId, change.sessionLimitMinutes, at],
      );
    }
    const { rows } = await client.query(`select reality_check_minutes, session_limit_minutes from players where id = $1`, [playerId]);
    return { realityCheckMinutes: rows[0].reality_check_minutes, sessionLimitMinutes: rows[0].session_limit_minutes };
  });
}

export async function sessionTimeSettings(pool: pg.Pool, playerId: number): Promise<SessionTimeSettings & { changes: { setting: string; value: number | null; askedAt: string }[] }> {
  const [player, changes] = await Promise.all([
    pool.query(`select reality_check_minutes, session_limit_minutes from players where id = $1`, [playerId]),
    pool.query(`select setting, value, asked_at from player_setting_changes where player_id = $1 order by id desc limit 200`, [playerId]),
  ]);
  return {
    realityCheckMinutes: player.rows[0].reality_check_minutes,
    sessionLimitMinutes: player.rows[0].session_limit_minutes,
    changes: changes.rows.map((r) => ({ setting: r.setting, value: r.value, askedAt: new Date(r.asked_at).toISOString() })),
  };
}

export interface RealityCheck {
  checkId: string;
  sessionStartedAt: string;
  playedMinutes: number;
  stakedMinor: number;
  wonMinor: number;
  /** Prizes won less stakes, this session. */
  netMinor: number;
}

/**
 * The session's play so far, recorded as shown: stakes of tickets bought since it began, and
 * prizes credited since then (of tickets bought up to 400 days before, the longest advance play
 * and history look back).
 */
export async function showRealityCheck(pool: pg.Pool, playerId: number, sessionId: string, startedAtMs: number, nowMs: number): Promise<RealityCheck> {
  const { rows } = await pool.query(
    `select (select coalesce(sum(t.cost_minor), 0) from tickets t where t.player_id = $1 and t.received_at >= $2 and t.received_at <= $3)::int8 as staked,
            (select coalesce(sum(tp.amount_minor), 0) from tickets t join ticket_prizes tp on tp.ticket_id = t.id
              where t.player_id = $1 and t.received_at > $2::timestamptz - interval '400 days' and tp.created_at >= $2 and tp.created_at <= $3)::int8 as won`,
    [playerId, new Date(startedAtMs), new Date(nowMs)],
  );
  const staked = Number(rows[0].staked);
  const won = Number(rows[0].won);
  const checkId = `rc_${crypto.randomBytes(9).toString('hex')}`;
  await pool.query(
    `insert into reality_checks (public_id, player_id, session_id, shown_at, played_ms, staked_minor, won_minor) values ($1, $2, $3, $4, $5, $6, $7)`,
    [checkId, playerId, sessionId, new Date(nowMs), nowMs - startedAtMs, staked, won],
  );
  return {
    checkId,
    sessionStartedAt: new Date(startedAtMs).toISOString(),
    playedMinutes: Math.floor((nowMs - startedAtMs) / 60_000),
    stakedMinor: staked,
    wonMinor: won,
    netMinor: won - staked,
  };
}

export async function acknowledgeRealityCheck(pool: pg.Pool, checkId: string, nowMs: number): Promise<void> {
  await pool.query(`update reality_checks set acknowledged_at = $2 where public_id = $1 and acknowledged_at is null`, [checkId, new Date(nowMs)]);
}
