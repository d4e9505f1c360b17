// draw/encoding.ts — the byte encoding of an accepted ticket and its Merkle leaf.
//
// A ticket's leaf is what the operator signs in its receipt at acceptance and seals into
// the draw's ticket root at close. Change this encoding and every old receipt and proof
// stops verifying: that is what LEAF_VERSION (the first byte) is for.
import { nobleSha256, Sha256Context, type Sha256 } from './sha256.ts';
import { assertBytes, assertInteger, assertString, STR_BYTES_MAX, strBytes, U16_MAX, U64_SAFE_MAX, U8_MAX } from './bytes.ts';
import { arrayOf, integer, plainObject, string } from './shape.ts';

export const LEAF_VERSION = 1;
/** lineCount is a u8 and a ticket has at least one line. */
export const TICKET_LINES_MAX = U8_MAX;
/** Each line's count is a u8. */
export const LINE_NUMBERS_MAX = U8_MAX;
/** Each number is a u16. */
export const LINE_NUMBER_MAX = U16_MAX;
/** RFC 9162 §2.1.1: leaves are hashed with a 0x00 prefix, interior nodes with 0x01. */
const LEAF_PREFIX = Uint8Array.of(0x00);

export interface TicketRecord {
  ticketId: string;
  drawId: string;
  player: string;
  lines: number[][];
  costMinor: number;
  receivedAtMs: number;
}

export const TICKET_FIELDS = ['ticketId', 'drawId', 'player', 'lines', 'costMinor', 'receivedAtMs'] as const;
/**
 * What a ticket record in a document must look like (draw/README.md §3): ids "T<serial>",
 * serial 1..2^53 − 1 without leading zeros (so canonical order is serial order), and the
 * player as the server's pseudonym, 32 lowercase hex characters. encodeTicket itself
 * takes any strings: these are checked where documents are read (parseTicketRecord).
 */
export const TICKET_ID_PATTERN = /^T[1-9][0-9]{0,15}$/;
export const PLAYER_PATTERN = /^[0-9a-f]{32}$/;

/**
 * u8 LEAF_VERSION, str ticketId, str drawId, str player, u8 lineCount (1..255),
 * per line u8 count (0..255) then each number as u16, u64 costMinor, u64 receivedAtMs.
 */
export function encodeTicket(t: TicketRecord): Uint8Array {
  return encodeAfter(t, 0, newBytes);
}

const newBytes = (size: number) => new Uint8Array(size);

/**
 * The encoding, after `reserved` zero bytes (1 for the leaf prefix, so the leaf is one hash
 * of one buffer), in the `size` bytes that `space(size)` returns. Written for the bet
 * writer's hot path: sizes first, one buffer, ASCII copied without an encoder, and error
 * messages built only when something is wrong.
 */
function encodeAfter(t: TicketRecord, reserved: number, space: (size: number) => Uint8Array): Uint8Array {
  if (typeof t !== 'object' || t === null) throw new Error('ticket must be an object');
  const ticketId = utf8Field(t.ticketId, 'ticket.ticketId');
  const drawId = utf8Field(t.drawId, 'ticket.drawId');
  const player = utf8Field(t.player, 'ticket.player');
  const lines: unknown = t.lines;
  if (!Array.isArray(lines) || lines.length < 1 || lines.length > TICKET_LINES_MAX) {
    throw new Error(`ticket.lines must be an array of 1 to ${TICKET_LINES_MAX} lines`);
  }
  let numbers = 0;
  for (let i = 0; i < lines.length; i++) {
    const line: unknown = lines[i];
    if (!Array.isArray(line) || line.length > LINE_NUMBERS_MAX) throw new Error(`ticket.lines[${i}] must be an array of 0 to ${LINE_NUMBERS_MAX} numbers`);
    numbers += line.length;
  }
  const size = reserved + 1 + 6 + ticketId.length + drawId.length + player.length + 1 + lines.length + 2 * numbers + 16;
  const out = space(size);
  out.fill(0, 0, reserved);
  let at = reserved;
  out[at++] = LEAF_VERSION;
  at = writeStr(out, at, ticketId);
  at = writeStr(out, at, drawId);
  at = writeStr(out, at, player);
  out[at++] = lines.length;
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i] as unknown[];
    out[at++] = line.length;
    for (let j = 0; j < line.length; j++) {
      const n = line[j];
      if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > LINE_NUMBER_MAX) assertInteger(n, `ticket.lines[${i}][${j}]`, 0, LINE_NUMBER_MAX);
      out[at] = (n as number) >>> 8;
      out[at + 1] = (n as number) & 0xff;
      at += 2;
    }
  }
  // Pair assertion: the fields written are the ones measured (a getter changing a line's
  // length between the two passes would otherwise corrupt the encoding silently).
  if (at + 16 !== size) throw new Error('ticket changed while it was being encoded');
  writeU64(out, at, t.costMinor, 'ticket.costMinor');
  writeU64(out, at + 8, t.receivedAtMs, 'ticket.receivedAtMs');
  return out;
}

/** A str() field: the string itself when it is ASCII (one byte per code unit), else its UTF-8. */
function utf8Field(value: unknown, name: string): string | Uint8Array {
  if (typeof value === 'string' && value.length <= STR_BYTES_MAX) {
    let ascii = true;
    for (let i = 0; i < value.length && ascii; i++) ascii = value.charCodeAt(i) < 0x80;
    if (ascii) return value;
  }
  return strBytes(value, name);
}

function writeStr(out: Uint8Array, at: number, s: string | Uint8Array): number {
  out[at] = s.length >>> 8;
  out[at + 1] = s.length & 0xff;
  at += 2;
  if (typeof s === 'string') for (let i = 0; i < s.length; i++) out[at + i] = s.charCodeAt(i);
  else out.set(s, at);
  return at + s.length;
}

/** Big-endian u64 of a safe integer, byte by byte (no DataView to allocate per ticket). */
function writeU64(out: Uint8Array, at: number, value: unknown, name: string): void {
  assertInteger(value, name, 0, U64_SAFE_MAX);
  let rest = value;
  for (let i = 7; i >= 0; i--) {
    out[at + i] = rest % 256;
    rest = Math.floor(rest / 256);
  }
}

const leafContext = new Sha256Context();

/** SHA-256(0x00 || encoded): the RFC 9162 leaf hash. */
export function leafHash(encoded: Uint8Array): Uint8Array {
  assertBytes(encoded, 'encoded ticket');
  const out = new Uint8Array(32);
  leafContext.reset().update(LEAF_PREFIX).update(encoded).digestInto(out);
  return out;
}

/** leafHash(encodeTicket(t)), hashing one buffer that starts with the 0x00 prefix. */
export function ticketLeaf(t: TicketRecord): Uint8Array {
  const out = new Uint8Array(32);
  leafInto(t, nobleSha256, out, 0);
  return out;
}

/**
 * Every ticket's leaf, end to end in one buffer (what MerkleTree and merkleRoot take),
 * hashed with a given implementation of SHA-256 (draw/sha256.ts). Each encoding is written
 * into one reused scratch buffer: a fresh array of over 64 bytes costs V8 an off-heap
 * allocation, which was most of the cost of encoding a ticket.
 */
export function ticketLeaves(tickets: readonly TicketRecord[], hash: Sha256 = nobleSha256): Uint8Array {
  const out = new Uint8Array(tickets.length * 32);
  for (let i = 0; i < tickets.length; i++) leafInto(tickets[i], hash, out, i * 32);
  return out;
}

/**
 * One ticket's leaf, written to out[offset .. offset + 32): for callers that stream tickets
 * through one reused record instead of holding them all (the seal of a big draw).
 */
export function ticketLeafInto(t: TicketRecord, hash: Sha256, out: Uint8Array, offset: number): void {
  if (!Number.isInteger(offset) || offset < 0 || offset + 32 > out.length) throw new Error('leaf offset outside the output');
  leafInto(t, hash, out, offset);
}

let scratch = new Uint8Array(1024);
const scratchSpace = (size: number): Uint8Array => {
  if (size > scratch.length) scratch = new Uint8Array(Math.max(size, scratch.length * 2));
  return scratch.subarray(0, size);
};

function leafInto(t: TicketRecord, hash: Sha256, out: Uint8Array, offset: number): void {
  const prefixed = encodeAfter(t, LEAF_PREFIX.length, scratchSpace);
  prefixed[0] = LEAF_PREFIX[0];
  hash(prefixed, out, offset);
}

/**
 * Canonical ticket order: shorter UTF-8 encoding first, then bytewise. Ticket ids are
 * "T<decimal serial>" without leading zeros, so this is the order of serial numbers.
 */
export function compareTicketIds(a: string, b: string): number {
  const la = utf8Length(a, 'ticket id a');
  const lb = utf8Length(b, 'ticket id b');
  if (la !== lb) return la < lb ? -1 : 1;
  for (let i = 0; i < a.length; i++) {
    const ca = a.charCodeAt(i);
    const cb = b.charCodeAt(i);
    if (ca === cb) continue;
    // UTF-8 byte order is code point order (not UTF-16 code unit order): compare code points.
    return a.codePointAt(i)! < b.codePointAt(i)! ? -1 : 1;
  }
  return 0;
}

function utf8Length(s: string, name: string): number {
  assertString(s, name);
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff) {
      n += 4; // a well-formed pair (assertString): one 4-byte sequence for two code units
      i++;
    } else n += 3;
  }
  return n;
}

/** A TicketRecord from untrusted JSON, checked field by field (errors name `path.field`). */
export function parseTicketRecord(value: unknown, path: string): TicketRecord {
  const o = plainObject(value, path, TICKET_FIELDS);
  const ticketId = string(o.ticketId, `${path}.ticketId`);
  const drawId = string(o.drawId, `${path}.drawId`);
  const player = string(o.player, `${path}.player`);
  for (const [key, s] of [['ticketId', ticketId], ['drawId', drawId], ['player', player]] as const) strBytes(s, `${path}.${key}`);
  if (!TICKET_ID_PATTERN.test(ticketId) || !Number.isSafeInteger(Number(ticketId.slice(1)))) {
    throw new Error(`${path}.ticketId must be "T" and a serial from 1 to 2^53 - 1 without leading zeros, got ${JSON.stringify(ticketId.slice(0, 40))}`);
  }
  if (!PLAYER_PATTERN.test(player)) throw new Error(`${path}.player must be 32 lowercase hex characters (a pseudonym), got ${JSON.stringify(player.slice(0, 40))}`);
  const lines = arrayOf(o.lines, `${path}.lines`, 1, TICKET_LINES_MAX).map((line, i) =>
    arrayOf(line, `${path}.lines[${i}]`, 0, LINE_NUMBERS_MAX).map((n, j) => integer(n, `${path}.lines[${i}][${j}]`, 0, LINE_NUMBER_MAX)),
  );
  return {
    ticketId,
    drawId,
    player,
    lines,
    costMinor: integer(o.costMinor, `${path}.costMinor`, 0, U64_SAFE_MAX),
    receivedAtMs: integer(o.receivedAtMs, `${path}.receivedAtMs`, 0, U64_SAFE_MAX),
  };
}

/** A copy holding exactly the TicketRecord fields (no aliasing of the caller's arrays). */
export function copyTicket(t: TicketRecord): TicketRecord {
  return {
    ticketId: t.ticketId,
    drawId: t.drawId,
    player: t.player,
    lines: t.lines.map((line) => line.slice()),
    costMinor: t.costMinor,
    receivedAtMs: t.receivedAtMs,
  };
}
