// The fail-over drill (issue 18, docs/RUNBOOK.md): the ledger's primary is lost under bet load
// and its synchronous standby promoted; every server process follows the new primary through
// the connection layer (HAProxy, ops/db/haproxy.cfg) without a restart.
//
// A primary and a standby of the test's own (ops/db/replica-up: pg_createcluster on free ports,
// removed at the end), HAProxy in front of them, two server processes and twelve players
// betting. The primary is stopped with `immediate` shutdown (what a lost host looks like to
// its clients: every connection gone, nothing flushed), and after a second the standby is
// promoted (ops/db/promote). Then, as for every database fault: every bet answered, every
// acknowledged bet on the new primary exactly once with its ticket id and nothing else (the
// recovery point: zero acknowledged bets lost), the draw closed, drawn and settled on time,
// and sales back within the recovery time objective (30 s; the figure is printed).
//
// Needs root, the Debian cluster tools and haproxy (CI installs it: .ci/run).
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { freePort } from '../support/cluster.ts';
import { createScratchDatabase } from '../support/database.ts';
import { checkFaultDay, pumpBets, sleep, startFaultDay, type FaultDay } from '../support/faults.ts';
import { canMakeReplicas, replicasFor, ROOT, run } from '../support/replicas.ts';

const haproxy = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => fs.existsSync(p));
const canDrill = canMakeReplicas && haproxy !== undefined;
const RECOVERY_TIME_OBJECTIVE_MS = 30_000;
const cannot = canDrill ? undefined : 'needs PostgreSQL servers of its own and a proxy: root, the Debian cluster tools (pg_createcluster) and haproxy';
// CI has them (.ci/run installs haproxy and sets REQUIRE_HA): there a skip would hide a broken drill.
if (cannot && process.env.REQUIRE_HA === '1') t.fail(`REQUIRE_HA=1, but the drill ${cannot}`);

/** True once the proxy hands out a connection to a writable server, and which port that is. */
async function writableThrough(url: string): Promise<number | undefined> {
  const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
  try {
    await c.connect();
    const { rows } = await c.query('select pg_is_in_recovery() as standby, inet_server_port() as port');
    return rows[0].standby ? undefined : Number(rows[0].port);
  } catch {
    return undefined;
  } finally {
    await c.end().catch(() => {});
  }
}

async function waitWritable(url: string, ms: number): Promise<number> {
  const endMs = Date.now() + ms;
  for (;;) {
    const port = await writableThrough(url);
    if (port !== undefined) return port;
    if (Date.now() > endMs) throw new Error(`nothing writable through ${url} in ${ms} ms`);
    await sleep(100);
  }
}

/** Acknowledged bets in all: sales have resumed when this moves after the fault. */
const ackCount = (day: FaultDay) => day.players.reduce((n, p) => n + p.acks.size, 0);

t.test(
  'the primary lost under bet load: the standby promoted, every process follows it, nothing acknowledged lost, sales back within the RTO',
  {
    skip: cannot ?? false,
    timeout: 240_000,
  },
  async (t) => {
    const { version, primaryPort, standbyPort, env } = await replicasFor(t, 'drill');
    const proxyPort = await freePort();

    const proxy = spawn(haproxy!, ['-db', '-f', path.join(ROOT, 'ops/db/haproxy.cfg')], {
      env: { ...env, PG_PROXY_PORT: String(proxyPort), PG_PRIMARY: `127.0.0.1:${primaryPort}`, PG_STANDBY: `127.0.0.1:${standbyPort}`, PG_CHECK: path.join(ROOT, 'ops/db/pg-writable') },
      stdio: ['ignore', 'ignore', 'pipe'],
    });
    let proxyErrors = '';
    proxy.stderr!.on('data', (d) => (proxyErrors += d));
    t.teardown(() => void proxy.kill('SIGKILL'));
    const proxyUrl = `postgres://postgres@127.0.0.1:${proxyPort}/postgres`;
    t.equal(await waitWritable(proxyUrl, 15_000), primaryPort, 'the proxy sends connections to the primary');

    const scratch = await createScratchDatabase(proxyUrl, 'lottery_failover');
    const day = await startFaultDay({ databaseUrl: scratch.url, processes: 2, players: 12, salesMs: 25_000, drawAfterCutoffMs: 6_000 });
    t.teardown(() => day.close());
    const { draw } = day;

    const drill = (async () => {
      await sleep(draw.cutoffAtMs - 18_000 - Date.now());
      await run('pg_ctlcluster', [version, env.PRIMARY_NAME, 'stop', '-m', 'immediate']);
      const lostAtMs = Date.now();
      // Acknowledgements already on their way when the primary went do not count as resumed.
      await sleep(300);
      const before = ackCount(day);
      // The time an operator or an orchestrator takes to decide the primary is gone.
      await sleep(1_000);
      await run(path.join(ROOT, 'ops/db/promote'), [], { env });
      const promotedAtMs = Date.now();
      const writablePort = await waitWritable(proxyUrl, 15_000);
      const writableAtMs = Date.now();
      while (ackCount(day) === before && Date.now() - lostAtMs < 60_000) await sleep(20);
      return { lostAtMs, promotedAtMs, writablePort, writableAtMs, resumedAtMs: Date.now() };
    })();
    await pumpBets(day, draw.cutoffAtMs + 1_000);
    const d = await drill;
    t.comment(
      `primary lost at 0 ms; standby promoted at ${d.promotedAtMs - d.lostAtMs} ms, writable through the proxy at ${d.writableAtMs - d.lostAtMs} ms, first bet acknowledged after it at ${d.resumedAtMs - d.lostAtMs} ms`,
    );
    t.equal(d.writablePort, standbyPort, 'the proxy now sends connections to the promoted standby');
    t.ok(d.resumedAtMs - d.lostAtMs < RECOVERY_TIME_OBJECTIVE_MS, `sales resumed within the ${RECOVERY_TIME_OBJECTIVE_MS / 1000} s recovery time objective`);

    for (const p of day.players) p.resendPending();
    // Every acknowledged bet is on the new primary (day.db reaches it through the proxy).
    await checkFaultDay(t, day);
    const unreachable = day.procs.flatMap((p) => p.logs.filter((l) => l.msg === 'ledger unreachable; bet batch kept for retry'));
    t.ok(unreachable.length >= 1, `the bet writers saw the primary go (${unreachable.length} warnings) and followed the new one by themselves`);
    t.ok(day.procs.every((p) => p.alive), 'both processes are still serving, never restarted');
    t.equal(proxy.exitCode, null, `the proxy is still running${proxyErrors ? ` (${proxyErrors.slice(0, 200)})` : ''}`);
  },
);
