// The standby drill (issue 18, docs/RUNBOOK.md "The standby is lost"): the synchronous standby
// is lost under bet load, twice. While it is gone the primary's commits wait for it, so no bet
// is acknowledged: an acknowledgement means two copies, or none is given. The first time the
// standby comes back by itself (a restart: it catches up through its replication slot) and
// sales resume; the second time the operator decides to sell on one copy
// (ops/db/sync-standby off) and sales resume at once. Then, as for every database fault: every
// bet answered, every acknowledged bet in the ledger once with its ticket id, nothing else,
// and the draw settled on time.
//
// Needs root and the Debian cluster tools (CI has them).
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { createScratchDatabase } from '../support/database.ts';
import { checkFaultDay, pumpBets, sleep, startFaultDay, type FaultDay } from '../support/faults.ts';
import { canMakeReplicas, replicasFor, ROOT, run } from '../support/replicas.ts';

const cannot = canMakeReplicas ? undefined : 'needs PostgreSQL servers of its own: root and the Debian cluster tools (pg_createcluster)';
if (cannot && process.env.REQUIRE_HA === '1') t.fail(`REQUIRE_HA=1, but the drill ${cannot}`);

/** Acknowledgements that reached the players after `sinceMs`. */
const acksAfter = (day: FaultDay, sinceMs: number) => day.players.reduce((n, p) => n + [...p.acks.values()].filter((a) => a.ackedAtMs > sinceMs).length, 0);

async function waitForAcks(day: FaultDay, sinceMs: number, ms: number): Promise<number | undefined> {
  const endMs = Date.now() + ms;
  while (Date.now() < endMs) {
    if (acksAfter(day, sinceMs) > 0) return Date.now();
    await sleep(20);
  }
  return undefined;
}

/**
 * Every bet acknowledged so far is on the standby: read there once it has replayed all the
 * primary has written (a synchronous commit waits for the standby's flush, not its replay).
 */
async function acknowledgedOnStandby(day: FaultDay, primaryUrl: string, standbyUrl: string): Promise<{ acked: number; found: number }> {
  const requestIds = day.players.flatMap((p) => [...p.acks.keys()]);
  const [primary, standby] = [new pg.Client(primaryUrl), new pg.Client(standbyUrl)];
  await Promise.all([primary.connect(), standby.connect()]);
  try {
    const { rows } = await primary.query('select pg_current_wal_lsn()::text as lsn');
    for (let i = 0; i < 100; i++) {
      const r = await standby.query('select pg_last_wal_replay_lsn() >= $1::pg_lsn as caught_up', [rows[0].lsn]);
      if (r.rows[0].caught_up) break;
      await sleep(50);
    }
    const found = await standby.query('select count(*)::int as n from tickets where request_id = any($1)', [requestIds]);
    return { acked: requestIds.length, found: found.rows[0].n };
  } finally {
    await Promise.all([primary.end(), standby.end()]);
  }
}

t.test(
  'the standby lost under bet load: nothing acknowledged while it is gone; sales resume when it returns, or at once when the operator sells on one copy',
  { skip: cannot ?? false, timeout: 240_000 },
  async (t) => {
    const { version, primaryUrl, standbyPort, env } = await replicasFor(t, 'standby');
    const scratch = await createScratchDatabase(primaryUrl, 'lottery_standby_drill');
    const onStandby = new URL(scratch.url);
    onStandby.port = String(standbyPort);
    const day = await startFaultDay({ databaseUrl: scratch.url, processes: 2, players: 12, salesMs: 22_000, drawAfterCutoffMs: 4_000 });
    t.teardown(() => day.close());
    const stopStandby = () => run('pg_ctlcluster', [version, env.STANDBY_NAME, 'stop', '-m', 'immediate']);

    const drill = (async () => {
      await sleep(3_000);
      // 1. Lost, then back by itself.
      await stopStandby();
      const firstLostMs = Date.now();
      // Replies already on their way (their commits had the standby's flush) are let through.
      const quietFromMs = firstLostMs + 500;
      await sleep(7_000);
      const whileGone = acksAfter(day, quietFromMs);
      await run('pg_ctlcluster', [version, env.STANDBY_NAME, 'start']);
      const backMs = Date.now();
      const resumedMs = await waitForAcks(day, backMs, 20_000);
      await sleep(2_000);
      const copies = await acknowledgedOnStandby(day, scratch.url, onStandby.toString());
      // 2. Lost again; the operator sells on one copy.
      await stopStandby();
      const secondLostMs = Date.now();
      await sleep(2_000);
      const whileGoneAgain = acksAfter(day, secondLostMs + 500);
      await run(path.join(ROOT, 'ops/db/sync-standby'), ['off'], { env });
      const decidedMs = Date.now();
      const resumedAloneMs = await waitForAcks(day, decidedMs, 20_000);
      return { firstLostMs, whileGone, backMs, resumedMs, copies, whileGoneAgain, decidedMs, resumedAloneMs };
    })();
    await pumpBets(day, day.draw.cutoffAtMs + 1_000);
    const d = await drill;

    t.equal(d.whileGone, 0, 'no bet was acknowledged while the standby was gone (7 s)');
    t.ok(d.resumedMs, `sales resumed ${d.resumedMs! - d.backMs} ms after the standby was started again`);
    t.ok(d.copies.acked > 0 && d.copies.found === d.copies.acked, `every bet acknowledged by then is on the standby (${d.copies.found} of ${d.copies.acked})`);
    t.equal(d.whileGoneAgain, 0, 'nor while it was gone the second time');
    t.ok(d.resumedAloneMs, `sales resumed ${d.resumedAloneMs! - d.decidedMs} ms after ops/db/sync-standby off`);

    for (const p of day.players) p.resendPending();
    await checkFaultDay(t, day, { askedAgainAllowed: true });
    t.ok(day.procs.every((p) => p.alive), 'both processes are still serving, never restarted');
  },
);
