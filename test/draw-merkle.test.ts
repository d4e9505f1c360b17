// The RFC 9162 Merkle tree: every inclusion path of small trees verifies and equals the
// RFC's recursive PATH(); every way of lying with a path fails; a million leaves is fast.
import t from 'tap';
import { leafHash } from '../draw/encoding.ts';
import { MERKLE_LEAVES_MAX, merkleRoot, MerkleTree, verifyInclusion } from '../draw/merkle.ts';
import * as ref from './fixtures/draw/reference.ts';

function leaves(n: number, salt = 0): Uint8Array[] {
  return Array.from({ length: n }, (_, i) => leafHash(Uint8Array.of(salt, i >> 16, i >> 8, i)));
}

/** RFC 9162 §2.1.3.2's choice of side per path element, or null if sn would not end at 0. */
function sides(index: number, size: number, pathLength: number): string | null {
  let fn = index;
  let sn = size - 1;
  let out = '';
  for (let k = 0; k < pathLength; k++) {
    if (sn === 0) return null;
    if (fn % 2 === 1 || fn === sn) {
      out += 'L';
      if (fn % 2 === 0) while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn >> 1, sn >> 1];
    } else out += 'R';
    [fn, sn] = [fn >> 1, sn >> 1];
  }
  return sn === 0 ? out : null;
}

let sizeTwins = 0;

function flip(b: Uint8Array, at = 0): Uint8Array {
  const c = b.slice();
  c[at] ^= 1;
  return c;
}

t.test('every leaf of every tree of 1..70 leaves has a path that verifies and equals RFC 9162 PATH()', async (t) => {
  let checked = 0;
  let failures = 0;
  for (let n = 1; n <= 70; n++) {
    const ls = leaves(n);
    const tree = new MerkleTree(ls);
    const refLeaves = ls.map((l) => Buffer.from(l));
    if (Buffer.compare(Buffer.from(tree.root), ref.refMth(refLeaves)) !== 0) failures++;
    if (Buffer.compare(Buffer.from(merkleRoot(ls)), Buffer.from(tree.root)) !== 0) failures++;
    for (let i = 0; i < n; i++) {
      const path = tree.proof(i);
      const refPath = ref.refPath(i, refLeaves);
      if (path.length !== refPath.length || path.some((p, k) => Buffer.compare(Buffer.from(p), refPath[k]) !== 0)) failures++;
      if (tree.proofHex(i).join() !== path.map((p) => Buffer.from(p).toString('hex')).join()) failures++;
      if (!verifyInclusion(ls[i], i, n, path, tree.root)) failures++;
      checked++;
    }
  }
  t.equal(checked, (70 * 71) / 2);
  t.equal(failures, 0, 'no path differs from the RFC or fails to verify');
});

t.test('a wrong index, path element, leaf or root, a truncated or extended path, or a size of another path shape, fails', async (t) => {
  const cases = new Map<string, number>();
  const count = (name: string, accepted: boolean) => cases.set(name, (cases.get(name) ?? 0) + (accepted ? 1 : 0));
  for (let n = 1; n <= 70; n++) {
    const ls = leaves(n);
    const tree = new MerkleTree(ls);
    for (let i = 0; i < n; i++) {
      const path = tree.proof(i);
      const ok = (leaf: Uint8Array, index: number, size: number, p: Uint8Array[], root = tree.root) => verifyInclusion(leaf, index, size, p, root);
      for (let j = 0; j < n; j++) if (j !== i) count('wrong index', ok(ls[i], j, n, path));
      count('index = size', ok(ls[i], n, n, path));
      for (let size = Math.max(i + 1, n - 9); size <= n + 9; size++) {
        if (size === n) continue;
        // The size only steers which side each path element hashes on. Where another size
        // gives the same sides for the same path length, no path can tell them apart: the
        // size is authenticated elsewhere (signed in a receipt, checked against the proof's
        // ticket count for an inclusion proof). Everywhere else a wrong size must fail.
        const indistinguishable = sides(i, size, path.length) === sides(i, n, path.length);
        if (indistinguishable) sizeTwins++;
        if (ok(ls[i], i, size, path) !== indistinguishable) count('wrong size (accepted exactly when its path shape is the same)', true);
        else count('wrong size (accepted exactly when its path shape is the same)', false);
      }
      for (let k = 0; k < path.length; k++) count('altered path element', ok(ls[i], i, n, path.map((p, m) => (m === k ? flip(p, k % 32) : p))));
      count('altered leaf', ok(flip(ls[i], 31), i, n, path));
      count('another leaf', ok(ls[(i + 1) % n], i, n, path) && n > 1);
      if (path.length > 0) count('truncated path', ok(ls[i], i, n, path.slice(0, -1)));
      count('extended path', ok(ls[i], i, n, [...path, tree.root]));
      count('empty path', path.length > 0 && ok(ls[i], i, n, []));
      count('altered root', ok(ls[i], i, n, path, flip(tree.root)));
    }
  }
  for (const [name, accepted] of cases) t.equal(accepted, 0, `${name}: never accepted`);
  t.equal(cases.size, 10, 'ten kinds of lie tried');
  t.ok(sizeTwins > 0, `${sizeTwins} wrong sizes share a path shape (see sides())`);
});

t.test('malformed arguments throw instead of verifying', async (t) => {
  const ls = leaves(4);
  const tree = new MerkleTree(ls);
  const path = tree.proof(1);
  t.throws(() => verifyInclusion(ls[1].slice(1), 1, 4, path, tree.root), /leaf must be 32 bytes/);
  t.throws(() => verifyInclusion(ls[1], 1.5, 4, path, tree.root), /leaf index/);
  t.throws(() => verifyInclusion(ls[1], 1, -4, path, tree.root), /tree size/);
  t.throws(() => verifyInclusion(ls[1], 1, 4, [path[0].slice(0, 31)], tree.root), /path\[0\]/);
  t.throws(() => verifyInclusion(ls[1], 1, 4, Array(65).fill(path[0]), tree.root), /at most 64/);
  t.throws(() => tree.proof(4), /leaf index/);
  t.throws(() => tree.proof(-1), /leaf index/);
  t.throws(() => new MerkleTree([ls[0], new Uint8Array(31)]), /leaves\[1\] must be 32 bytes/);
  t.throws(() => merkleRoot('x' as unknown as Uint8Array[]), /array/);
  t.throws(() => new MerkleTree({ length: MERKLE_LEAVES_MAX + 1 } as unknown as Uint8Array[]), /array/);
  const empty = new MerkleTree([]);
  t.equal(empty.size, 0);
  t.equal(Buffer.from(empty.root).toString('hex'), 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  t.throws(() => empty.proof(0), /leaf index/);
  t.notOk(verifyInclusion(ls[0], 0, 0, [], empty.root), 'nothing is included in the empty tree');
});

t.test('proofs do not expose the tree: mutating a returned path or root changes nothing', async (t) => {
  const tree = new MerkleTree(leaves(9));
  const before = tree.proof(3).map((p) => Buffer.from(p).toString('hex'));
  tree.proof(3)[0].fill(0);
  tree.leaf(3).fill(0);
  t.same(tree.proof(3).map((p) => Buffer.from(p).toString('hex')), before);
});

t.test('a million leaves: tree, root and paths in seconds, paths O(log n)', async (t) => {
  const n = 1_000_000;
  const ls = leaves(n, 7);
  let start = performance.now();
  const tree = new MerkleTree(ls);
  const buildMs = performance.now() - start;
  start = performance.now();
  const root = merkleRoot(ls);
  const rootMs = performance.now() - start;
  t.same(root, tree.root, 'merkleRoot and MerkleTree agree');
  start = performance.now();
  let ok = 0;
  for (let k = 0; k < 2000; k++) {
    const i = (k * 7919 + 13) % n;
    const path = tree.proof(i);
    if (path.length <= 20 && verifyInclusion(ls[i], i, n, path, tree.root)) ok++;
  }
  const pathsMs = performance.now() - start;
  t.equal(ok, 2000, 'sampled paths (at most 20 long) verify, including the last leaf');
  t.ok(verifyInclusion(ls[n - 1], n - 1, n, tree.proof(n - 1), tree.root));
  t.comment(`1M leaves: MerkleTree ${buildMs.toFixed(0)} ms, merkleRoot ${rootMs.toFixed(0)} ms, 2000 proofs+verifications ${pathsMs.toFixed(0)} ms`);
  t.ok(buildMs < 10_000 && rootMs < 10_000, 'each well under 10 s');
  t.ok(pathsMs < 2_000, 'paths are cheap');
});
