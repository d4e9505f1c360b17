// draw/drbg.ts — the draw's deterministic random bit generator and the key that seeds it.
//
// The key hashes every input of the draw: the game's drums, the operator's and auditors'
// revealed seeds, the beacon value and the sealed ticket set. Anyone holding the proof
// recomputes the same key, the same byte stream and so the same numbers.
//
// The stream is HMAC-SHA256 in counter mode: block i = HMAC(key, str(label) || u64 i).
// Integers come from it by rejection sampling (uniform), which has no modulo bias.
import { hmac, type _HMAC } from '@noble/hashes/hmac.js';
import { sha256, type _SHA256 } from '@noble/hashes/sha2.js';
import {
  assertBoolean,
  assertBytes,
  assertInteger,
  ByteWriter,
  compareBytes,
  HASH_BYTES,
  strBytes,
  U32_MAX,
  U64_SAFE_MAX,
  U8_MAX,
} from './bytes.ts';
import { SEED_BYTES } from './commit.ts';

export const ALGORITHM = 'lottery-drbg/hmac-sha256-ctr/u32-rejection/v1';

/** drumCount is a u8; a draw has at least one drum. */
export const DRUMS_MAX = U8_MAX;
/**
 * Balls drawn from one drum. The encoding allows a u32; we bound it far lower so that
 * selection (O(count²) without replacement) and proofs stay small. Keno draws 20.
 */
export const DRUM_COUNT_MAX = 1000;
/** auditorCount is a u8. */
export const AUDITORS_MAX = U8_MAX;
export const BEACON_VALUE_BYTES_MAX = 1024;
/** Largest single nextBytes() read; the stream tool reads in far smaller chunks. */
export const DRBG_READ_BYTES_MAX = 16 * 1024 * 1024;
/**
 * Rejections allowed in one uniform() call. Each try is rejected with probability < 1/2,
 * so 128 rejections in a row happen with probability < 2^-128: only a broken generator
 * gets here, and it must fail loudly rather than loop forever.
 */
export const UNIFORM_ATTEMPTS_MAX = 128;

const TWO_POW_32 = 2 ** 32;

export interface DrumSpec {
  name: string;
  min: number;
  max: number;
  count: number;
  replacement: boolean;
}

export interface BeaconValue {
  source: string;
  round: number;
  value: Uint8Array;
}

export interface DrawInputs {
  drawId: string;
  gameId: string;
  drums: DrumSpec[];
  operatorSeed: Uint8Array;
  auditors: { name: string; seed: Uint8Array }[];
  beacon: BeaconValue | null;
  ticketRoot: Uint8Array;
  ticketCount: number;
  stakeTotalMinor: number;
}

/** Throws unless the drum is drawable: u32 bounds, min <= max, 1 <= count, enough balls. */
export function assertDrum(drum: DrumSpec, name: string): void {
  if (typeof drum !== 'object' || drum === null) throw new Error(`${name} must be an object`);
  strBytes(drum.name, `${name}.name`);
  assertInteger(drum.min, `${name}.min`, 0, U32_MAX);
  assertInteger(drum.max, `${name}.max`, drum.min, U32_MAX);
  assertBoolean(drum.replacement, `${name}.replacement`);
  const balls = drum.max - drum.min + 1;
  assertInteger(drum.count, `${name}.count`, 1, drum.replacement ? DRUM_COUNT_MAX : Math.min(DRUM_COUNT_MAX, balls));
}

export function assertDrums(drums: DrumSpec[], name = 'drums'): void {
  if (!Array.isArray(drums) || drums.length < 1 || drums.length > DRUMS_MAX) {
    throw new Error(`${name} must be an array of 1 to ${DRUMS_MAX} drums`);
  }
  drums.forEach((d, i) => assertDrum(d, `${name}[${i}]`));
}

/**
 * SHA-256 of every draw input (draw/README.md, "DRBG key"): str(label), str drawId,
 * str gameId, the drums, the operator seed, the auditors sorted by name, the beacon,
 * and the sealed ticket root, count and stake total.
 */
export function drbgKey(inputs: DrawInputs): Uint8Array {
  if (typeof inputs !== 'object' || inputs === null) throw new Error('draw inputs must be an object');
  const w = new ByteWriter(512);
  w.str('lottery/drbg-key/v1', 'label').str(inputs.drawId, 'drawId').str(inputs.gameId, 'gameId');
  assertDrums(inputs.drums);
  w.u8(inputs.drums.length, 'drum count');
  for (const [i, d] of inputs.drums.entries()) {
    w.str(d.name, `drums[${i}].name`).u32(d.min, `drums[${i}].min`).u32(d.max, `drums[${i}].max`).u32(d.count, `drums[${i}].count`);
    w.u8(d.replacement ? 1 : 0, `drums[${i}].replacement`);
  }
  assertBytes(inputs.operatorSeed, 'operatorSeed', SEED_BYTES);
  w.bytes(inputs.operatorSeed);
  const auditors = sortedAuditors(inputs.auditors);
  w.u8(auditors.length, 'auditor count');
  for (const a of auditors) w.str(a.name, 'auditor name').bytes(a.seed);
  writeBeacon(w, inputs.beacon);
  assertBytes(inputs.ticketRoot, 'ticketRoot', HASH_BYTES);
  w.bytes(inputs.ticketRoot).u64(inputs.ticketCount, 'ticketCount').u64(inputs.stakeTotalMinor, 'stakeTotalMinor');
  return sha256(w.finish());
}

/** The auditors sorted bytewise by UTF-8 name, checked: unique non-empty names, 32-byte seeds. */
function sortedAuditors(auditors: DrawInputs['auditors']): { name: string; seed: Uint8Array }[] {
  if (!Array.isArray(auditors) || auditors.length > AUDITORS_MAX) throw new Error(`auditors must be an array of at most ${AUDITORS_MAX}`);
  const keyed = auditors.map((a, i) => {
    if (typeof a !== 'object' || a === null) throw new Error(`auditors[${i}] must be an object`);
    const nameBytes = strBytes(a.name, `auditors[${i}].name`);
    if (nameBytes.length === 0) throw new Error(`auditors[${i}].name must not be empty`);
    assertBytes(a.seed, `auditors[${i}].seed`, SEED_BYTES);
    return { name: a.name, seed: a.seed, nameBytes };
  });
  keyed.sort((x, y) => compareBytes(x.nameBytes, y.nameBytes));
  for (let i = 1; i < keyed.length; i++) {
    if (compareBytes(keyed[i - 1].nameBytes, keyed[i].nameBytes) === 0) throw new Error(`auditor name ${JSON.stringify(keyed[i].name)} appears twice`);
  }
  return keyed;
}

function writeBeacon(w: ByteWriter, beacon: BeaconValue | null): void {
  if (beacon === null) {
    w.u8(0, 'hasBeacon');
    return;
  }
  if (typeof beacon !== 'object') throw new Error('beacon must be an object or null');
  assertBytes(beacon.value, 'beacon.value');
  assertInteger(beacon.value.length, 'beacon.value length', 1, BEACON_VALUE_BYTES_MAX);
  w.u8(1, 'hasBeacon').str(beacon.source, 'beacon.source').u64(beacon.round, 'beacon.round');
  w.u16(beacon.value.length, 'beacon.value length').bytes(beacon.value);
}

/** Byte stream: HMAC-SHA256(key, str("lottery/drbg-block/v1") || u64 i) for i = 0, 1, 2, … */
export class Drbg {
  /** HMAC keyed once; each block clones its precomputed pads instead of rehashing the key. */
  readonly #keyed: _HMAC<_SHA256>;
  #scratch: _HMAC<_SHA256>;
  readonly #message: Uint8Array;
  readonly #messageView: DataView;
  readonly #block = new Uint8Array(HASH_BYTES);
  #blockUsed = HASH_BYTES;
  #nextBlockIndex = 0;
  #bytesRead = 0;

  constructor(key: Uint8Array) {
    assertBytes(key, 'DRBG key', HASH_BYTES);
    this.#keyed = hmac.create(sha256, key) as _HMAC<_SHA256>;
    this.#scratch = this.#keyed.clone();
    const label = new ByteWriter(32).str('lottery/drbg-block/v1', 'label').finish();
    this.#message = new Uint8Array(label.length + 8);
    this.#message.set(label);
    this.#messageView = new DataView(this.#message.buffer);
  }

  /** Stream bytes consumed so far. */
  get bytesRead(): number {
    return this.#bytesRead;
  }

  #refill(): void {
    const i = this.#nextBlockIndex;
    assertInteger(i, 'DRBG block index', 0, U64_SAFE_MAX);
    const at = this.#message.length - 8;
    this.#messageView.setUint32(at, Math.floor(i / TWO_POW_32));
    this.#messageView.setUint32(at + 4, i >>> 0);
    this.#scratch = this.#keyed._cloneInto(this.#scratch);
    this.#scratch.update(this.#message).digestInto(this.#block);
    this.#nextBlockIndex = i + 1;
    this.#blockUsed = 0;
  }

  nextBytes(n: number): Uint8Array {
    assertInteger(n, 'byte count', 0, DRBG_READ_BYTES_MAX);
    const out = new Uint8Array(n);
    for (let filled = 0; filled < n; ) {
      if (this.#blockUsed === HASH_BYTES) this.#refill();
      const take = Math.min(n - filled, HASH_BYTES - this.#blockUsed);
      out.set(this.#block.subarray(this.#blockUsed, this.#blockUsed + take), filled);
      this.#blockUsed += take;
      filled += take;
    }
    this.#bytesRead += n;
    return out;
  }

  /** The next 4 stream bytes as a big-endian unsigned integer. */
  nextU32(): number {
    if (HASH_BYTES - this.#blockUsed >= 4) {
      const b = this.#block;
      const at = this.#blockUsed;
      this.#blockUsed += 4;
      this.#bytesRead += 4;
      return ((b[at] << 24) | (b[at + 1] << 16) | (b[at + 2] << 8) | b[at + 3]) >>> 0;
    }
    const b = this.nextBytes(4);
    return ((b[0] << 24) | (b[1] << 16) | (b[2] << 8) | b[3]) >>> 0;
  }

  /**
   * A uniform integer in [0, n), 1 <= n <= 2^32. Values at or above the largest multiple of
   * n that fits in 32 bits are rejected, so every residue has exactly limit / n preimages.
   * Always consumes at least 4 bytes, even for n = 1.
   */
  uniform(n: number): number {
    assertInteger(n, 'uniform range', 1, TWO_POW_32);
    const limit = TWO_POW_32 - (TWO_POW_32 % n);
    for (let attempt = 0; attempt < UNIFORM_ATTEMPTS_MAX; attempt++) {
      const x = this.nextU32();
      if (x < limit) return x % n;
    }
    throw new Error(`DRBG rejected ${UNIFORM_ATTEMPTS_MAX} values in a row for n = ${n}: the generator is broken`);
  }
}

/** SHA-256(str("lottery/drbg-stream/v1") || seed): the key of the draw:stream test tool. */
export function streamKey(seed: Uint8Array): Uint8Array {
  assertBytes(seed, 'stream seed', SEED_BYTES);
  return sha256(new ByteWriter(64).str('lottery/drbg-stream/v1', 'label').bytes(seed).finish());
}
