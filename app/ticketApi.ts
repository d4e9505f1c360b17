// app/ticketApi.ts — a player's ticket history (ledger/ticketHistory.ts): their tickets,
// newest first, each with its lines, bet type, stake, result and a signed receipt, and one
// ticket by id. Self-service and private: a session sees its own player's tickets only, and
// another player's ticket id gets exactly the answer of an unknown one (404), so ticket ids,
// which are serial numbers, cannot be probed.
import type pg from 'pg';
import { AppError, ErrorCode, invariant } from '../core/errors.ts';
import { TICKET_HISTORY_PAGE_DEFAULT, TICKET_HISTORY_PAGE_MAX, TICKET_HISTORY_SCAN_ROWS_MAX } from '../core/limits.ts';
import type { TicketReceipt } from '../draw/receipt.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { playerTicket, ticketHistoryPage, ticketResult, type HistoryTicket } from '../ledger/ticketHistory.ts';
import { ticketPublicId, ticketRowId } from '../ledger/tickets.ts';
import { ticketRecordOf, type TicketRecord } from '../draw/encoding.ts';
import { accessCheck } from './access.ts';
import type { HttpRoutes } from './http.ts';
import { route, type AnyRouteSpec } from './routeSpec.ts';
import { encodeHistoryCursor, schemas } from './schemas.ts';

export interface TicketApiDeps {
  pool: pg.Pool;
  authenticate(token: unknown): Promise<SessionPlayer | null>;
  /** A ticket's receipt, signed again as a batch of one (app/receiptSigner.ts). */
  receipts: { reissue(ticket: TicketRecord): TicketReceipt };
  /** The player's pseudonym in a draw (draw/vault.ts), as their ticket's leaf names them. */
  pseudonym(drawPublicId: string, playerPublicId: string): string;
}

/** A player's tickets are theirs alone: no shared cache may keep a copy. */
const PRIVATE = { 'cache-control': 'private, no-store' };

export function registerTicketApi(routes: HttpRoutes, deps: TicketApiDeps): void {
  const table: AnyRouteSpec[] = [tickets(deps), ticket(deps)];
  const access = accessCheck(deps);
  for (const spec of table) routes.define(spec, access);
}

const tickets = (deps: TicketApiDeps) =>
  route({
    method: 'GET',
    path: '/api/tickets',
    summary:
      `The player's tickets, newest first (received time, then ticket id), ${TICKET_HISTORY_PAGE_DEFAULT} a page by default. ` +
      'Each with its draw, bet type, stake, lines, cost, result and signed receipt. Follow nextCursor until it is null; ' +
      `with a game or draw filter a request looks at most ${TICKET_HISTORY_SCAN_ROWS_MAX} tickets, so a page may be short, even empty, and still have a nextCursor`,
    security: 'session',
    query: schemas.ticketsQuery,
    responses: {
      200: '{ tickets: [{ ticketId, requestId, gameId, drawId, drawStatus, betType, stakeMinor, lines, lineCount, costMinor, quickPick, receivedAt, result, receipt }], nextCursor }',
      400: 'INVALID_CURSOR (malformed, or not one of yours), INVALID_PERIOD (from/to not an ISO 8601 instant in bounds, or to not after from), INVALID_LIMIT, BAD_REQUEST (game or draw malformed)',
    },
    async handle({ player, query }) {
      invariant(player !== null, 'ticket history without its player');
      const page = await ticketHistoryPage(deps.pool, {
        playerId: player.playerId,
        limit: query.limit ?? TICKET_HISTORY_PAGE_DEFAULT,
        afterRowId: query.cursor,
        gameId: query.game,
        drawPublicId: query.draw,
        fromMs: query.from,
        toMs: query.to,
      });
      if (page.status === 'unknown_cursor') throw new AppError(ErrorCode.INVALID_CURSOR, 'query parameter cursor is not one of yours: start again without it');
      invariant(page.tickets.length <= TICKET_HISTORY_PAGE_MAX, `history page of ${page.tickets.length} tickets`);
      const view = ticketViews(deps, player.publicId);
      const nextCursor = page.resumeAfterRowId === null ? null : encodeHistoryCursor(page.resumeAfterRowId);
      return { status: 200, headers: PRIVATE, body: { tickets: page.tickets.map(view), nextCursor } };
    },
  });

const ticket = (deps: TicketApiDeps) =>
  route({
    method: 'GET',
    path: '/api/tickets/:ticketId',
    summary: "One of the player's tickets, as GET /api/tickets shows it",
    security: 'session',
    params: schemas.ticketParams,
    responses: { 200: 'The ticket', 404: 'NOT_FOUND: no such ticket of yours (the same answer for a ticket of another player)' },
    async handle({ player, params }) {
      invariant(player !== null, 'a ticket without its player');
      const rowId = ticketRowId(params.ticketId);
      invariant(rowId !== null, 'the ticket id passed its schema but has no row id');
      const found = await playerTicket(deps.pool, player.playerId, rowId);
      if (!found) throw new AppError(ErrorCode.NOT_FOUND, 'no such ticket', 404);
      return { status: 200, headers: PRIVATE, body: ticketViews(deps, player.publicId)(found) };
    },
  });

/** Tickets as the API shows them, each player's pseudonym computed once per draw (one HMAC). */
function ticketViews(deps: TicketApiDeps, playerPublicId: string) {
  const pseudonyms = new Map<string, string>();
  return (t: HistoryTicket) => {
    let player = pseudonyms.get(t.drawPublicId);
    if (player === undefined) pseudonyms.set(t.drawPublicId, (player = deps.pseudonym(t.drawPublicId, playerPublicId)));
    // The draw's version, as the bet writer signed it at purchase (actors/BetWriter.ts).
    const record: TicketRecord = ticketRecordOf(t.leafVersion, {
      ticketId: ticketPublicId(t.rowId),
      drawId: t.drawPublicId,
      player,
      betType: t.betType,
      stakeMinor: t.stakeMinor,
      lines: t.lines,
      costMinor: t.costMinor,
      receivedAtMs: t.receivedAtMs,
    });
    return {
      ticketId: record.ticketId,
      requestId: t.requestId,
      gameId: t.gameId,
      drawId: t.drawPublicId,
      drawStatus: t.drawStatus,
      betType: t.betType,
      stakeMinor: t.stakeMinor,
      lines: t.lines,
      lineCount: t.lineCount,
      costMinor: t.costMinor,
      quickPick: t.quickPick,
      receivedAt: new Date(t.receivedAtMs).toISOString(),
      result: ticketResult(t),
      receipt: deps.receipts.reissue(record),
    };
  };
}
