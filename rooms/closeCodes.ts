// rooms/closeCodes.ts — the WebSocket close codes a sales room closes a connection with on
// purpose, part of the protocol (README "Sales rooms").
//
// 4000..4999 belong to the application. Colyseus uses 4000 (consented leave), 4001 (server
// shutdown), 4002 (error), 4003 (failed to reconnect) and 4010 (may try to reconnect). The
// SDK reconnects by itself only after 1001, 1005, 1006 and 4010, so a connection closed
// with one of these codes is not retried: each means "do not come back as you were".
export const SalesCloseCode = {
  /** Unreadable frames: not the Colyseus protocol. */
  PROTOCOL_ERROR: 4400,
  /**
   * The session behind the connection ended (logout, expiry, suspension, password change):
   * every bet it sent before was answered; log in again.
   */
  SESSION_ENDED: 4401,
  /**
   * More frames per second than any client needs. Every bet the room took before the cut
   * was answered; what was sent after it was not read: rejoin and resend those (same
   * requestIds), slower.
   */
  FLOODED: 4429,
  /** The player is no longer somewhere play is permitted (a periodic location check). */
  LOCATION_NOT_PERMITTED: 4451,
  /** This socket's seat was taken over by a reconnection with its token (a newer socket). */
  REPLACED: 4409,
  /**
   * The room's draw time came: the room is done. Every bet sent was answered first (after a
   * database outage some can still be waiting at draw time); the result is published at
   * GET /api/draws and on the stage.
   */
  DRAW_OVER: 4410,
} as const;
export type SalesCloseCode = (typeof SalesCloseCode)[keyof typeof SalesCloseCode];
