// Every database connection of every process is cut, again and again, while players bet
// on two server processes and the draw crosses its cutoff: no process dies, every bet is
// answered, nothing acknowledged is lost or charged twice, nothing is sold late or refused
// early, and the draw still closes, seals, draws and settles on time. This is what a
// PostgreSQL restart or fail-over does to every process at once.
//
// Needs DATABASE_URL: cutting sessions is pg_terminate_backend on a real server (on the
// embedded database, test/bet-writer-faults.test.ts cuts the sockets instead).
import t from 'tap';
import pg from 'pg';
import { createScratchDatabase } from '../support/database.ts';
import { checkFaultDay, cutAllConnectionsMidTransaction, pumpBets, sleep, startFaultDay } from '../support/faults.ts';

const databaseUrl = process.env.DATABASE_URL;
const SALES_MS = 16_000;

t.test(
  'connections of every process cut every second, mid-transaction, under bet load and across the cutoff: nothing lost, doubled, late or early',
  { skip: databaseUrl ? false : 'needs DATABASE_URL: the fault is pg_terminate_backend of every session on a PostgreSQL server', timeout: 180_000 },
  async (t) => {
    const scratch = await createScratchDatabase(databaseUrl!, 'lottery_cuts');
    const databaseName = new URL(scratch.url).pathname.slice(1);
    const admin = new pg.Client({ connectionString: databaseUrl });
    await admin.connect();
    t.teardown(async () => {
      await admin.end();
      await scratch.drop();
    });
    const day = await startFaultDay({ databaseUrl: scratch.url, processes: 2, players: 16, salesMs: SALES_MS, drawAfterCutoffMs: 6_000 });
    t.teardown(() => day.close());
    const { draw } = day;

    // Cuts from the start of sales until after the close (cutoff + grace), each landing while
    // some session is inside a transaction (mostly bet batches; also the leader's steps).
    let cutting = true;
    const cuts: number[] = [];
    const cutter = (async () => {
      while (cutting) {
        await sleep(1_000);
        cuts.push(await cutAllConnectionsMidTransaction(admin, databaseName, 500));
      }
    })();
    // Bets until a second past the cutoff: the last ones are late and must be refused.
    await pumpBets(day, draw.cutoffAtMs + 1_000);
    await sleep(draw.cutoffAtMs + 3_000 - Date.now());
    cutting = false;
    await cutter;
    t.ok(cuts.length >= 4, `every session of every process was ended ${cuts.length} times (${cuts.join(', ')} sessions)`);
    t.ok(cuts.every((n) => n > 0), 'and each time there were sessions to end');
    for (const p of day.players) p.resendPending();
    await checkFaultDay(t, day);
    const recoveries = day.procs.flatMap((p) => p.logs.filter((l) => l.msg === 'ledger reachable again; bets flowing'));
    t.ok(recoveries.length >= 3, `cuts landed in bet batches, which were written again (${recoveries.length} recoveries)`);
    const leads = day.procs.flatMap((p) => p.logs.filter((l) => l.msg === 'leading draw' && l.drawId === draw.id));
    t.comment(`draw leadership taken ${leads.length} times; log lines written: ${day.procs.map((p) => p.logs.length).join(', ')}`);
  },
);
