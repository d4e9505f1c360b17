// SOCKET_TRANSPORT=ws, bench:day's comparison with uWebSockets.js (app/wsTransport.ts): Colyseus'
// default transport serving players' WebSockets on a port of its own, the HTTP routes still on
// PORT. It starts only when acknowledged (it does not close slow clients at a bound), sells as
// the platform does, and closes both ports at shutdown.
import net from 'node:net';
import t from 'tap';
import { ConfigError, loadConfig } from '../app/config.ts';
import { freePort } from './support/cluster.ts';
import { http, newPlayer, openDraw, PlayerConnection, startTestServer, testDrawKeys } from './support/harness.ts';

function connects(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = net.connect(port, '127.0.0.1');
    socket.once('connect', () => (socket.destroy(), resolve(true)));
    socket.once('error', () => resolve(false));
  });
}

t.test('the ws transport starts only acknowledged, on a port of its own that clients are told', async (t) => {
  const ws = { ...testDrawKeys(), SOCKET_TRANSPORT: 'ws', SOCKET_PORT: '4100', PUBLIC_ADDRESS: '127.0.0.1:4100' };
  t.throws(() => loadConfig(ws), /BENCHMARK_WS_TRANSPORT=yes/);
  t.throws(() => loadConfig({ ...ws, BENCHMARK_WS_TRANSPORT: 'yes', SOCKET_PORT: undefined }), /needs SOCKET_PORT/);
  t.throws(() => loadConfig({ ...ws, BENCHMARK_WS_TRANSPORT: 'yes', PORT: '4100' }), /other than PORT/);
  t.throws(() => loadConfig({ ...ws, BENCHMARK_WS_TRANSPORT: 'yes', PUBLIC_ADDRESS: undefined }), ConfigError);
  t.throws(() => loadConfig({ ...testDrawKeys(), SOCKET_TRANSPORT: 'socket.io' }), /must be "uws" or "ws"/);
  const config = loadConfig({ ...ws, BENCHMARK_WS_TRANSPORT: 'yes' });
  t.same([config.socketTransport, config.socketPort], ['ws', 4100]);
  t.equal(loadConfig({ ...testDrawKeys() }).socketTransport, 'uws', 'uWebSockets.js by default');
});

t.test('on the ws transport bets are sold as on uWS, and shutdown closes both ports', async (t) => {
  const socketPort = await freePort();
  const ts = await startTestServer({ env: { SOCKET_TRANSPORT: 'ws', BENCHMARK_WS_TRANSPORT: 'yes', SOCKET_PORT: String(socketPort), PUBLIC_ADDRESS: `127.0.0.1:${socketPort}` } });
  let closed = false;
  t.teardown(() => (closed ? undefined : ts.close()));
  const { token } = await newPlayer(ts.httpUrl, 5_000);
  const draw = await openDraw(ts.pool);
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  t.match((conn.room.connection.transport as unknown as { ws: { url: string } }).ws.url, new RegExp(`^ws://127\\.0\\.0\\.1:${socketPort}/`), 'the socket went to SOCKET_PORT, as the seat reservation said');
  const replies = await Promise.all(Array.from({ length: 10 }, (_, i) => conn.bet({ requestId: `ws-${i}`, lines: [[1, 2, 3, 4, 5, 6 + i]] })));
  t.same(new Set(replies.map((r) => r.type)), new Set(['bet:accepted']), 'every bet accepted');
  const { rows } = await ts.pool.query<{ n: number }>('select count(*)::int as n from tickets where draw_id = $1', [draw.id]);
  t.equal(rows[0].n, 10, 'and written');
  const me = await http(ts.httpUrl, 'GET', '/api/me', undefined, token);
  t.equal(me.status, 200, 'HTTP is served on PORT');
  await conn.leave();
  const httpPort = Number(new URL(ts.httpUrl).port);
  await ts.close();
  closed = true;
  t.notOk(await connects(socketPort), 'the socket port is closed');
  t.notOk(await connects(httpPort), 'and the HTTP port');
});
