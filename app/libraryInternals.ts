// app/libraryInternals.ts — the one start-up check of every library internal the server
// relies on, so that an upgrade which renames or reshapes one stops the server at boot
// (a clear message naming the file to re-check), not on the first Redis blip or the first
// dropped client. Each check lives next to the code that uses the internal:
//  - rooms/roomInternals.ts: Room._onMessage, _reserveSeat, _reservedSeats; uWebSocketClient.ref;
//  - app/redis.ts: RedisDriver's room-list cache (RecoveringRedisDriver), RedisPresence's
//    pub/sub connections (LinkedRedisPresence);
//  - here: uWebSocketsTransport's listen socket, the only way to learn the port it got.
// Public APIs need no check; app/http.ts checks OwnHttpTransport's bindRouter itself.
import type { MatchMakerDriver, Presence } from '@colyseus/core';
import { uWebSocketsTransport } from '@colyseus/uwebsockets-transport';
import uWS from 'uWebSockets.js';
import { invariant } from '../core/errors.ts';
import { assertRoomInternals } from '../rooms/roomInternals.ts';
import { assertRedisDriverInternals, assertRedisPresenceInternals, LinkedRedisPresence, RecoveringRedisDriver } from './redis.ts';

/**
 * uWebSocketsTransport (0.18.x, build/uWebSocketsTransport.mjs) keeps the socket uWS hands
 * its listen callback in the private `_listeningSocket`, and exposes no port. With port 0
 * (tests, benchmarks) the kernel picks one, which only that socket knows.
 */
interface TransportInternals {
  listen: (...args: never[]) => unknown;
  _listeningSocket?: uWS.us_listen_socket | false;
}

/** Throws unless the transport (or its prototype) still records its listen socket so. */
export function assertTransportInternals(transport: object): void {
  const t = transport as Partial<TransportInternals>;
  invariant(typeof t.listen === 'function', 'uWebSocketsTransport.listen is gone: re-check app/libraryInternals.ts');
  invariant(String(t.listen).includes('_listeningSocket'), 'uWebSocketsTransport.listen no longer keeps _listeningSocket: re-check app/libraryInternals.ts');
}

/** The port a listening transport got (the configured one, or the kernel's pick for 0). */
export function listeningPort(transport: uWebSocketsTransport): number {
  const socket = (transport as unknown as TransportInternals)._listeningSocket;
  invariant(socket, 'the transport is not listening (no _listeningSocket after listen): re-check app/libraryInternals.ts');
  return uWS.us_socket_local_port(socket as unknown as uWS.us_socket);
}

/** Every internal, for the parts this server was built with (Redis ones only in a cluster). */
export function assertLibraryInternals(parts: { transport: uWebSocketsTransport; driver: MatchMakerDriver; presence: Presence }): void {
  assertRoomInternals();
  assertTransportInternals(parts.transport);
  if (parts.driver instanceof RecoveringRedisDriver) assertRedisDriverInternals(parts.driver);
  if (parts.presence instanceof LinkedRedisPresence) assertRedisPresenceInternals(parts.presence);
}
