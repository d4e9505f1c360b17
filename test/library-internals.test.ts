// The library internals the server relies on (app/libraryInternals.ts) are there in the
// installed versions, and the start-up check refuses a build where one is missing, so an
// upgrade that renames one stops the server at boot instead of on the first Redis blip.
import t from 'tap';
import { Room } from '@colyseus/core';
import { uWebSocketClient, uWebSocketsTransport } from '@colyseus/uwebsockets-transport';
import { Redis } from 'ioredis';
import { assertLibraryInternals, assertTransportInternals } from '../app/libraryInternals.ts';
import { OwnHttpTransport } from '../app/http.ts';
import { assertRedisDriverInternals, assertRedisPresenceInternals, LinkedRedisPresence, RecoveringRedisDriver } from '../app/redis.ts';
import { InvariantError } from '../core/errors.ts';
import { createLogger } from '../core/logger.ts';
import { assertRoomInternals } from '../rooms/roomInternals.ts';

/** An ioredis client that never connects: the checks read shapes, not Redis. */
const offline = () => new Redis({ lazyConnect: true, enableOfflineQueue: false });

t.test('the installed versions pass every start-up check', async (t) => {
  const driver = new RecoveringRedisDriver(offline(), createLogger('silent'));
  const presence = new LinkedRedisPresence(offline());
  t.doesNotThrow(() => assertLibraryInternals({ transport: new OwnHttpTransport(), driver, presence }));
  t.equal(presence.publishing, false, 'a presence that never connected is not publishing');
  // Nothing to close: lazy clients never connected.
});

t.test('a missing or reshaped internal fails the check, naming what to re-check', async (t) => {
  const { _onMessage, _reserveSeat } = Room.prototype as unknown as Record<string, unknown>;
  t.throws(() => assertRoomInternals({ _reserveSeat }), InvariantError, 'Room._onMessage gone');
  t.throws(() => assertRoomInternals({ _onMessage: () => {}, _reserveSeat }), /no longer takes/, 'Room._onMessage reshaped');
  t.throws(() => assertRoomInternals({ _onMessage }), /_reserveSeat is gone/);
  t.throws(() => assertRoomInternals(Room.prototype, {}), /uWebSocketClient\.ref is gone/);
  t.doesNotThrow(() => assertRoomInternals(Room.prototype, uWebSocketClient.prototype));

  t.throws(() => assertTransportInternals({}), /listen is gone/);
  t.throws(() => assertTransportInternals({ listen() {} }), /_listeningSocket/);
  t.doesNotThrow(() => assertTransportInternals(uWebSocketsTransport.prototype));

  const getRooms = (RecoveringRedisDriver.prototype as unknown as { getRooms: unknown }).getRooms;
  t.throws(() => assertRedisDriverInternals({}), /getRooms is gone/);
  t.throws(() => assertRedisDriverInternals({ getRooms }), /_roomCacheRequestByName is gone/);
  t.throws(() => assertRedisDriverInternals({ getRooms() {}, _roomCacheRequestByName: {} }), /_concurrentRoomCacheRequest/);

  t.throws(() => assertRedisPresenceInternals({}), /RedisPresence\.pub/);
  t.throws(() => assertRedisPresenceInternals({ pub: offline() }), /RedisPresence\.sub/);
});
