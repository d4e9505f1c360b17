// rooms/acceptedWire.ts — the `bet:accepted` frame, written without a generic encoder.
//
// Every accepted bet gets one of these, so at the pre-cutoff surge the server writes tens of
// thousands a second. Colyseus' `client.send(type, message)` runs msgpackr's generic object
// encoder (key by key, type by type) and then copies the result into a frame; for this
// fixed shape that was ~10% of the server's CPU per bet (BENCHMARKS.md). Here the frame is
// the Colyseus ROOM_DATA header, computed once by Colyseus itself, followed by the same
// msgpack that msgpackr would write for the same object: a client cannot tell the
// difference (test/accepted-wire.test.ts compares the bytes). Anything outside the expected
// shape returns null and the caller sends it the generic way.
import { getMessageBytes, Protocol } from '@colyseus/core';
import type { WireReceipt } from '../draw/receiptWire.ts';

/**
 * Advance play: a ticket of the same purchase for a later draw, listed after the first's
 * fields as `advance` (such replies go the generic way: they are few).
 */
export interface AdvanceTicket {
  drawId: string;
  ticketId: string;
  cost: number;
  receipt: WireReceipt | undefined;
}

/** The fields of a `bet:accepted` reply, in the order they are sent. */
export interface AcceptedReply {
  requestId: string;
  ticketId: string;
  lines: number[][];
  cost: number;
  balance: number;
  receivedAt: number;
  duplicate: boolean;
  receipt: WireReceipt | undefined;
}

const TYPE = 'bet:accepted';
/** [ROOM_DATA][type]: what Colyseus puts before the msgpack body of every such message. */
const HEADER: Uint8Array = new Uint8Array(getMessageBytes.raw(Protocol.ROOM_DATA, TYPE));
/** Longest string written here; every field is far shorter (ids are bounded at the room). */
const STRING_MAX = 255;

/** Thrown inside the writer when a value is not of the expected shape. */
class Unexpected extends Error {}

class Writer {
  buf = new Uint8Array(4096);
  view = new DataView(this.buf.buffer);
  pos = 0;

  reserve(n: number): void {
    if (this.pos + n <= this.buf.length) return;
    const next = new Uint8Array(Math.max(this.buf.length * 2, this.pos + n));
    next.set(this.buf.subarray(0, this.pos));
    this.buf = next;
    this.view = new DataView(next.buffer);
  }

  bytes(b: Uint8Array): void {
    this.reserve(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
  }

  /** A map16 header, as msgpackr writes every plain object (it counts keys afterwards). */
  map(n: number): void {
    this.reserve(3);
    this.buf[this.pos++] = 0xde;
    this.buf[this.pos++] = n >> 8;
    this.buf[this.pos++] = n & 0xff;
  }

  array(n: number): void {
    this.reserve(3);
    if (n < 16) this.buf[this.pos++] = 0x90 | n;
    else if (n < 0x10000) {
      this.buf[this.pos++] = 0xdc;
      this.buf[this.pos++] = n >> 8;
      this.buf[this.pos++] = n & 0xff;
    } else throw new Unexpected();
  }

  /** An ASCII string (every string of this reply is): fixstr or str8, as msgpackr writes it. */
  str(s: unknown): void {
    if (typeof s !== 'string' || s.length > STRING_MAX) throw new Unexpected();
    const n = s.length;
    this.reserve(n + 2);
    const buf = this.buf;
    if (n < 0x20) buf[this.pos++] = 0xa0 | n;
    else {
      buf[this.pos++] = 0xd9;
      buf[this.pos++] = n;
    }
    for (let i = 0; i < n; i++) {
      const c = s.charCodeAt(i);
      if (c >= 0x80) throw new Unexpected();
      buf[this.pos++] = c;
    }
  }

  /**
   * A non-negative integer, with msgpackr's choice of form (Colyseus' packr has
   * useRecords: false): fixint below 128, then uint8/16/32, and a float64 above 32 bits
   * (exact for every safe integer).
   */
  uint(v: unknown): void {
    if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) throw new Unexpected();
    this.reserve(9);
    const buf = this.buf;
    if (v < 0x80) buf[this.pos++] = v;
    else if (v < 0x100) {
      buf[this.pos++] = 0xcc;
      buf[this.pos++] = v;
    } else if (v < 0x10000) {
      buf[this.pos++] = 0xcd;
      buf[this.pos++] = v >> 8;
      buf[this.pos++] = v & 0xff;
    } else if (v <= 0xffffffff) {
      buf[this.pos++] = 0xce;
      this.view.setUint32(this.pos, v);
      this.pos += 4;
    } else {
      buf[this.pos++] = 0xcb;
      this.view.setFloat64(this.pos, v);
      this.pos += 8;
    }
  }

  bool(v: unknown): void {
    if (typeof v !== 'boolean') throw new Unexpected();
    this.reserve(1);
    this.buf[this.pos++] = v ? 0xc3 : 0xc2;
  }

  /** bin8 or bin16 (a receipt's path is at most 64 × 32 bytes). */
  bin(b: unknown): void {
    if (!(b instanceof Uint8Array) || b.length > 0xffff) throw new Unexpected();
    this.reserve(3 + b.length);
    const buf = this.buf;
    if (b.length < 0x100) {
      buf[this.pos++] = 0xc4;
      buf[this.pos++] = b.length;
    } else {
      buf[this.pos++] = 0xc5;
      buf[this.pos++] = b.length >> 8;
      buf[this.pos++] = b.length & 0xff;
    }
    buf.set(b, this.pos);
    this.pos += b.length;
  }
}

const writer = new Writer();

/** The keys, encoded once (fixstr: every key is ASCII and shorter than 32). */
const KEY = Object.fromEntries(
  ['requestId', 'ticketId', 'lines', 'cost', 'balance', 'receivedAt', 'duplicate', 'receipt', 'v', 'leafVersion', 'player', 'betType', 'stakeMinor', 'size', 'index', 'path', 'signature'].map(
    (k) => [k, Uint8Array.from([0xa0 | k.length, ...Buffer.from(k, 'ascii')])],
  ),
) as Record<string, Uint8Array>;

/**
 * The whole `bet:accepted` frame for `reply`, as `client.send('bet:accepted', reply)` would
 * send it, or null when the reply is not of the usual shape (no receipt, a string that is
 * not ASCII, a number that is not a non-negative integer): send those the generic way.
 */
export function acceptedFrame(reply: AcceptedReply): Buffer | null {
  const w = writer;
  w.pos = 0;
  try {
    const receipt = reply.receipt;
    if (receipt === undefined || receipt === null || typeof receipt !== 'object') return null;
    w.bytes(HEADER);
    w.map(8);
    w.bytes(KEY.requestId);
    w.str(reply.requestId);
    w.bytes(KEY.ticketId);
    w.str(reply.ticketId);
    w.bytes(KEY.lines);
    const lines = reply.lines;
    if (!Array.isArray(lines)) return null;
    w.array(lines.length);
    for (const line of lines) {
      if (!Array.isArray(line)) return null;
      w.array(line.length);
      for (const n of line) w.uint(n);
    }
    w.bytes(KEY.cost);
    w.uint(reply.cost);
    w.bytes(KEY.balance);
    w.uint(reply.balance);
    w.bytes(KEY.receivedAt);
    w.uint(reply.receivedAt);
    w.bytes(KEY.duplicate);
    w.bool(reply.duplicate);
    w.bytes(KEY.receipt);
    // A leaf version 2 receipt has three keys more, in draw/receiptWire.ts's order.
    const v2 = receipt.leafVersion !== undefined;
    w.map(v2 ? 9 : 6);
    w.bytes(KEY.v);
    w.uint(receipt.v);
    if (v2) {
      w.bytes(KEY.leafVersion);
      w.uint(receipt.leafVersion);
    }
    w.bytes(KEY.player);
    w.str(receipt.player);
    if (v2) {
      w.bytes(KEY.betType);
      w.str(receipt.betType);
      w.bytes(KEY.stakeMinor);
      w.uint(receipt.stakeMinor);
    }
    w.bytes(KEY.size);
    w.uint(receipt.size);
    w.bytes(KEY.index);
    w.uint(receipt.index);
    w.bytes(KEY.path);
    w.bin(receipt.path);
    w.bytes(KEY.signature);
    w.bin(receipt.signature);
  } catch (err) {
    if (err instanceof Unexpected) return null;
    throw err;
  }
  // A copy the transport may keep: the writer's buffer is reused by the next reply.
  return Buffer.from(w.buf.subarray(0, w.pos));
}
