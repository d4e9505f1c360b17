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
    [{ OPERATOR_CREDENTIALS: 'admin:short' }, /OPERATOR_CREDENTIALS/],
    [{ PUBLIC_ADDRESS: 'ws://host:1/' }, /PUBLIC_ADDRESS/],
    [{ AUTH_LOGINS_PER_ADDRESS_PER_MINUTE: '0' }, /AUTH_LOGINS_PER_ADDRESS_PER_MINUTE must be between/],
    [{ AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR: 'many' }, /AUTH_REGISTRATIONS_PER_ADDRESS_PER_HOUR must be a whole number/],
  ];
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
  }
  t.ok(new ConfigError('x') instanceof Error);
});
