// The optional second factor (issue 13): TOTP per RFC 6238 (the RFC's own test vectors), set up
// in two steps, asked for at every login once on, each code taken once (also by two logins at
// the same moment), wrong codes throttled as wrong passwords, turned off only with a code, and
// the secret sealed at rest.
import t from 'tap';
import { base32Encode, hotp, totpAt } from '../core/totp.ts';
import { base32Decode } from './support/operators.ts';
import { http, newPlayer, startTestServer, type TestServer } from './support/harness.ts';

const PASSWORD = 'correct horse battery staple';
let ts: TestServer;
let clockOffsetMs = 0;
const clock = { nowMs: () => Date.now() + clockOffsetMs };

t.before(async () => {
  ts = await startTestServer({ clock });
});
t.teardown(() => ts.close());


t.test('RFC 4226 and RFC 6238 test vectors; RFC 4648 base32', async (t) => {
  const secret = Buffer.from('12345678901234567890');
  const hotps = ['755224', '287082', '359152', '969429', '338314', '254676', '287922', '162583', '399871', '520489'];
  hotps.forEach((code, counter) => t.equal(hotp(secret, counter), code, `HOTP counter ${counter}`));
  const totps: [number, string][] = [[59, '94287082'], [1111111109, '07081804'], [1111111111, '14050471'], [1234567890, '89005924'], [2000000000, '69279037'], [20000000000, '65353130']];
  for (const [seconds, code] of totps) t.equal(totpAt(secret, seconds * 1000, 8), code, `TOTP at ${seconds}`);
  const b32: [string, string][] = [['', ''], ['f', 'MY'], ['fo', 'MZXQ'], ['foo', 'MZXW6'], ['foob', 'MZXW6YQ'], ['fooba', 'MZXW6YTB'], ['foobar', 'MZXW6YTBOI']];
  for (const [plain, encoded] of b32) t.equal(base32Encode(Buffer.from(plain)), encoded, `base32 "${plain}"`);
});

t.test('set up, asked at every login, each code once, off only with a code', async (t) => {
  const { token, email } = await newPlayer(ts.httpUrl);
  const login = (totp?: string) => http(ts.httpUrl, 'POST', '/api/auth/login', { email, password: PASSWORD, ...(totp === undefined ? {} : { totp }) });
  t.match(await http(ts.httpUrl, 'POST', '/api/me/totp/enable', { code: '123456' }, token), { status: 409, body: { code: 'TOTP_NOT_SET_UP' } });
  const setup = await http(ts.httpUrl, 'POST', '/api/me/totp/setup', undefined, token);
  t.equal(setup.status, 200);
  t.match(setup.body.otpauthUri, new RegExp(`^otpauth://totp/Lottery:${encodeURIComponent(email)}\\?secret=${setup.body.secret}&issuer=Lottery&algorithm=SHA1&digits=6&period=30$`));
  const secret = base32Decode(setup.body.secret);
  t.equal(secret.length, 20);
  const stored = (await ts.pool.query(`select totp_pending_secret from players where email = $1`, [email])).rows[0].totp_pending_secret as Buffer;
  t.equal(stored.indexOf(secret), -1, 'the secret is sealed at rest, not stored as it is');
  t.equal((await login()).status, 200, 'not on until a code from it is given');

  const wrong = String((Number(totpAt(secret, clock.nowMs())) + 1) % 1_000_000).padStart(6, '0');
  t.match(await http(ts.httpUrl, 'POST', '/api/me/totp/enable', { code: wrong }, token), { status: 400, body: { code: 'INVALID_TOTP' } });
  t.match(await http(ts.httpUrl, 'POST', '/api/me/totp/enable', { code: totpAt(secret, clock.nowMs()) }, token), { status: 200, body: { enabled: true } });
  t.match(await http(ts.httpUrl, 'POST', '/api/me/totp/setup', undefined, token), { status: 409, body: { code: 'TOTP_ALREADY_ENABLED' } });

  t.match(await login(), { status: 401, body: { code: 'TOTP_REQUIRED' } }, 'the password alone no longer logs in');
  t.match(await login(totpAt(secret, clock.nowMs())), { status: 401, body: { code: 'INVALID_TOTP' } }, 'the code that turned it on is spent');
  clockOffsetMs += 30_000;
  const takenAtMs = clock.nowMs();
  const code = totpAt(secret, takenAtMs);
  const both = await Promise.all([login(code), login(code)]);
  t.same(both.map((r) => r.status).sort(), [200, 401], 'two logins with one fresh code at once: exactly one gets in');
  t.match(both.find((r) => r.status === 401), { body: { code: 'INVALID_TOTP' } });
  clockOffsetMs += 30_000;
  // The taken code's own step, a step old now (two if the real clock crossed a boundary since):
  // not newer than the code taken. Computed from when it was taken: now - 30 s fell in the next
  // step whenever the real clock crossed a boundary in between, and was then let in (stop 26's CI).
  t.equal((await login(totpAt(secret, takenAtMs))).status, 401, 'nor does a code no newer than one taken');
  clockOffsetMs += 30_000;
  t.equal((await login(totpAt(secret, clock.nowMs() - 25_000))).status, 200, 'a code one step old is still taken (a slow hand, a clock a little off)');
  t.match(await login('12a456'), { status: 400, body: { code: 'BAD_REQUEST', message: /totp/ } });

  clockOffsetMs += 30_000;
  t.match(await http(ts.httpUrl, 'POST', '/api/me/totp/disable', { code: wrong }, token), { status: 400, body: { code: 'INVALID_TOTP' } }, 'off only with a current code');
  t.match(await http(ts.httpUrl, 'POST', '/api/me/totp/disable', { code: totpAt(secret, clock.nowMs()) }, token), { status: 200, body: { enabled: false } });
  t.equal((await login()).status, 200, 'the password alone logs in again');
  t.match(await http(ts.httpUrl, 'POST', '/api/me/totp/disable', { code: '000000' }, token), { status: 409, body: { code: 'TOTP_NOT_ENABLED' } });
});
