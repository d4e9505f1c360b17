// draw/README.md is the specification: every check the verifier can report is listed there
// by its exact name, in its document's table, and nothing is listed that the verifier does
// not report. The tables are read from the README itself, so the two cannot drift apart.
import { execFile } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import t from 'tap';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { publicKeyAcceptable } from '../draw/signature.ts';
import { verifyDrawProof, verifyInclusionProof, verifyReceipt } from '../draw/verify.ts';
import { EXAMPLE_PUBLIC_KEY, exampleDraw, exampleRaffleDraw, FIXTURE_DIR } from './fixtures/draw/example.ts';

const README = fs.readFileSync(new URL('../draw/README.md', import.meta.url), 'utf8');

/** The backticked names in the first column of the table under a `### heading` of §10. */
function namesUnder(heading: string): string[] {
  const section = README.slice(README.indexOf('## 10. The verifier'), README.indexOf('## 11.'));
  const start = section.indexOf(`### ${heading}\n`);
  if (start < 0) throw new Error(`no "### ${heading}" in draw/README.md §10`);
  const rest = section.slice(start + heading.length + 5);
  const body = rest.slice(0, rest.search(/\n### |$/));
  return [...body.matchAll(/^\| `([^`]+)` \|/gm)].map((m) => m[1]);
}

const names = (checks: { name: string }[]) => checks.map((c) => c.name);

const RAFFLE_ONLY = ['raffle drum', 'raffle winners'];

t.test('draw proof: the names reported, in order, are the table\'s', async (t) => {
  const { proof, tickets } = exampleDraw();
  const all = names(verifyDrawProof(proof, { tickets, publicKey: EXAMPLE_PUBLIC_KEY }));
  // The example is a lotto draw: the raffle checks are reported only for a raffle (a drum named tickets).
  const table = namesUnder('Draw proof checks');
  t.same(all, table.filter((n) => !RAFFLE_ONLY.includes(n)), 'with tickets and a key: every check, in the spec\'s order');
  const raffle = exampleRaffleDraw();
  const raffleChecks = verifyDrawProof(raffle.proof, { tickets: raffle.tickets, publicKey: EXAMPLE_PUBLIC_KEY });
  t.same(names(raffleChecks), table, 'a raffle of leaf version 2 with its tickets: every check of the table, in order');
  t.ok(raffleChecks.every((c) => c.ok), 'all passing');
  t.same(names(verifyDrawProof(raffle.proof)), table.filter((n) => !/^ticket|^stake|^public key|^raffle winners/.test(n)), 'without the ticket list: no raffle winners');
  // A raffle of leaf version 1 (drawn before version 2): positions only, no raffle section.
  const v1 = { ...proof, gameId: 'raffle', drums: [{ name: 'tickets', min: 1, max: proof.tickets.count, count: 1, replacement: false }] };
  t.same(names(verifyDrawProof(v1, { tickets, publicKey: EXAMPLE_PUBLIC_KEY })), table.filter((n) => n !== 'raffle winners'), 'a leaf version 1 raffle: raffle drum, no raffle winners');
  t.equal(verifyDrawProof(v1).find((c) => c.name === 'raffle drum')?.ok, true, 'a drum of exactly the sealed tickets passes');
  const stuffed = { ...v1, drums: [{ ...v1.drums[0], max: proof.tickets.count + 1 }] };
  t.equal(verifyDrawProof(stuffed).find((c) => c.name === 'raffle drum')?.ok, false, 'a drum larger than the seal fails');
  t.same(names(verifyDrawProof({ version: 'x' }, { tickets, publicKey: EXAMPLE_PUBLIC_KEY })), all, 'a malformed proof reports the same names');
  t.same(names(verifyDrawProof(proof)), all.filter((n) => !n.startsWith('ticket') && n !== 'stake total' && n !== 'public key'), 'the "with …" checks only with their option');
});

t.test('receipt and inclusion proof: the names reported are the tables\'', async (t) => {
  const { proof, receipts, inclusion } = exampleDraw();
  t.same(names(verifyReceipt(receipts[0], { publicKey: EXAMPLE_PUBLIC_KEY })), namesUnder('Receipt checks'));
  t.same(names(verifyReceipt(null, { publicKey: EXAMPLE_PUBLIC_KEY })), namesUnder('Receipt checks'));
  const table = namesUnder('Inclusion proof checks');
  const against = { root: proof.tickets.root, treeSize: proof.tickets.count, drawId: proof.drawId, leafVersion: proof.tickets.leafVersion };
  t.same(names(verifyInclusionProof(inclusion, against)), table.filter((n) => n !== 'raffle result'), 'a line game: every check but the raffle result');
  t.same(names(verifyInclusionProof([], against)), table.filter((n) => n !== 'raffle result'));
  const raffle = exampleRaffleDraw();
  const p = raffle.proof;
  const all = { root: p.tickets.root, treeSize: p.tickets.count, drawId: p.drawId, leafVersion: 2, raffle: { positions: p.numbers[0], winners: p.raffle!.winners } };
  t.same(names(verifyInclusionProof(raffle.inclusion, all)), table, 'a raffle: every check of the table, in order');
  t.same(names(verifyInclusionProof(null, all)), table);
});

t.test('the command line: prefixed document checks plus exactly the receipt-mode checks of the spec', async (t) => {
  const env = Object.fromEntries(Object.entries(process.env).filter(([k]) => !/^(NODE_V8_COVERAGE|NODE_OPTIONS|_?TAP)/.test(k)));
  const fixture = (name: string) => path.join(FIXTURE_DIR, name);
  const stdout = await new Promise<string>((resolve) =>
    execFile(
      process.execPath,
      ['--import', 'tsx', 'draw/verify-cli.ts', '--receipt', fixture('receipt.json'), '--inclusion', fixture('inclusion.json'), '--proof', fixture('proof.json'), '--key', EXAMPLE_PUBLIC_KEY],
      { env },
      (_err, out) => resolve(out),
    ),
  );
  const printed = stdout.trim().split('\n').slice(0, -1).map((l) => l.slice(6).split(/ {2,}/)[0].trimEnd());
  const documents: [string, string[]][] = [
    ['proof', namesUnder('Draw proof checks').filter((n) => !/^ticket|^stake|^raffle/.test(n))],
    ['receipt', namesUnder('Receipt checks')],
    ['inclusion', namesUnder('Inclusion proof checks').filter((n) => n !== 'raffle result')],
  ];
  const expected: string[] = [];
  for (const [prefix, list] of documents) {
    expected.push(...list.map((n) => `${prefix}: ${n}`));
    if (prefix === 'receipt') expected.push('receipt: draw id');
  }
  expected.push('receipt ticket = inclusion ticket');
  t.same(printed, expected, 'every line the CLI prints, in order');
  t.same(namesUnder('The command line'), ['receipt: draw id', 'receipt ticket = inclusion ticket'], 'the receipt-mode table lists exactly the two');
  t.match(stdout, /VERIFIED: all \d+ checks passed/);
});

t.test('the 8 small-order encodings listed in §7 are exactly the small-order points, all refused', async (t) => {
  const keyRule = README.slice(README.indexOf('*Key rule.*'), README.indexOf('2. `S` (little-endian)'));
  const listed = [...keyRule.matchAll(/`([0-9a-f]{64})`/g)].map((m) => m[1]);
  const Point = ed25519.Point;
  const torsion = new Set<string>();
  for (let y = 2n; torsion.size < 8 && y < 10_000n; y++) {
    const b = new Uint8Array(32);
    for (let i = 0, v = y; i < 32; i++, v >>= 8n) b[i] = Number(v & 0xffn);
    let q;
    try {
      q = Point.fromBytes(b, false);
    } catch {
      continue;
    }
    const small = q.multiplyUnsafe(Point.Fn.ORDER - 1n).add(q);
    for (let k = 0n; k < 8n; k++) torsion.add(bytesToHex((k === 0n ? Point.ZERO : small.multiplyUnsafe(k)).toBytes()));
  }
  const spelled = ['01' + '00'.repeat(31), 'ec' + 'ff'.repeat(30) + '7f', '00'.repeat(32), '00'.repeat(31) + '80'];
  for (const h of spelled) t.ok(keyRule.includes(`\`${h.slice(0, 4)}…${h.slice(-4)}\``), `§7 spells ${h.slice(0, 4)}…${h.slice(-4)}`);
  t.same([...new Set([...listed, ...spelled])].sort(), [...torsion].sort(), 'the listed encodings are the 8 small-order points');
  for (const h of torsion) t.notOk(publicKeyAcceptable(Buffer.from(h, 'hex')), `${h.slice(0, 8)}… is refused as a key`);
});
