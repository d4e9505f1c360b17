// app/report-cli.ts — reports and regulator exports from the command line (issue 15), on the
// database of DATABASE_URL, or the embedded one under DATA_DIR when it is unset (as the server
// opens it: stop the server first, the embedded database has one process).
//
//   npm run report -- --from 2026-12-01 --to 2026-12-02 [--game lotto649] [--jurisdiction DE]
//                     [--format json|csv] [--large-win-minor 100000]
//   npm run report -- export --draw <draw id>      every record about one draw, NDJSON
//   npm run report -- export --player <player id>  every record about one player, NDJSON
//
// The report or export goes to standard output (an export streamed a line at a time, in one
// snapshot, however large); errors to standard error. Exit 0 done, 1 not found or failed,
// 2 bad arguments.
import { once } from 'node:events';
import { parseArgs } from 'node:util';
import { createLogger } from '../core/logger.ts';
import { exportInSnapshot, findDrawSubject, findPlayerSubject } from '../ledger/regulatorExport.ts';
import { periodReport, REPORT_PERIOD_DAYS_MAX, REPORT_PERIOD_MS_MAX } from '../ledger/reports.ts';
import { loadConfig } from './config.ts';
import { openDatabase, type Database } from './database.ts';
import { reportCsv } from './reportCsv.ts';
import { reportInstantMs } from './schemas.ts';

const USAGE = `usage:
  npm run report -- --from 2026-12-01 --to 2026-12-02 [--game lotto649] [--jurisdiction DE] [--format json|csv] [--large-win-minor 100000]
      from included, to excluded; a date is its UTC midnight, or give an ISO instant (2026-12-01T00:00:00+01:00); at most ${REPORT_PERIOD_DAYS_MAX} days
  npm run report -- export --draw <draw id>
  npm run report -- export --player <player id>`;

type Command =
  | { kind: 'report'; fromMs: number; toMs: number; game: string | null; jurisdiction: string | null; format: 'json' | 'csv'; largeWinMinor?: number }
  | { kind: 'export'; subject: 'draw' | 'player'; id: string };

class UsageError extends Error {}

function parseCommand(argv: string[]): Command {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      options: {
        from: { type: 'string' }, to: { type: 'string' }, game: { type: 'string' }, jurisdiction: { type: 'string' },
        format: { type: 'string' }, 'large-win-minor': { type: 'string' }, draw: { type: 'string' }, player: { type: 'string' },
      },
    });
  } catch (err) {
    throw new UsageError((err as Error).message);
  }
  const { values, positionals } = parsed;
  if (positionals.length > 1 || (positionals.length === 1 && positionals[0] !== 'export')) throw new UsageError(`unknown command: ${positionals.join(' ')}`);
  if (positionals[0] === 'export') return exportCommand(values);
  return reportCommand(values);
}

function exportCommand(values: Record<string, string | undefined>): Command {
  if ((values.draw === undefined) === (values.player === undefined)) throw new UsageError('export needs exactly one of --draw and --player');
  const id = (values.draw ?? values.player)!;
  if (!/^[A-Za-z0-9_.:-]{1,64}$/.test(id)) throw new UsageError(`not a ${values.draw ? 'draw' : 'player'} id: ${id.slice(0, 64)}`);
  return { kind: 'export', subject: values.draw ? 'draw' : 'player', id };
}

function reportCommand(values: Record<string, string | undefined>): Command {
  if (values.draw !== undefined || values.player !== undefined) throw new UsageError('--draw and --player are for `export`');
  if (values.from === undefined || values.to === undefined) throw new UsageError('a report needs --from and --to');
  const fromMs = reportInstantMs(values.from);
  const toMs = reportInstantMs(values.to);
  if (fromMs === null) throw new UsageError(`--from is not a date or an ISO instant: ${values.from.slice(0, 40)}`);
  if (toMs === null) throw new UsageError(`--to is not a date or an ISO instant: ${values.to.slice(0, 40)}`);
  if (fromMs >= toMs) throw new UsageError('--to must be after --from');
  if (toMs - fromMs > REPORT_PERIOD_MS_MAX) throw new UsageError(`a period is at most ${REPORT_PERIOD_DAYS_MAX} days`);
  const format = values.format ?? 'json';
  if (format !== 'json' && format !== 'csv') throw new UsageError('--format must be json or csv');
  const largeWin = values['large-win-minor'];
  if (largeWin !== undefined && !/^[1-9][0-9]{0,12}$/.test(largeWin)) throw new UsageError('--large-win-minor must be a whole number of minor units');
  return { kind: 'report', fromMs, toMs, game: values.game ?? null, jurisdiction: values.jurisdiction ?? null, format, largeWinMinor: largeWin === undefined ? undefined : Number(largeWin) };
}

/** Writes one chunk to stdout, waiting while its buffer is full: an export of any size in bounded memory. */
async function write(text: string): Promise<void> {
  if (!process.stdout.write(text)) await once(process.stdout, 'drain');
}

async function run(db: Database, command: Command): Promise<number> {
  if (command.kind === 'report') {
    const report = await periodReport(db.pool, { fromMs: command.fromMs, toMs: command.toMs, game: command.game, jurisdiction: command.jurisdiction, largeWinThresholdMinor: command.largeWinMinor });
    await write(command.format === 'csv' ? reportCsv(report) : JSON.stringify(report, null, 2) + '\n');
    return 0;
  }
  const subject = command.subject === 'draw' ? await findDrawSubject(db.pool, command.id) : await findPlayerSubject(db.pool, command.id);
  if (!subject) {
    console.error(`no ${command.subject} ${command.id} in ${db.description}`);
    return 1;
  }
  await exportInSnapshot(db.pool, subject, (line) => write(line + '\n'));
  return 0;
}

let command: Command;
try {
  command = parseCommand(process.argv.slice(2));
} catch (err) {
  if (!(err instanceof UsageError)) throw err;
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
const config = loadConfig();
const db = await openDatabase({ databaseUrl: config.databaseUrl, dataDir: config.dataDir, logger: createLogger('warn') });
try {
  process.exitCode = await run(db, command);
} catch (err) {
  console.error(`report failed: ${(err as Error).message}`);
  process.exitCode = 1;
} finally {
  await db.close();
}
