// draw/verify-cli.ts — the standalone verifier on the command line (draw/README.md, "Verifier").
//
//   npm run -s verify -- proof.json [--tickets tickets.json] [--key <hex>]
//   npm run -s verify -- --receipt receipt.json [--inclusion inclusion.json] [--proof proof.json] [--key <hex>]
//
// One line per check, PASS or FAIL, then a summary. Exit 0: every check passed; 1: some
// check failed; 2: usage error, or a file that cannot be read or is not JSON.
import fs from 'node:fs';
import process from 'node:process';
import type { TicketRecord } from './encoding.ts';
import { parseStrictJson, StrictJsonError } from './json.ts';
import { allPassed, inclusionOptionsOf, sameTicket, verifyDrawProof, verifyInclusionProof, verifyReceipt, type Check } from './verify.ts';

/** Largest file read: a ticket list of a million tickets is about 200 MB of JSON. */
const FILE_BYTES_MAX = 512 * 1024 * 1024;
const KEY_HEX = /^[0-9a-fA-F]{64}$/;
const FLAGS = new Set(['--tickets', '--key', '--receipt', '--inclusion', '--proof']);

const USAGE = `usage:
  verify <proof.json> [--tickets <tickets.json>] [--key <hex public key>]
  verify --receipt <receipt.json> [--inclusion <inclusion.json>] [--proof <proof.json>] [--key <hex public key>]
  verify --inclusion <inclusion.json> [--proof <proof.json>] [--key <hex public key>]

--key applies to every signed document given (receipts and proofs share the operator key).
Exit status: 0 all checks passed, 1 a check failed, 2 usage error or unreadable file.`;

class UsageError extends Error {}

interface Args {
  positional: string[];
  flags: Map<string, string>;
}

function parseArgs(argv: string[]): Args {
  const args: Args = { positional: [], flags: new Map() };
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') throw new UsageError('');
    if (a.startsWith('--')) {
      if (!FLAGS.has(a)) throw new UsageError(`unknown option ${a}`);
      const value = argv[++i];
      if (value === undefined || value.startsWith('--')) throw new UsageError(`${a} needs a value`);
      if (args.flags.has(a)) throw new UsageError(`${a} given twice`);
      args.flags.set(a, value);
    } else args.positional.push(a);
  }
  return args;
}

/** A document, read by the strict rules of draw/README.md §7 (not JSON.parse's). */
function readJson(file: string): unknown {
  let bytes: Uint8Array;
  try {
    const size = fs.statSync(file).size;
    if (size > FILE_BYTES_MAX) throw new Error(`${size} bytes, more than ${FILE_BYTES_MAX}`);
    bytes = fs.readFileSync(file);
  } catch (err) {
    throw new UsageError(`cannot read ${file}: ${(err as Error).message}`);
  }
  try {
    return parseStrictJson(bytes);
  } catch (err) {
    if (!(err instanceof StrictJsonError)) throw err;
    throw new UsageError(`${file} is not JSON as draw/README.md §7 reads it: ${err.message}`);
  }
}

function prefixed(prefix: string, checks: Check[]): Check[] {
  return checks.map((c) => ({ ...c, name: `${prefix}: ${c.name}` }));
}

function field(value: unknown, ...path: string[]): unknown {
  let v = value;
  for (const key of path) v = typeof v === 'object' && v !== null ? (v as Record<string, unknown>)[key] : undefined;
  return v;
}

function run(argv: string[]): Check[] {
  const args = parseArgs(argv);
  const rawKey = args.flags.get('--key');
  if (rawKey !== undefined && !KEY_HEX.test(rawKey)) throw new UsageError('--key must be 64 hex characters (an ed25519 public key)');
  const publicKey = rawKey?.toLowerCase();
  const receiptFile = args.flags.get('--receipt');
  const inclusionFile = args.flags.get('--inclusion');

  if (receiptFile === undefined && inclusionFile === undefined) {
    if (args.positional.length !== 1) throw new UsageError(args.positional.length === 0 ? 'no proof file given' : 'give exactly one proof file');
    if (args.flags.has('--proof')) throw new UsageError('--proof goes with --receipt or --inclusion');
    const proof = readJson(args.positional[0]);
    const ticketsFile = args.flags.get('--tickets');
    const tickets = ticketsFile === undefined ? undefined : (readJson(ticketsFile) as TicketRecord[]);
    return verifyDrawProof(proof, { tickets, publicKey });
  }

  if (args.positional.length > 0) throw new UsageError('a proof file goes after --proof in receipt mode');
  if (args.flags.has('--tickets')) throw new UsageError('--tickets goes with a proof file, not with --receipt or --inclusion');
  const receipt = receiptFile === undefined ? undefined : readJson(receiptFile);
  const inclusion = inclusionFile === undefined ? undefined : readJson(inclusionFile);
  const proofFile = args.flags.get('--proof');
  const proof = proofFile === undefined ? undefined : readJson(proofFile);
  const checks: Check[] = [];
  if (proof !== undefined) checks.push(...prefixed('proof', verifyDrawProof(proof, { publicKey })));
  if (receipt !== undefined) {
    checks.push(...prefixed('receipt', verifyReceipt(receipt, { publicKey })));
    if (proof !== undefined) {
      const ok = field(receipt, 'ticket', 'drawId') === field(proof, 'drawId');
      checks.push({ name: 'receipt: draw id', ok, detail: ok ? `the ticket is for ${String(field(proof, 'drawId'))}` : 'the receipt is for another draw than the proof' });
    }
  }
  if (inclusion !== undefined) checks.push(...prefixed('inclusion', verifyInclusionProof(inclusion, proof === undefined ? {} : inclusionOptionsOf(proof))));
  if (receipt !== undefined && inclusion !== undefined) {
    const ok = sameTicket(field(receipt, 'ticket'), field(inclusion, 'ticket'));
    checks.push({ name: 'receipt ticket = inclusion ticket', ok, detail: ok ? 'the ticket the operator accepted is the one included in the draw' : 'the receipt and the inclusion proof name different tickets' });
  }
  return checks;
}

function main(): number {
  let checks: Check[];
  try {
    checks = run(process.argv.slice(2));
  } catch (err) {
    if (!(err instanceof UsageError)) throw err;
    if (err.message) process.stderr.write(`verify: ${err.message}\n`);
    process.stderr.write(`${USAGE}\n`);
    return 2;
  }
  const width = Math.max(...checks.map((c) => c.name.length));
  const lines = checks.map((c) => `${c.ok ? 'PASS' : 'FAIL'}  ${c.name.padEnd(width)}  ${c.detail}`);
  const failed = checks.filter((c) => !c.ok).length;
  lines.push(allPassed(checks) ? `VERIFIED: all ${checks.length} checks passed` : `NOT VERIFIED: ${failed} of ${checks.length} checks failed`);
  process.stdout.write(lines.join('\n') + '\n');
  return allPassed(checks) ? 0 : 1;
}

process.exitCode = main();
