// draw/merkle.ts — the RFC 9162 (Certificate Transparency v2) Merkle tree, §2.1.
//
//   MTH({})      = SHA-256()                                  (the empty string)
//   MTH({d0})    = d0                                         (leaves arrive already hashed)
//   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n])), k the largest power of two < n
//
// The same tree, level by level: pair neighbours left to right; an odd last node moves up
// unchanged. MerkleTree keeps every level (about 64 bytes per leaf in all) so a path is
// O(log n) to read, in one contiguous buffer per level: a million leaves make about twenty
// allocations, not two million.
import { sha256 } from '@noble/hashes/sha2.js';
import { assertBytes, assertInteger, HASH_BYTES, toHex, U64_SAFE_MAX } from './bytes.ts';
import { nobleSha256, type Sha256 } from './sha256.ts';

/** Largest tree we build: 2^25 leaves need about 2 GiB; far above any draw's ticket count. */
export const MERKLE_LEAVES_MAX = 2 ** 25;
/** A path has one element per level: at most 64 for any size a u64 can name. */
export const MERKLE_PATH_MAX = 64;

const NODE_PREFIX = 0x01;
const EMPTY_ROOT = sha256(new Uint8Array(0));

/** SHA-256(0x01 || left || right), reusing one 65-byte scratch buffer. */
function nodeHasher(): (left: Uint8Array, right: Uint8Array) => Uint8Array {
  const scratch = new Uint8Array(1 + 2 * HASH_BYTES);
  scratch[0] = NODE_PREFIX;
  return (left, right) => {
    scratch.set(left, 1);
    scratch.set(right, 1 + HASH_BYTES);
    const out = new Uint8Array(HASH_BYTES);
    nobleSha256(scratch, out, 0);
    return out;
  };
}

/**
 * Leaves come as an array of 32-byte hashes or as one buffer of them end to end (what
 * ticketLeaves writes); either way, one buffer of them end to end is what the tree keeps.
 */
export type Leaves = Uint8Array[] | Uint8Array;

function assertConcatenated(leaves: Uint8Array): void {
  if (leaves.length % HASH_BYTES !== 0) throw new Error(`concatenated leaves must be a multiple of ${HASH_BYTES} bytes`);
  assertInteger(leaves.length / HASH_BYTES, 'number of leaves', 0, MERKLE_LEAVES_MAX);
}

/** The leaves end to end, in a buffer of our own (never the caller's). */
function concatenated(leaves: Leaves): Uint8Array {
  if (leaves instanceof Uint8Array) {
    assertConcatenated(leaves);
    return leaves.slice();
  }
  assertLeaves(leaves);
  const base = new Uint8Array(leaves.length * HASH_BYTES);
  for (let i = 0; i < leaves.length; i++) base.set(leaves[i], i * HASH_BYTES);
  return base;
}

function assertLeaves(leaves: unknown): asserts leaves is Uint8Array[] {
  if (!Array.isArray(leaves)) throw new Error('leaves must be an array of 32-byte hashes');
  assertInteger(leaves.length, 'number of leaves', 0, MERKLE_LEAVES_MAX);
  for (let i = 0; i < leaves.length; i++) {
    const leaf: unknown = leaves[i];
    if (!(leaf instanceof Uint8Array) || leaf.length !== HASH_BYTES) assertBytes(leaf, `leaves[${i}]`, HASH_BYTES); // throws, naming it
  }
}

/**
 * MTH of the leaf hashes in O(log n) memory: a stack of perfect subtrees, merged as they
 * complete. Neighbours on the stack are adjacent in one buffer, so merging the top two is
 * one copy and one hash, written back in place.
 */
export function merkleRoot(leaves: Leaves, hash: Sha256 = nobleSha256): Uint8Array {
  let count: number;
  let leaf: (i: number) => Uint8Array;
  if (leaves instanceof Uint8Array) {
    assertConcatenated(leaves);
    count = leaves.length / HASH_BYTES;
    leaf = (i) => leaves.subarray(i * HASH_BYTES, (i + 1) * HASH_BYTES);
  } else {
    assertLeaves(leaves);
    count = leaves.length;
    leaf = (i) => leaves[i];
  }
  if (count === 0) return EMPTY_ROOT.slice();
  const stack = new Uint8Array(MERKLE_PATH_MAX * HASH_BYTES);
  const scratch = new Uint8Array(1 + 2 * HASH_BYTES);
  scratch[0] = NODE_PREFIX;
  let depth = 0;
  const mergeTop = () => {
    const left = (depth - 2) * HASH_BYTES;
    scratch.set(stack.subarray(left, left + 2 * HASH_BYTES), 1);
    hash(scratch, stack, left);
    depth--;
  };
  for (let i = 0; i < count; i++) {
    stack.set(leaf(i), depth++ * HASH_BYTES);
    // After leaf i the stack holds one perfect subtree per set bit of i + 1.
    for (let n = i + 1; n % 2 === 0; n /= 2) mergeTop();
  }
  // The leftover subtrees, largest first, fold from the right: exactly the RFC's k-split.
  while (depth > 1) mergeTop();
  return stack.slice(0, HASH_BYTES);
}

export class MerkleTree {
  readonly size: number;
  readonly root: Uint8Array;
  /** levels[0] = the leaves, levels[top] = the root; node j of level h at bytes 32j..32j+31. */
  readonly #levels: Uint8Array[];
  readonly #hexCache: (string | undefined)[][] = [];

  /** `hash` is SHA-256 itself; only how it is computed may differ (see draw/sha256.ts). */
  constructor(leaves: Leaves, hash: Sha256 = nobleSha256) {
    const base = concatenated(leaves);
    this.size = base.length / HASH_BYTES;
    if (this.size === 0) {
      this.#levels = [];
      this.root = EMPTY_ROOT.slice();
      return;
    }
    this.#levels = [base];
    const scratch = new Uint8Array(1 + 2 * HASH_BYTES);
    scratch[0] = NODE_PREFIX;
    for (let below = base, count = this.size; count > 1; ) {
      const parents = Math.ceil(count / 2);
      const level = new Uint8Array(parents * HASH_BYTES);
      for (let j = 0; j + 1 < count; j += 2) {
        scratch.set(below.subarray(j * HASH_BYTES, (j + 2) * HASH_BYTES), 1);
        hash(scratch, level, (j / 2) * HASH_BYTES);
      }
      // An odd last node has no sibling at this level: it moves up unchanged.
      if (count % 2 === 1) level.set(below.subarray((count - 1) * HASH_BYTES), (parents - 1) * HASH_BYTES);
      this.#levels.push(level);
      below = level;
      count = parents;
    }
    this.root = this.#levels[this.#levels.length - 1].slice(0, HASH_BYTES);
  }

  /** The leaf hash at an index (a copy). */
  leaf(index: number): Uint8Array {
    assertInteger(index, 'leaf index', 0, this.size - 1);
    return this.#levels[0].slice(index * HASH_BYTES, (index + 1) * HASH_BYTES);
  }

  /** The RFC 9162 §2.1.3.1 inclusion path of a leaf, from the leaf's sibling up to the root's child. */
  proof(index: number): Uint8Array[] {
    return this.#pathNodes(index).map(([h, j]) => this.#levels[h].slice(j * HASH_BYTES, (j + 1) * HASH_BYTES));
  }

  /**
   * proof(index) written into `out` (32 bytes per node, concatenated), without allocating:
   * for hot paths that need every leaf's path (receipts). Returns the number of nodes.
   */
  proofInto(index: number, out: Uint8Array): number {
    assertInteger(index, 'leaf index', 0, this.size - 1);
    let n = 0;
    for (let h = 0, j = index; h < this.#levels.length - 1; h++, j = Math.floor(j / 2)) {
      const sibling = j % 2 === 0 ? j + 1 : j - 1;
      const level = this.#levels[h];
      if (sibling * HASH_BYTES < level.length) {
        out.set(level.subarray(sibling * HASH_BYTES, (sibling + 1) * HASH_BYTES), n * HASH_BYTES);
        n++;
      }
    }
    return n;
  }

  /** Length of proof(index), without building it. */
  proofLength(index: number): number {
    assertInteger(index, 'leaf index', 0, this.size - 1);
    let n = 0;
    for (let h = 0, j = index; h < this.#levels.length - 1; h++, j = Math.floor(j / 2)) {
      if ((j % 2 === 0 ? j + 1 : j - 1) * HASH_BYTES < this.#levels[h].length) n++;
    }
    return n;
  }

  /** proof(index) as lowercase hex; each node's hex is computed once per tree (receipts share them). */
  proofHex(index: number): string[] {
    return this.#pathNodes(index).map(([h, j]) => {
      const cache = (this.#hexCache[h] ??= []);
      return (cache[j] ??= toHex(this.#levels[h].subarray(j * HASH_BYTES, (j + 1) * HASH_BYTES)));
    });
  }

  /** [level, index] of each path element: the sibling at every level where there is one. */
  #pathNodes(index: number): [number, number][] {
    assertInteger(index, 'leaf index', 0, this.size - 1);
    const nodes: [number, number][] = [];
    for (let h = 0, j = index; h < this.#levels.length - 1; h++, j = Math.floor(j / 2)) {
      const sibling = j % 2 === 0 ? j + 1 : j - 1;
      if (sibling * HASH_BYTES < this.#levels[h].length) nodes.push([h, sibling]);
    }
    return nodes;
  }
}

/**
 * RFC 9162 §2.1.3.2: does `path` prove that `leaf` is entry `index` of the tree of `size`
 * leaves whose root is `root`? Malformed arguments (not bytes, not integers) throw;
 * well-formed but wrong ones return false.
 */
export function verifyInclusion(leaf: Uint8Array, index: number, size: number, path: Uint8Array[], root: Uint8Array): boolean {
  assertBytes(root, 'root', HASH_BYTES);
  const r = rootFromPath(leaf, index, size, path);
  if (r === null) return false;
  for (let i = 0; i < HASH_BYTES; i++) if (r[i] !== root[i]) return false;
  return true;
}

/**
 * The root that `path` leads to from `leaf` as entry `index` of a tree of `size` leaves
 * (RFC 9162 §2.1.3.2 without the final comparison), or null when the path cannot belong
 * to such a tree. Malformed arguments throw.
 */
export function rootFromPath(leaf: Uint8Array, index: number, size: number, path: Uint8Array[]): Uint8Array | null {
  assertBytes(leaf, 'leaf', HASH_BYTES);
  assertInteger(index, 'leaf index', 0, U64_SAFE_MAX);
  assertInteger(size, 'tree size', 0, U64_SAFE_MAX);
  if (!Array.isArray(path) || path.length > MERKLE_PATH_MAX) throw new Error(`path must be an array of at most ${MERKLE_PATH_MAX} hashes`);
  path.forEach((p, i) => assertBytes(p, `path[${i}]`, HASH_BYTES));
  if (index >= size) return null;
  const node = nodeHasher();
  // Safe integers exceed 32 bits: halve with arithmetic, not >>.
  let fn = index;
  let sn = size - 1;
  let r = leaf;
  for (const p of path) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      r = node(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = node(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 ? r : null;
}
