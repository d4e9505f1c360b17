// The compose topology's PostgreSQL servers (compose.yaml, ops/db/Dockerfile.postgres) run
// ops/db/container-postgres. Docker cannot run on these machines, but the script needs only
// what its image has (Debian's PostgreSQL 15 packages), as this host does: it is run here as
// the containers would run it, a primary and a standby in the foreground on ports of their
// own, talking with passwords. The standby clones the primary, streams synchronously, and
// ops/db/promote (as the runbook gives it for a container) makes it the primary.
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import pg from 'pg';
import t from 'tap';
import { freePort } from '../support/cluster.ts';
import { sleep } from '../support/faults.ts';
import { canMakeReplicas, ROOT, run } from '../support/replicas.ts';

const cannot = canMakeReplicas ? undefined : 'needs root and the Debian cluster tools (pg_createcluster), as the image has';
if (cannot && process.env.REQUIRE_HA === '1') t.fail(`REQUIRE_HA=1, but the test ${cannot}`);

/** Runs the entrypoint as a container would, with `env`; its output is kept for failures. */
function container(env: Record<string, string>): { child: ChildProcess; output: () => string } {
  const child = spawn(path.join(ROOT, 'ops/db/container-postgres'), [], { env: { PATH: process.env.PATH!, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stdout!.on('data', (d) => (output = (output + d).slice(-4_000)));
  child.stderr!.on('data', (d) => (output = (output + d).slice(-4_000)));
  return { child, output: () => output };
}

async function query(url: string, sql: string, waitMs = 0): Promise<any[]> {
  const endMs = Date.now() + waitMs;
  for (;;) {
    const c = new pg.Client({ connectionString: url, connectionTimeoutMillis: 1_000 });
    try {
      await c.connect();
      return (await c.query(sql)).rows;
    } catch (err) {
      if (Date.now() > endMs) throw err;
      await sleep(200);
    } finally {
      await c.end().catch(() => {});
    }
  }
}

t.test('the container entrypoint makes a primary and a synchronous standby that promotes', { skip: cannot ?? false, timeout: 120_000 }, async (t) => {
  const password = crypto.randomBytes(12).toString('hex');
  const [primaryPort, standbyPort] = [await freePort(), await freePort()];
  const names = { primary: `ct_primary_${process.pid}`, standby: `ct_standby_${process.pid}` };
  const archive = `/var/lib/postgresql/wal-archive/ct_${process.pid}`;
  const common = { POSTGRES_PASSWORD: password, WAL_ARCHIVE_DIR: archive, STANDBY_NAME: 'standby', LOTTERY_DATABASE: 'lottery' };
  const running: ChildProcess[] = [];
  t.teardown(async () => {
    const live = running.filter((c) => c.exitCode === null && c.signalCode === null);
    for (const c of live) c.kill('SIGINT');
    await Promise.all(live.map((c) => new Promise((r) => c.once('exit', r))));
    for (const name of Object.values(names)) await run('pg_dropcluster', ['--stop', '15', name]).catch(() => {});
    fs.rmSync(archive, { recursive: true, force: true });
  });

  const primary = container({ ...common, ROLE: 'primary', CLUSTER: names.primary, PGPORT: String(primaryPort) });
  running.push(primary.child);
  const primaryUrl = `postgres://postgres:${password}@127.0.0.1:${primaryPort}/lottery`;
  t.teardown(() => t.passing() || t.comment(`primary: ${primary.output()}`));
  await t.resolves(query(primaryUrl, 'select 1', 30_000), 'the primary answers with its password, its database made');
  await t.rejects(query(primaryUrl.replace(password, 'wrong'), 'select 1'), { code: '28P01' }, 'and refuses a wrong one');

  const standby = container({ ...common, ROLE: 'standby', CLUSTER: names.standby, PGPORT: String(standbyPort), PRIMARY_HOST: '127.0.0.1', PRIMARY_PORT: String(primaryPort) });
  running.push(standby.child);
  t.teardown(() => t.passing() || t.comment(`standby: ${standby.output()}`));
  const state = async () => (await query(primaryUrl, "select sync_state from pg_stat_replication where application_name = 'standby'"))[0]?.sync_state;
  const endMs = Date.now() + 60_000;
  while ((await state()) !== 'sync' && Date.now() < endMs) await sleep(250);
  t.equal(await state(), 'sync', 'the standby streams synchronously');

  await query(primaryUrl, 'create table drill (id int primary key); insert into drill values (1), (2)');
  const standbyUrl = `postgres://postgres:${password}@127.0.0.1:${standbyPort}/lottery`;
  t.same(await query(standbyUrl, 'select count(*)::int as n from drill', 5_000), [{ n: 2 }], 'a committed row is on the standby');

  // The primary's host lost: the postmaster itself (the entrypoint exec'd it) killed.
  primary.child.kill('SIGKILL');
  await run(path.join(ROOT, 'ops/db/promote'), [], { env: { ...process.env, CLUSTER: names.standby } });
  t.same(await query(standbyUrl, 'insert into drill values (3) returning id', 5_000), [{ id: 3 }], 'promoted (CLUSTER=… ops/db/promote), it takes writes');
});
