// `npm start` builds the server with tsc (tsconfig.build.json) and runs dist/server.js, not
// the TypeScript sources through tsx as the other tests do: this runs that build and that
// command, so a difference between the two (an import tsc does not rewrite, a file read
// beside the sources such as the migrations) fails here rather than in production.
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import t from 'tap';
import { freePort } from '../support/cluster.ts';
import { testDrawKeys } from '../support/harness.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..');
const pkg = JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8'));

t.test('npm start is the build, then node on the compiled entry point', async (t) => {
  t.match(pkg.scripts.start, /^npm run build && node .*dist\/server\.js$/);
});

t.test('the compiled server starts, migrates its database and serves the API', { timeout: 240_000 }, async (t) => {
  const build = spawnSync('npm', ['run', 'build'], { cwd: ROOT, encoding: 'utf8' });
  t.equal(build.status, 0, `npm run build: ${build.stdout.slice(-500)}${build.stderr.slice(-500)}`);
  const port = await freePort();
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'lottery-compiled-'));
  t.teardown(() => fs.rmSync(dataDir, { recursive: true, force: true }));
  const command = pkg.scripts.start.replace(/^npm run build && node /, '').split(' ');
  const child = spawn(process.execPath, command, {
    cwd: ROOT,
    // The embedded database: the migrations must be found beside the compiled ledger.
    env: { ...process.env, ...testDrawKeys(), DATABASE_URL: '', REDIS_URL: '', PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const exited = new Promise<number | null>((resolve) => child.on('exit', resolve));
  t.teardown(async () => {
    child.kill('SIGTERM');
    await exited;
  });
  let output = '';
  child.stderr.on('data', (chunk: Buffer) => (output += chunk));
  const listening = await new Promise<boolean>((resolve) => {
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
      if (output.includes('lottery server listening')) resolve(true);
    });
    exited.then(() => resolve(false));
  });
  t.ok(listening, `listening (${output.slice(-800)})`);
  const games = await fetch(`http://127.0.0.1:${port}/api/games`);
  t.equal(games.status, 200);
  const doc = await (await fetch(`http://127.0.0.1:${port}/api/openapi.json`)).json();
  t.equal(doc.openapi, '3.1.0');
  child.kill('SIGTERM');
  t.equal(await exited, 0, 'exits 0 after SIGTERM');
});
