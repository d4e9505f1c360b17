// compose.yaml and its images (Dockerfile, ops/db/Dockerfile.*) cannot be started on these
// machines (no Docker daemon): this keeps them in step with what can be checked here. The
// services are the topology the runbook describes; every image's entrypoint and copied files
// exist; the server processes set only variables the server reads, and values it accepts; the
// proxy runs the drills' own ops/db/haproxy.cfg, which HAProxy accepts with the compose
// environment; the PostgreSQL image runs ops/db/container-postgres, built on the same
// ops/db/settings as the drills' ops/db/replica-up (test/serial/container-postgres.test.ts
// runs it). The Dockerfile runs what `npm start` runs.
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { parse } from 'yaml';
import { CONFIG_VARIABLES, loadConfig } from '../app/config.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const read = (file: string) => fs.readFileSync(path.join(ROOT, file), 'utf8');
const compose = parse(read('compose.yaml'), { merge: true });
const services: Record<string, any> = compose.services;
const servers = Object.entries(services).filter(([name]) => name.startsWith('server-'));
/** What a shell would give `${VAR:?…}` and `${VAR:-default}` with the example secrets set. */
const secrets: Record<string, string> = { POSTGRES_PASSWORD: 'pw', DRAW_SEED_KEY: 'a1'.repeat(32), DRAW_SIGNING_KEY: 'b2'.repeat(32) };
const interpolate = (value: unknown) => String(value).replace(/\$\{(\w+)(?::[?-]([^}]*))?\}/g, (_, name, fallback) => secrets[name] ?? fallback ?? '');

t.test('the topology: several server processes, a primary and its standby, the proxy, Redis', async (t) => {
  t.ok(servers.length >= 2, `${servers.length} server processes`);
  for (const name of ['postgres-primary', 'postgres-standby', 'pg-proxy', 'redis']) t.ok(services[name], name);
  t.equal(services['postgres-primary'].environment.ROLE, 'primary');
  t.equal(services['postgres-standby'].environment.ROLE, 'standby');
  t.equal(services['postgres-standby'].environment.PRIMARY_HOST, 'postgres-primary', 'the standby clones the primary');
  t.equal(services['postgres-primary'].environment.STANDBY_NAME, services['postgres-standby'].environment.STANDBY_NAME, 'and the primary waits for it by that name');
  t.equal(services['pg-proxy'].environment.PG_PRIMARY, 'postgres-primary:5432');
  t.equal(services['pg-proxy'].environment.PG_STANDBY, 'postgres-standby:5432');
  t.equal(services['postgres-primary'].restart, 'no', 'a lost primary is not brought back by itself as a second writable server');
});

t.test('each server process sets only variables the server reads, with values it accepts, through the proxy', async (t) => {
  const addresses = new Set<string>();
  for (const [name, service] of servers) {
    const env = Object.fromEntries(Object.entries(service.environment).map(([k, v]) => [k, interpolate(v)]));
    t.same(Object.keys(env).filter((k) => !CONFIG_VARIABLES.includes(k)), [], `${name}: every variable is one of ours`);
    t.doesNotThrow(() => loadConfig(env), `${name}: the server's schema accepts it`);
    t.match(env.DATABASE_URL, /^postgres:\/\/postgres:pw@pg-proxy:5432\//, `${name}: the ledger through the proxy, never a server directly`);
    t.equal(env.REDIS_URL, 'redis://redis:6379/0', `${name}: one Redis for the cluster`);
    t.equal(service.stop_grace_period, '30s', `${name}: time to drain on SIGTERM`);
    addresses.add(env.PUBLIC_ADDRESS);
  }
  t.equal(addresses.size, servers.length, 'each process has a public address of its own');
});

t.test('every image copies files that exist and runs an entrypoint that does', async (t) => {
  const images = new Map<string, string>([['Dockerfile', 'server']]);
  for (const service of Object.values(services)) if (service.build?.dockerfile) images.set(service.build.dockerfile, service.build.dockerfile);
  for (const dockerfile of images.keys()) {
    const text = read(dockerfile);
    for (const [, from] of text.matchAll(/^COPY (?!--from)(\S+) /gm)) t.ok(fs.existsSync(path.join(ROOT, from)), `${dockerfile}: COPY ${from}`);
    const entry = /^ENTRYPOINT \["\/opt\/lottery-db\/([\w-]+)"\]/m.exec(text)?.[1];
    if (entry) t.ok(fs.statSync(path.join(ROOT, 'ops/db', entry)).mode & 0o111, `${dockerfile}: ops/db/${entry} is executable`);
  }
  t.match(read('ops/db/container-postgres'), /\. "\$\(dirname .*\)\/settings"/, 'the PostgreSQL entrypoint uses ops/db/settings');
  t.match(read('ops/db/replica-up'), /\. "\$\(dirname "\$0"\)\/settings"/, 'as the drills\' replica-up does');
  for (const script of fs.readdirSync(path.join(ROOT, 'ops/db')).filter((f) => !/\.|^Dockerfile/.test(f) && f !== 'settings')) {
    t.doesNotThrow(() => execFileSync(read(`ops/db/${script}`).startsWith('#!/bin/sh') ? 'sh' : 'bash', ['-n', path.join(ROOT, 'ops/db', script)]), `ops/db/${script} parses`);
  }
});

t.test('the server image runs what npm start runs, and checks its health', async (t) => {
  const start = JSON.parse(read('package.json')).scripts.start.replace(/^npm run build && /, '');
  const cmd = /^CMD \[(.+)\]$/m.exec(read('Dockerfile'))?.[1];
  t.equal(cmd && JSON.parse(`[${cmd}]`).join(' '), start, 'CMD is the start script without its build');
  t.match(read('Dockerfile'), /^HEALTHCHECK [^]*?\/healthz/m, 'a health check on /healthz');
  t.match(read('Dockerfile'), /^USER node$/m, 'not root');
});

const haproxy = ['/usr/sbin/haproxy', '/usr/bin/haproxy'].find((p) => fs.existsSync(p));
t.test('HAProxy accepts the drills\' configuration with the compose environment', { skip: haproxy ? false : 'haproxy is not installed (CI installs it)' }, async (t) => {
  const image = read('ops/db/Dockerfile.haproxy');
  const imageEnv = Object.fromEntries([.../^ENV (.+)$/m.exec(image)![1].matchAll(/(\w+)=(\S+)/g)].map((m) => [m[1], m[2]]));
  const env = { ...imageEnv, ...services['pg-proxy'].environment, PG_CHECK: path.join(ROOT, 'ops/db/pg-writable') };
  // The compose names do not resolve here: HAProxy resolves server addresses at start.
  env.PG_PRIMARY = env.PG_PRIMARY.replace('postgres-primary', '127.0.0.1');
  env.PG_STANDBY = env.PG_STANDBY.replace('postgres-standby', '127.0.0.1');
  t.match(execFileSync(haproxy!, ['-c', '-V', '-f', path.join(ROOT, 'ops/db/haproxy.cfg')], { env: { PATH: process.env.PATH, ...env }, encoding: 'utf8' }), /valid/);
});
