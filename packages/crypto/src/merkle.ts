import { hash as oneShotHash } from 'node:crypto';

/**
 * Merkle tree core for the tamper-evident audit log, following RFC 9162 section 2.1 (identical
 * hashing to RFC 6962):
 *
 *   MTH({})      = SHA-256()
 *   MTH({d0})    = SHA-256(0x00 || d0)
 *   MTH(D[n])    = SHA-256(0x01 || MTH(D[0:k]) || MTH(D[k:n]))   k = largest power of two < n
 *
 * Everything here works on leaf hashes (32-byte `leafHash(entry)` values), never on entries.
 * Sizes and indices are plain numbers and must be safe non-negative integers.
 */

/** Length in bytes of every hash in the tree (SHA-256). */
export const MERKLE_HASH_SIZE = 32;

/**
 * Root hash of the leaves [start, end) of the tree, i.e. MTH(D[start:end]). The proof
 * generators only ever ask for ranges where `start` is a multiple of a power of two that is at
 * least `end - start` (a perfect subtree, or the ragged right edge of the tree), which is exactly
 * what `hashRangeFromSubtrees` can answer from stored perfect-subtree hashes.
 */
export type HashRange = (start: number, end: number) => Uint8Array;

/** Hash of the perfect subtree at `level` (leaves are level 0) with position `index` in that level. */
export type SubtreeHash = (level: number, index: number) => Uint8Array;

function view(buf: Buffer): Uint8Array {
  return new Uint8Array(buf.buffer, buf.byteOffset, buf.byteLength);
}

function sha256(input: Uint8Array): Uint8Array {
  return view(oneShotHash('sha256', input, 'buffer'));
}

/** Scratch input for the common 32 + 32 byte node hash (safe to share: hashing is synchronous). */
const NODE_INPUT = new Uint8Array(1 + 2 * MERKLE_HASH_SIZE);
NODE_INPUT[0] = 0x01;

/** SHA-256(0x00 || data): the hash of one log entry. */
export function leafHash(data: Uint8Array): Uint8Array {
  const input = new Uint8Array(1 + data.length);
  input.set(data, 1); // input[0] is already 0x00
  return sha256(input);
}

/** SHA-256(0x01 || left || right): an interior node. */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  if (left.length === MERKLE_HASH_SIZE && right.length === MERKLE_HASH_SIZE) {
    NODE_INPUT.set(left, 1);
    NODE_INPUT.set(right, 1 + MERKLE_HASH_SIZE);
    return sha256(NODE_INPUT);
  }
  const input = new Uint8Array(1 + left.length + right.length);
  input[0] = 0x01;
  input.set(left, 1);
  input.set(right, 1 + left.length);
  return sha256(input);
}

/** SHA-256 of the empty string: the root of the empty tree. */
export function emptyRootHash(): Uint8Array {
  return sha256(new Uint8Array(0));
}

function isHash(value: unknown): value is Uint8Array {
  return value instanceof Uint8Array && value.length === MERKLE_HASH_SIZE;
}

function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let diff = 0;
  for (let i = 0; i < a.length; i++) diff |= a[i]! ^ b[i]!;
  return diff === 0;
}

function isSize(value: unknown): value is number {
  return typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
}

function requireSize(value: number, what: string): void {
  if (!isSize(value)) throw new RangeError(`${what} must be a non-negative safe integer, got ${String(value)}`);
}

function requireHash(value: Uint8Array, what: string): void {
  if (!isHash(value)) throw new RangeError(`${what} must be a ${MERKLE_HASH_SIZE}-byte hash`);
}

/** Largest power of two strictly smaller than n (n >= 2). Arithmetic, so valid beyond 2^32. */
function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

const lsb = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

/**
 * Incremental Merkle tree over appended leaf hashes: keeps only the roots of the perfect subtrees
 * that make up the current size (a compact range, one per set bit of `size`), so appending n
 * leaves costs n - popcount(n) node hashes in total and memory stays O(log n).
 */
export class MerkleTreeBuilder {
  /** Perfect-subtree roots, largest (leftmost) first; their sizes are the set bits of `#size`. */
  readonly #stack: Uint8Array[] = [];
  #size = 0;

  get size(): number {
    return this.#size;
  }

  /**
   * Continues a tree of `size` leaves from its compact range (`subtrees()` of that tree, largest
   * first), so a log can keep appending without re-reading its leaves.
   */
  static resume(size: number, subtrees: readonly Uint8Array[]): MerkleTreeBuilder {
    requireSize(size, 'tree size');
    let bits = 0;
    for (let s = size; s > 0; s = half(s)) if (lsb(s)) bits++;
    if (subtrees.length !== bits) throw new RangeError(`a tree of size ${size} has ${bits} subtrees, got ${subtrees.length}`);
    const builder = new MerkleTreeBuilder();
    for (const h of subtrees) requireHash(h, 'subtree hash');
    builder.#stack.push(...subtrees.map((h) => h.slice()));
    builder.#size = size;
    return builder;
  }

  /**
   * Appends a leaf hash. `onSubtree(level, index, hash)` is told of every perfect subtree above the
   * leaves that the leaf completes (level >= 1), so a store can keep them for O(log n) proofs.
   */
  append(leaf: Uint8Array, onSubtree?: (level: number, index: number, hash: Uint8Array) => void): void {
    requireHash(leaf, 'leaf hash');
    if (this.#size >= Number.MAX_SAFE_INTEGER) throw new RangeError('tree is full');
    let hash = leaf;
    // Every trailing one bit of the old size is a perfect subtree the new leaf completes.
    let level = 0;
    let index = this.#size;
    for (let s = this.#size; lsb(s); s = half(s)) {
      hash = nodeHash(this.#stack.pop()!, hash);
      level++;
      index = half(index);
      onSubtree?.(level, index, hash);
    }
    this.#stack.push(hash);
    this.#size++;
  }

  /** MTH of all appended leaves (the empty-tree hash when nothing was appended). */
  root(): Uint8Array {
    const stack = this.#stack;
    let i = stack.length - 1;
    if (i < 0) return emptyRootHash();
    let hash = stack[i]!;
    for (i--; i >= 0; i--) hash = nodeHash(stack[i]!, hash);
    return hash;
  }

  /** The compact range: perfect-subtree roots for the current size, largest first (copies). */
  subtrees(): Uint8Array[] {
    return this.#stack.map((h) => h.slice());
  }
}

/** MTH over the given leaf hashes, in O(n) time and O(log n) extra memory. */
export function rootHash(leafHashes: readonly Uint8Array[]): Uint8Array {
  const builder = new MerkleTreeBuilder();
  for (const leaf of leafHashes) builder.append(leaf);
  return builder.root();
}

/**
 * A `HashRange` backed by stored perfect-subtree hashes: [start, end) is split into perfect
 * subtrees, largest first, and folded right to left (which is exactly MTH's shape when `start` is
 * aligned). Throws RangeError for a range that is not aligned that way. O(log n) lookups and hashes.
 */
export function hashRangeFromSubtrees(subtree: SubtreeHash): HashRange {
  return (start, end) => {
    requireSize(start, 'start');
    requireSize(end, 'end');
    if (end <= start) throw new RangeError(`empty range [${start}, ${end})`);
    const parts: Uint8Array[] = [];
    let pos = start;
    let width = 1;
    let level = 0;
    while (width * 2 <= end - start) {
      width *= 2;
      level++;
    }
    for (; pos < end; width /= 2, level--) {
      if (end - pos < width) continue;
      if (pos % width !== 0) throw new RangeError(`range [${start}, ${end}) is not aligned to perfect subtrees`);
      const hash = subtree(level, pos / width);
      requireHash(hash, `subtree hash (${level}, ${pos / width})`);
      parts.push(hash);
      pos += width;
    }
    let hash = parts.pop()!;
    while (parts.length > 0) hash = nodeHash(parts.pop()!, hash);
    return hash;
  };
}

/** A `HashRange` over an in-memory array of leaf hashes (O(end - start) per call). */
export function hashRangeFromLeaves(leafHashes: readonly Uint8Array[]): HashRange {
  return (start, end) => {
    if (!isSize(start) || !isSize(end) || end <= start || end > leafHashes.length) {
      throw new RangeError(`range [${start}, ${end}) outside the ${leafHashes.length} leaves`);
    }
    const builder = new MerkleTreeBuilder();
    for (let i = start; i < end; i++) builder.append(leafHashes[i]!);
    return builder.root();
  };
}

function checkedRange(hashRange: HashRange, start: number, end: number): Uint8Array {
  const hash = hashRange(start, end);
  requireHash(hash, `hashRange(${start}, ${end})`);
  return hash;
}

/**
 * RFC 9162 2.1.3.1 PATH(m, D[n]) for leaf `index` of a tree of `treeSize` leaves, asking
 * `hashRange` for the O(log n) subtree roots it needs. Throws RangeError unless 0 <= index < treeSize.
 */
export function inclusionProofFromRanges(treeSize: number, index: number, hashRange: HashRange): Uint8Array[] {
  requireSize(treeSize, 'tree size');
  requireSize(index, 'leaf index');
  if (index >= treeSize) throw new RangeError(`leaf index ${index} is outside a tree of size ${treeSize}`);
  // Walk down from the root, collecting siblings top-down; PATH lists them bottom-up.
  const path: Uint8Array[] = [];
  let start = 0;
  let end = treeSize;
  let m = index;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (m < k) {
      path.push(checkedRange(hashRange, start + k, end));
      end = start + k;
    } else {
      path.push(checkedRange(hashRange, start, start + k));
      start += k;
      m -= k;
    }
  }
  return path.reverse();
}

/** Inclusion proof (RFC 9162 PATH) for leaf `index` of the tree of all `leafHashes`. */
export function inclusionProof(leafHashes: readonly Uint8Array[], index: number): Uint8Array[] {
  return inclusionProofFromRanges(leafHashes.length, index, hashRangeFromLeaves(leafHashes));
}

/**
 * RFC 9162 2.1.4.1 PROOF(m, D[n]) = SUBPROOF(m, D[n], true) between tree sizes `oldSize` and
 * `newSize`, asking `hashRange` for the subtree roots it needs. Empty when oldSize is 0 or equal
 * to newSize; throws RangeError unless 0 <= oldSize <= newSize.
 */
export function consistencyProofFromRanges(oldSize: number, newSize: number, hashRange: HashRange): Uint8Array[] {
  requireSize(oldSize, 'old size');
  requireSize(newSize, 'new size');
  if (oldSize > newSize) throw new RangeError(`old size ${oldSize} is larger than new size ${newSize}`);
  if (oldSize === 0 || oldSize === newSize) return [];
  const proof: Uint8Array[] = [];
  let start = 0;
  let end = newSize;
  let m = oldSize;
  let haveRoot = true; // SUBPROOF's b
  while (m !== end - start) {
    const k = splitPoint(end - start);
    if (m <= k) {
      proof.push(checkedRange(hashRange, start + k, end));
      end = start + k;
    } else {
      proof.push(checkedRange(hashRange, start, start + k));
      start += k;
      m -= k;
      haveRoot = false;
    }
  }
  if (!haveRoot) proof.push(checkedRange(hashRange, start, end));
  return proof.reverse();
}

/** Consistency proof (RFC 9162 PROOF) from the first `oldSize` leaves to all `leafHashes`. */
export function consistencyProof(leafHashes: readonly Uint8Array[], oldSize: number): Uint8Array[] {
  return consistencyProofFromRanges(oldSize, leafHashes.length, hashRangeFromLeaves(leafHashes));
}

/**
 * RFC 9162 2.1.3.2: does `proof` show that `leaf` is at `index` in the tree of `treeSize`
 * leaves whose root is `root`? Malformed input (bad numbers, hashes that are not 32 bytes, a
 * proof of the wrong length) yields false, never an exception.
 *
 * Note that, as in the RFC, the proof binds the leaf's position within the tree's shape but
 * does not on its own pin the tree size: the caller must take `treeSize` and `root` from the
 * same signed tree head.
 */
export function verifyInclusion(leaf: Uint8Array, index: number, treeSize: number, proof: readonly Uint8Array[], root: Uint8Array): boolean {
  if (!isSize(index) || !isSize(treeSize) || !isHash(leaf) || !isHash(root) || !Array.isArray(proof)) return false;
  // 1. leaf_index must be < tree_size.
  if (index >= treeSize) return false;
  // 2.-3.
  let fn = index;
  let sn = treeSize - 1;
  let r = leaf;
  // 4.
  for (const p of proof) {
    if (!isHash(p)) return false;
    // 4a.
    if (sn === 0) return false;
    // 4b.
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    // 4c.
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  return sn === 0 && bytesEqual(r, root);
}

/**
 * RFC 9162 2.1.4.2: does `proof` show that the tree of `newSize` leaves with root `newRoot`
 * extends the tree of `oldSize` leaves with root `oldRoot`? The RFC algorithm covers
 * 0 < oldSize < newSize; outside it: oldSize > newSize fails; oldSize == newSize needs an empty
 * proof and equal roots; oldSize == 0 needs an empty proof and `oldRoot` equal to the empty-tree
 * hash. Malformed input yields false, never an exception.
 */
export function verifyConsistency(oldSize: number, newSize: number, oldRoot: Uint8Array, newRoot: Uint8Array, proof: readonly Uint8Array[]): boolean {
  if (!isSize(oldSize) || !isSize(newSize) || !isHash(oldRoot) || !isHash(newRoot) || !Array.isArray(proof)) return false;
  if (!proof.every(isHash)) return false;
  if (oldSize > newSize) return false;
  if (oldSize === newSize) return proof.length === 0 && bytesEqual(oldRoot, newRoot);
  if (oldSize === 0) return proof.length === 0 && bytesEqual(oldRoot, emptyRootHash());
  // 1. An empty consistency_path fails.
  if (proof.length === 0) return false;
  // 2. If first is an exact power of 2, prepend first_hash.
  const path = isPowerOfTwo(oldSize) ? [oldRoot, ...proof] : [...proof];
  // 3.
  let fn = oldSize - 1;
  let sn = newSize - 1;
  // 4. If LSB(fn) is set, right-shift fn and sn equally until LSB(fn) is not set.
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // 6.
  for (let i = 1; i < path.length; i++) {
    const c = path[i]!;
    // 6a.
    if (sn === 0) return false;
    // 6b.
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    // 6c.
    fn = half(fn);
    sn = half(sn);
  }
  // 7.
  return bytesEqual(fr, oldRoot) && bytesEqual(sr, newRoot) && sn === 0;
}

function isPowerOfTwo(x: number): boolean {
  if (x < 1) return false;
  while (x % 2 === 0) x /= 2;
  return x === 1;
}
