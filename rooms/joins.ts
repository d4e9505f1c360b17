// rooms/joins.ts — who may join a sales room: asked at matchmaking (HTTP), before any room
// is found or created, by the room class's static onAuth (SalesRoom.ts, salesRoomType).
import { ServerError } from '@colyseus/core';
import { ErrorCode } from '../core/errors.ts';
import { DRAW_ID_PATTERN } from '../core/patterns.ts';
import { isDatabaseUnavailable } from '../ledger/faults.ts';
import type { SessionPlayer } from '../ledger/players.ts';
import { jurisdictionById } from '../games/jurisdictions.ts';
import { seatRefusal } from './seats.ts';
import type { RoomServices } from './services.ts';

/**
 * A join needs the ledger (the session, the draw, its totals). When the database is away that
 * is a 503 SERVICE_UNAVAILABLE the client retries, not an unexplained matchmaking failure.
 */
export async function unlessLedgerAway<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    if (isDatabaseUnavailable(err)) throw new ServerError(503, `${ErrorCode.SERVICE_UNAVAILABLE}: the ledger cannot be reached right now; try again`);
    throw err;
  }
}

/** A player with a seat, and the address they joined from (rechecked while connected). */
export interface JoinedPlayer extends SessionPlayer {
  clientAddress: string;
}

/**
 * The player a session token names, if they may take a seat in the draw the options name
 * from where they are (`address`: the matchmaking request's client, app/clientAddress.ts).
 */
export async function authorizeJoin(services: Pick<RoomServices, 'authenticate' | 'seats' | 'geo' | 'pool' | 'jurisdictions'>, token: string, options: unknown, address: string): Promise<JoinedPlayer> {
  const drawId = (options as { drawId?: unknown } | null)?.drawId;
  if (typeof drawId !== 'string' || !DRAW_ID_PATTERN.test(drawId)) {
    throw new ServerError(400, `${ErrorCode.BAD_REQUEST}: join options need a drawId`);
  }
  const player = await unlessLedgerAway(services.authenticate(token));
  if (!player) throw new ServerError(401, `${ErrorCode.UNAUTHORIZED}: missing, expired or revoked session token`);
  if (player.status !== 'active') throw new ServerError(403, `${ErrorCode.UNAUTHORIZED}: account is ${player.status}`);
  if (player.scope !== 'play') throw new ServerError(403, `${ErrorCode.EXCLUDED}: this session was opened during a break or self-exclusion, to withdraw only`);
  // This process's seats only (in a cluster the room may live elsewhere; its own process
  // then checks in reserveSeat), but it answers the common case with a clear code.
  const refusal = seatRefusal(services.seats.count(player.playerId, drawId));
  if (refusal) throw new ServerError(429, `${ErrorCode.TOO_MANY_SEATS}: ${refusal}`);
  const notOffered = await unlessLedgerAway(gameNotOffered(services, player.playerId, drawId));
  if (notOffered) throw new ServerError(403, `${ErrorCode.GAME_NOT_OFFERED}: ${notOffered}`);
  const where = await unlessLedgerAway(services.geo.check(player.playerId, address, 'join'));
  if (!where.permitted) throw new ServerError(403, `${ErrorCode.LOCATION_NOT_PERMITTED}: ${where.reason}`);
  return { ...player, clientAddress: where.address };
}

/**
 * Why the draw's game is not sold to this player: not among the games their account's
 * jurisdiction offers (config/jurisdictions.json). Undefined when it is, or when there is no
 * such draw (the room answers that).
 */
async function gameNotOffered(services: Pick<RoomServices, 'pool' | 'jurisdictions'>, playerId: number, drawPublicId: string): Promise<string | undefined> {
  const { rows } = await services.pool.query(
    `select p.jurisdiction, d.game_id from players p cross join draws d where p.id = $1 and d.public_id = $2`,
    [playerId, drawPublicId],
  );
  if (rows.length === 0) return undefined;
  const jurisdiction = jurisdictionById(services.jurisdictions, rows[0].jurisdiction);
  if (jurisdiction?.games.includes(rows[0].game_id)) return undefined;
  return `${rows[0].game_id} is not offered in ${jurisdiction?.name ?? rows[0].jurisdiction}, where your account is`;
}
