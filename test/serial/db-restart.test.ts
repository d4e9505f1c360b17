// PostgreSQL is restarted (`pg_ctlcluster … restart -m fast`) while players bet on two
// server processes, a few seconds before cutoff: no process dies, bets wait for the
// database and go through when it is back, nothing is lost or doubled, and the draw runs
// its day on time.
//
// The restarted server is one of the test's own (pg_createcluster on a free port, removed
// at the end), not the shared one on 5432: other test files run against that one at the
// same time, and a restart under them would fail them for no fault of theirs. Needs the
// Debian PostgreSQL cluster tools and root (as on the project's machines and CI).
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import { promisify } from 'node:util';
import t from 'tap';
import { freePort } from '../support/cluster.ts';
import { createScratchDatabase } from '../support/database.ts';
import { checkFaultDay, pumpBets, sleep, startFaultDay } from '../support/faults.ts';

const run = promisify(execFile);
const versions = fs.existsSync('/etc/postgresql') ? fs.readdirSync('/etc/postgresql') : [];
const canMakeServers = versions.length > 0 && fs.existsSync('/usr/bin/pg_createcluster') && process.getuid?.() === 0;

t.test(
  'PostgreSQL restarted 8 s before cutoff under bet load: nothing lost, doubled, late or early; the draw runs on time',
  {
    skip: canMakeServers ? false : 'needs a PostgreSQL server of its own to restart: the Debian cluster tools (pg_createcluster) and root',
    timeout: 180_000,
  },
  async (t) => {
    const version = versions.sort().at(-1)!;
    const name = `lottery_restart_${process.pid}`;
    const port = await freePort();
    await run('pg_createcluster', [version, name, '--port', String(port), '--start', '--start-conf', 'manual', '--', '--auth=trust']);
    t.teardown(() => run('pg_dropcluster', [version, name, '--stop']).catch((err) => t.comment(`dropping ${name}: ${err.message}`)));
    const scratch = await createScratchDatabase(`postgres://postgres@127.0.0.1:${port}/postgres`, 'lottery_restart');
    const day = await startFaultDay({ databaseUrl: scratch.url, processes: 2, players: 12, salesMs: 15_000, drawAfterCutoffMs: 5_000 });
    t.teardown(() => day.close());
    const { draw } = day;

    const restart = (async () => {
      await sleep(draw.cutoffAtMs - 8_000 - Date.now());
      const startedMs = Date.now();
      await run('pg_ctlcluster', [version, name, 'restart', '-m', 'fast']);
      return Date.now() - startedMs;
    })();
    await pumpBets(day, draw.cutoffAtMs + 1_000);
    const restartMs = await restart;
    t.comment(`the restart took ${restartMs} ms`);
    for (const p of day.players) p.resendPending();
    await checkFaultDay(t, day);
    const unreachable = day.procs.flatMap((p) => p.logs.filter((l) => l.msg === 'ledger unreachable; bet batch kept for retry'));
    t.ok(unreachable.length >= 1, `the bet writers saw the database go (${unreachable.length} warnings) and came back by themselves`);
    t.ok(day.procs.every((p) => p.alive), 'both processes are still serving');
  },
);
