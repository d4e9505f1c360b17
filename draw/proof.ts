// draw/proof.ts — the signed, self-contained record of a draw (draw/README.md, "Draw proof").
//
// A proof carries the commitments published before sales, the seal of the ticket set, every
// revealed input and the numbers. From it alone anyone recomputes the DRBG key and the
// numbers; the operator's signature binds all of it, over a canonical JSON rendering so that
// any implementation reproduces the signed bytes.
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { describe, HASH_BYTES, parseHex, toHex, U32_MAX, U64_SAFE_MAX } from './bytes.ts';
import { runCheck, type Check } from './check.ts';
import { auditorRole, OPERATOR_ROLE, SEED_BYTES, seedCommitment } from './commit.ts';
import { LEAF_VERSIONS, TICKET_ID_PATTERN, type LeafVersion } from './encoding.ts';
import { MERKLE_LEAVES_MAX } from './merkle.ts';
import { ALGORITHM, assertDrum, AUDITORS_MAX, BEACON_VALUE_BYTES_MAX, DRUM_COUNT_MAX, DRUMS_MAX, type DrawInputs, type DrumSpec } from './drbg.ts';
import { RAFFLE_DRUM, raffleWinnerCount } from './raffle.ts';
import { numbersFor } from './select.ts';
import { arrayOf, boolean, hexString, integer, literal, plainObject, string, text } from './shape.ts';
import { publicKeyOf, PUBLIC_KEY_BYTES, sign, SIGNATURE_BYTES, signatureValid } from './signature.ts';

export const PROOF_VERSION = 'lottery-draw-proof/v1';
export const PROOF_MESSAGE_PREFIX = 'lottery/draw-proof/v1\n';
/** canonicalJson refuses deeper nesting (a proof is 4 levels deep). */
export const CANONICAL_JSON_DEPTH_MAX = 32;

export interface DrawProof {
  version: typeof PROOF_VERSION;
  drawId: string;
  gameId: string;
  drums: DrumSpec[];
  schedule: { openAt: string; cutoffAt: string; drawAt: string };
  commitments: {
    operator: string;
    auditors: { name: string; commitment: string }[];
    beacon: { source: string; round: number } | null;
  };
  reveals: {
    operatorSeed: string;
    auditors: { name: string; seed: string }[];
    beacon: { source: string; round: number; value: string } | null;
  };
  tickets: { leafVersion: LeafVersion; root: string; count: number; stakeTotalMinor: number };
  algorithm: typeof ALGORITHM;
  numbers: number[][];
  /** Raffles of leaf version 2 only (and then always): what was drawn for, and who won (§7). */
  raffle?: RaffleResult;
  publicKey: string;
  signature: string;
}

/** A raffle's prizes and, in prize order, the ticket ids at the positions drawn. */
export interface RaffleResult {
  prizeCount: number;
  winners: string[];
}

export type UnsignedDrawProof = Omit<DrawProof, 'signature'>;

/**
 * Canonical JSON: object keys sorted by UTF-16 code units (JS default sort), arrays in
 * order, no whitespace, strings as JSON.stringify writes them, numbers only as safe
 * integers; booleans and null. Anything else (undefined, functions, non-integers,
 * non-plain objects, sparse arrays) throws. For this subset it coincides with RFC 8785.
 */
export function canonicalJson(value: unknown): string {
  const out: string[] = [];
  writeCanonical(value, '$', 0, out);
  return out.join('');
}

function writeCanonical(value: unknown, path: string, depth: number, out: string[]): void {
  if (depth > CANONICAL_JSON_DEPTH_MAX) throw new Error(`${path}: nested deeper than ${CANONICAL_JSON_DEPTH_MAX}`);
  if (value === null) out.push('null');
  else if (typeof value === 'boolean') out.push(value ? 'true' : 'false');
  else if (typeof value === 'number') {
    if (!Number.isSafeInteger(value)) throw new Error(`${path}: only safe integers are allowed, got ${value}`);
    out.push(String(value)); // -0 prints as 0
  } else if (typeof value === 'string') out.push(JSON.stringify(value));
  else if (Array.isArray(value)) {
    out.push('[');
    for (let i = 0; i < value.length; i++) {
      if (!(i in value)) throw new Error(`${path}[${i}]: sparse arrays are not allowed`);
      if (i > 0) out.push(',');
      writeCanonical(value[i], `${path}[${i}]`, depth + 1, out);
    }
    out.push(']');
  } else if (typeof value === 'object' && [Object.prototype, null].includes(Object.getPrototypeOf(value))) {
    const record = value as Record<string, unknown>;
    out.push('{');
    Object.keys(record)
      .sort()
      .forEach((key, i) => {
        if (i > 0) out.push(',');
        out.push(JSON.stringify(key), ':');
        writeCanonical(record[key], `${path}.${key}`, depth + 1, out);
      });
    out.push('}');
  } else {
    throw new Error(`${path}: ${value === undefined ? 'undefined' : typeof value === 'object' ? 'a non-plain object' : `a ${typeof value}`} is not allowed`);
  }
}

/** utf8("lottery/draw-proof/v1\n") || utf8(canonicalJson(the proof without its signature)). */
export function proofMessage(p: UnsignedDrawProof): Uint8Array {
  if (typeof p !== 'object' || p === null) throw new Error('proof must be an object');
  const { signature: _signature, ...unsigned } = p as UnsignedDrawProof & { signature?: unknown };
  return concatBytes(utf8ToBytes(PROOF_MESSAGE_PREFIX), utf8ToBytes(canonicalJson(unsigned)));
}

/** The DRBG inputs a proof reveals, hex decoded (throws on malformed hex). */
export function inputsFromProof(p: UnsignedDrawProof): DrawInputs {
  const beacon = p.reveals.beacon;
  return {
    drawId: p.drawId,
    gameId: p.gameId,
    drums: p.drums.map((d) => ({ name: d.name, min: d.min, max: d.max, count: d.count, replacement: d.replacement })),
    operatorSeed: parseHex(p.reveals.operatorSeed, 'reveals.operatorSeed', SEED_BYTES),
    auditors: p.reveals.auditors.map((a, i) => ({ name: a.name, seed: parseHex(a.seed, `reveals.auditors[${i}].seed`, SEED_BYTES) })),
    beacon: beacon === null ? null : { source: beacon.source, round: beacon.round, value: parseHex(beacon.value, 'reveals.beacon.value') },
    ticketRoot: parseHex(p.tickets.root, 'tickets.root', HASH_BYTES),
    ticketCount: p.tickets.count,
    stakeTotalMinor: p.tickets.stakeTotalMinor,
  };
}

const ISO_UTC_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function isoTime(value: unknown, path: string): string {
  const s = string(value, path);
  const ms = ISO_UTC_MS.test(s) ? Date.parse(s) : NaN;
  if (Number.isNaN(ms) || new Date(ms).toISOString() !== s) throw new Error(`${path} must be an ISO-8601 UTC time as Date#toISOString writes it, got ${JSON.stringify(s.slice(0, 40))}`);
  return s;
}

function name(value: unknown, path: string): string {
  if (text(value, path) === '') throw new Error(`${path} must not be empty`);
  return value as string;
}

/**
 * A DrawProof from untrusted JSON: exactly the expected fields, every value in range, hex
 * lowercase and of the right length. Throws an Error naming the first malformed field.
 * Whether the values agree with each other is checked by checkProofContent and the verifier.
 */
export function parseDrawProof(value: unknown): DrawProof {
  return readProof(value, true) as DrawProof;
}

export function parseUnsignedDrawProof(value: unknown): UnsignedDrawProof {
  return readProof(value, false);
}

const PROOF_FIELDS = ['version', 'drawId', 'gameId', 'drums', 'schedule', 'commitments', 'reveals', 'tickets', 'algorithm', 'numbers', 'publicKey'];

function readProof(value: unknown, signed: boolean): UnsignedDrawProof & { signature?: string } {
  // Whether `raffle` may be there is decided below, from drums and leaf version; here only
  // whether it is, so that every other field is still read exactly.
  const withRaffle = typeof value === 'object' && value !== null && Object.prototype.hasOwnProperty.call(value, 'raffle');
  const o = plainObject(value, 'proof', [...PROOF_FIELDS, ...(signed ? ['signature'] : []), ...(withRaffle ? ['raffle'] : [])]);
  const drums = readDrums(o.drums);
  const schedule = plainObject(o.schedule, 'schedule', ['openAt', 'cutoffAt', 'drawAt']);
  const commitments = plainObject(o.commitments, 'commitments', ['operator', 'auditors', 'beacon']);
  const reveals = plainObject(o.reveals, 'reveals', ['operatorSeed', 'auditors', 'beacon']);
  const tickets = plainObject(o.tickets, 'tickets', ['leafVersion', 'root', 'count', 'stakeTotalMinor']);
  const committedBeacon = commitments.beacon === null ? null : plainObject(commitments.beacon, 'commitments.beacon', ['source', 'round']);
  const revealedBeacon = reveals.beacon === null ? null : plainObject(reveals.beacon, 'reveals.beacon', ['source', 'round', 'value']);
  const proof: UnsignedDrawProof & { signature?: string } = {
    version: literal(o.version, 'version', PROOF_VERSION),
    drawId: text(o.drawId, 'drawId'),
    gameId: text(o.gameId, 'gameId'),
    drums,
    schedule: {
      openAt: isoTime(schedule.openAt, 'schedule.openAt'),
      cutoffAt: isoTime(schedule.cutoffAt, 'schedule.cutoffAt'),
      drawAt: isoTime(schedule.drawAt, 'schedule.drawAt'),
    },
    commitments: {
      operator: hexString(commitments.operator, 'commitments.operator', HASH_BYTES),
      auditors: arrayOf(commitments.auditors, 'commitments.auditors', 0, AUDITORS_MAX).map((raw, i) => {
        const a = plainObject(raw, `commitments.auditors[${i}]`, ['name', 'commitment']);
        return { name: name(a.name, `commitments.auditors[${i}].name`), commitment: hexString(a.commitment, `commitments.auditors[${i}].commitment`, HASH_BYTES) };
      }),
      beacon: committedBeacon && {
        source: text(committedBeacon.source, 'commitments.beacon.source'),
        round: integer(committedBeacon.round, 'commitments.beacon.round', 0, U64_SAFE_MAX),
      },
    },
    reveals: {
      operatorSeed: hexString(reveals.operatorSeed, 'reveals.operatorSeed', SEED_BYTES),
      auditors: arrayOf(reveals.auditors, 'reveals.auditors', 0, AUDITORS_MAX).map((raw, i) => {
        const a = plainObject(raw, `reveals.auditors[${i}]`, ['name', 'seed']);
        return { name: name(a.name, `reveals.auditors[${i}].name`), seed: hexString(a.seed, `reveals.auditors[${i}].seed`, SEED_BYTES) };
      }),
      beacon: revealedBeacon && {
        source: text(revealedBeacon.source, 'reveals.beacon.source'),
        round: integer(revealedBeacon.round, 'reveals.beacon.round', 0, U64_SAFE_MAX),
        value: beaconValueHex(revealedBeacon.value),
      },
    },
    tickets: {
      leafVersion: leafVersion(tickets.leafVersion),
      root: hexString(tickets.root, 'tickets.root', HASH_BYTES),
      count: integer(tickets.count, 'tickets.count', 0, MERKLE_LEAVES_MAX),
      stakeTotalMinor: integer(tickets.stakeTotalMinor, 'tickets.stakeTotalMinor', 0, U64_SAFE_MAX),
    },
    algorithm: literal(o.algorithm, 'algorithm', ALGORITHM),
    numbers: arrayOf(o.numbers, 'numbers', 0, DRUMS_MAX).map((raw, i) =>
      arrayOf(raw, `numbers[${i}]`, 0, DRUM_COUNT_MAX).map((n, j) => integer(n, `numbers[${i}][${j}]`, 0, U32_MAX)),
    ),
    publicKey: hexString(o.publicKey, 'publicKey', PUBLIC_KEY_BYTES),
  };
  const raffle = readRaffle(o.raffle, withRaffle, proof);
  if (raffle) proof.raffle = raffle;
  if (signed) proof.signature = hexString(o.signature, 'signature', SIGNATURE_BYTES);
  return proof;
}

function readDrums(value: unknown): DrumSpec[] {
  return arrayOf(value, 'drums', 1, DRUMS_MAX).map((raw, i) => {
    const path = `drums[${i}]`;
    const d = plainObject(raw, path, ['name', 'min', 'max', 'count', 'replacement']);
    const drum: DrumSpec = {
      name: text(d.name, `${path}.name`),
      min: integer(d.min, `${path}.min`, 0, U32_MAX),
      max: integer(d.max, `${path}.max`, 0, U32_MAX),
      count: integer(d.count, `${path}.count`, 1, DRUM_COUNT_MAX),
      replacement: boolean(d.replacement, `${path}.replacement`),
    };
    assertDrum(drum, path);
    return drum;
  });
}

function leafVersion(value: unknown): LeafVersion {
  const found = LEAF_VERSIONS.find((v) => v === value);
  if (found === undefined) throw new Error(`tickets.leafVersion must be one of ${LEAF_VERSIONS.join(', ')}, got ${describe(value)}`);
  return found;
}

/**
 * The raffle section: required in a raffle proof (a drum named "tickets") of leaf version 2,
 * absent from every other proof (draws of leaf version 1 predate it). Its winners are one
 * distinct ticket id per ball drawn, none when nothing was sold; whether they are the tickets
 * at the positions drawn needs the ticket list (check "raffle winners").
 */
function readRaffle(value: unknown, present: boolean, p: UnsignedDrawProof): RaffleResult | null {
  const drum = p.drums.find((d) => d.name === RAFFLE_DRUM);
  const expected = drum !== undefined && p.tickets.leafVersion === 2;
  if (!present) {
    if (expected) throw new Error('raffle is missing (a raffle of leaf version 2 states its prize count and winners)');
    return null;
  }
  if (!expected) throw new Error('proof has an unexpected field "raffle" (only a raffle of leaf version 2 has one)');
  const o = plainObject(value, 'raffle', ['prizeCount', 'winners']);
  const prizeCount = integer(o.prizeCount, 'raffle.prizeCount', 1, DRUM_COUNT_MAX);
  const count = raffleWinnerCount(drum!, p.tickets.count);
  const winners = arrayOf(o.winners, 'raffle.winners', count, count).map((id, i) => {
    const path = `raffle.winners[${i}]`;
    if (typeof id !== 'string' || !TICKET_ID_PATTERN.test(id) || !Number.isSafeInteger(Number(id.slice(1)))) {
      throw new Error(`${path} must be a ticket id ("T" and a serial from 1 to 2^53 - 1), got ${describe(id)}`);
    }
    return id;
  });
  const seen = new Set<string>();
  for (const id of winners) {
    if (seen.has(id)) throw new Error(`raffle.winners names ${id} twice (a ticket wins at most one prize)`);
    seen.add(id);
  }
  return { prizeCount, winners };
}

function beaconValueHex(value: unknown): string {
  const bytes = parseHex(value, 'reveals.beacon.value');
  if (bytes.length < 1 || bytes.length > BEACON_VALUE_BYTES_MAX) throw new Error(`reveals.beacon.value must be 1 to ${BEACON_VALUE_BYTES_MAX} bytes, got ${bytes.length}`);
  return value as string;
}

/**
 * Whether the parts of a well-formed proof agree with each other: schedule order, each
 * revealed seed against its commitment, the beacon against the one named in advance, and
 * the numbers against the inputs. The signature is checked separately (signatureCheck).
 */
export function checkProofContent(p: UnsignedDrawProof): Check[] {
  return [
    runCheck('schedule', () => {
      const { openAt, cutoffAt, drawAt } = p.schedule;
      const ok = Date.parse(openAt) <= Date.parse(cutoffAt) && Date.parse(cutoffAt) <= Date.parse(drawAt);
      return { ok, detail: ok ? `open ${openAt}, cutoff ${cutoffAt}, draw ${drawAt}` : `not in order: open ${openAt}, cutoff ${cutoffAt}, draw ${drawAt}` };
    }),
    runCheck('operator commitment', () => {
      const seed = parseHex(p.reveals.operatorSeed, 'reveals.operatorSeed', SEED_BYTES);
      const ok = toHex(seedCommitment(p.drawId, OPERATOR_ROLE, seed)) === p.commitments.operator;
      return { ok, detail: ok ? `revealed seed matches commitment ${p.commitments.operator}` : `revealed seed does not match commitment ${p.commitments.operator}` };
    }),
    runCheck('auditor commitments', () => auditorCommitments(p)),
    runCheck('beacon', () => beaconAsCommitted(p)),
    runCheck('numbers', () => {
      const expected = numbersFor(inputsFromProof(p));
      const ok = canonicalJson(expected) === canonicalJson(p.numbers);
      return { ok, detail: ok ? `${canonicalJson(expected)} follow from the revealed inputs` : `proof says ${canonicalJson(p.numbers).slice(0, 200)}, the revealed inputs give ${canonicalJson(expected)}` };
    }),
  ];
}

function auditorCommitments(p: UnsignedDrawProof): { ok: boolean; detail: string } {
  const committed = p.commitments.auditors;
  const revealed = new Map<string, string>();
  for (const a of p.reveals.auditors) {
    if (revealed.has(a.name)) return { ok: false, detail: `auditor ${JSON.stringify(a.name)} revealed twice` };
    revealed.set(a.name, a.seed);
  }
  const seen = new Set<string>();
  const problems: string[] = [];
  for (const a of committed) {
    if (seen.has(a.name)) return { ok: false, detail: `auditor ${JSON.stringify(a.name)} committed twice` };
    seen.add(a.name);
    const seedHex = revealed.get(a.name);
    if (seedHex === undefined) problems.push(`${a.name}: committed, never revealed`);
    else if (toHex(seedCommitment(p.drawId, auditorRole(a.name), parseHex(seedHex, 'auditor seed', SEED_BYTES))) !== a.commitment) {
      problems.push(`${a.name}: revealed seed does not match the commitment`);
    }
  }
  for (const n of revealed.keys()) if (!seen.has(n)) problems.push(`${n}: revealed without a commitment`);
  if (problems.length > 0) return { ok: false, detail: problems.join('; ') };
  return { ok: true, detail: committed.length === 0 ? 'no auditors' : `${committed.map((a) => a.name).join(', ')}: revealed seeds match their commitments` };
}

function beaconAsCommitted(p: UnsignedDrawProof): { ok: boolean; detail: string } {
  const c = p.commitments.beacon;
  const r = p.reveals.beacon;
  if (c === null && r === null) return { ok: true, detail: 'no beacon committed, none revealed' };
  if (c === null) return { ok: false, detail: 'a beacon is revealed but none was committed' };
  if (r === null) return { ok: false, detail: `beacon ${c.source} round ${c.round} was committed but is not revealed` };
  if (r.source !== c.source || r.round !== c.round) {
    return { ok: false, detail: `revealed ${r.source} round ${r.round}, committed ${c.source} round ${c.round}` };
  }
  return { ok: true, detail: `${c.source} round ${c.round} as committed (compare the value with the beacon's own publication of that round)` };
}

export function signatureCheck(p: DrawProof): Check {
  return runCheck('signature', () => {
    const ok = signatureValid(p.signature, proofMessage(p), p.publicKey);
    return { ok, detail: ok ? `valid ed25519 signature by ${p.publicKey}` : `not a valid ed25519 signature by ${p.publicKey} over this proof` };
  });
}

/**
 * Signs a proof after checking it: well-formed, publicKey belonging to secretKey, and every
 * content check passing. A proof the verifier would reject is a bug, never published.
 */
export function signProof(p: UnsignedDrawProof, secretKey: Uint8Array): DrawProof {
  // A signature already present (re-signing a stored proof) is replaced, as proofMessage ignores it.
  const { signature: _previous, ...rest } = p as UnsignedDrawProof & { signature?: unknown };
  const unsigned = parseUnsignedDrawProof(rest);
  const publicKey = publicKeyOf(secretKey);
  if (toHex(publicKey) !== unsigned.publicKey) throw new Error('proof.publicKey is not the public key of the signing key');
  const failed = checkProofContent(unsigned).filter((c) => !c.ok);
  if (failed.length > 0) throw new Error(`refusing to sign an inconsistent proof: ${failed.map((c) => `${c.name} (${c.detail})`).join('; ')}`);
  const message = proofMessage(unsigned);
  const proof: DrawProof = { ...unsigned, signature: toHex(sign(message, secretKey)) };
  if (!signatureValid(proof.signature, message, proof.publicKey)) throw new Error('the new proof signature does not verify');
  return proof;
}
