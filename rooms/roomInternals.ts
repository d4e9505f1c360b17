// rooms/roomInternals.ts — the Colyseus Room internals SalesRoom wraps, and the start-up
// check that they are still there (an upgrade of @colyseus/core that renames or reshapes
// them must stop the server at start, not silently unwrap our limits).
//
// Checked against @colyseus/core 0.18.17 (build/Room.mjs):
//  - `_onMessage(client, buffer)` receives every frame of a joined client; `_onJoin` binds
//    `this._onMessage` per client, so an instance property replaces it. SalesRoom enforces
//    its per-socket frame limit there, before Colyseus decodes (and counts) anything.
//  - `_reserveSeat(sessionId, joinOptions, authData, seconds, allowReconnection, devModeToken)`
//    is what the matchmaker calls (by name, possibly from another process) to take a seat;
//    it sets `_reservedSeats[sessionId] = [options, auth, consumed, isReconnection]`
//    synchronously before its first await.
// Checked against @colyseus/uwebsockets-transport 0.18.x: `uWebSocketClient.ref` (a public
// getter) holds the uWS socket as `.ws`, which SalesRoom corks and ends; without it replies
// would still go out, one syscall each, and a replaced socket would stay open.
import { Room } from '@colyseus/core';
import { uWebSocketClient } from '@colyseus/uwebsockets-transport';
import { invariant } from '../core/errors.ts';

type OnMessage = (this: Room, client: unknown, buffer: Buffer) => void;
type ReserveSeat = (
  this: Room,
  sessionId: string,
  joinOptions?: unknown,
  authData?: unknown,
  seconds?: number,
  allowReconnection?: boolean,
  devModeReconnectionToken?: string,
) => Promise<boolean>;

const prototype = Room.prototype as unknown as { _onMessage: OnMessage; _reserveSeat: ReserveSeat };

/**
 * Throws unless the internals SalesRoom wraps exist with the shape it was written for.
 * Called once at start-up (app/libraryInternals.ts); the arguments are for its test.
 */
export function assertRoomInternals(room: object = Room.prototype, client: object = uWebSocketClient.prototype): void {
  const r = room as Partial<typeof prototype>;
  invariant(typeof r._onMessage === 'function', 'Colyseus Room._onMessage is gone: re-check rooms/roomInternals.ts');
  invariant(r._onMessage.length === 2, 'Colyseus Room._onMessage no longer takes (client, buffer)');
  invariant(typeof r._reserveSeat === 'function', 'Colyseus Room._reserveSeat is gone: re-check rooms/roomInternals.ts');
  const ref = Object.getOwnPropertyDescriptor(client, 'ref');
  invariant(typeof ref?.get === 'function', 'uWebSocketClient.ref is gone: re-check rooms/roomInternals.ts (SalesRoom corks and ends its socket)');
}

/** Colyseus' own frame handling for `room`. */
export function colyseusOnMessage(room: Room, client: unknown, buffer: Buffer): void {
  prototype._onMessage.call(room, client, buffer);
}

/** Colyseus' own seat reservation for `room`. */
export function colyseusReserveSeat(room: Room, args: Parameters<ReserveSeat>): Promise<boolean> {
  return prototype._reserveSeat.apply(room, args);
}

/**
 * Whether Colyseus still counts the client's socket open: its readyState (a private field,
 * `ClientPrivate`), OPEN = 1 in uWebSocketClient, which app/webSocketGlobal.ts checks
 * against WebSocket.OPEN at start-up. Colyseus sets it to CLOSING when it closes a client.
 */
export function clientOpen(client: unknown): boolean {
  return (client as { readyState?: number }).readyState === 1;
}

/** `_reservedSeats[sessionId]`: [join options, auth data, consumed (connecting), kept for reconnection]. */
export type ReservedSeat = [unknown, unknown, boolean, boolean];

/** The seat Colyseus holds for `sessionId` in `room`, reserved but not (or not yet again) connected. */
export function reservedSeat(room: Room, sessionId: string): ReservedSeat | undefined {
  return (room as unknown as { _reservedSeats: Record<string, ReservedSeat | undefined> })._reservedSeats[sessionId];
}

/** Replaces `room`'s frame handler and seat reservation with its own (instance properties). */
export function wrapRoomInternals(room: Room, own: { onMessage: (client: unknown, buffer: Buffer) => void; reserveSeat?: (...args: Parameters<ReserveSeat>) => Promise<boolean> }): void {
  const target = room as unknown as { _onMessage: unknown; _reserveSeat: unknown; _reservedSeats: unknown };
  invariant(typeof target._reservedSeats === 'object' && target._reservedSeats !== null, 'Colyseus Room._reservedSeats is gone');
  target._onMessage = own.onMessage;
  if (own.reserveSeat) target._reserveSeat = own.reserveSeat;
}

/**
 * Clears the timers Colyseus keeps per reserved seat (`_reservedSeatTimeouts`: 15 s for a join,
 * the reconnection window for a dropped client). Colyseus leaves them running when a room is
 * disposed, which holds a stopping process up to that long with nothing left to serve.
 */
export function clearSeatTimers(room: Room): void {
  const timers = (room as unknown as { _reservedSeatTimeouts?: Record<string, NodeJS.Timeout> })._reservedSeatTimeouts;
  invariant(typeof timers === 'object' && timers !== null, 'Colyseus Room._reservedSeatTimeouts is gone');
  for (const id of Object.keys(timers)) {
    clearTimeout(timers[id]);
    delete timers[id];
  }
}
