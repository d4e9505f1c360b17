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
  ];
  for (const [env, message] of cases) {
    t.throws(() => loadConfig(env), { name: 'ConfigError', message }, JSON.stringify(env));
  }
  t.ok(new ConfigError('x') instanceof Error);
});
