// draw/receipt.ts — signed receipts for accepted tickets, one signature per batch.
//
// Why batches: one ed25519 signature with @noble/curves costs about 0.5 ms of CPU, so a
// signature per ticket caps a core near 2,000 tickets/s, far below the bet writer's rate.
// The writer commits up to 1,000 tickets per transaction; we build the RFC 9162 tree of
// their leaves, sign (size, root) once, and give each receipt its inclusion path. A receipt
// then proves "the operator signed a batch containing exactly this ticket encoding", which
// binds the operator as firmly as a signature on the ticket itself (a second ticket under
// the same leaf would need a SHA-256 collision). Measured costs: draw/README.md.
import { concatBytes, utf8ToBytes } from '@noble/hashes/utils.js';
import { ByteWriter, HASH_BYTES, toHex } from './bytes.ts';
import { copyTicket, parseTicketRecord, ticketLeaf, type TicketRecord } from './encoding.ts';
import { MERKLE_PATH_MAX, MerkleTree } from './merkle.ts';
import { arrayOf, hexString, integer, literal, plainObject } from './shape.ts';
import { publicKeyOf, PUBLIC_KEY_BYTES, sign, SIGNATURE_BYTES } from './signature.ts';

export const RECEIPT_VERSION = 'lottery-receipt/v1';
export const RECEIPT_MESSAGE_PREFIX = 'lottery/receipt-batch/v1\n';
/**
 * Tickets under one signature. The bet writer's batches are at most 1,000 (core/limits.ts);
 * the headroom lets it grow without touching this file, the bound keeps paths short.
 */
export const RECEIPT_BATCH_TICKETS_MAX = 65_536;

export interface TicketReceipt {
  version: typeof RECEIPT_VERSION;
  ticket: TicketRecord;
  batch: { size: number; index: number; path: string[]; root: string };
  publicKey: string;
  signature: string;
}

/** utf8("lottery/receipt-batch/v1\n") || u64 size || root. */
export function receiptBatchMessage(size: number, root: Uint8Array): Uint8Array {
  const body = new ByteWriter(8 + HASH_BYTES).u64(size, 'batch size');
  if (!(root instanceof Uint8Array) || root.length !== HASH_BYTES) throw new Error(`batch root must be ${HASH_BYTES} bytes`);
  return concatBytes(utf8ToBytes(RECEIPT_MESSAGE_PREFIX), body.bytes(root).finish());
}

/**
 * Receipts for one committed batch: receipts[i] is tickets[i]'s, all under one signature.
 * `signer` computes the same Ed25519 signature another way (the server passes OpenSSL's).
 */
export function signReceipts(
  tickets: TicketRecord[],
  secretKey: Uint8Array,
  signer: (message: Uint8Array, secretKey: Uint8Array) => Uint8Array = sign,
): TicketReceipt[] {
  if (!Array.isArray(tickets) || tickets.length < 1 || tickets.length > RECEIPT_BATCH_TICKETS_MAX) {
    throw new Error(`a receipt batch must hold 1 to ${RECEIPT_BATCH_TICKETS_MAX} tickets`);
  }
  const publicKey = toHex(publicKeyOf(secretKey));
  const tree = new MerkleTree(tickets.map(ticketLeaf));
  const root = toHex(tree.root);
  const signature = toHex(signer(receiptBatchMessage(tree.size, tree.root), secretKey));
  return tickets.map((ticket, index) => ({
    version: RECEIPT_VERSION,
    ticket: copyTicket(ticket),
    batch: { size: tree.size, index, path: tree.proofHex(index), root },
    publicKey,
    signature,
  }));
}

/** A TicketReceipt from untrusted JSON; throws an Error naming the first malformed field. */
export function parseReceipt(value: unknown): TicketReceipt {
  const o = plainObject(value, 'receipt', ['version', 'ticket', 'batch', 'publicKey', 'signature']);
  const batch = plainObject(o.batch, 'batch', ['size', 'index', 'path', 'root']);
  const size = integer(batch.size, 'batch.size', 1, RECEIPT_BATCH_TICKETS_MAX);
  return {
    version: literal(o.version, 'version', RECEIPT_VERSION),
    ticket: parseTicketRecord(o.ticket, 'ticket'),
    batch: {
      size,
      index: integer(batch.index, 'batch.index', 0, size - 1),
      path: arrayOf(batch.path, 'batch.path', 0, MERKLE_PATH_MAX).map((p, i) => hexString(p, `batch.path[${i}]`, HASH_BYTES)),
      root: hexString(batch.root, 'batch.root', HASH_BYTES),
    },
    publicKey: hexString(o.publicKey, 'publicKey', PUBLIC_KEY_BYTES),
    signature: hexString(o.signature, 'signature', SIGNATURE_BYTES),
  };
}
