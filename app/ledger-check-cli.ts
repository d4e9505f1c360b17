// app/ledger-check-cli.ts — `npm run ledger:check`: verify the ledger's invariants on the
// configured database (DATABASE_URL, or the embedded one under DATA_DIR). Exit 1 on a violation.
import { loadConfig } from './config.ts';
import { openDatabase } from './database.ts';
import { createLogger } from '../core/logger.ts';
import { checkLedger, linePricesOf } from '../ledger/invariants.ts';
import { allGames } from '../games/index.ts';

const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger: createLogger('warn') });
try {
  const report = await checkLedger(db.pool, linePricesOf(allGames()));
  console.log(`${db.description}: ${report.accounts} accounts, ${report.transfers} transfers, ${report.tickets} tickets`);
  if (report.ok) {
    console.log('ledger ok: balances sum to zero, every balance matches its transfers, no wallet negative, every ticket paid once');
  } else {
    for (const v of report.violations) console.log(`VIOLATION: ${v}`);
  }
  process.exitCode = report.ok ? 0 : 1;
} finally {
  await db.close();
}
