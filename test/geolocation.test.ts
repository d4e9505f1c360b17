// Geolocation (issue 13): where a player connects from, by address (geoip-lite's database, or
// the configured territory for private addresses), checked at login (recorded, told), at every
// sales room join (refused LOCATION_NOT_PERMITTED outside permitted territories) and again
// while the socket is open (closed LOCATION_NOT_PERMITTED); X-Forwarded-For believed only from
// TRUSTED_PROXY; every check recorded.
import t from 'tap';
import { Client } from '@colyseus/sdk';
import { GeoGate, isPrivateAddress } from '../actors/GeoGate.ts';
import { loadConfig } from '../app/config.ts';
import { SalesCloseCode } from '../rooms/closeCodes.ts';
import { http, newPlayer, openDraw, playerIdsByEmail, startTestServer, testDrawKeys, type TestServer } from './support/harness.ts';
import { until } from './support/wait.ts';

const PASSWORD = 'correct horse battery staple';

async function matchmake(ts: TestServer, token: string, drawId: string, forwardedFor?: string) {
  const res = await fetch(`${ts.httpUrl}/matchmake/joinOrCreate/sales`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}`, ...(forwardedFor ? { 'x-forwarded-for': forwardedFor } : {}) },
    body: JSON.stringify({ drawId }),
  });
  return { status: res.status, body: await res.json() };
}

async function checksOf(ts: TestServer, playerId: number) {
  const { rows } = await ts.pool.query(`select source, address, country, region, located_by, permitted, reason from location_checks where player_id = $1 order by id`, [playerId]);
  return rows;
}

t.test('private and loopback addresses are the configured territory; public ones are looked up', async (t) => {
  for (const a of ['127.0.0.1', '::1', '10.1.2.3', '172.20.0.1', '192.168.1.1', '::ffff:192.168.1.1', 'fd00::1', '100.64.0.1']) t.ok(isPrivateAddress(a), a);
  for (const a of ['8.8.8.8', '2.2.2.2', '172.32.0.1', '2a00:1450:4001::1']) t.notOk(isPrivateAddress(a), a);
  const jurisdictions = loadConfig(testDrawKeys()).jurisdictions;
  const recorded: unknown[][] = [];
  const pool = { query: async (_sql: string, values: unknown[]) => (recorded.push(values), { rows: [] }) } as never;
  const gate = new GeoGate({ pool, clock: { nowMs: () => Date.now() }, jurisdictions });
  const cases: [string, boolean, string | null, string | null][] = [
    ['127.0.0.1', true, 'DE', null],
    ['81.2.69.160', true, 'GB', 'ENG'],
    ['24.24.24.24', true, 'US', 'NY'],
    ['99.240.0.1', true, 'CA', 'ON'],
    ['2.2.2.2', false, 'FR', null],
    ['8.8.8.8', false, 'US', null],
    ['1.1.1.1', false, null, null],
    ['not an address', false, null, null],
  ];
  for (const [address, permitted, country, region] of cases) {
    const v = await gate.check(1, address, 'join');
    t.match(v, { permitted, country, region }, `${address}: ${v.reason ?? 'permitted'}`);
  }
  t.equal(recorded.length, cases.length, 'every check recorded');
});

t.test('joins from outside a permitted territory are refused; X-Forwarded-For believed from a trusted proxy', async (t) => {
  const ts = await startTestServer({ env: { TRUSTED_PROXY: '127.0.0.1' } });
  t.teardown(() => ts.close());
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl, 1_000);
  const { playerId } = await playerIdsByEmail(ts.pool, email);
  const fr = await matchmake(ts, token, draw.publicId, '2.2.2.2');
  t.match(fr, { status: 403, body: { code: 'LOCATION_NOT_PERMITTED', message: /France/ } }, 'from France');
  t.match(await matchmake(ts, token, draw.publicId, '8.8.8.8'), { status: 403, body: { code: 'LOCATION_NOT_PERMITTED', message: /only in some regions/ } }, 'from the US, state unknown');
  t.match(await matchmake(ts, token, draw.publicId, '1.1.1.1'), { status: 403, body: { code: 'LOCATION_NOT_PERMITTED', message: /could not tell/ } }, 'from nowhere the database knows');
  // A player holds a few seats per draw: each permitted join below is another player's.
  t.equal((await matchmake(ts, token, draw.publicId, '81.2.69.160')).status, 200, 'from England');
  t.equal((await matchmake(ts, (await newPlayer(ts.httpUrl)).token, draw.publicId, '99.240.0.1')).status, 200, 'from Ontario');
  t.match(await matchmake(ts, (await newPlayer(ts.httpUrl)).token, draw.publicId, '2.2.2.2, 10.0.0.9'), { status: 200 }, 'the nearest hop our proxy names is a private address: the local territory');

  const login = await http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: PASSWORD });
  t.match(login.body.location, { permitted: true, country: 'DE' }, 'a login from here is told where it is');
  const checks = await checksOf(ts, playerId);
  t.match(checks.filter((c) => c.source === 'join'), [
    { source: 'join', address: '2.2.2.2', country: 'FR', located_by: 'geoip', permitted: false, reason: /France/ },
    { source: 'join', address: '8.8.8.8', country: 'US', region: null, permitted: false },
    { source: 'join', address: '1.1.1.1', country: null, permitted: false },
    { source: 'join', address: '81.2.69.160', country: 'GB', region: 'ENG', permitted: true },
  ], 'every check recorded, refused ones too');
  t.match(checks.at(-1), { source: 'login', address: '127.0.0.1', country: 'DE', located_by: 'private_address', permitted: true });

});

// One server at a time in a process: Colyseus' matchmaker is a singleton (a second listen
// leaks the first one's stats timer, and the process never exits).
t.test("anyone else's X-Forwarded-For is ignored", async (t) => {
  const untrusted = await startTestServer();
  t.teardown(() => untrusted.close());
  const draw = await openDraw(untrusted.pool);
  const other = await newPlayer(untrusted.httpUrl, 0);
  t.match(await matchmake(untrusted, other.token, draw.publicId, '2.2.2.2'), { status: 200 }, 'the peer (loopback) is where they are');
});

t.test('an open socket whose player is no longer somewhere permitted is closed LOCATION_NOT_PERMITTED', async (t) => {
  const where = new Map<string, { country: string | null; region: string | null }>([['203.0.113.7', { country: 'GB', region: 'ENG' }]]);
  const ts = await startTestServer({
    env: { TRUSTED_PROXY: '127.0.0.1', GEO_RECHECK_SECONDS: '1' },
    locateAddress: async (address) => where.get(address) ?? { country: null, region: null },
  });
  t.teardown(() => ts.close());
  const draw = await openDraw(ts.pool);
  const { token, email } = await newPlayer(ts.httpUrl, 1_000);
  const { playerId } = await playerIdsByEmail(ts.pool, email);
  const client = new Client(ts.wsUrl);
  client.auth.token = token;
  client.http.options.headers = { 'x-forwarded-for': '203.0.113.7' };
  const room = await client.joinOrCreate('sales', { drawId: draw.publicId });
  let closed: number | undefined;
  room.onLeave((code: number) => (closed = code));
  const accepted = new Promise((resolve) => room.onMessage('bet:accepted', resolve));
  room.send('bet', { requestId: 'from-england', quickPick: 1 });
  t.ok(await accepted, 'bets from England are taken');
  t.ok(await until(async () => (await checksOf(ts, playerId)).some((c) => c.source === 'periodic'), 3_000, 20), 'the socket is checked again while open');
  t.equal(closed, undefined, 'and stays open while the player is somewhere permitted');

  where.set('203.0.113.7', { country: 'FR', region: null }); // the address now places them in France
  t.ok(await until(() => closed !== undefined, 3_000, 10), 'closed at the next check');
  t.equal(closed, SalesCloseCode.LOCATION_NOT_PERMITTED);
  t.match((await checksOf(ts, playerId)).at(-1), { source: 'periodic', address: '203.0.113.7', country: 'FR', permitted: false });
  t.match(await matchmake(ts, token, draw.publicId, '203.0.113.7'), { status: 403, body: { code: 'LOCATION_NOT_PERMITTED' } }, 'and cannot join again from there');
});
