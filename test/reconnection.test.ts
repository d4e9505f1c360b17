// The SDK's reconnection works on Node 20: a player whose socket drops gets its seat back
// (same room, same session), resends the bets it heard nothing about with the same
// requestIds, and ends up with exactly one ticket each, charged once.
//
// Colyseus checks `client.readyState !== WebSocket.OPEN` when a client reconnects, and
// Node 20 has no global WebSocket: every reconnection failed with 4003 "WebSocket is not
// defined". The server now provides the `ws` package's WebSocket as the global when there
// is none (app/webSocketGlobal.ts), which is also the class the SDK uses in Node anyway.
import { createRequire } from 'node:module';
import { EventEmitter } from 'node:events';
import t from 'tap';
import { uWebSocketClient } from '@colyseus/uwebsockets-transport';
import { matchMaker } from '@colyseus/core';
import { Client } from '@colyseus/sdk';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';
import { until } from './support/wait.ts';
import { http, newPlayer, openDraw, PlayerConnection, roomDataFrame, startTestServer, type TestServer } from './support/harness.ts';

const { WebSocket: NodeWebSocket } = createRequire(import.meta.url)('ws');
let ts: TestServer;

t.before(async () => {
  ts = await startTestServer({ env: { BET_RATE_PER_SECOND: '1000', BET_RATE_BURST: '1000' } });
});
t.afterEach(async () => {
  t.same((await checkLedger(ts.pool, linePricesOf(allGames()))).violations, [], 'ledger invariants hold');
});
t.teardown(() => ts.close());

t.test('the WebSocket global is the ws package’s, with the readyState numbers Colyseus compares', async (t) => {
  const global = (globalThis as any).WebSocket;
  t.equal(global, NodeWebSocket, 'the global is ws’s WebSocket');
  t.equal(new uWebSocketClient('probe', new EventEmitter() as any).readyState, global.OPEN, 'an open uWS client reads as WebSocket.OPEN');
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.ok(conn.socket instanceof NodeWebSocket, 'the SDK in this process still talks through ws');
  await conn.leave();
});

t.test('a dropped socket reconnects to its seat; its unanswered bets, resent with the same requestIds, get exactly one ticket each', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 100_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const { room } = conn;
  room.reconnection.minUptime = 0;
  room.reconnection.minDelay = 50;
  room.reconnection.maxDelay = 200;
  room.reconnection.maxRetries = 5;
  const { roomId, sessionId } = room;
  let dropped = 0;
  let reconnected = 0;
  let leftWith: number | undefined;
  room.onDrop(() => dropped++);
  room.onReconnect(() => reconnected++);
  room.onLeave((code: number) => (leftWith = code));
  const acks = new Map<string, string[]>();
  room.onMessage('bet:accepted', (m: any) => acks.set(m.requestId, [...(acks.get(m.requestId) ?? []), m.ticketId]));

  const sent = Array.from({ length: 20 }, (_, i) => ({ requestId: `rc-${i}`, quickPick: 1 }));
  for (const bet of sent.slice(0, 10)) room.send('bet', bet);
  // Some replies on their way, some bets not yet taken: kill the TCP socket under the SDK.
  conn.socket._socket.destroy();
  for (const bet of sent.slice(10)) room.send('bet', bet); // queued by the SDK while it is away

  t.ok(await until(() => reconnected > 0 || leftWith !== undefined, 10_000), 'the SDK either reconnected or gave up');
  t.equal(leftWith, undefined, `it did not give up (left with ${leftWith})`);
  t.equal(dropped, 1, 'one drop');
  t.equal(reconnected, 1, 'one reconnection');
  t.equal(room.roomId, roomId, 'the same room');
  t.equal(room.sessionId, sessionId, 'the same seat');

  // Whatever it heard nothing about goes again, same ids; duplicates are expected and harmless.
  for (const bet of sent) if (!acks.has(bet.requestId)) room.send('bet', bet);
  t.ok(await until(() => sent.every((b) => acks.has(b.requestId)), 10_000), 'every bet is acknowledged');
  await until(() => false, 200);
  const { rows } = await ts.pool.query(`select request_id, id from tickets where draw_id = $1`, [draw.id]);
  t.equal(rows.length, sent.length, 'exactly one ticket per request id');
  const byRequest = new Map(rows.map((r) => [r.request_id, `T${r.id}`]));
  for (const bet of sent) {
    const ids = new Set(acks.get(bet.requestId));
    t.same([...ids], [byRequest.get(bet.requestId)], `${bet.requestId}: every acknowledgement names its one ticket`);
  }
  const me = await http(ts.httpUrl, 'GET', '/api/me', undefined, token);
  t.equal(me.body.balanceMinor, 100_000 - sent.length * 200, 'charged once per ticket');
  if (leftWith === undefined) await conn.leave();
});

t.test('a reconnection that replaces a connection the server still thinks open (half-open TCP) gets the seat', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const { roomId, sessionId, reconnectionToken } = conn.room;
  const oldClosed = new Promise<number>((resolve) => conn.room.onLeave((code: number) => resolve(code)));
  // The old socket is still open on the server: Colyseus drops it (4002) to let this one in.
  const client = new Client(ts.wsUrl);
  const room = await Promise.race([client.reconnect(reconnectionToken), new Promise<null>((r) => setTimeout(() => r(null), 10_000))]).catch((err) => {
    t.fail(`reconnect refused: ${err?.message}`);
    return null;
  });
  t.ok(room, 'reconnected');
  if (!room) return;
  t.equal(room.roomId, roomId, 'to the same room');
  t.equal(room.sessionId, sessionId, 'and the same seat');
  const replies = new PlayerConnection(client, room);
  t.equal((await replies.bet({ requestId: 'replaced-1', quickPick: 1 })).type, 'bet:accepted', 'and bets');
  // Colyseus hands the seat over without closing the socket it replaced (it only closes a
  // client whose ref is unchanged): left open, and answering pings, it would stay forever.
  t.ok(await Promise.race([oldClosed, new Promise<null>((r) => setTimeout(() => r(null), 2_000))]), 'the replaced socket is closed');
  await replies.leave();
});

t.test('a connection Colyseus closes for an unreadable frame keeps no seat', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token } = await newPlayer(ts.httpUrl, 10_000);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  const { roomId, sessionId, reconnectionToken } = conn.room;
  const left = new Promise<number>((resolve) => conn.room.onLeave((code: number) => resolve(code)));
  conn.sendRaw(roomDataFrame('bet', Buffer.from([0x82, 0xa1]))); // msgpack cut short
  t.ok((await left) >= 4000, 'closed');
  await until(() => false, 100);
  t.notOk(matchMaker.getLocalRoomById(roomId)?.hasReservedSeat(sessionId, reconnectionToken.split(':')[1]), 'no seat is held for it');
});
