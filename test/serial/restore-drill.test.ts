// The restore drill (issue 18, docs/RUNBOOK.md): a draw day is sold, drawn and settled on a
// primary that archives its WAL (ops/db/replica-up); then a deliberate mistake drops the
// tickets table. A base backup taken before the day (ops/db/backup) and the archived WAL
// restore the database into a fresh cluster as it was just before the mistake (ops/db/restore), and there the
// ledger check passes and every draw's proof verifies against its sealed tickets with the
// standalone verifier, as an auditor would run them.
//
// Needs root and the Debian cluster tools.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { drawByPublicId } from '../../ledger/draws.ts';
import { drawProof } from '../../ledger/drawSteps.ts';
import { freePort } from '../support/cluster.ts';
import { createScratchDatabase } from '../support/database.ts';
import { checkFaultDay, clusterDrawRunner, pumpBets, sleep, startFaultDay } from '../support/faults.ts';
import { canMakeReplicas, replicasFor, ROOT, run } from '../support/replicas.ts';


async function query<T extends pg.QueryResultRow>(url: string, sql: string): Promise<T[]> {
  const c = new pg.Client({ connectionString: url });
  await c.connect();
  try {
    return (await c.query<T>(sql)).rows;
  } finally {
    await c.end();
  }
}

t.test(
  'tickets dropped by mistake: the database restored to the moment before, its ledger and every draw check out',
  { skip: canMakeReplicas ? false : 'needs PostgreSQL servers of its own: root and the Debian cluster tools (pg_createcluster)', timeout: 240_000 },
  async (t) => {
    const restoredName = `rdrill_restored_${process.pid}`;
    const latestName = `rdrill_latest_${process.pid}`;
    const { primaryUrl, env } = await replicasFor(t, 'rdrill', [restoredName, latestName]);
    const restoredPort = await freePort();
    const scratchDir = fs.mkdtempSync(path.join(os.tmpdir(), 'restore-drill-'));
    t.teardown(() => fs.rmSync(scratchDir, { recursive: true, force: true }));
    const backupDir = (await run(path.join(ROOT, 'ops/db/backup'), [], { env })).stdout.trim();
    t.ok(fs.existsSync(path.join(backupDir, 'backup_manifest')), 'a verified base backup was taken before the day');

    // The day, after the backup: only the archived WAL holds it.
    const scratch = await createScratchDatabase(primaryUrl, 'lottery_restore');
    const day = await startFaultDay({ databaseUrl: scratch.url, processes: 1, players: 6, salesMs: 8_000, drawAfterCutoffMs: 3_000 });
    await pumpBets(day, day.draw.cutoffAtMs + 500);
    await checkFaultDay(t, day);
    const sold = Number((await day.db.pool.query('select count(*) from tickets')).rows[0].count);
    await day.close();

    const [{ before }] = await query<{ before: string }>(primaryUrl, 'select clock_timestamp()::text as before');
    await sleep(500);
    const databaseName = new URL(scratch.url).pathname.slice(1);
    // A transaction, as most mistakes are (DROP DATABASE is not one: replay marks the database
    // invalid before the commit a time target stops at).
    await query(scratch.url, 'drop table tickets cascade');
    t.same(await query(scratch.url, `select 1 from pg_class where relname = 'tickets'`), [], 'the mistake: the tickets are gone from the primary');
    // Every WAL segment up to the mistake in the archive.
    const [{ wal }] = await query<{ wal: string }>(primaryUrl, 'select pg_walfile_name(pg_switch_wal()) as wal');
    const archived = async () => (await query<{ last: string | null }>(primaryUrl, 'select last_archived_wal as last from pg_stat_archiver'))[0].last;
    for (let i = 0; i < 100 && ((await archived()) ?? '') < wal; i++) await sleep(100);

    const restoredServer = (await run(path.join(ROOT, 'ops/db/restore'), [backupDir, before, restoredName, String(restoredPort)], { env })).stdout.trim();
    const restoredUrl = new URL(restoredServer);
    restoredUrl.pathname = `/${databaseName}`;
    const restored = new pg.Pool({ connectionString: restoredUrl.toString(), max: 2 });
    t.teardown(() => restored.end());
    t.equal(Number((await restored.query('select count(*) from tickets')).rows[0].count), sold, `the restored database holds the day's ${sold} tickets`);

    // What a lost site's restore does: the archive replayed to its end, the mistake included.
    const latestServer = (await run(path.join(ROOT, 'ops/db/restore'), [backupDir, 'latest', latestName, String(await freePort())], { env })).stdout.trim();
    const latestUrl = new URL(latestServer);
    latestUrl.pathname = `/${databaseName}`;
    const [{ tickets, draws }] = await query<{ tickets: string | null; draws: number }>(latestUrl.toString(), `select to_regclass('tickets')::text as tickets, (select count(*)::int from draws) as draws`);
    const [{ draws: primaryDraws }] = await query<{ draws: number }>(scratch.url, 'select count(*)::int as draws from draws');
    t.same({ tickets, draws }, { tickets: null, draws: primaryDraws }, 'restored to the end of the archive ("latest"), it is the primary as it is now, the mistake included');

    const check = await run('npx', ['tsx', path.join(ROOT, 'app/ledger-check-cli.ts')], { cwd: ROOT, env: { ...process.env, DATABASE_URL: restoredUrl.toString() } }).then(
      (r) => ({ code: 0, out: r.stdout }),
      (err) => ({ code: err.code as number, out: `${err.stdout}${err.stderr}` }),
    );
    t.equal(check.code, 0, `npm run ledger:check passes on the restored database${check.code ? `: ${check.out.slice(0, 400)}` : ''}`);

    const runner = clusterDrawRunner(restored, day.keys);
    const { rows: drawn } = await restored.query<{ public_id: string }>(`select public_id from draws where proof is not null order by id`);
    t.ok(drawn.length >= 1, `${drawn.length} drawn draw(s) to verify`);
    for (const { public_id: publicId } of drawn) {
      const draw = (await drawByPublicId(restored, publicId))!;
      const { records } = await runner.sealedTree(draw);
      const proofFile = path.join(scratchDir, `${publicId}.proof.json`);
      const ticketsFile = path.join(scratchDir, `${publicId}.tickets.json`);
      fs.writeFileSync(proofFile, JSON.stringify((await drawProof(restored, publicId))!.proof));
      fs.writeFileSync(ticketsFile, JSON.stringify(records));
      const verified = await run('npx', ['tsx', path.join(ROOT, 'draw/verify-cli.ts'), proofFile, '--tickets', ticketsFile], { cwd: ROOT }).then(
        () => ({ code: 0, out: '' }),
        (err) => ({ code: err.code as number, out: `${err.stdout}${err.stderr}` }),
      );
      t.equal(verified.code, 0, `npm run verify passes for draw ${publicId} and its ${records.length} sealed tickets${verified.code ? `: ${verified.out.slice(0, 400)}` : ''}`);
    }
  },
);
