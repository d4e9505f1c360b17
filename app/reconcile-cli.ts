// app/reconcile-cli.ts — `npm run reconcile -- [--from ISO] [--to ISO] [--json FILE]`: the
// payment provider's records of the period (the last 24 hours by default) against the
// ledger's, every difference listed. Exit 1 if there is any, 2 on bad arguments.
import crypto from 'node:crypto';
import fs from 'node:fs';
import { parseArgs } from 'node:util';
import { systemClock } from '../core/clock.ts';
import { createLogger } from '../core/logger.ts';
import { loadConfig } from './config.ts';
import { openDatabase } from './database.ts';
import { SandboxPaymentProvider } from './payments.ts';
import { reconcilePayments } from './reconcile.ts';

const { values } = parseArgs({ options: { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'string' } } });
const toMs = values.to ? Date.parse(values.to) : Date.now();
const fromMs = values.from ? Date.parse(values.from) : toMs - 86_400_000;
if (!Number.isFinite(fromMs) || !Number.isFinite(toMs) || fromMs >= toMs) {
  console.error('usage: npm run reconcile -- [--from 2026-12-01T00:00:00Z] [--to 2026-12-02T00:00:00Z] [--json report.json]  (from before to)');
  process.exit(2);
}
const config = loadConfig();
const logger = createLogger('warn');
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger });
// Only reading the provider's records: no webhook is sent, so no secret is needed.
const provider = new SandboxPaymentProvider({ pool: db.pool, secret: crypto.randomBytes(32), delayMs: 0, callbackBaseUrl: () => '', logger, clock: systemClock });
try {
  const report = await reconcilePayments(db.pool, provider, fromMs, toMs);
  provider.close();
  console.log(`${db.description}: provider ${provider.name}, ${new Date(fromMs).toISOString()} to ${new Date(toMs).toISOString()}`);
  console.log(`matched ${report.matched}; differences ${report.differences.length}`);
  console.log(`succeeded deposits: ledger ${report.totals.ledger.deposits}, provider ${report.totals.provider.deposits}; paid payouts: ledger ${report.totals.ledger.payouts}, provider ${report.totals.provider.payouts}`);
  if (report.differences.length > 0) {
    console.log(['kind', 'reference', 'problem', 'ledger', 'provider'].join('\t'));
    for (const d of report.differences) {
      const side = (p: typeof d.ledger) => (p ? `${p.status} ${p.amountMinor}` : '-');
      console.log([d.kind, d.reference, d.problem, side(d.ledger), side(d.provider)].join('\t'));
    }
  }
  if (values.json) fs.writeFileSync(values.json, JSON.stringify(report, null, 2) + '\n');
  process.exitCode = report.differences.length === 0 ? 0 : 1;
} finally {
  await db.close();
}
