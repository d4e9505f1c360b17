// ledger/identity.ts — identity verification (KYC) as the ledger keeps it (migration 014):
// each check asked of a provider, each event the provider sent, and the player's status,
// which is that of their latest check. Only 'verified' may deposit or bet (ledger/wallet.ts,
// ledger/bets.ts read it in their own transactions).
//
// A check moves pending -> verified | refused | withdrawn, or verified -> withdrawn, on the
// provider's word; every event is recorded, and applied at most once (its id is unique per
// provider), only if it is newer than the check's last decision (providers deliver late,
// twice and out of order) and only to the player's latest check.
import crypto from 'node:crypto';
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { withTransaction } from './transaction.ts';

export const IDENTITY_STATUSES = ['unverified', 'pending', 'verified', 'refused', 'withdrawn'] as const;
export type IdentityStatus = (typeof IDENTITY_STATUSES)[number];
export type IdentityDecision = 'verified' | 'refused' | 'withdrawn';

/** A pending check older than this may be replaced by a new one (its provider never answered). */
export const IDENTITY_PENDING_STALE_MS = 15 * 60_000;

/** The steps a provider's decision may take a check through. */
const ALLOWED: Record<string, readonly IdentityDecision[]> = {
  pending: ['verified', 'refused', 'withdrawn'],
  verified: ['withdrawn'],
};

export interface IdentityCheckInput {
  givenName: string;
  familyName: string;
  documentNumber: string;
}

export type BeginCheck =
  | { started: true; checkId: string; checkRowId: number; dateOfBirth: string; country: string; playerPublicId: string }
  | { started: false; code: 'ALREADY_VERIFIED' | 'IDENTITY_CHECK_PENDING'; message: string };

/**
 * Records a new check for the player, pending, and makes it their latest: refused while they
 * are verified, or while an earlier check is pending and younger than IDENTITY_PENDING_STALE_MS.
 */
export async function beginIdentityCheck(pool: pg.Pool, playerId: number, provider: string, input: IdentityCheckInput, nowMs: number): Promise<BeginCheck> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `select p.public_id, p.kyc_status, to_char(p.date_of_birth, 'YYYY-MM-DD') as dob, p.country,
              (select c.requested_at from identity_checks c where c.player_id = p.id order by c.id desc limit 1) as last_requested_at
         from players p where p.id = $1 for update`,
      [playerId],
    );
    invariant(rows.length === 1, () => `no player ${playerId}`);
    const p = rows[0];
    if (p.kyc_status === 'verified') return { started: false, code: 'ALREADY_VERIFIED', message: 'your identity is already verified' };
    if (p.kyc_status === 'pending' && nowMs - new Date(p.last_requested_at).getTime() < IDENTITY_PENDING_STALE_MS) {
      return { started: false, code: 'IDENTITY_CHECK_PENDING', message: 'a verification of your identity is under way; its decision will follow' };
    }
    const checkId = `idc_${crypto.randomBytes(12).toString('hex')}`;
    const at = new Date(nowMs);
    const inserted = await client.query(
      `insert into identity_checks (public_id, player_id, provider, status, status_before, given_name, family_name, document_last4, requested_at)
       values ($1, $2, $3, 'pending', $4, $5, $6, $7, $8) returning id`,
      [checkId, playerId, provider, p.kyc_status, input.givenName, input.familyName, input.documentNumber.slice(-4), at],
    );
    const checkRowId = Number(inserted.rows[0].id);
    await client.query(`update players set kyc_status = 'pending' where id = $1`, [playerId]);
    await client.query(
      `insert into identity_events (player_id, check_id, provider, kind, applied, player_status_from, player_status_to, occurred_at)
       values ($1, $2, $3, 'submitted', true, $4, 'pending', $5)`,
      [playerId, checkRowId, provider, p.kyc_status, at],
    );
    return { started: true, checkId, checkRowId, dateOfBirth: p.dob, country: p.country, playerPublicId: p.public_id };
  });
}

/** The provider took the check (its reference), or could not be reached (the player's status goes back). */
export async function identityCheckSent(pool: pg.Pool, checkRowId: number, outcome: { providerRef: string } | { error: string }, nowMs: number): Promise<void> {
  await withTransaction(pool, async (client) => {
    if ('providerRef' in outcome) {
      await client.query(`update identity_checks set provider_ref = $2 where id = $1 and provider_ref is null`, [checkRowId, outcome.providerRef]);
      return;
    }
    const { rows } = await client.query(
      `update identity_checks c set status = 'failed', reason = $2
         from players p
        where c.id = $1 and c.status = 'pending' and p.id = c.player_id
        returning c.player_id, c.provider, c.status_before, p.kyc_status`,
      [checkRowId, outcome.error.slice(0, 200)],
    );
    if (rows.length === 0) return;
    const r = rows[0];
    const latest = await isLatestCheck(client, Number(r.player_id), checkRowId);
    const to = latest ? r.status_before : r.kyc_status;
    if (latest) await client.query(`update players set kyc_status = $2 where id = $1`, [r.player_id, to]);
    await client.query(
      `insert into identity_events (player_id, check_id, provider, kind, applied, player_status_from, player_status_to, reason, occurred_at)
       values ($1, $2, $3, 'provider_error', true, $4, $5, $6, $7)`,
      [r.player_id, checkRowId, r.provider, r.kyc_status, to, outcome.error.slice(0, 200), new Date(nowMs)],
    );
  });
}

async function isLatestCheck(client: pg.ClientBase, playerId: number, checkRowId: number): Promise<boolean> {
  const { rows } = await client.query(`select max(id) as id from identity_checks where player_id = $1`, [playerId]);
  return Number(rows[0].id) === checkRowId;
}

export interface ProviderDecision {
  provider: string;
  eventId: string;
  /** Our check id (identity_checks.public_id), as we sent it. */
  checkId: string;
  providerRef: string;
  decision: IdentityDecision;
  reason: string | null;
  occurredAtMs: number;
}

export type DecisionOutcome =
  | { outcome: 'applied'; playerId: number; from: IdentityStatus; to: IdentityStatus }
  | { outcome: 'ignored'; playerId: number; because: 'stale' | 'not_allowed' | 'superseded' }
  | { outcome: 'duplicate' }
  | { outcome: 'unknown_check' | 'mismatch' };

/**
 * Applies a provider's decision, exactly once per event id: the check's status and, if it is
 * the player's latest check, the player's. An event for no check of ours, or whose provider
 * or reference does not match the check, changes nothing and is not recorded against a player.
 */
export async function applyIdentityDecision(pool: pg.Pool, d: ProviderDecision): Promise<DecisionOutcome> {
  return withTransaction(pool, async (client) => {
    const found = await client.query(
      `select c.id, c.player_id, c.provider, c.provider_ref, c.status, c.decided_at, p.kyc_status
         from identity_checks c join players p on p.id = c.player_id
        where c.public_id = $1 for update of c, p`,
      [d.checkId],
    );
    if (found.rows.length === 0) return { outcome: 'unknown_check' };
    const c = found.rows[0];
    if (c.provider !== d.provider || (c.provider_ref !== null && c.provider_ref !== d.providerRef)) return { outcome: 'mismatch' };
    const playerId = Number(c.player_id);
    const because = await whyIgnored(client, c, d);
    const to: IdentityStatus = because === null ? d.decision : c.kyc_status;
    const event = await client.query(
      `insert into identity_events (player_id, check_id, provider, provider_event_id, kind, decision, applied, ignored_because, player_status_from, player_status_to, reason, occurred_at)
       values ($1, $2, $3, $4, 'decision', $5, $6, $7, $8, $9, $10, $11)
       on conflict (provider, provider_event_id) where provider_event_id is not null do nothing
       returning id`,
      [playerId, c.id, d.provider, d.eventId, d.decision, because === null, because, c.kyc_status, to, d.reason, new Date(d.occurredAtMs)],
    );
    if (event.rows.length === 0) return { outcome: 'duplicate' };
    // A check ignored as superseded still takes the provider's word for its own record.
    if (because === null || because === 'superseded') {
      await client.query(`update identity_checks set status = $2, reason = $3, decided_at = $4, provider_ref = coalesce(provider_ref, $5) where id = $1`, [
        c.id,
        d.decision,
        d.reason,
        new Date(d.occurredAtMs),
        d.providerRef,
      ]);
    }
    if (because !== null) return { outcome: 'ignored', playerId, because };
    await client.query(`update players set kyc_status = $2 where id = $1`, [playerId, to]);
    return { outcome: 'applied', playerId, from: c.kyc_status, to };
  });
}

/** Why a decision changes nothing: older than the check's last one, no such step, or not the player's latest check. */
async function whyIgnored(client: pg.ClientBase, check: Record<string, unknown>, d: ProviderDecision): Promise<'stale' | 'not_allowed' | 'superseded' | null> {
  if (check.decided_at !== null && new Date(check.decided_at as string).getTime() >= d.occurredAtMs) return 'stale';
  if (!ALLOWED[check.status as string]?.includes(d.decision)) return 'not_allowed';
  if (!(await isLatestCheck(client, Number(check.player_id), Number(check.id)))) return 'superseded';
  return null;
}

export interface IdentityRecord {
  status: IdentityStatus;
  checks: { checkId: string; status: string; reason: string | null; documentLast4: string; requestedAt: string; decidedAt: string | null }[];
  history: { at: string; from: IdentityStatus; to: IdentityStatus; kind: string; decision: string | null; applied: boolean; reason: string | null }[];
}

/** The player's status, their latest checks and the latest status changes and events, newest first. */
export async function identityRecord(pool: pg.Pool, playerId: number, listedMax: number): Promise<IdentityRecord> {
  const [player, checks, events] = await Promise.all([
    pool.query(`select kyc_status from players where id = $1`, [playerId]),
    pool.query(
      `select public_id, status, reason, document_last4, requested_at, decided_at from identity_checks where player_id = $1 order by id desc limit $2`,
      [playerId, listedMax],
    ),
    pool.query(
      `select occurred_at, player_status_from, player_status_to, kind, decision, applied, reason from identity_events where player_id = $1 order by id desc limit $2`,
      [playerId, listedMax],
    ),
  ]);
  invariant(player.rows.length === 1, () => `no player ${playerId}`);
  const iso = (v: unknown) => (v === null ? null : new Date(v as string).toISOString());
  return {
    status: player.rows[0].kyc_status,
    checks: checks.rows.map((r) => ({
      checkId: r.public_id,
      status: r.status,
      reason: r.reason,
      documentLast4: r.document_last4,
      requestedAt: iso(r.requested_at)!,
      decidedAt: iso(r.decided_at),
    })),
    history: events.rows.map((r) => ({
      at: iso(r.occurred_at)!,
      from: r.player_status_from,
      to: r.player_status_to,
      kind: r.kind,
      decision: r.decision,
      applied: r.applied,
      reason: r.reason,
    })),
  };
}
