// ledger/payments.ts — money in and out through the payment provider (issue 14, migration 020):
// provider events applied to deposits and withdrawals at most once, and withdrawals asked for,
// reviewed and returned. Every movement is one transfer between two locked accounts (the
// wallet first, then the system accounts: lockAccounts, the order of the bet batch and
// settlement), in the transaction that changes the payment's status, so a status and its
// money never disagree.
//
// A deposit: pending (and sent) -> completed (provider clearing -> wallet) | declined | failed.
// A withdrawal: asked for (wallet -> withdrawals_held at once, so it cannot also be bet)
//   -> review (an operator decides) -> approved | rejected (held -> wallet)
//   approved -> pending (the provider took it) -> paid (held -> clearing) | failed (held -> wallet).
// Events carry the provider's time: one older than the last applied changes nothing, nor does
// any event for a payment already final; every event is recorded (payment_events) with why.
import type pg from 'pg';
import { nanoid } from 'nanoid';
import { invariant } from '../core/errors.ts';
import { withTransaction } from './transaction.ts';

export const WITHDRAWALS_HELD = 'withdrawals_held';

/**
 * Locks the accounts in the order every money transaction takes them, so none deadlock:
 * player wallets first (ascending id), as the bet batch and settlement do, then the rest
 * (ascending id). Returns them by id.
 */
export async function lockAccounts(client: pg.ClientBase, ids: readonly number[]): Promise<Map<number, { balanceMinor: number; kind: string }>> {
  const { rows } = await client.query(
    `select id, kind, balance_minor from accounts where id = any($1::int8[]) order by kind <> 'player_wallet', id for no key update`,
    [[...ids]],
  );
  invariant(rows.length === new Set(ids).size, () => `locked ${rows.length} of accounts ${ids.join(', ')}`);
  return new Map(rows.map((r) => [Number(r.id), { balanceMinor: Number(r.balance_minor), kind: r.kind }]));
}

/** One transfer and both balances, the accounts already locked. Returns the transfer's id. */
export async function moveMoney(
  client: pg.ClientBase,
  move: { from: number; to: number; amountMinor: number; kind: string; depositId?: number; atMs?: number },
): Promise<number> {
  invariant(Number.isSafeInteger(move.amountMinor) && move.amountMinor > 0, () => `a transfer of ${move.amountMinor}`);
  const { rows } = await client.query(
    `with t as (
       insert into transfers (debit_account_id, credit_account_id, amount_minor, kind, deposit_id, created_at)
       values ($1, $2, $3, $4, $5, coalesce($6, now())) returning id
     ), b as (
       update accounts set balance_minor = balance_minor + case when id = $2 then $3::bigint else -$3::bigint end
        where id in ($1, $2) returning 1
     )
     select (select id from t) as id, (select count(*) from b)::int as moved`,
    [move.from, move.to, move.amountMinor, move.kind, move.depositId ?? null, move.atMs === undefined ? null : new Date(move.atMs)],
  );
  invariant(rows[0].moved === 2, () => `${move.kind} of ${move.amountMinor}: moved ${rows[0].moved} balances`);
  return Number(rows[0].id);
}

export async function systemAccountId(client: pg.ClientBase, code: string): Promise<number> {
  const { rows } = await client.query(`select id from accounts where code = $1`, [code]);
  invariant(rows.length === 1, () => `no account ${code}`);
  return Number(rows[0].id);
}

async function walletOf(client: pg.ClientBase, playerId: number): Promise<number> {
  const { rows } = await client.query(`select id from accounts where player_id = $1 and kind = 'player_wallet'`, [playerId]);
  invariant(rows.length === 1, () => `player ${playerId} has no wallet`);
  return Number(rows[0].id);
}

// ---- Provider events -----------------------------------------------------------------------

export type PaymentEventType = 'deposit.processing' | 'deposit.succeeded' | 'deposit.declined' | 'deposit.failed' | 'payout.processing' | 'payout.paid' | 'payout.failed';

/** A provider's event, its signature already checked (app/payments.ts readWebhook). */
export interface PaymentEvent {
  provider: string;
  eventId: string;
  type: PaymentEventType;
  /** Our id of the payment: a deposit's or a withdrawal's public id. */
  reference: string;
  providerRef: string;
  amountMinor: number;
  reason: string | null;
  occurredAtMs: number;
}

export type EventOutcome =
  | { outcome: 'applied'; payment: 'deposit' | 'withdrawal'; publicId: string; playerId: number; status: string; amountMinor: number; balanceMinor: number }
  | { outcome: 'ignored'; because: 'stale' | 'final' | 'informational' }
  | { outcome: 'duplicate' }
  | { outcome: 'unknown_payment' }
  | { outcome: 'mismatch'; why: string };


/** Applies one event at most once: the payment's wallet and accounts locked, the event recorded with what it did. */
export async function applyPaymentEvent(pool: pg.Pool, e: PaymentEvent): Promise<EventOutcome> {
  return withTransaction(pool, (client) => applyToPayment(client, e, e.type.startsWith('deposit.') ? DEPOSITS : WITHDRAWALS));
}

interface Found {
  id: number;
  playerId: number;
  status: string;
  amountMinor: number;
  providerRef: string | null;
  lastEventAtMs: number | null;
  /** The accounts its money moves between. */
  wallet: number;
  clearing: number;
  held: number | null;
}

/** What differs between deposits and withdrawals in applying an event; the steps are applyToPayment's. */
interface PaymentKind {
  table: 'deposits' | 'withdrawals';
  final: ReadonlySet<string>;
  progress: PaymentEventType;
  /** The payment with our reference and the provider, and its accounts: $1 reference, $2 provider. */
  findSql: string;
  /** Why an event about this payment is refused before it is recorded, if it is. */
  refuse?(row: Found): EventOutcome | undefined;
  /** The event's change of status and money, accounts and row locked, the event recorded as applied. */
  apply(client: pg.ClientBase, e: PaymentEvent, row: Found, walletBalanceMinor: number): Promise<EventOutcome>;
}

const paymentSql = (table: string, alias: string, held: string) =>
  `select ${alias}.id, ${alias}.player_id, ${alias}.status, ${alias}.amount_minor, ${alias}.provider_ref, ${alias}.provider_event_at,
          a.id as wallet, c.id as clearing, ${held} as held
     from ${table} ${alias}
     join accounts a on a.player_id = ${alias}.player_id and a.kind = 'player_wallet'
     left join accounts c on c.code = 'provider_clearing:' || ${alias}.provider
    where ${alias}.public_id = $1 and ${alias}.provider = $2`;

const DEPOSITS: PaymentKind = {
  table: 'deposits',
  final: new Set(['completed', 'declined', 'failed']),
  progress: 'deposit.processing',
  findSql: paymentSql('deposits', 'd', 'null::int8'),
  async apply(client, e, row, walletBalanceMinor) {
    const status = e.type === 'deposit.succeeded' ? 'completed' : e.type === 'deposit.declined' ? 'declined' : 'failed';
    await client.query(
      `update deposits set status = $2, provider_ref = coalesce(provider_ref, $3), provider_event_at = $4, decline_reason = $5,
              completed_at = case when $2 = 'completed' then now() end
        where id = $1`,
      [row.id, status, e.providerRef, new Date(e.occurredAtMs), status === 'completed' ? null : (e.reason ?? status)],
    );
    if (status === 'completed') await moveMoney(client, { from: row.clearing, to: row.wallet, amountMinor: row.amountMinor, kind: 'deposit', depositId: row.id });
    const balanceMinor = walletBalanceMinor + (status === 'completed' ? row.amountMinor : 0);
    return { outcome: 'applied', payment: 'deposit', publicId: e.reference, playerId: row.playerId, status, amountMinor: row.amountMinor, balanceMinor };
  },
};

const WITHDRAWALS: PaymentKind = {
  table: 'withdrawals',
  final: new Set(['paid', 'failed', 'rejected']),
  progress: 'payout.processing',
  findSql: paymentSql('withdrawals', 'w', `(select id from accounts where code = '${WITHDRAWALS_HELD}')`),
  // A payout reported on before the provider's answer to our request was recorded (still
  // approved, not pending) is with it all the same: its answer and its events race. One in
  // review was never sent.
  refuse: (row) => (row.status === 'review' ? { outcome: 'mismatch', why: 'the withdrawal is waiting for review and was never sent' } : undefined),
  async apply(client, e, row, walletBalanceMinor) {
    const paid = e.type === 'payout.paid';
    const transferId = await moveMoney(client, { from: row.held!, to: paid ? row.clearing : row.wallet, amountMinor: row.amountMinor, kind: paid ? 'withdrawal' : 'withdrawal_return' });
    const status = paid ? 'paid' : 'failed';
    await client.query(
      `update withdrawals set status = $2, provider_ref = coalesce(provider_ref, $3), provider_event_at = $4, reason = $5, completed_at = now(), final_transfer_id = $6
        where id = $1`,
      [row.id, status, e.providerRef, new Date(e.occurredAtMs), paid ? null : (e.reason ?? 'failed'), transferId],
    );
    const balanceMinor = walletBalanceMinor + (paid ? 0 : row.amountMinor);
    return { outcome: 'applied', payment: 'withdrawal', publicId: e.reference, playerId: row.playerId, status, amountMinor: row.amountMinor, balanceMinor };
  },
};

const eventAtMs = (at: Date | string | null) => (at === null ? null : new Date(at).getTime());

/**
 * One event, one payment: found by our reference and checked against the event; its accounts
 * locked (wallet first), then its row, re-read; the event recorded once (a second time is a
 * duplicate) with whether it applies; then applied, or only noted when it is progress.
 */
async function applyToPayment(client: pg.ClientBase, e: PaymentEvent, kind: PaymentKind): Promise<EventOutcome> {
  const { rows } = await client.query(kind.findSql, [e.reference, e.provider]);
  const r = rows[0];
  const row: Found | undefined = r && {
    id: Number(r.id),
    playerId: Number(r.player_id),
    status: r.status,
    amountMinor: Number(r.amount_minor),
    providerRef: r.provider_ref,
    lastEventAtMs: eventAtMs(r.provider_event_at),
    wallet: Number(r.wallet),
    clearing: Number(r.clearing),
    held: r.held === null ? null : Number(r.held),
  };
  const refused = checkNamed(row, e);
  if (refused || !row) return refused!;
  invariant(r.clearing !== null, () => `no clearing account for provider ${e.provider}`);
  const accounts = await lockAccounts(client, [row.wallet, row.clearing, ...(row.held === null ? [] : [row.held])]);
  const { rows: locked } = await client.query(`select status, provider_event_at from ${kind.table} where id = $1 for update`, [row.id]);
  row.status = locked[0].status;
  row.lastEventAtMs = eventAtMs(locked[0].provider_event_at);
  const refusedNow = kind.refuse?.(row);
  if (refusedNow) return refusedNow;
  const ignored = ignoredBecause(row, kind.final, e, e.type === kind.progress);
  if (!(await recordEvent(client, e, kind.table, row.id, ignored))) return { outcome: 'duplicate' };
  if (ignored === 'informational') {
    await client.query(`update ${kind.table} set provider_event_at = $2, provider_ref = coalesce(provider_ref, $3) where id = $1`, [row.id, new Date(e.occurredAtMs), e.providerRef]);
  }
  if (ignored) return { outcome: 'ignored', because: ignored };
  return kind.apply(client, e, row, accounts.get(row.wallet)!.balanceMinor);
}

/** The payment the event names, or why the event is refused. */
function checkNamed(row: Found | undefined, e: PaymentEvent): EventOutcome | undefined {
  if (!row) return { outcome: 'unknown_payment' };
  if (row.amountMinor !== e.amountMinor) return { outcome: 'mismatch', why: `the event says ${e.amountMinor}, the payment is ${row.amountMinor}` };
  if (row.providerRef !== null && row.providerRef !== e.providerRef) return { outcome: 'mismatch', why: 'the event names another provider reference than the payment has' };
  return undefined;
}

/** Records the event (unique per provider) with whether it applies; false when it was recorded before: a duplicate. */
async function recordEvent(client: pg.ClientBase, e: PaymentEvent, table: PaymentKind['table'], paymentId: number, ignored: string | undefined): Promise<boolean> {
  const { rowCount } = await client.query(
    `insert into payment_events (provider, provider_event_id, type, deposit_id, withdrawal_id, applied, ignored_because, occurred_at)
     values ($1, $2, $3, $4, $5, $6, $7, $8) on conflict (provider, provider_event_id) do nothing`,
    [e.provider, e.eventId, e.type, table === 'deposits' ? paymentId : null, table === 'withdrawals' ? paymentId : null, ignored === undefined, ignored ?? null, new Date(e.occurredAtMs)],
  );
  return rowCount === 1;
}

/** Why an event changes nothing, or undefined when it applies. */
function ignoredBecause(row: Found, final: ReadonlySet<string>, e: PaymentEvent, progress: boolean): 'stale' | 'final' | 'informational' | undefined {
  if (final.has(row.status)) return 'final';
  if (row.lastEventAtMs !== null && e.occurredAtMs < row.lastEventAtMs) return 'stale';
  return progress ? 'informational' : undefined;
}

// ---- Deposits ------------------------------------------------------------------------------

/** The provider took the deposit: its reference and the answer a retry with the same key replays. */
export async function depositSent(pool: pg.Pool, depositId: number, providerRef: string, answer: object): Promise<void> {
  await pool.query(
    `update deposits set sent_at = coalesce(sent_at, now()), provider_ref = coalesce(provider_ref, $2), answer = coalesce(answer, $3) where id = $1`,
    [depositId, providerRef, JSON.stringify(answer)],
  );
}

export interface PaymentView {
  id: string;
  amountMinor: number;
  status: string;
  reason: string | null;
  requestedAt: string;
  completedAt: string | null;
}

export async function depositView(pool: pg.Pool, playerId: number, publicId: string): Promise<PaymentView | null> {
  const { rows } = await pool.query(
    `select public_id, amount_minor, status, decline_reason, created_at, completed_at from deposits where player_id = $1 and public_id = $2`,
    [playerId, publicId],
  );
  const r = rows[0];
  return r ? { id: r.public_id, amountMinor: Number(r.amount_minor), status: r.status, reason: r.decline_reason, requestedAt: iso(r.created_at)!, completedAt: iso(r.completed_at) } : null;
}

function iso(value: Date | string | null): string | null {
  return value === null ? null : new Date(value).toISOString();
}

// ---- Withdrawals ---------------------------------------------------------------------------

export type WithdrawalAsk =
  | { outcome: 'created'; id: number; publicId: string; status: 'review' | 'approved'; answer: Record<string, unknown> }
  | { outcome: 'existing'; id: number; publicId: string; status: string; answer: Record<string, unknown>; conflict: boolean }
  | { outcome: 'refused'; code: 'INSUFFICIENT_FUNDS' | 'KYC_REQUIRED'; message: string };

/**
 * A withdrawal asked for: with the wallet and the held account locked, the same key answers
 * what it answered (or IDEMPOTENCY_CONFLICT for another amount); an unverified player or a
 * balance short of the amount is refused; otherwise the amount moves to withdrawals_held at
 * once, and the withdrawal waits for review above `reviewAboveMinor`. Breaks and exclusions do
 * not stop it: the balance is the player's to take out.
 */
export async function requestWithdrawal(
  pool: pg.Pool,
  ask: { playerId: number; idempotencyKey: string; amountMinor: number; provider: string; reviewAboveMinor: number; nowMs: number },
): Promise<WithdrawalAsk> {
  return withTransaction(pool, async (client) => {
    const wallet = await walletOf(client, ask.playerId);
    const held = await systemAccountId(client, WITHDRAWALS_HELD);
    const accounts = await lockAccounts(client, [wallet, held]);
    const { rows: prior } = await client.query(
      `select id, public_id, status, amount_minor, answer from withdrawals where player_id = $1 and idempotency_key = $2`,
      [ask.playerId, ask.idempotencyKey],
    );
    if (prior.length === 1) {
      const p = prior[0];
      return { outcome: 'existing', id: Number(p.id), publicId: p.public_id, status: p.status, answer: p.answer, conflict: Number(p.amount_minor) !== ask.amountMinor };
    }
    const { rows: players } = await client.query(`select kyc_status from players where id = $1`, [ask.playerId]);
    if (players[0].kyc_status !== 'verified') {
      return { outcome: 'refused', code: 'KYC_REQUIRED', message: 'your identity is not verified: POST /api/me/identity, then withdraw once it is' };
    }
    const balance = accounts.get(wallet)!.balanceMinor;
    if (balance < ask.amountMinor) {
      return { outcome: 'refused', code: 'INSUFFICIENT_FUNDS', message: `your balance is ${balance}; this withdrawal is ${ask.amountMinor}` };
    }
    const holdId = await moveMoney(client, { from: wallet, to: held, amountMinor: ask.amountMinor, kind: 'withdrawal_hold', atMs: ask.nowMs });
    const status = ask.amountMinor > ask.reviewAboveMinor ? 'review' : 'approved';
    const publicId = `wd_${nanoid(16)}`;
    const answer = { withdrawalId: publicId, amountMinor: ask.amountMinor, status: status === 'review' ? 'review' : 'pending', balanceMinor: balance - ask.amountMinor };
    const { rows } = await client.query(
      `insert into withdrawals (public_id, player_id, idempotency_key, amount_minor, provider, status, answer, requested_at, hold_transfer_id)
       values ($1, $2, $3, $4, $5, $6, $7, $8, $9) returning id`,
      [publicId, ask.playerId, ask.idempotencyKey, ask.amountMinor, ask.provider, status, JSON.stringify(answer), new Date(ask.nowMs), holdId],
    );
    return { outcome: 'created', id: Number(rows[0].id), publicId, status, answer };
  });
}

/** The provider took an approved withdrawal: it is pending with it. */
export async function withdrawalSent(pool: pg.Pool, withdrawalId: number, providerRef: string): Promise<void> {
  await pool.query(
    `update withdrawals set status = case when status = 'approved' then 'pending' else status end, sent_at = coalesce(sent_at, now()), provider_ref = coalesce(provider_ref, $2)
      where id = $1`,
    [withdrawalId, providerRef],
  );
}

export type ReviewOutcome =
  | { outcome: 'approved'; id: number; publicId: string; playerPublicId: string; amountMinor: number }
  | { outcome: 'rejected'; playerId: number; publicId: string; amountMinor: number; balanceMinor: number }
  | { outcome: 'not_in_review'; status: string }
  | { outcome: 'unknown' };

/** An operator's decision on a withdrawal in review: approved (then sent), or rejected and returned to the wallet. */
export async function reviewWithdrawal(pool: pg.Pool, publicId: string, decision: { approve: boolean; operator: string; reason: string | null }, nowMs: number): Promise<ReviewOutcome> {
  return withTransaction(pool, async (client) => {
    const { rows } = await client.query(
      `select w.id, w.player_id, w.amount_minor, p.public_id as player, a.id as wallet from withdrawals w join players p on p.id = w.player_id
         join accounts a on a.player_id = w.player_id and a.kind = 'player_wallet' where w.public_id = $1`,
      [publicId],
    );
    if (rows.length === 0) return { outcome: 'unknown' };
    const r = rows[0];
    const held = await systemAccountId(client, WITHDRAWALS_HELD);
    const accounts = await lockAccounts(client, [Number(r.wallet), held]);
    const { rows: locked } = await client.query(`select status from withdrawals where id = $1 for update`, [r.id]);
    if (locked[0].status !== 'review') return { outcome: 'not_in_review', status: locked[0].status };
    const amountMinor = Number(r.amount_minor);
    if (decision.approve) {
      await client.query(`update withdrawals set status = 'approved', decided_by = $2, decided_at = $3, reason = $4 where id = $1`, [r.id, decision.operator, new Date(nowMs), decision.reason]);
      return { outcome: 'approved', id: Number(r.id), publicId, playerPublicId: r.player, amountMinor };
    }
    const transferId = await moveMoney(client, { from: held, to: Number(r.wallet), amountMinor, kind: 'withdrawal_return', atMs: nowMs });
    await client.query(
      `update withdrawals set status = 'rejected', decided_by = $2, decided_at = $3, reason = $4, completed_at = $3, final_transfer_id = $5 where id = $1`,
      [r.id, decision.operator, new Date(nowMs), decision.reason ?? 'rejected', transferId],
    );
    return { outcome: 'rejected', playerId: Number(r.player_id), publicId, amountMinor, balanceMinor: accounts.get(Number(r.wallet))!.balanceMinor + amountMinor };
  });
}

export async function withdrawalView(pool: pg.Pool, playerId: number | null, publicId: string): Promise<(PaymentView & { player: string }) | null> {
  const { rows } = await pool.query(
    `select w.public_id, w.amount_minor, w.status, w.reason, w.requested_at, w.completed_at, p.public_id as player
       from withdrawals w join players p on p.id = w.player_id where w.public_id = $1 and ($2::int8 is null or w.player_id = $2)`,
    [publicId, playerId],
  );
  const r = rows[0];
  return r
    ? { id: r.public_id, player: r.player, amountMinor: Number(r.amount_minor), status: r.status, reason: r.reason, requestedAt: iso(r.requested_at)!, completedAt: iso(r.completed_at) }
    : null;
}

/** Withdrawals in a status (review: the operators' queue), oldest first. */
export async function withdrawalsIn(pool: pg.Pool, status: string, limit: number): Promise<(PaymentView & { player: string })[]> {
  const { rows } = await pool.query(
    `select w.public_id, w.amount_minor, w.status, w.reason, w.requested_at, w.completed_at, p.public_id as player
       from withdrawals w join players p on p.id = w.player_id where w.status = $1 order by w.requested_at, w.id limit $2`,
    [status, limit],
  );
  return rows.map((r) => ({ id: r.public_id, player: r.player, amountMinor: Number(r.amount_minor), status: r.status, reason: r.reason, requestedAt: iso(r.requested_at)!, completedAt: iso(r.completed_at) }));
}

/** Approved withdrawals the provider has not taken yet (it was unreachable): sent again by the payout sender. */
export async function unsentWithdrawals(pool: pg.Pool, limit: number): Promise<{ id: number; publicId: string; playerPublicId: string; amountMinor: number }[]> {
  const { rows } = await pool.query(
    `select w.id, w.public_id, p.public_id as player, w.amount_minor from withdrawals w join players p on p.id = w.player_id
      where w.status = 'approved' order by w.id limit $1`,
    [limit],
  );
  return rows.map((r) => ({ id: Number(r.id), publicId: r.public_id, playerPublicId: r.player, amountMinor: Number(r.amount_minor) }));
}
