// app/walletApi.ts — money over HTTP (issue 14): deposits and withdrawals asked for, the
// provider's webhooks, the player's statement, and the operators' review queues for large
// withdrawals and held prizes.
//
// Every money request carries an idempotencyKey, per player: the same key and amount answer
// what the first request answered (header idempotent-replayed: true); the same key with another
// amount is IDEMPOTENCY_CONFLICT. The answer to a deposit or a withdrawal is 202 `pending` (or
// `review`): the money moves when the provider's signed webhook says so (ledger/payments.ts),
// and the player's open rooms hear it as a `wallet` message.
import type pg from 'pg';
import type { ResultNotifier } from '../actors/ResultNotifier.ts';
import type { RiskMonitor } from '../actors/RiskMonitor.ts';
import { AppError, ErrorCode, invariant } from '../core/errors.ts';
import type { Clock } from '../core/clock.ts';
import { REVIEW_QUEUE_LISTED_MAX, STATEMENT_PAGE_DEFAULT } from '../core/limits.ts';
import type { Logger } from '../core/logger.ts';
import {
  applyPaymentEvent,
  depositSent,
  depositView,
  requestWithdrawal,
  reviewWithdrawal,
  unsentWithdrawals,
  withdrawalSent,
  withdrawalsIn,
  withdrawalView,
} from '../ledger/payments.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { prizeHoldsIn, reviewPrize } from '../ledger/prizeHolds.ts';
import { hasChosenLimits } from '../ledger/protection.ts';
import { statementPage } from '../ledger/statement.ts';
import { ticketPublicId, ticketRowId } from '../ledger/tickets.ts';
import { insertDepositIntent } from '../ledger/wallet.ts';
import { accessCheck, operatorOf, type OperatorAccess } from './access.ts';
import type { HttpResponse, HttpRoutes } from './http.ts';
import type { PaymentProvider } from './payments.ts';
import { route, type AnyRouteSpec } from './routeSpec.ts';
import { encodeStatementCursor, schemas } from './schemas.ts';

export interface WalletApiDeps {
  pool: pg.Pool;
  clock: Clock;
  logger: Logger;
  provider: PaymentProvider;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  operators: OperatorAccess;
  /** Tells the player's open rooms, in every process. */
  notices: Pick<ResultNotifier, 'walletChanged'>;
  /** Withdrawals above this wait for an operator (config WITHDRAWAL_REVIEW_ABOVE_MINOR). */
  reviewAboveMinor: number;
  /** What a deposit answer asks of a player with no limits of their own. */
  limitsPrompt: object;
  /** Hears completed deposits (the structuring rule); absent when RISK_MONITOR=off. */
  risk?: Pick<RiskMonitor, 'onDeposit'>;
}

const CURRENCY = 'EUR';
const PRIVATE = { 'cache-control': 'private, no-store' };
const REPLAYED = { ...PRIVATE, 'idempotent-replayed': 'true' };
/** How often approved withdrawals the provider has not taken yet are offered again. */
const PAYOUT_RETRY_MS = 10_000;

export function registerWalletApi(routes: HttpRoutes, deps: WalletApiDeps): () => void {
  const table: AnyRouteSpec[] = [
    deposit(deps),
    depositStatus(deps),
    withdraw(deps),
    withdrawalStatus(deps),
    statement(deps),
    webhook(deps),
    withdrawalQueue(deps),
    withdrawalDecision(deps),
    prizeQueue(deps),
    prizeDecision(deps),
  ];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
  // Approved withdrawals the provider could not take when asked are offered again: the
  // provider dedupes on our withdrawal id, so every process may do it.
  const timer = setInterval(() => void retryPayouts(deps), PAYOUT_RETRY_MS);
  timer.unref();
  return () => clearInterval(timer);
}

const deposit = (deps: WalletApiDeps) =>
  route({
    method: 'POST',
    path: '/api/wallet/deposits',
    summary: 'Deposit through the payment provider: answered pending; the wallet is credited when the provider confirms it (the open rooms hear a `wallet` message)',
    security: 'session',
    body: schemas.deposit,
    responses: {
      202: 'Asked: { depositId, amountMinor, status: "pending" } (with limitsPrompt while the player has no limits of their own); the same key and amount replay this answer',
      403: 'LIMIT_REACHED: a deposit limit; EXCLUDED: on a break or self-excluded; KYC_REQUIRED: identity not verified',
      409: 'IDEMPOTENCY_CONFLICT: the key was used with another amount',
      503: 'SERVICE_UNAVAILABLE: the provider could not be reached; nothing was charged, retry with the same key',
    },
    async handle({ player, body }) {
      invariant(player !== null, 'a deposit without its player');
      const intent = await insertDepositIntent(deps.pool, player.playerId, body.idempotencyKey, body.amount, deps.provider.name, deps.clock.nowMs());
      if ('refused' in intent) throw new AppError(ErrorCode[intent.refused], intent.message, 403);
      if (intent.conflict) throw new AppError(ErrorCode.IDEMPOTENCY_CONFLICT, 'idempotencyKey was used with another amount', 409);
      const prompt = (await hasChosenLimits(deps.pool, player.playerId)) ? {} : { limitsPrompt: deps.limitsPrompt };
      if (intent.answer !== null) return { status: 202, body: { ...intent.answer, ...prompt }, headers: REPLAYED };
      // New, or asked before while the provider was unreachable: the provider dedupes on our id.
      let providerRef: string;
      try {
        ({ providerRef } = await deps.provider.startDeposit({ reference: intent.publicId, amountMinor: body.amount, currency: CURRENCY, playerRef: player.publicId }));
      } catch (err) {
        deps.logger.warn({ playerId: player.publicId, depositId: intent.publicId, err: { message: (err as Error).message } }, 'payment provider unreachable');
        throw new AppError(ErrorCode.SERVICE_UNAVAILABLE, 'the payment provider could not be reached; nothing was charged: retry with the same idempotencyKey', 503);
      }
      const answer = { depositId: intent.publicId, amountMinor: body.amount, status: 'pending' };
      await depositSent(deps.pool, intent.id, providerRef, answer);
      return { status: 202, body: { ...answer, ...prompt }, headers: PRIVATE };
    },
  });

const depositStatus = (deps: WalletApiDeps) =>
  route({
    method: 'GET',
    path: '/api/wallet/deposits/:depositId',
    summary: 'One of your deposits: pending, completed, declined or failed',
    security: 'session',
    params: schemas.depositParams,
    responses: { 200: '{ id, amountMinor, status, reason, requestedAt, completedAt }', 404: 'NOT_FOUND' },
    async handle({ player, params }) {
      const view = await depositView(deps.pool, player!.playerId, params.depositId);
      if (!view) throw new AppError(ErrorCode.NOT_FOUND, 'no such deposit of yours', 404);
      return { status: 200, body: view, headers: PRIVATE };
    },
  });

const withdraw = (deps: WalletApiDeps) =>
  route({
    method: 'POST',
    path: '/api/wallet/withdrawals',
    summary: 'Withdraw to your payment account: the amount leaves the wallet at once (held), and is paid by the provider, or comes back if it fails; large ones wait for an operator',
    security: 'withdrawSession',
    body: schemas.withdrawal,
    responses: {
      202: 'Asked: { withdrawalId, amountMinor, status: "pending" | "review", balanceMinor }; the same key and amount replay this answer',
      403: 'KYC_REQUIRED: identity not verified',
      409: 'IDEMPOTENCY_CONFLICT: the key was used with another amount',
      422: 'INSUFFICIENT_FUNDS',
    },
    async handle({ player, body }) {
      invariant(player !== null, 'a withdrawal without its player');
      const asked = await requestWithdrawal(deps.pool, {
        playerId: player.playerId,
        idempotencyKey: body.idempotencyKey,
        amountMinor: body.amount,
        provider: deps.provider.name,
        reviewAboveMinor: deps.reviewAboveMinor,
        nowMs: deps.clock.nowMs(),
      });
      if (asked.outcome === 'refused') throw new AppError(ErrorCode[asked.code], asked.message, asked.code === 'KYC_REQUIRED' ? 403 : 422);
      if (asked.outcome === 'existing') {
        if (asked.conflict) throw new AppError(ErrorCode.IDEMPOTENCY_CONFLICT, 'idempotencyKey was used with another amount', 409);
        if (asked.status === 'approved') await sendPayout(deps, { id: asked.id, publicId: asked.publicId, playerPublicId: player.publicId, amountMinor: body.amount });
        return { status: 202, body: asked.answer, headers: REPLAYED };
      }
      deps.notices.walletChanged(player.playerId, { payment: 'withdrawal', id: asked.publicId, status: asked.status === 'review' ? 'review' : 'pending', amountMinor: body.amount, balanceMinor: asked.answer.balanceMinor as number });
      if (asked.status === 'approved') await sendPayout(deps, { id: asked.id, publicId: asked.publicId, playerPublicId: player.publicId, amountMinor: body.amount });
      return { status: 202, body: asked.answer, headers: PRIVATE };
    },
  });

/** Offers an approved withdrawal to the provider; if it cannot be reached the withdrawal stays approved and is offered again later. */
async function sendPayout(deps: WalletApiDeps, w: { id: number; publicId: string; playerPublicId: string; amountMinor: number }): Promise<void> {
  try {
    const { providerRef } = await deps.provider.startPayout({ reference: w.publicId, amountMinor: w.amountMinor, currency: CURRENCY, playerRef: w.playerPublicId });
    await withdrawalSent(deps.pool, w.id, providerRef);
  } catch (err) {
    deps.logger.warn({ withdrawalId: w.publicId, err: { message: (err as Error).message } }, 'payout not taken by the provider; offered again later');
  }
}

async function retryPayouts(deps: WalletApiDeps): Promise<void> {
  try {
    for (const w of await unsentWithdrawals(deps.pool, 100)) await sendPayout(deps, w);
  } catch (err) {
    deps.logger.warn({ err: { message: (err as Error).message } }, 'offering approved withdrawals again failed');
  }
}

const withdrawalStatus = (deps: WalletApiDeps) =>
  route({
    method: 'GET',
    path: '/api/wallet/withdrawals/:withdrawalId',
    summary: 'One of your withdrawals: review, approved, pending, paid, failed or rejected',
    security: 'withdrawSession',
    params: schemas.withdrawalParams,
    responses: { 200: '{ id, amountMinor, status, reason, requestedAt, completedAt }', 404: 'NOT_FOUND' },
    async handle({ player, params }) {
      const view = await withdrawalView(deps.pool, player!.playerId, params.withdrawalId);
      if (!view) throw new AppError(ErrorCode.NOT_FOUND, 'no such withdrawal of yours', 404);
      const { player: _owner, ...mine } = view;
      return { status: 200, body: mine, headers: PRIVATE };
    },
  });

const statement = (deps: WalletApiDeps) =>
  route({
    method: 'GET',
    path: '/api/wallet/transactions',
    summary: 'Every movement of your money, newest first, with its reason: stakes, prizes, refunds, deposits, withdrawals, held prizes released',
    security: 'withdrawSession',
    query: schemas.statementQuery,
    responses: { 200: '{ transactions: [{ at, kind, amountMinor, reason, ticketId?, drawId?, depositId?, withdrawalId? }], nextCursor }', 400: 'INVALID_LIMIT, INVALID_CURSOR' },
    async handle({ player, query }) {
      invariant(player !== null, 'a statement without its player');
      const page = await statementPage(deps.pool, player.playerId, player.walletAccountId, query.limit ?? STATEMENT_PAGE_DEFAULT, query.cursor);
      return {
        status: 200,
        body: { transactions: page.movements.map(({ cursor: _c, ...m }) => m), nextCursor: page.next && encodeStatementCursor(page.next) },
        headers: PRIVATE,
      };
    },
  });

// Answered 2xx once recorded (applied, a duplicate, or ignored as stale or final), so the
// provider stops sending it; refused (4xx, logged) when the signature or the event is wrong.
const webhook = (deps: WalletApiDeps) =>
  route({
    method: 'POST',
    path: '/api/payments/webhooks/:provider',
    summary: "The payment provider's events, signed over the raw body (x-payment-signature: t=<unix seconds>,v1=<HMAC-SHA256 hex of t.body>; at most 5 minutes from our clock)",
    params: schemas.paymentProvider,
    responses: {
      200: 'Recorded: { outcomes }',
      400: 'BAD_REQUEST: not an event of the provider; UNKNOWN_EVENT: no such payment of ours, or the event does not match it',
      401: 'INVALID_SIGNATURE: missing, wrong, or timestamped more than 5 minutes from now',
    },
    async handle({ req, params }) {
      if (params.provider !== deps.provider.name) throw new AppError(ErrorCode.NOT_FOUND, `no payment provider "${params.provider}" is configured`, 404);
      const reading = deps.provider.readWebhook(req.headers, req.rawBody ?? Buffer.alloc(0), deps.clock.nowMs());
      if (!reading.ok) {
        deps.logger.warn({ provider: params.provider, from: req.remoteAddress, why: reading.why }, 'payment webhook refused');
        throw new AppError(reading.status === 401 ? ErrorCode.INVALID_SIGNATURE : ErrorCode.BAD_REQUEST, reading.why, reading.status);
      }
      const outcomes: string[] = [];
      for (const event of reading.events) {
        const done = await applyPaymentEvent(deps.pool, event);
        outcomes.push(done.outcome === 'ignored' ? `ignored: ${done.because}` : done.outcome);
        if (done.outcome === 'unknown_payment' || done.outcome === 'mismatch') {
          const why = done.outcome === 'mismatch' ? done.why : 'no payment of ours has that reference';
          deps.logger.warn({ provider: params.provider, eventId: event.eventId, reference: event.reference, why }, 'payment webhook refused');
          throw new AppError(ErrorCode.UNKNOWN_EVENT, why, 400);
        }
        if (done.outcome === 'applied') {
          deps.logger.info({ payment: done.payment, id: done.publicId, status: done.status }, 'payment status changed');
          deps.notices.walletChanged(done.playerId, { payment: done.payment, id: done.publicId, status: done.status, amountMinor: done.amountMinor, balanceMinor: done.balanceMinor });
          if (done.payment === 'deposit' && done.status === 'completed') deps.risk?.onDeposit({ playerId: done.playerId, amountMinor: done.amountMinor });
        }
      }
      return { status: 200, body: { outcomes } };
    },
  });

/** Money decisions: finance, and admins. */
const FINANCE = ['admin', 'finance'] as const;

const withdrawalQueue = (deps: WalletApiDeps) =>
  route({
    method: 'GET',
    path: '/api/operator/withdrawals',
    summary: 'Withdrawals in a status, oldest first: the review queue when no status is named',
    security: 'operator',
    roles: FINANCE,
    query: schemas.reviewQueueQuery,
    responses: { 200: '{ withdrawals: [{ id, player, amountMinor, status, reason, requestedAt, completedAt }] }' },
    async handle({ query }) {
      return { status: 200, body: { withdrawals: await withdrawalsIn(deps.pool, query.status ?? 'review', REVIEW_QUEUE_LISTED_MAX) }, headers: PRIVATE };
    },
  });

function requireReason(body: { approve: boolean; reason?: string }): string | null {
  if (!body.approve && body.reason === undefined) throw new AppError(ErrorCode.BAD_REQUEST, 'reason is required to reject', 400);
  return body.reason ?? null;
}

const withdrawalDecision = (deps: WalletApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/withdrawals/:withdrawalId/decision',
    summary: 'Approve a withdrawal waiting for review (it goes to the provider), or reject it with a reason (the money goes back to the wallet)',
    security: 'operator',
    roles: FINANCE,
    params: schemas.withdrawalParams,
    body: schemas.reviewDecision,
    responses: { 200: '{ id, status }', 404: 'NOT_FOUND', 409: 'NOT_IN_REVIEW: already decided' },
    async handle(caller): Promise<HttpResponse> {
      const { params, body } = caller;
      const reason = requireReason(body);
      const operator = operatorOf(caller).name;
      const done = await reviewWithdrawal(deps.pool, params.withdrawalId, { approve: body.approve, operator, reason }, deps.clock.nowMs());
      if (done.outcome === 'unknown') throw new AppError(ErrorCode.NOT_FOUND, 'no such withdrawal', 404);
      if (done.outcome === 'not_in_review') throw new AppError(ErrorCode.NOT_IN_REVIEW, `the withdrawal is ${done.status}, not waiting for review`, 409);
      deps.logger.info({ withdrawalId: params.withdrawalId, operator, outcome: done.outcome }, 'withdrawal reviewed');
      if (done.outcome === 'approved') {
        await sendPayout(deps, done);
        return { status: 200, body: { id: params.withdrawalId, status: (await withdrawalView(deps.pool, null, params.withdrawalId))!.status } };
      }
      deps.notices.walletChanged(done.playerId, { payment: 'withdrawal', id: done.publicId, status: 'rejected', amountMinor: done.amountMinor, balanceMinor: done.balanceMinor });
      return { status: 200, body: { id: params.withdrawalId, status: 'rejected' } };
    },
  });

const prizeQueue = (deps: WalletApiDeps) =>
  route({
    method: 'GET',
    path: '/api/operator/prize-holds',
    summary: 'Prizes held for review (at or above their jurisdiction\'s threshold), oldest first; or those released or forfeited',
    security: 'operator',
    roles: FINANCE,
    query: schemas.reviewQueueQuery,
    responses: { 200: '{ prizes: [{ ticketId, drawId, player, jurisdiction, amountMinor, status, heldAt, taxMinor, decidedBy, decidedAt, reason }] }' },
    async handle({ query }) {
      const held = await prizeHoldsIn(deps.pool, query.status ?? 'held', REVIEW_QUEUE_LISTED_MAX);
      return { status: 200, body: { prizes: held.map(({ ticketRowId, ...h }) => ({ ticketId: ticketPublicId(ticketRowId), ...h })) }, headers: PRIVATE };
    },
  });

const prizeDecision = (deps: WalletApiDeps) =>
  route({
    method: 'POST',
    path: '/api/operator/prize-holds/:ticketId/decision',
    summary: 'Release a held prize to the winner\'s wallet (less the tax their jurisdiction withholds), or forfeit it to the house with a reason',
    security: 'operator',
    roles: FINANCE,
    params: schemas.ticketParams,
    body: schemas.reviewDecision,
    responses: { 200: '{ ticketId, status, amountMinor, taxMinor, paidMinor }', 404: 'NOT_FOUND', 409: 'NOT_IN_REVIEW: already decided' },
    async handle(caller) {
      const { params, body } = caller;
      const reason = requireReason(body);
      const operator = operatorOf(caller).name;
      const done = await reviewPrize(deps.pool, ticketRowId(params.ticketId)!, { approve: body.approve, operator, reason }, deps.clock.nowMs());
      if (done.outcome === 'unknown') throw new AppError(ErrorCode.NOT_FOUND, 'no prize of that ticket is or was held', 404);
      if (done.outcome === 'not_held') throw new AppError(ErrorCode.NOT_IN_REVIEW, `the prize is ${done.status}, not held`, 409);
      deps.logger.info({ ticketId: params.ticketId, operator, outcome: done.outcome }, 'held prize reviewed');
      if (done.outcome === 'released') {
        deps.notices.walletChanged(done.playerId, { payment: 'prize', id: params.ticketId, status: 'released', amountMinor: done.paidMinor, balanceMinor: done.balanceMinor });
      }
      if (done.outcome === 'forfeited') return { status: 200, body: { ticketId: params.ticketId, status: 'forfeited', amountMinor: done.amountMinor, taxMinor: 0, paidMinor: 0 } };
      return { status: 200, body: { ticketId: params.ticketId, status: 'released', amountMinor: done.amountMinor, taxMinor: done.taxMinor, paidMinor: done.paidMinor } };
    },
  });
