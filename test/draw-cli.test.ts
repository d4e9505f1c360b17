// The command-line tools as users run them: the verifier (also through bin/lottery-verify.mjs)
// prints a PASS/FAIL line per check and exits 0/1/2; draw:stream writes exactly the library's
// byte stream, stops cleanly when its reader goes away, and refuses bad arguments.
import { execFile, spawn } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import t from 'tap';
import { Drbg } from '../draw/drbg.ts';
import { streamKey } from '../draw/select.ts';
import { inclusionProof } from '../draw/inclusion.ts';
import { EXAMPLE_PUBLIC_KEY, exampleDraw, exampleRaffleDraw, FIXTURE_DIR } from './fixtures/draw/example.ts';

interface Result {
  code: number;
  stdout: string;
  stderr: string;
}

/** The environment without tap's per-process instrumentation (NODE_OPTIONS imports), which
 * would slow every child down: these children are run as a user runs them. */
const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_V8_COVERAGE|NODE_OPTIONS|_?TAP)/.test(k)));

function run(args: string[]): Promise<Result> {
  return new Promise((resolve) => {
    execFile(process.execPath, args, { maxBuffer: 1 << 24, env }, (err, stdout, stderr) => {
      const code = err ? ((err as { code?: number }).code ?? 1) : 0;
      resolve({ code: typeof code === 'number' ? code : 1, stdout, stderr });
    });
  });
}

const verify = (...args: string[]) => run(['--import', 'tsx', 'draw/verify-cli.ts', ...args]);
const fixture = (name: string) => path.join(FIXTURE_DIR, name);
const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'draw-cli-'));
t.teardown(() => fs.rmSync(dir, { recursive: true, force: true }));

function write(name: string, value: unknown): string {
  const file = path.join(dir, name);
  fs.writeFileSync(file, typeof value === 'string' ? value : JSON.stringify(value));
  return file;
}

function failLines(out: string): string[] {
  return out.split('\n').filter((l) => l.startsWith('FAIL'));
}

t.test('a valid proof with its tickets and the pinned key: exit 0, every line PASS', async (t) => {
  const r = await verify(fixture('proof.json'), '--tickets', fixture('tickets.json'), '--key', EXAMPLE_PUBLIC_KEY.toUpperCase());
  t.equal(r.code, 0, r.stderr);
  const lines = r.stdout.trim().split('\n');
  t.equal(lines.length, 16, '15 checks and a summary');
  t.ok(lines.slice(0, -1).every((l) => /^PASS {2}\S/.test(l)), 'PASS  <name>  <detail>');
  t.match(lines[lines.length - 1], /^VERIFIED: all 15 checks passed$/);
  t.match(r.stdout, /PASS {2}numbers +\[\[37,6,25,2,39,5\]\]/);
});

t.test('tampered documents: exit 1 and the FAIL line names the check', async (t) => {
  const { proof, tickets } = exampleDraw();
  const numbers = structuredClone(proof);
  numbers.numbers[0][0] = numbers.numbers[0][0] === 1 ? 2 : 1;
  const swapped = structuredClone(tickets);
  [swapped[0], swapped[1]] = [swapped[1], swapped[0]];
  const [changed, reordered, otherKey, malformed] = await Promise.all([
    verify(write('numbers.json', numbers)),
    verify(fixture('proof.json'), '--tickets', write('swapped.json', swapped)),
    verify(fixture('proof.json'), '--key', 'ab'.repeat(32)),
    verify(write('shape.json', { ...proof, drums: 'lotto' })),
  ]);
  const failed = (r: Result) => failLines(r.stdout).map((l) => l.split(/ {2,}/)[1]);
  t.equal(changed.code, 1);
  t.same(failed(changed), ['numbers', 'signature']);
  t.match(changed.stdout, /NOT VERIFIED: 2 of 8 checks failed/);
  t.equal(reordered.code, 1);
  t.same(failed(reordered), ['ticket order', 'ticket root']);
  t.equal(otherKey.code, 1);
  t.same(failed(otherKey), ['public key']);
  t.equal(malformed.code, 1, 'a malformed proof is a failed verification, not a usage error');
  t.match(malformed.stdout, /FAIL {2}format +drums must be an array/);
});

t.test('receipt mode: receipt, inclusion proof and draw proof together', async (t) => {
  const { receipts } = exampleDraw();
  const inclusion = JSON.parse(fs.readFileSync(fixture('inclusion.json'), 'utf8'));
  inclusion.root = 'ff'.repeat(32);
  const [all, otherReceipt, badInclusion] = await Promise.all([
    verify('--receipt', fixture('receipt.json'), '--inclusion', fixture('inclusion.json'), '--proof', fixture('proof.json'), '--key', EXAMPLE_PUBLIC_KEY),
    verify('--receipt', write('other-receipt.json', receipts[3]), '--inclusion', fixture('inclusion.json'), '--proof', fixture('proof.json')),
    verify('--inclusion', write('bad-inclusion.json', inclusion), '--proof', fixture('proof.json')),
  ]);
  const failed = (r: Result) => failLines(r.stdout).map((l) => l.split(/ {2,}/)[1]);
  t.equal(all.code, 0, 'receipt, inclusion proof and draw proof agree');
  t.match(all.stdout, /PASS {2}inclusion: root +the draw's sealed root/);
  t.match(all.stdout, /PASS {2}receipt ticket = inclusion ticket/);
  t.equal(otherReceipt.code, 1, "another ticket's receipt");
  t.same(failed(otherReceipt), ['receipt ticket = inclusion ticket']);
  t.equal(badInclusion.code, 1);
  t.same(failed(badInclusion), ['inclusion: inclusion', 'inclusion: root']);
});

t.test('leaf version 2 draws: the pick-3 and raffle fixtures verify, a raffle ticket by its inclusion proof alone', async (t) => {
  const { proof, tickets } = exampleRaffleDraw();
  const loser = JSON.parse(JSON.stringify(inclusionProof(exampleRaffleDraw().tree, 0, tickets[0])));
  const lied = structuredClone(proof);
  lied.raffle!.winners.reverse();
  const [pick3, pick3Receipt, raffle, winner, notWinner, liedList, liedInclusion] = await Promise.all([
    verify(fixture('pick3-proof.json'), '--tickets', fixture('pick3-tickets.json'), '--key', EXAMPLE_PUBLIC_KEY),
    verify('--receipt', fixture('pick3-receipt.json'), '--inclusion', fixture('pick3-inclusion.json'), '--proof', fixture('pick3-proof.json'), '--key', EXAMPLE_PUBLIC_KEY),
    verify(fixture('raffle-proof.json'), '--tickets', fixture('raffle-tickets.json'), '--key', EXAMPLE_PUBLIC_KEY),
    verify('--inclusion', fixture('raffle-inclusion.json'), '--proof', fixture('raffle-proof.json'), '--key', EXAMPLE_PUBLIC_KEY),
    verify('--inclusion', write('raffle-loser.json', loser), '--proof', fixture('raffle-proof.json'), '--key', EXAMPLE_PUBLIC_KEY),
    verify(write('raffle-lied.json', lied), '--tickets', fixture('raffle-tickets.json')),
    verify('--inclusion', fixture('raffle-inclusion.json'), '--proof', write('raffle-lied-2.json', lied)),
  ]);
  for (const [name, r] of [['pick-3 with its tickets', pick3], ['pick-3 receipt mode', pick3Receipt], ['raffle with its tickets', raffle], ['a raffle winner', winner], ['a raffle loser', notWinner]] as const) {
    t.equal(r.code, 0, `${name}: exit 0 ${failLines(r.stdout).join('; ')}`);
  }
  t.match(pick3.stdout, /PASS {2}tickets format +12 well-formed ticket records of leaf version 2/);
  t.match(pick3Receipt.stdout, /PASS {2}inclusion: leaf version +a leaf version 2 record/);
  t.match(raffle.stdout, /PASS {2}raffle winners +3 winners, each the ticket at its drawn position/);
  t.match(winner.stdout, /PASS {2}inclusion: raffle result +T3009 \(position 5\) won prize 1/);
  t.match(notWinner.stdout, /PASS {2}inclusion: raffle result +T3001 \(position 1\) won no prize/);
  const failed = (r: Result) => failLines(r.stdout).map((l) => l.split(/ {2,}/)[1]);
  t.equal(liedList.code, 1);
  t.same(failed(liedList), ['raffle winners', 'signature'], 'winners out of draw order: named by the ticket list');
  t.same(failed(liedInclusion), ['proof: signature', 'inclusion: raffle result'], '… and by the winner\'s own inclusion proof');
});

t.test('usage errors and unreadable files: exit 2, nothing on stdout', async (t) => {
  const cases: [string, string[], RegExp][] = [
    ['a missing file', [path.join(dir, 'missing.json')], /cannot read .*missing\.json/],
    ['a file that is not JSON', [write('garbage.json', '{"version": ')], /is not JSON/],
    ['a malformed key', [fixture('proof.json'), '--key', 'xyz'], /--key must be 64 hex characters/],
    // JSON.parse would read these; draw/README.md §7's reader does not (two readers could differ).
    ['a duplicate key', [write('duplicate.json', fs.readFileSync(fixture('proof.json'), 'utf8').replace('{', '{"drawId":"other",'))], /not JSON as draw\/README\.md §7 reads it: duplicate key "drawId"/],
    ['a byte-order mark', [write('bom.json', '\uFEFF' + fs.readFileSync(fixture('proof.json'), 'utf8'))], /byte-order mark/],
    ['25.0 in a ticket list', [fixture('proof.json'), '--tickets', write('float.json', fs.readFileSync(fixture('tickets.json'), 'utf8').replace(/"costMinor": *(\d+)/, '"costMinor": $1.0'))], /float\.json is not JSON .*without fraction or exponent/],
    ['-0 in a receipt', ['--receipt', write('minus-zero.json', fs.readFileSync(fixture('receipt.json'), 'utf8').replace(/"index": *\d+/, '"index": -0'))], /-0 is not allowed/],
  ];
  const results = await Promise.all(cases.map(([, args]) => verify(...args)));
  cases.forEach(([what, , message], i) => {
    t.equal(results[i].code, 2, `${what}: exit 2`);
    t.match(results[i].stderr, message, `${what}: says why`);
    t.equal(results[i].stdout, '', `${what}: no check lines`);
  });
});

t.test('bin/lottery-verify.mjs runs the same verifier', async (t) => {
  const ok = await run(['bin/lottery-verify.mjs', fixture('proof.json'), '--tickets', fixture('tickets.json')]);
  t.equal(ok.code, 0, ok.stderr);
  t.match(ok.stdout, /VERIFIED: all 14 checks passed/);
  t.ok(fs.statSync('bin/lottery-verify.mjs').mode & 0o111, 'executable');
  t.match(fs.readFileSync('bin/lottery-verify.mjs', 'utf8'), /^#!\/usr\/bin\/env node\n/);
  t.equal(JSON.parse(fs.readFileSync('package.json', 'utf8')).bin['lottery-verify'], 'bin/lottery-verify.mjs');
});

const stream = (...args: string[]) => ['--import', 'tsx', 'draw/stream-cli.ts', ...args];

function collect(args: string[], limitBytes = Infinity): Promise<{ code: number | null; bytes: Buffer; stderr: string }> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    const chunks: Buffer[] = [];
    let length = 0;
    let stderr = '';
    child.stderr.on('data', (d) => (stderr += d));
    child.stdout.on('data', (d: Buffer) => {
      chunks.push(d);
      length += d.length;
      if (length >= limitBytes) child.stdout.destroy(); // the reader goes away mid-stream
    });
    child.on('close', (code) => resolve({ code, bytes: Buffer.concat(chunks), stderr }));
  });
}

t.test('draw:stream writes exactly N bytes of the library stream', async (t) => {
  const seed = crypto.createHash('sha256').update('stream test').digest();
  const [thousand, seeded, big] = await Promise.all([
    collect(stream('--bytes', '1000')),
    collect(stream('--bytes', '777', '--seed', seed.toString('hex'))),
    collect(stream('--bytes', '3000001')),
  ]);
  t.equal(thousand.code, 0, thousand.stderr);
  t.equal(thousand.bytes.length, 1000);
  t.same(thousand.bytes, Buffer.from(new Drbg(streamKey(new Uint8Array(32))).nextBytes(1000)), 'default seed: 32 zero bytes');
  t.equal(seeded.bytes.length, 777);
  t.same(seeded.bytes, Buffer.from(new Drbg(streamKey(seed)).nextBytes(777)));
  t.equal(big.bytes.length, 3_000_001, 'several chunks, an odd tail');
  const library = new Drbg(streamKey(new Uint8Array(32)));
  const expected = crypto.createHash('sha256');
  for (let left = 3_000_001; left > 0; left -= 65_536) expected.update(library.nextBytes(Math.min(65_536, left)));
  t.equal(crypto.createHash('sha256').update(big.bytes).digest('hex'), expected.digest('hex'));
});

t.test('draw:stream stops quietly when its reader closes the pipe, and refuses bad arguments', async (t) => {
  const cut = await collect(stream('--bytes', '10000000000'), 200_000);
  t.equal(cut.code, 0, `exits 0 after EPIPE (${cut.stderr})`);
  t.equal(cut.stderr, '', 'no error noise');
  const bad = [['--bytes', '1e6'], ['--bytes', '10', '--seed', 'ab']];
  const results = await Promise.all(bad.map((args) => collect(stream(...args))));
  for (const [i, args] of bad.entries()) {
    const r = results[i];
    t.equal(r.code, 2, `${args.join(' ') || '(none)'}: exit 2`);
    t.equal(r.bytes.length, 0, 'nothing written');
    t.match(r.stderr, /usage: draw:stream/);
  }
});
