// server.ts — the process entry point: configuration from the environment, then boot.
import { ConfigError, loadConfig } from './app/config.ts';
import { startServer } from './app/boot.ts';
import { isRedisOutageError } from './app/redis.ts';

async function main() {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    if (err instanceof ConfigError) {
      console.error(`configuration error: ${err.message}`);
      process.exit(2);
    }
    throw err;
  }
  const server = await startServer({ config });
  let stopping = false;
  const stop = (signal: string) => {
    if (stopping) return;
    stopping = true;
    server.logger.info({ signal }, 'shutting down');
    // Bounded: a shutdown that hangs must not keep a dead process holding its port.
    const deadline = setTimeout(() => {
      server.logger.error('shutdown timed out');
      process.exit(1);
    }, 30_000);
    server.shutdown().then(
      () => {
        clearTimeout(deadline);
        process.exit(process.exitCode ?? 0);
      },
      (err) => {
        server.logger.error({ err }, 'shutdown failed');
        process.exit(1);
      },
    );
  };
  process.on('SIGTERM', () => stop('SIGTERM'));
  process.on('SIGINT', () => stop('SIGINT'));
  // A bug must not take acknowledged work with it: log it, drain the bet writer, exit 1.
  const onFatal = (err: unknown) => {
    server.logger.fatal({ err }, 'uncaught error, shutting down');
    process.exitCode = 1;
    stop('fatal');
  };
  process.on('uncaughtException', onFatal);
  process.on('unhandledRejection', (err) => {
    // Redis holds no money: a request Colyseus left unawaited failing during a Redis outage
    // must not take the process (and its players' bets) down with it.
    if (isRedisOutageError(err)) {
      server.logger.warn({ err: { message: (err as Error).message } }, 'Redis request failed during an outage');
      return;
    }
    onFatal(err);
  });
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
