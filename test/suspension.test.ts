// An operator suspends a player (issue 13): every session ends at once, open sockets close
// SESSION_ENDED, login is refused until the account is active again; every change is kept
// with its reason and operator; a closed account stays closed.
import t from 'tap';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { http, newPlayer, openDraw, PlayerConnection, playerIdsByEmail, startTestServer, type TestServer } from './support/harness.ts';
import { until } from './support/wait.ts';
import { operators, type OperatorLogin } from './support/operators.ts';

const PASSWORD = 'correct horse battery staple';
let ts: TestServer;
let support: OperatorLogin;

t.before(async () => {
  ts = await startTestServer();
  support = (await operators(ts.httpUrl)).support;
});
t.teardown(() => ts.close());

async function setStatus(playerId: string, body: unknown, operator: OperatorLogin | null = support) {
  const res = await fetch(`${ts.httpUrl}/api/operator/players/${playerId}/status`, {
    method: 'POST',
    headers: operator ? operator.headers : { 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

t.test('a suspension ends every session at once and refuses login until lifted', async (t) => {
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl, 1_000);
  const publicId = (await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).body.playerId;
  const conn = await PlayerConnection.join(ts.wsUrl, token, draw.publicId);
  let closed: number | undefined;
  conn.room.onLeave((code: number) => (closed = code));

  t.match(await setStatus(publicId, { status: 'suspended', reason: 'chargeback under review' }, null), { status: 401 }, 'operators only');
  t.match(await setStatus('p_nosuchplayer0000', { status: 'suspended', reason: 'x y z' }), { status: 404, body: { code: 'NOT_FOUND' } });
  t.match(await setStatus('not-a-player', { status: 'suspended', reason: 'x y z' }), { status: 400, body: { code: 'BAD_REQUEST' } });
  t.match(await setStatus(publicId, { status: 'frozen', reason: 'x y z' }), { status: 400, body: { code: 'BAD_REQUEST', message: /status/ } });

  const askedMs = Date.now();
  t.match(await setStatus(publicId, { status: 'suspended', reason: 'chargeback under review' }), { status: 200, body: { from: 'active', to: 'suspended' } });
  t.ok(await until(() => closed !== undefined, 1_000, 5), `the open socket closed within a second (${Date.now() - askedMs} ms)`);
  t.equal(closed, SalesCloseCode.SESSION_ENDED);
  t.equal((await http(ts.httpUrl, 'GET', '/api/me', undefined, token)).status, 401, 'the token no longer works');
  t.match(await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: PASSWORD }), { status: 403, body: { code: 'UNAUTHORIZED', message: /suspended/ } });

  t.match(await setStatus(publicId, { status: 'active', reason: 'chargeback withdrawn' }), { status: 200, body: { from: 'suspended', to: 'active' } });
  t.equal((await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: PASSWORD })).status, 200, 'active again: login works');
  t.match(await setStatus(publicId, { status: 'closed', reason: 'asked by the player' }), { status: 200, body: { to: 'closed' } });
  t.match(await setStatus(publicId, { status: 'active', reason: 'reopen' }), { status: 404 }, 'a closed account stays closed');

  const { playerId } = await playerIdsByEmail(ts.pool, email);
  const { rows } = await ts.pool.query(`select from_status, to_status, reason, operator from player_status_changes where player_id = $1 order by id`, [playerId]);
  t.same(rows, [
    { from_status: 'active', to_status: 'suspended', reason: 'chargeback under review', operator: 'support' },
    { from_status: 'suspended', to_status: 'active', reason: 'chargeback withdrawn', operator: 'support' },
    { from_status: 'active', to_status: 'closed', reason: 'asked by the player', operator: 'support' },
  ], 'every change kept, with its reason and operator');
});
