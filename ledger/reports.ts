// ledger/reports.ts — the operator's period report (issue 15): sales, prizes, gross gaming
// revenue, payments, player liabilities, responsible-gambling figures, large wins and risk
// alerts, for a period and optionally one game or one jurisdiction.
//
// How it is read, and why:
//   - One read-only REPEATABLE READ transaction: every section sees the same snapshot, so the
//     liabilities and the pending withdrawals add up with each other, and `asOf` is that
//     snapshot's time (the transaction's now()).
//   - Sales, prizes, GGR and large wins count by DRAW TIME: a draw's tickets and prizes belong
//     to the period its draw_at falls in, whenever the tickets were bought (advance play) or
//     the prizes paid. That is how the sealed pool and its settlement go together.
//   - Payments, responsible gambling and alerts count by EVENT TIME (completed_at,
//     requested_at, changed_at, raised_at). Liabilities and pending withdrawals are "as of"
//     the report's time, whatever the period.
//   - A period is [from, to): from included, to excluded, so consecutive days never overlap.
//   - The jurisdiction filter is the player's (players.jurisdiction); the game filter applies
//     to what has a game (draws, their tickets, prizes and alerts), and each section that has
//     no game says so (`gameFilter: 'not applicable'`).
//   - Every query is an index range scan bounded by the period (migration 024) or a scan of
//     the period's draws' tickets (tickets_draw); nothing reads a table whole but the wallets
//     for the liabilities, which are by nature the sum over every player.
// Money is integer minor units throughout; counts are integers.
import type pg from 'pg';
import { invariant } from '../core/errors.ts';
import { withTransaction } from './transaction.ts';
import { ticketPublicId } from './tickets.ts';

/** The longest period one report covers: a year and a little, for annual returns. */
export const REPORT_PERIOD_DAYS_MAX = 400;
export const REPORT_PERIOD_MS_MAX = REPORT_PERIOD_DAYS_MAX * 86_400_000;
/** A prize at or above this is a large win, unless the caller names another threshold. */
export const LARGE_WIN_THRESHOLD_MINOR_DEFAULT = 100_000;
/** Large wins listed by name (the count covers all of them). */
export const LARGE_WINS_LISTED_MAX = 200;
/** One report's statements: generous for a day of a million tickets, well inside the HTTP handler's bound. */
const REPORT_STATEMENT_MS_MAX = 60_000;

export interface ReportQuery {
  fromMs: number;
  toMs: number;
  game?: string | null;
  jurisdiction?: string | null;
  largeWinThresholdMinor?: number;
}

export interface Amount {
  count: number;
  amountMinor: number;
}

export interface GameSales {
  game: string;
  draws: number;
  drawsSettled: number;
  /** Voided draws: their stakes were refunded, so none of their tickets is in sales. */
  drawsVoided: number;
  tickets: number;
  lines: number;
  stakesMinor: number;
  /** Tickets of these draws refunded before their draw opened (a break or self-exclusion): not in `tickets`. */
  refunded: Amount;
}

export interface GamePrizes {
  game: string;
  /** Every prize awarded by settlement, held ones included. */
  prizes: Amount;
  /** Of those, still waiting for an operator's decision (in prizes_held). */
  held: Amount;
  released: Amount & { taxMinor: number };
  forfeited: Amount;
}

export interface GameGgr {
  game: string;
  stakesMinor: number;
  prizesMinor: number;
  ggrMinor: number;
  /** False while a draw of the period is not settled: its stakes are in, its prizes not yet. */
  complete: boolean;
}

export interface LargeWin {
  ticketId: string;
  drawId: string;
  game: string;
  drawAt: string;
  playerId: string;
  jurisdiction: string;
  amountMinor: number;
  /** held | released | forfeited when the prize went to review; null when paid at once. */
  review: string | null;
}

export interface PeriodReport {
  report: 'period';
  generatedAt: string;
  period: { from: string; to: string; note: string };
  filters: { game: string | null; jurisdiction: string | null };
  currency: string;
  sales: { basis: 'draw time'; games: GameSales[]; total: Omit<GameSales, 'game'> };
  prizes: { basis: 'draw time'; games: GamePrizes[]; total: Omit<GamePrizes, 'game'> };
  ggr: { basis: 'draw time'; definition: string; games: GameGgr[]; total: Omit<GameGgr, 'game'> };
  payments: {
    basis: 'event time';
    gameFilter: 'not applicable';
    depositsCompleted: Amount;
    withdrawalsPaid: Amount;
    /** As of `liabilities.asOf`, whatever the period. */
    withdrawalsPending: { asOf: string; review: Amount; approved: Amount; pending: Amount; total: Amount };
  };
  liabilities: {
    asOf: string;
    gameFilter: 'not applicable';
    players: number;
    walletsMinor: number;
    withdrawalsHeldMinor: number;
    prizesHeldMinor: number;
    totalMinor: number;
  };
  responsibleGambling: {
    basis: 'event time';
    gameFilter: 'not applicable';
    limitChanges: { source: string; kind: string; period: string; count: number; removals: number }[];
    limitsSetByPlayers: number;
    breaks: number;
    selfExclusions: number;
    exclusions: { kind: string; duration: string; count: number }[];
    statusChanges: { to: string; count: number }[];
  };
  largeWins: { basis: 'draw time'; thresholdMinor: number; count: number; listedMax: number; wins: LargeWin[] };
  alerts: { basis: 'event time'; note: string; count: number; open: number; byRule: { rule: string; severity: string; count: number; open: number }[] };
}

/** The parameters of the by-draw-time SQL: $1 from, $2 to, $3 game or null, $4 jurisdiction or null (the others take some of them). */
type Params = [Date, Date, string | null, string | null];

/** The period report, read in one snapshot (see the top of this file). */
export async function periodReport(pool: pg.Pool, q: ReportQuery): Promise<PeriodReport> {
  invariant(Number.isSafeInteger(q.fromMs) && Number.isSafeInteger(q.toMs), 'a report period is whole milliseconds');
  invariant(q.fromMs < q.toMs, 'a report period ends after it starts');
  invariant(q.toMs - q.fromMs <= REPORT_PERIOD_MS_MAX, `a report period is at most ${REPORT_PERIOD_DAYS_MAX} days`);
  const thresholdMinor = q.largeWinThresholdMinor ?? LARGE_WIN_THRESHOLD_MINOR_DEFAULT;
  invariant(Number.isSafeInteger(thresholdMinor) && thresholdMinor > 0, 'a large-win threshold is a positive whole amount');
  const params: Params = [new Date(q.fromMs), new Date(q.toMs), q.game ?? null, q.jurisdiction ?? null];
  return withTransaction(
    pool,
    async (client) => {
      const { rows } = await client.query(`select now() as as_of, (select currency from accounts where code = 'house') as currency`);
      const asOf = new Date(rows[0].as_of).toISOString();
      const sales = await salesSection(client, params);
      const prizes = await prizesSection(client, params);
      const payments = await paymentsSection(client, params, asOf);
      return {
        report: 'period',
        generatedAt: asOf,
        period: { from: params[0].toISOString(), to: params[1].toISOString(), note: 'from included, to excluded' },
        filters: { game: params[2], jurisdiction: params[3] },
        currency: rows[0].currency,
        sales,
        prizes,
        ggr: ggrSection(sales.games, prizes.games),
        payments,
        liabilities: await liabilitiesSection(client, params, asOf, payments.withdrawalsPending.total.amountMinor),
        responsibleGambling: await responsibleGamblingSection(client, params),
        largeWins: await largeWinsSection(client, params, thresholdMinor),
        alerts: await alertsSection(client, params),
      };
    },
    { isolation: 'repeatable read', readOnly: true, statementTimeoutMs: REPORT_STATEMENT_MS_MAX },
  );
}

const n = (v: unknown): number => (v === null || v === undefined ? 0 : Number(v));
const amount = (count: unknown, amountMinor: unknown): Amount => ({ count: n(count), amountMinor: n(amountMinor) });

/** The period's draws by game (draws_draw_at, or draws_game_draw_at with a game). */
const DRAWS_SQL = `
  select game_id, count(*)::int8 as draws, count(*) filter (where status = 'settled')::int8 as settled,
         count(*) filter (where status = 'voided')::int8 as voided
    from draws
   where draw_at >= $1 and draw_at < $2 and ($3::text is null or game_id = $3)
   group by game_id`;

/** Tickets of the period's draws that are in their draw (not refunded, draw not voided), by game. */
const SALES_SQL = `
  select d.game_id, count(*)::int8 as tickets, sum(t.line_count)::int8 as lines, sum(t.cost_minor)::int8 as stakes
    from draws d
    join tickets t on t.draw_id = d.id
   where d.draw_at >= $1 and d.draw_at < $2 and ($3::text is null or d.game_id = $3) and d.status <> 'voided'
     and t.refunded_at is null
     and ($4::text is null or t.player_id in (select id from players where jurisdiction = $4))
   group by d.game_id`;

const REFUNDS_SQL = `
  select d.game_id, count(*)::int8 as tickets, sum(r.amount_minor)::int8 as amount
    from draws d
    join ticket_refunds r on r.draw_id = d.id
   where d.draw_at >= $1 and d.draw_at < $2 and ($3::text is null or d.game_id = $3)
     and ($4::text is null or r.player_id in (select id from players where jurisdiction = $4))
   group by d.game_id`;

async function salesSection(client: pg.ClientBase, params: Params): Promise<PeriodReport['sales']> {
  const draws = await client.query(DRAWS_SQL, params.slice(0, 3));
  const sales = byGame((await client.query(SALES_SQL, params)).rows);
  const refunds = byGame((await client.query(REFUNDS_SQL, params)).rows);
  const games: GameSales[] = draws.rows
    .map((d) => {
      const s = sales.get(d.game_id);
      const r = refunds.get(d.game_id);
      return {
        game: d.game_id as string,
        draws: n(d.draws),
        drawsSettled: n(d.settled),
        drawsVoided: n(d.voided),
        tickets: n(s?.tickets),
        lines: n(s?.lines),
        stakesMinor: n(s?.stakes),
        refunded: amount(r?.tickets, r?.amount),
      };
    })
    .sort((a, b) => a.game.localeCompare(b.game));
  const total = {
    draws: sum(games, (g) => g.draws),
    drawsSettled: sum(games, (g) => g.drawsSettled),
    drawsVoided: sum(games, (g) => g.drawsVoided),
    tickets: sum(games, (g) => g.tickets),
    lines: sum(games, (g) => g.lines),
    stakesMinor: sum(games, (g) => g.stakesMinor),
    refunded: amount(sum(games, (g) => g.refunded.count), sum(games, (g) => g.refunded.amountMinor)),
  };
  return { basis: 'draw time', games, total };
}

/** Prizes of the period's draws (ticket_prizes_draw), held ones included, by game. */
const PRIZES_SQL = `
  select d.game_id, count(*)::int8 as prizes, sum(p.amount_minor)::int8 as amount
    from draws d
    join ticket_prizes p on p.draw_id = d.id
   where d.draw_at >= $1 and d.draw_at < $2 and ($3::text is null or d.game_id = $3)
     and ($4::text is null or exists (select 1 from tickets t join players pl on pl.id = t.player_id
                                       where t.id = p.ticket_id and pl.jurisdiction = $4))
   group by d.game_id`;

/** Prizes of the period's draws that went to review (prize_holds_draw), by game and where they stand now. */
const HOLDS_SQL = `
  select d.game_id, h.status, count(*)::int8 as prizes, sum(h.amount_minor)::int8 as amount, sum(coalesce(h.tax_minor, 0))::int8 as tax
    from draws d
    join prize_holds h on h.draw_id = d.id
   where d.draw_at >= $1 and d.draw_at < $2 and ($3::text is null or d.game_id = $3)
     and ($4::text is null or h.player_id in (select id from players where jurisdiction = $4))
   group by d.game_id, h.status`;

async function prizesSection(client: pg.ClientBase, params: Params): Promise<PeriodReport['prizes']> {
  const prizes = (await client.query(PRIZES_SQL, params)).rows;
  const holds = (await client.query(HOLDS_SQL, params)).rows;
  const gameIds = [...new Set([...prizes.map((r) => r.game_id as string), ...holds.map((r) => r.game_id as string)])].sort();
  const games: GamePrizes[] = gameIds.map((game) => {
    const p = prizes.find((r) => r.game_id === game);
    const h = (status: string) => holds.find((r) => r.game_id === game && r.status === status);
    return {
      game,
      prizes: amount(p?.prizes, p?.amount),
      held: amount(h('held')?.prizes, h('held')?.amount),
      released: { ...amount(h('released')?.prizes, h('released')?.amount), taxMinor: n(h('released')?.tax) },
      forfeited: amount(h('forfeited')?.prizes, h('forfeited')?.amount),
    };
  });
  const add = (pick: (g: GamePrizes) => Amount) => amount(sum(games, (g) => pick(g).count), sum(games, (g) => pick(g).amountMinor));
  const total = {
    prizes: add((g) => g.prizes),
    held: add((g) => g.held),
    released: { ...add((g) => g.released), taxMinor: sum(games, (g) => g.released.taxMinor) },
    forfeited: add((g) => g.forfeited),
  };
  return { basis: 'draw time', games, total };
}

/** GGR = stakes − prizes awarded, per game of the sales section; complete once every draw is settled. */
function ggrSection(sales: GameSales[], prizes: GamePrizes[]): PeriodReport['ggr'] {
  const games: GameGgr[] = sales.map((s) => {
    const prizesMinor = prizes.find((p) => p.game === s.game)?.prizes.amountMinor ?? 0;
    return { game: s.game, stakesMinor: s.stakesMinor, prizesMinor, ggrMinor: s.stakesMinor - prizesMinor, complete: s.draws === s.drawsSettled + s.drawsVoided };
  });
  // A prize without sales in the period cannot be: a draw's prizes come out of its own pool.
  for (const p of prizes) invariant(sales.some((s) => s.game === p.game), `prizes of ${p.game} without its draws in the report`);
  const stakesMinor = sum(games, (g) => g.stakesMinor);
  const prizesMinor = sum(games, (g) => g.prizesMinor);
  return {
    basis: 'draw time',
    definition: 'stakes of the tickets in the period\'s draws minus the prizes those draws awarded (held prizes included; a forfeited held prize is listed under prizes.forfeited)',
    games,
    total: { stakesMinor, prizesMinor, ggrMinor: stakesMinor - prizesMinor, complete: games.every((g) => g.complete) },
  };
}

const DEPOSITS_SQL = `
  select count(*)::int8 as n, sum(amount_minor)::int8 as amount from deposits
   where status = 'completed' and completed_at >= $1 and completed_at < $2
     and ($3::text is null or player_id in (select id from players where jurisdiction = $3))`;

const WITHDRAWALS_PAID_SQL = `
  select count(*)::int8 as n, sum(amount_minor)::int8 as amount from withdrawals
   where status = 'paid' and completed_at >= $1 and completed_at < $2
     and ($3::text is null or player_id in (select id from players where jurisdiction = $3))`;

/** Withdrawals not yet paid nor returned, now (withdrawals_status): their money is in withdrawals_held. */
const WITHDRAWALS_PENDING_SQL = `
  select status, count(*)::int8 as n, sum(amount_minor)::int8 as amount from withdrawals
   where status in ('review', 'approved', 'pending')
     and ($1::text is null or player_id in (select id from players where jurisdiction = $1))
   group by status`;

async function paymentsSection(client: pg.ClientBase, params: Params, asOf: string): Promise<PeriodReport['payments']> {
  const deposits = (await client.query(DEPOSITS_SQL, byEventTime(params))).rows[0];
  const paid = (await client.query(WITHDRAWALS_PAID_SQL, byEventTime(params))).rows[0];
  const pending = (await client.query(WITHDRAWALS_PENDING_SQL, [params[3]])).rows;
  const of = (status: string) => {
    const r = pending.find((p) => p.status === status);
    return amount(r?.n, r?.amount);
  };
  const total = amount(sum(pending, (r) => n(r.n)), sum(pending, (r) => n(r.amount)));
  return {
    basis: 'event time',
    gameFilter: 'not applicable',
    depositsCompleted: amount(deposits.n, deposits.amount),
    withdrawalsPaid: amount(paid.n, paid.amount),
    withdrawalsPending: { asOf, review: of('review'), approved: of('approved'), pending: of('pending'), total },
  };
}

const WALLETS_SQL = `
  select count(*)::int8 as n, sum(balance_minor)::int8 as amount from accounts
   where kind = 'player_wallet'
     and ($1::text is null or player_id in (select id from players where jurisdiction = $1))`;

const PRIZES_HELD_SQL = `
  select sum(amount_minor)::int8 as amount from prize_holds
   where status = 'held'
     and ($1::text is null or player_id in (select id from players where jurisdiction = $1))`;

const HELD_ACCOUNTS_SQL = `select code, balance_minor from accounts where code in ('withdrawals_held', 'prizes_held')`;

/**
 * What the operator owes players now: their wallets, the withdrawals they asked for and were
 * not yet paid, and their prizes waiting for review. For all jurisdictions, the held parts are
 * checked against the two holding accounts' balances (pair assertion: rows and ledger agree).
 */
async function liabilitiesSection(client: pg.ClientBase, params: Params, asOf: string, withdrawalsHeldMinor: number): Promise<PeriodReport['liabilities']> {
  const wallets = (await client.query(WALLETS_SQL, [params[3]])).rows[0];
  const prizesHeldMinor = n((await client.query(PRIZES_HELD_SQL, [params[3]])).rows[0].amount);
  if (params[3] === null) {
    const held = new Map((await client.query(HELD_ACCOUNTS_SQL)).rows.map((r) => [r.code as string, n(r.balance_minor)]));
    invariant(held.get('withdrawals_held') === withdrawalsHeldMinor, 'withdrawals not yet paid add up to withdrawals_held');
    invariant(held.get('prizes_held') === prizesHeldMinor, 'prizes held for review add up to prizes_held');
  }
  const walletsMinor = n(wallets.amount);
  return {
    asOf,
    gameFilter: 'not applicable',
    players: n(wallets.n),
    walletsMinor,
    withdrawalsHeldMinor,
    prizesHeldMinor,
    totalMinor: walletsMinor + withdrawalsHeldMinor + prizesHeldMinor,
  };
}

const LIMIT_CHANGES_SQL = `
  select source, kind, period, count(*)::int8 as n, count(*) filter (where amount_minor is null)::int8 as removals
    from player_limit_changes
   where requested_at >= $1 and requested_at < $2
     and ($3::text is null or player_id in (select id from players where jurisdiction = $3))
   group by source, kind, period
   order by source, kind, period`;

const EXCLUSIONS_SQL = `
  select kind, duration, count(*)::int8 as n from player_exclusions
   where requested_at >= $1 and requested_at < $2
     and ($3::text is null or player_id in (select id from players where jurisdiction = $3))
   group by kind, duration
   order by kind, duration`;

const STATUS_CHANGES_SQL = `
  select to_status, count(*)::int8 as n from player_status_changes
   where changed_at >= $1 and changed_at < $2
     and ($3::text is null or player_id in (select id from players where jurisdiction = $3))
   group by to_status
   order by to_status`;

async function responsibleGamblingSection(client: pg.ClientBase, params: Params): Promise<PeriodReport['responsibleGambling']> {
  const limits = (await client.query(LIMIT_CHANGES_SQL, byEventTime(params))).rows.map((r) => ({ source: r.source, kind: r.kind, period: r.period, count: n(r.n), removals: n(r.removals) }));
  const exclusions = (await client.query(EXCLUSIONS_SQL, byEventTime(params))).rows.map((r) => ({ kind: r.kind, duration: r.duration, count: n(r.n) }));
  const statusChanges = (await client.query(STATUS_CHANGES_SQL, byEventTime(params))).rows.map((r) => ({ to: r.to_status, count: n(r.n) }));
  return {
    basis: 'event time',
    gameFilter: 'not applicable',
    limitChanges: limits,
    limitsSetByPlayers: sum(limits.filter((l) => l.source === 'player'), (l) => l.count),
    breaks: sum(exclusions.filter((e) => e.kind === 'break'), (e) => e.count),
    selfExclusions: sum(exclusions.filter((e) => e.kind === 'self_exclusion'), (e) => e.count),
    exclusions,
    statusChanges,
  };
}

/** Prizes of the period's draws at or above $5, largest first, at most $6 (with the count of all of them). */
const LARGE_WINS_SQL = `
  select p.ticket_id, p.amount_minor, d.public_id as draw, d.game_id, d.draw_at, pl.public_id as player, pl.jurisdiction,
         h.status as review, count(*) over ()::int8 as total
    from draws d
    join ticket_prizes p on p.draw_id = d.id
    join tickets t on t.id = p.ticket_id
    join players pl on pl.id = t.player_id
    left join prize_holds h on h.ticket_id = p.ticket_id
   where d.draw_at >= $1 and d.draw_at < $2 and ($3::text is null or d.game_id = $3)
     and ($4::text is null or pl.jurisdiction = $4)
     and p.amount_minor >= $5
   order by p.amount_minor desc, p.ticket_id
   limit $6`;

async function largeWinsSection(client: pg.ClientBase, params: Params, thresholdMinor: number): Promise<PeriodReport['largeWins']> {
  const { rows } = await client.query(LARGE_WINS_SQL, [...params, thresholdMinor, LARGE_WINS_LISTED_MAX]);
  const wins: LargeWin[] = rows.map((r) => ({
    ticketId: ticketPublicId(n(r.ticket_id)),
    drawId: r.draw,
    game: r.game_id,
    drawAt: new Date(r.draw_at).toISOString(),
    playerId: r.player,
    jurisdiction: r.jurisdiction,
    amountMinor: n(r.amount_minor),
    review: r.review ?? null,
  }));
  return { basis: 'draw time', thresholdMinor, count: n(rows[0]?.total), listedMax: LARGE_WINS_LISTED_MAX, wins };
}

/** Alerts raised in the period (risk_alerts_raised), by rule and severity; with a game, only alerts about its draws. */
const ALERTS_SQL = `
  select rule, severity, count(*)::int8 as n, count(*) filter (where status = 'open')::int8 as open
    from risk_alerts a
   where raised_at >= $1 and raised_at < $2
     and ($3::text is null or a.draw_id in (select id from draws where game_id = $3))
     and ($4::text is null or a.player_id in (select id from players where jurisdiction = $4))
   group by rule, severity
   order by rule, severity`;

async function alertsSection(client: pg.ClientBase, params: Params): Promise<PeriodReport['alerts']> {
  const byRule = (await client.query(ALERTS_SQL, params)).rows.map((r) => ({ rule: r.rule, severity: r.severity, count: n(r.n), open: n(r.open) }));
  return {
    basis: 'event time',
    note: 'with a game filter, only alerts about a draw of that game; with a jurisdiction filter, only alerts about a player of it',
    count: sum(byRule, (r) => r.count),
    open: sum(byRule, (r) => r.open),
    byRule,
  };
}

/** $1 from, $2 to, $3 jurisdiction or null: what has no game. */
function byEventTime(params: Params): unknown[] {
  return [params[0], params[1], params[3]];
}

function byGame(rows: any[]): Map<string, any> {
  return new Map(rows.map((r) => [r.game_id as string, r]));
}

function sum<T>(items: readonly T[], pick: (item: T) => number): number {
  return items.reduce((s, item) => s + pick(item), 0);
}
