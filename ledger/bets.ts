// ledger/bets.ts — one group-commit transaction for a batch of bets from all rooms.
//
// Order of work inside the transaction, and why:
//   1. draws FOR SHARE (id order): the fence. Closing a draw is an UPDATE, which waits
//      for us and after which no batch can see the draw open.
//   2. every wallet and pool account FOR UPDATE in one statement, id order: concurrent
//      batches (other processes) serialise per account and can never deadlock.
//   3. look up existing tickets for the (player, request id) pairs. Every ticket insert
//      holds its player's wallet lock, so after step 2 this read is exact.
//   4. decide each bet in JavaScript against the locked balances (exact, per bet).
//   5. one statement inserts tickets and stake transfers and applies one balance delta
//      per account: each pool is credited once per batch, not once per bet.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';

export interface BetToWrite {
  playerId: number;
  walletAccountId: number;
  drawId: number;
  requestId: string;
  lines: number[][];
  quickPick: boolean;
  costMinor: number;
  receivedAtMs: number;
  /** Public ticket id to use if this bet is accepted (fresh per attempt). */
  ticketPublicId: string;
}

export type BetRejectCode = 'DRAW_CLOSED' | 'DRAW_NOT_OPEN' | 'INSUFFICIENT_FUNDS';

export type BetResult =
  | {
      status: 'accepted';
      ticketId: string;
      lines: number[][];
      costMinor: number;
      balanceMinor: number;
      receivedAtMs: number;
      /** True when an earlier request with this id already bought the ticket. */
      duplicate: boolean;
      /** Database key of the ticket: internal, never sent to players. */
      ticketRowId: number;
    }
  | { status: 'rejected'; code: BetRejectCode; message: string };

interface LockedDraw {
  id: number;
  status: string;
  openAtMs: number;
  cutoffAtMs: number;
  poolAccountId: number;
  /** Database clock still within cutoff + grace. */
  withinGrace: boolean;
}

export async function writeBetBatch(client: pg.PoolClient, bets: BetToWrite[], cutoffGraceMs: number): Promise<BetResult[]> {
  invariant(bets.length > 0, 'empty bet batch');
  await client.query('begin');
  try {
    const results = await decideAndWrite(client, bets, cutoffGraceMs);
    await client.query('commit');
    return results;
  } catch (err) {
    await client.query('rollback').catch(() => {});
    throw err;
  }
}

async function decideAndWrite(client: pg.PoolClient, bets: BetToWrite[], cutoffGraceMs: number): Promise<BetResult[]> {
  const drawIds = [...new Set(bets.map((b) => b.drawId))].sort((a, b) => a - b);
  const drawRows = await client.query(
    `select id, status, open_at, cutoff_at, pool_account_id,
            clock_timestamp() < cutoff_at + make_interval(secs => $2::double precision / 1000) as within_grace
       from draws where id = any($1::int8[]) order by id for share`,
    [drawIds, cutoffGraceMs],
  );
  const draws = new Map<number, LockedDraw>();
  for (const r of drawRows.rows) {
    draws.set(r.id, {
      id: r.id,
      status: r.status,
      openAtMs: new Date(r.open_at).getTime(),
      cutoffAtMs: new Date(r.cutoff_at).getTime(),
      poolAccountId: r.pool_account_id,
      withinGrace: r.within_grace,
    });
  }

  const accountIds = new Set<number>();
  for (const b of bets) accountIds.add(b.walletAccountId);
  for (const d of draws.values()) accountIds.add(d.poolAccountId);
  const accountRows = await client.query<{ id: number; balance_minor: number }>(
    'select id, balance_minor from accounts where id = any($1::int8[]) order by id for update',
    [[...accountIds].sort((a, b) => a - b)],
  );
  const balances = new Map<number, number>(accountRows.rows.map((r) => [r.id, r.balance_minor]));

  const existing = await client.query(
    `select t.id, t.player_id, t.request_id, t.public_id, t.lines, t.cost_minor, t.received_at
       from tickets t
       join unnest($1::int8[], $2::text[]) as k(player_id, request_id)
         on t.player_id = k.player_id and t.request_id = k.request_id`,
    [bets.map((b) => b.playerId), bets.map((b) => b.requestId)],
  );
  const existingByKey = new Map<string, any>(existing.rows.map((r) => [`${r.player_id}:${r.request_id}`, r]));

  const results: BetResult[] = [];
  const accepted: { bet: BetToWrite; poolAccountId: number; resultIndex: number }[] = [];
  const deltas = new Map<number, number>();
  for (const bet of bets) {
    const balance = balances.get(bet.walletAccountId);
    invariant(balance !== undefined, `wallet ${bet.walletAccountId} not found`);
    const prior = existingByKey.get(`${bet.playerId}:${bet.requestId}`);
    if (prior) {
      results.push({
        status: 'accepted',
        ticketId: prior.public_id,
        lines: prior.lines,
        costMinor: prior.cost_minor,
        balanceMinor: balance,
        receivedAtMs: new Date(prior.received_at).getTime(),
        duplicate: true,
        ticketRowId: prior.id,
      });
      continue;
    }
    const draw = draws.get(bet.drawId);
    if (!draw || draw.status !== 'open' || bet.receivedAtMs >= draw.cutoffAtMs || !draw.withinGrace) {
      const before = draw !== undefined && draw.status === 'scheduled' && bet.receivedAtMs < draw.cutoffAtMs;
      results.push(
        before
          ? { status: 'rejected', code: 'DRAW_NOT_OPEN', message: 'sales for this draw have not opened yet' }
          : { status: 'rejected', code: 'DRAW_CLOSED', message: 'sales for this draw are closed' },
      );
      continue;
    }
    if (bet.receivedAtMs < draw.openAtMs) {
      results.push({ status: 'rejected', code: 'DRAW_NOT_OPEN', message: 'sales for this draw had not opened when the bet arrived' });
      continue;
    }
    if (balance < bet.costMinor) {
      results.push({ status: 'rejected', code: 'INSUFFICIENT_FUNDS', message: `ticket costs ${bet.costMinor}, balance is ${balance}` });
      continue;
    }
    balances.set(bet.walletAccountId, balance - bet.costMinor);
    deltas.set(bet.walletAccountId, (deltas.get(bet.walletAccountId) ?? 0) - bet.costMinor);
    deltas.set(draw.poolAccountId, (deltas.get(draw.poolAccountId) ?? 0) + bet.costMinor);
    accepted.push({ bet, poolAccountId: draw.poolAccountId, resultIndex: results.length });
    results.push({
      status: 'accepted',
      ticketId: bet.ticketPublicId,
      lines: bet.lines,
      costMinor: bet.costMinor,
      balanceMinor: balance - bet.costMinor,
      receivedAtMs: bet.receivedAtMs,
      duplicate: false,
      ticketRowId: 0,
    });
  }

  if (accepted.length > 0) {
    const rowIds = await insertAccepted(client, accepted, deltas);
    for (const a of accepted) {
      const result = results[a.resultIndex];
      const rowId = rowIds.get(a.bet.ticketPublicId);
      invariant(result.status === 'accepted' && rowId !== undefined, `ticket ${a.bet.ticketPublicId} missing after insert`);
      result.ticketRowId = rowId;
    }
  }
  return results;
}

async function insertAccepted(
  client: pg.PoolClient,
  accepted: { bet: BetToWrite; poolAccountId: number }[],
  deltas: Map<number, number>,
): Promise<Map<string, number>> {
  const deltaIds = [...deltas.keys()].sort((a, b) => a - b);
  const { rows } = await client.query(
    `with input as (
       select * from unnest($1::text[], $2::int8[], $3::int8[], $4::text[], $5::text[], $6::int2[], $7::int8[],
                            $8::bool[], $9::timestamptz[], $10::int8[], $11::int8[])
         as i(public_id, draw_id, player_id, request_id, lines, line_count, cost_minor, quick_pick, received_at, wallet, pool)
     ), ticket as (
       insert into tickets (public_id, draw_id, player_id, request_id, lines, line_count, cost_minor, quick_pick, received_at)
       select public_id, draw_id, player_id, request_id, lines::jsonb, line_count, cost_minor, quick_pick, received_at from input
       returning id, public_id
     ), stake as (
       insert into transfers (debit_account_id, credit_account_id, amount_minor, kind, ticket_id)
       select i.wallet, i.pool, i.cost_minor, 'stake', t.id from ticket t join input i using (public_id)
       returning 1
     ), balance as (
       update accounts a set balance_minor = a.balance_minor + d.delta
         from unnest($12::int8[], $13::int8[]) as d(id, delta)
        where a.id = d.id
       returning 1
     )
     select t.id, t.public_id, (select count(*) from stake)::int8 as stakes, (select count(*) from balance)::int8 as accounts
       from ticket t`,
    [
      accepted.map((a) => a.bet.ticketPublicId),
      accepted.map((a) => a.bet.drawId),
      accepted.map((a) => a.bet.playerId),
      accepted.map((a) => a.bet.requestId),
      accepted.map((a) => JSON.stringify(a.bet.lines)),
      accepted.map((a) => a.bet.lines.length),
      accepted.map((a) => a.bet.costMinor),
      accepted.map((a) => a.bet.quickPick),
      accepted.map((a) => new Date(a.bet.receivedAtMs)),
      accepted.map((a) => a.bet.walletAccountId),
      accepted.map((a) => a.poolAccountId),
      deltaIds,
      deltaIds.map((id) => deltas.get(id)),
    ],
  );
  // Pair assertion: what we decided is exactly what was written, or the batch rolls back.
  invariant(rows.length === accepted.length, `batch wrote ${rows.length} tickets, expected ${accepted.length}`);
  invariant(rows[0].stakes === accepted.length, `batch wrote ${rows[0].stakes} stake transfers, expected ${accepted.length}`);
  invariant(rows[0].accounts === deltaIds.length, `batch updated ${rows[0].accounts} accounts, expected ${deltaIds.length}`);
  return new Map(rows.map((r) => [r.public_id as string, r.id as number]));
}
