// draw/inclusion.ts — a ticket's proof of membership in a draw's sealed ticket set.
//
// With the draw proof's ticket root, it shows that exactly this ticket encoding is leaf
// `leafIndex` of the tree the numbers were derived from: a ticket accepted (receipt) but
// left out of the seal is caught here.
import { equalBytes, HASH_BYTES, toHex } from './bytes.ts';
import { copyTicket, parseTicketRecord, ticketLeaf, type TicketRecord } from './encoding.ts';
import { MERKLE_LEAVES_MAX, MERKLE_PATH_MAX, type MerkleTree } from './merkle.ts';
import { arrayOf, hexString, integer, literal, plainObject, text } from './shape.ts';

export const INCLUSION_VERSION = 'lottery-inclusion/v1';

export interface InclusionProof {
  version: typeof INCLUSION_VERSION;
  drawId: string;
  ticket: TicketRecord;
  leafIndex: number;
  treeSize: number;
  path: string[];
  root: string;
}

/** The inclusion proof of tree leaf `index`, which must be this ticket's leaf (checked). */
export function inclusionProof(tree: MerkleTree, index: number, ticket: TicketRecord): InclusionProof {
  if (!equalBytes(tree.leaf(index), ticketLeaf(ticket))) {
    throw new Error(`leaf ${index} of the tree is not the leaf of ticket ${ticket.ticketId}`);
  }
  return {
    version: INCLUSION_VERSION,
    drawId: ticket.drawId,
    ticket: copyTicket(ticket),
    leafIndex: index,
    treeSize: tree.size,
    path: tree.proofHex(index),
    root: toHex(tree.root),
  };
}

/** An InclusionProof from untrusted JSON; throws an Error naming the first malformed field. */
export function parseInclusionProof(value: unknown): InclusionProof {
  const o = plainObject(value, 'inclusion', ['version', 'drawId', 'ticket', 'leafIndex', 'treeSize', 'path', 'root']);
  const treeSize = integer(o.treeSize, 'treeSize', 1, MERKLE_LEAVES_MAX);
  return {
    version: literal(o.version, 'version', INCLUSION_VERSION),
    drawId: text(o.drawId, 'drawId'),
    ticket: parseTicketRecord(o.ticket, 'ticket'),
    leafIndex: integer(o.leafIndex, 'leafIndex', 0, treeSize - 1),
    treeSize,
    path: arrayOf(o.path, 'path', 0, MERKLE_PATH_MAX).map((p, i) => hexString(p, `path[${i}]`, HASH_BYTES)),
    root: hexString(o.root, 'root', HASH_BYTES),
  };
}
