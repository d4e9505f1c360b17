// Configuration comes from the environment and a bad value stops start-up with a clear message.
import t from 'tap';
import { ConfigError, loadConfig } from '../app/config.ts';

t.test('defaults run the embedded server on 2567', async (t) => {
  const c = loadConfig({});
  t.equal(c.port, 2567);
  t.equal(c.databaseUrl, undefined);
  t.equal(c.redisUrl, undefined);
  t.equal(c.logLevel, 'info');
  t.match(c.dataDir, /data$/);
  t.equal(c.salesRoomClientsMax, 2000);
  t.equal(c.betWriteMode, 'batch');
  t.same(c.authLimits, { registrationsPerHour: 60, loginsPerMinute: 60, loginFailuresPerHour: 100 }, 'per-address login limits that a shared (CGNAT) address can live with');
});

t.test('per-address login and registration budgets are the operator\'s to set', async (t) => {
  const c = loadConfig({ AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR: '5', AUTH_LOGINS_PER_ADDRESS_PER_MINUTE: '500', AUTH_LOGIN_FAILURES_PER_ADDRESS_PER_HOUR: '40' });
  t.same(c.authLimits, { registrationsPerHour: 5, loginsPerMinute: 500, loginFailuresPerHour: 40 });
});

t.test('each bad value is refused and named', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ PORT: 'http' }, /PORT must be a whole number/],
    [{ PORT: '70000' }, /PORT must be between/],
    [{ DATABASE_URL: 'mysql://x' }, /DATABASE_URL must start with postgres/],
    [{ DATABASE_URL: 'not a url' }, /DATABASE_URL is not a valid URL/],
    [{ REDIS_URL: 'http://x' }, /REDIS_URL must start with redis/],
    [{ LOG_LEVEL: 'loud' }, /LOG_LEVEL must be one of/],
    [{ SALES_ROOM_CLIENTS_MAX: '0' }, /SALES_ROOM_CLIENTS_MAX must be between/],
    [{ BET_WRITE_MODE: 'fast' }, /BET_WRITE_MODE must be/],
    [{ BET_FLUSH_DELAY_MS: '500' }, /BET_FLUSH_DELAY_MS must be between/],
    [{ OPERATOR_CREDENTIALS: 'admin:a long password here' }, /OPERATOR_CREDENTIALS is no longer read/],
    [{ OPERATOR_BOOTSTRAP_TOKEN: 'short' }, /OPERATOR_BOOTSTRAP_TOKEN must be 16..128/],
    [{ METRICS_TOKEN: 'short' }, /METRICS_TOKEN must be 24..256/],
    [{ LEDGER_CHECK_EVERY_SECONDS: '-5' }, /LEDGER_CHECK_EVERY_SECONDS must be a whole number/],
    [{ PUBLIC_ADDRESS: 'ws://host:1/' }, /PUBLIC_ADDRESS/],
    [{ AUTH_LOGINS_PER_ADDRESS_PER_MINUTE: '0' }, /AUTH_LOGINS_PER_ADDRESS_PER_MINUTE must be between/],
    [{ AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR: 'many' }, /AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR must be a whole number/],
  ];
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
  }
  t.ok(new ConfigError('x') instanceof Error);
});

t.test('the message starts with the variable that is wrong, for every variable the schema reads', async (t) => {
  const cases: [Record<string, string>, RegExp][] = [
    [{ DRAW_SEED_KEY: 'AB'.repeat(32) }, /^DRAW_SEED_KEY must be 64 lowercase hex/],
    [{ DRAW_SIGNING_KEY: 'zz' }, /^DRAW_SIGNING_KEY must be 64 lowercase hex/],
    [{ DRAW_BEACON: 'chainlink' }, /^DRAW_BEACON must be "none" or "drand", got "chainlink"/],
    [{ DRAW_BEACON_URL: 'ftp://drand' }, /^DRAW_BEACON_URL must start with http:\/\/ or https:\/\//],
    [{ DRAW_BEACON_CHAIN: 'quicknet' }, /^DRAW_BEACON_CHAIN must be a drand chain hash/],
    [{ DRAW_REVEAL_WAIT_SECONDS: '-1' }, /^DRAW_REVEAL_WAIT_SECONDS must be a whole number, got "-1"/],
    [{ BET_RATE_BURST: '100001' }, /^BET_RATE_BURST must be between 1 and 100000, got 100001/],
    [{ TRUSTED_PROXY: '10.0.0.1, proxy.internal' }, /^TRUSTED_PROXY entry "proxy.internal" is not an IP address/],
    [{ PORT: '80', LOG_LEVEL: 'LOUD' }, /^LOG_LEVEL must be one of fatal, error/],
  ];
  for (const [env, message] of cases) t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
});

t.test('an empty variable means its default, and variables that are not ours are ignored', async (t) => {
  const c = loadConfig({ PORT: '', LOG_LEVEL: '', BET_WRITE_MODE: '', DRAW_BEACON_URL: '', HOME: '/root', PATH: '/bin' });
  t.equal(c.port, 2567);
  t.equal(c.logLevel, 'info');
  t.equal(c.betWriteMode, 'batch');
  t.equal(c.beaconUrl, 'https://api.drand.sh');
  t.equal(loadConfig({ DRAW_BEACON_URL: 'https://drand.example/' }).beaconUrl, 'https://drand.example', 'without its trailing slash');
});
