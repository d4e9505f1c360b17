// draw/receiptWire.ts — the receipt as it travels in a `bet:accepted` acknowledgement.
//
// A full TicketReceipt (draw/receipt.ts) is ~1.1 kB of JSON with hex: ten 32-byte path
// nodes, root, key and signature. Sent that way on every acknowledgement it cost the
// server ~25 µs and the client ~10 µs per bet (encoding hex, msgpack strings, garbage)
// and took the bet writer from ~23,000 to ~15,000 bets/s (BENCHMARKS.md). On the wire the
// same facts travel as msgpack binary instead, and only what the acknowledgement does not
// already carry: the ticket's id, lines, cost and receive time are the ack's own fields,
// the draw id is the room's, the public key is GET /api/keys, and the batch root follows
// from the ticket's leaf and path (a wrong path gives a root the signature does not cover). `receiptFromAck` rebuilds
// the exact TicketReceipt JSON that the verifier takes; nothing is lost. A ticket of a leaf
// version 2 draw adds what its leaf has beyond the ack: leafVersion, betType, stakeMinor
// (absent: version 1, the wire of before, byte for byte).
import { HASH_BYTES, toHex } from './bytes.ts';
import { ticketLeaf, ticketLeaves, ticketRecordOf, type TicketRecord, type TicketRecordV1 } from './encoding.ts';
import { MerkleTree, rootFromPath } from './merkle.ts';
import { RECEIPT_BATCH_TICKETS_MAX, RECEIPT_VERSION, receiptBatchMessage, type TicketReceipt } from './receipt.ts';
import { sign, SIGNATURE_BYTES } from './signature.ts';
import { nobleSha256, type Sha256 } from './sha256.ts';

/** A receipt on the wire, for a ticket of leaf version 1. */
export interface WireReceiptV1 {
  /** RECEIPT_VERSION's number. */
  v: 1;
  leafVersion?: undefined;
  /** The player's pseudonym in the draw, as the ticket's leaf encodes it. */
  player: string;
  size: number;
  index: number;
  /** The inclusion path's nodes, 32 bytes each, concatenated (leaf to root). */
  path: Uint8Array;
  signature: Uint8Array;
}

/**
 * For a ticket of leaf version 2: the same, with the leaf's bet type and stake of one line.
 * The keys go out in this order (v, leafVersion, player, betType, stakeMinor, size, index,
 * path, signature): rooms/acceptedWire.ts writes them so.
 */
export interface WireReceiptV2 extends Omit<WireReceiptV1, 'leafVersion'> {
  leafVersion: 2;
  betType: string;
  stakeMinor: number;
}

export type WireReceipt = WireReceiptV1 | WireReceiptV2;

/**
 * Signs one batch of tickets: one signature over (size, root), each ticket's path. Same
 * tree and message as signReceipts, so receiptFromAck(...) of the result verifies. The
 * server passes OpenSSL's Ed25519 and SHA-256 (app/nativeCrypto.ts): same bytes, faster.
 */
export function signWireReceipts(
  tickets: TicketRecord[],
  secretKey: Uint8Array,
  signer: (message: Uint8Array, secretKey: Uint8Array) => Uint8Array = sign,
  hash: Sha256 = nobleSha256,
): WireReceipt[] {
  if (tickets.length < 1 || tickets.length > RECEIPT_BATCH_TICKETS_MAX) {
    throw new Error(`a receipt batch must hold 1 to ${RECEIPT_BATCH_TICKETS_MAX} tickets`);
  }
  const tree = new MerkleTree(ticketLeaves(tickets, hash), hash);
  const signature = signer(receiptBatchMessage(tree.size, tree.root), secretKey);
  // Every path is a view into one buffer: one allocation per batch, not one per node.
  let total = 0;
  const lengths = tickets.map((_, index) => {
    const n = tree.proofLength(index);
    total += n;
    return n;
  });
  const paths = new Uint8Array(total * HASH_BYTES);
  const receipts: WireReceipt[] = new Array(tickets.length);
  for (let index = 0, offset = 0; index < tickets.length; index++) {
    const path = paths.subarray(offset, offset + lengths[index] * HASH_BYTES);
    tree.proofInto(index, path);
    offset += path.length;
    const t = tickets[index];
    receipts[index] =
      t.leafVersion === 2
        ? { v: 1, leafVersion: 2, player: t.player, betType: t.betType, stakeMinor: t.stakeMinor, size: tree.size, index, path, signature }
        : { v: 1, player: t.player, size: tree.size, index, path, signature };
  }
  return receipts;
}

/** The acknowledgement fields a receipt needs besides its own. */
export interface AckedTicket {
  ticketId: string;
  lines: number[][];
  cost: number;
  receivedAt: number;
  receipt: WireReceipt;
}

/** The full, verifiable receipt (lottery-receipt/v1 JSON) from an acknowledgement. */
export function receiptFromAck(ack: AckedTicket, drawId: string, publicKey: string): TicketReceipt {
  const r = ack.receipt;
  const bytes = (v: unknown, name: string): Uint8Array => {
    if (!(v instanceof Uint8Array)) throw new Error(`receipt.${name} must be bytes`);
    return v;
  };
  const path = bytes(r.path, 'path');
  if (path.length % HASH_BYTES !== 0) throw new Error(`receipt.path must be a multiple of ${HASH_BYTES} bytes`);
  if (bytes(r.signature, 'signature').length !== SIGNATURE_BYTES) throw new Error('receipt.signature has the wrong length');
  const nodes: Uint8Array[] = [];
  for (let i = 0; i < path.length; i += HASH_BYTES) nodes.push(path.subarray(i, i + HASH_BYTES));
  const ticket = wireTicket(ack, drawId);
  const root = rootFromPath(ticketLeaf(ticket), r.index, r.size, nodes);
  if (root === null) throw new Error('receipt.path does not fit its index and batch size');
  return {
    version: RECEIPT_VERSION,
    ticket,
    batch: { size: r.size, index: r.index, path: nodes.map((n) => toHex(n)), root: toHex(root) },
    publicKey,
    signature: toHex(r.signature),
  };
}

/** The ticket record an acknowledgement and its receipt name, of the receipt's leaf version. */
function wireTicket(ack: AckedTicket, drawId: string): TicketRecord {
  const r = ack.receipt as Partial<WireReceiptV2>;
  const fields: TicketRecordV1 = { ticketId: ack.ticketId, drawId, player: r.player as string, lines: ack.lines, costMinor: ack.cost, receivedAtMs: ack.receivedAt };
  if (r.leafVersion === undefined) {
    if (r.betType !== undefined || r.stakeMinor !== undefined) throw new Error('receipt.betType and receipt.stakeMinor come only with receipt.leafVersion 2');
    return fields;
  }
  if (r.leafVersion !== 2) throw new Error(`receipt.leafVersion must be 2 or absent, got ${String(r.leafVersion)}`);
  if (typeof r.betType !== 'string') throw new Error('receipt.betType must be a string');
  if (typeof r.stakeMinor !== 'number') throw new Error('receipt.stakeMinor must be a number');
  return ticketRecordOf(2, { ...fields, betType: r.betType, stakeMinor: r.stakeMinor });
}
