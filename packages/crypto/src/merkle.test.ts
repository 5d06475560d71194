import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import {
  MerkleTreeBuilder,
  consistencyProof,
  consistencyProofFromRanges,
  emptyRootHash,
  hashRangeFromLeaves,
  hashRangeFromSubtrees,
  inclusionProof,
  inclusionProofFromRanges,
  leafHash,
  nodeHash,
  rootHash,
  verifyConsistency,
  verifyInclusion,
  type HashRange,
} from './index.ts';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const hexes = (list: readonly Uint8Array[]): string[] => list.map(hex);

// ---------------------------------------------------------------------------------------------
// Published RFC 6962 test vectors (RFC 9162 hashing is identical), copied verbatim (hex) from the
// Go module github.com/transparency-dev/merkle:
//   - testonly/constants.go       LeafInputs(), NodeHashes(), RootHashes(), EmptyRootHash()
//   - proof/verify_test.go        inclusionProofs (1-based leaf numbers), consistencyProofs,
//                                 roots, sha256SomeHash, and the corruptInclusionProof /
//                                 corruptConsistencyProof probe lists mirrored below
//   - testonly/reference_test.go  TestRefInclusionProof, TestRefConsistencyProof (0-based)
//   - rfc6962/rfc6962_test.go     TestRFC6962Hasher
// ---------------------------------------------------------------------------------------------

/** testonly/constants.go LeafInputs() */
const LEAF_INPUTS = ['', '00', '10', '2021', '3031', '40414243', '5051525354555657', '606162636465666768696a6b6c6d6e6f'].map(unhex);

/** testonly/constants.go NodeHashes(): [level][index] hashes of all perfect subtrees over LEAF_INPUTS. */
const NODE_HASHES: string[][] = [
  [
    '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
    '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
    '0298d122906dcfc10892cb53a73992fc5b9f493ea4c9badb27b791b4127a7fe7',
    '07506a85fd9dd2f120eb694f86011e5bb4662e5c415a62917033d4a9624487e7',
    'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    '4271a26be0d8a84f0bd54c8c302e7cb3a3b5d1fa6780a40bcce2873477dab658',
    'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
    '46f6ffadd3d06a09ff3c5860d2755c8b9819db7df44251788c7d8e3180de8eb1',
  ],
  [
    'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
    '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
    '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
    'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
  ],
  ['d37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7', '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4'],
  ['5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328'],
];

/** testonly/constants.go RootHashes(): index = tree size 0..8 (same as verify_test.go `roots` for 1..8). */
const ROOT_HASHES = [
  'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
  'fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125',
  'aeb6bcfe274b70a14fb067a5e5578264db0fa9b51af5e0ba159158f329e06e77',
  'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
  '4e3bbb1f7b478dcfe71fb631631519a3bca12c9aefca1612bfce4c13a86264d4',
  '76e67dadbcdf1e10e1b74ddc608abd2f98dfb16fbce75277b5232a127f2087ef',
  'ddb89be403809e325750d3d263cd78929c2942b7942a34b77e122c9594a74c8c',
  '5dc9da79a70659a9ad559cb701ded9a2ab9d823aad2f4960cfe370eff4604328',
];

/** proof/verify_test.go sha256SomeHash */
const SOME_HASH = 'abacaba000000000000000000000000000000000000000000060061e00123456';

interface InclusionVector {
  index: number; // 0-based
  size: number;
  proof: string[];
  source: string;
}

/** proof/verify_test.go inclusionProofs ({leaf, size, proof} with 1-based leaf; leaf 0 / size 0 is the invalid entry). */
const VERIFY_TEST_INCLUSION: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [3, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    2,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
];

/** testonly/reference_test.go TestRefInclusionProof (0-based index). */
const REFERENCE_TEST_INCLUSION: [number, number, string[]][] = [
  [0, 1, []],
  [0, 2, ['96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7']],
  [1, 2, ['6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d']],
  [2, 3, ['fac54203e7cc696cf0dfcb42c92a1d9dbaf70ad9e621f4bd8d98662f00e3c125']],
  [
    1,
    5,
    [
      '6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
    ],
  ],
  [
    0,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    5,
    8,
    [
      'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const INCLUSION_VECTORS: InclusionVector[] = [
  ...VERIFY_TEST_INCLUSION.map(([leaf, size, proof]) => ({ index: leaf - 1, size, proof, source: `verify_test.go {${leaf}, ${size}}` })),
  ...REFERENCE_TEST_INCLUSION.map(([index, size, proof]) => ({ index, size, proof, source: `reference_test.go {index: ${index}, size: ${size}}` })),
];

interface ConsistencyVector {
  size1: number;
  size2: number;
  proof: string[];
  source: string;
}

/** proof/verify_test.go consistencyProofs {size1, size2, proof}. */
const VERIFY_TEST_CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [
    6,
    7,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'b08693ec2e721597130641e8211e7eedccb4c26413963eee6c1e2ed16ffb1a5f',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

/** testonly/reference_test.go TestRefConsistencyProof {size1, size2, want}. */
const REFERENCE_TEST_CONSISTENCY: [number, number, string[]][] = [
  [1, 1, []],
  [
    1,
    8,
    [
      '96a296d224f285c67bee93c30f8a309157f0daa35dc5b87e410b78630a09cfc7',
      '5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e',
      '6b47aaf29ee3c2af9af889bc1fb9254dabd31177f16232dd6aab035ca39bf6e4',
    ],
  ],
  [2, 5, ['5f083f0a1a33ca076a95279832580db3e0ef4584bdff1f54c8a360f50de3031e', 'bc1a0643b12e4d2d7c77918f44e0f4f79a838b6cf9ec5b5c283e1f4d88599e6b']],
  [
    6,
    8,
    [
      '0ebc5d3437fbe2db158b9f126a1d118e308181031d0a949f8dededebc558ef6a',
      'ca854ea128ed050b41b35ffc1b87b8eb2bde461e9e3b5596ece6b9d5975a0ae0',
      'd37ee418976dd95753c1c73862b9398fa2a2cf9b4ff0fdfe8b30cd95209614b7',
    ],
  ],
];

const CONSISTENCY_VECTORS: ConsistencyVector[] = [
  ...VERIFY_TEST_CONSISTENCY.map(([size1, size2, proof]) => ({ size1, size2, proof, source: `verify_test.go {${size1}, ${size2}}` })),
  ...REFERENCE_TEST_CONSISTENCY.map(([size1, size2, proof]) => ({ size1, size2, proof, source: `reference_test.go {${size1}, ${size2}}` })),
];

// ---------------------------------------------------------------------------------------------
// Independent reference implementations, written directly from the recursive RFC 9162
// definitions with array slices (deliberately naive; used only to cross-check).
// ---------------------------------------------------------------------------------------------

function refSplit(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

function refMth(hashes: Uint8Array[]): Uint8Array {
  if (hashes.length === 0) return emptyRootHash();
  if (hashes.length === 1) return hashes[0]!;
  const k = refSplit(hashes.length);
  return nodeHash(refMth(hashes.slice(0, k)), refMth(hashes.slice(k)));
}

function refPath(m: number, hashes: Uint8Array[]): Uint8Array[] {
  const n = hashes.length;
  if (n === 1) return [];
  const k = refSplit(n);
  return m < k ? [...refPath(m, hashes.slice(0, k)), refMth(hashes.slice(k))] : [...refPath(m - k, hashes.slice(k)), refMth(hashes.slice(0, k))];
}

function refSubproof(m: number, hashes: Uint8Array[], b: boolean): Uint8Array[] {
  const n = hashes.length;
  if (m === n) return b ? [] : [refMth(hashes)];
  const k = refSplit(n);
  return m <= k
    ? [...refSubproof(m, hashes.slice(0, k), b), refMth(hashes.slice(k))]
    : [...refSubproof(m - k, hashes.slice(k), false), refMth(hashes.slice(0, k))];
}

/** Direction of each PATH element (sibling on the Right / Left), straight from the PATH recursion. */
function pathShape(m: number, n: number): string {
  if (n === 1) return '';
  const k = refSplit(n);
  return m < k ? `${pathShape(m, k)}R` : `${pathShape(m - k, n - k)}L`;
}

/** A perfect-subtree store over an array of leaf hashes, as a log would keep in its database. */
function subtreeLevels(hashes: Uint8Array[]): Uint8Array[][] {
  const levels: Uint8Array[][] = [hashes];
  for (let level = hashes; level.length > 1; ) {
    const next: Uint8Array[] = [];
    for (let i = 0; i + 1 < level.length; i += 2) next.push(nodeHash(level[i]!, level[i + 1]!));
    levels.push(next);
    level = next;
  }
  return levels;
}

function storeHashRange(levels: Uint8Array[][], log?: [number, number][]): HashRange {
  const inner = hashRangeFromSubtrees((level, index) => {
    const h = levels[level]?.[index];
    if (!h) throw new Error(`no stored subtree (${level}, ${index})`);
    return h;
  });
  return (start, end) => {
    log?.push([start, end]);
    return inner(start, end);
  };
}

function flipped(proof: readonly Uint8Array[], element: number, byte: number, mask: number): Uint8Array[] {
  return proof.map((p, i) => {
    if (i !== element) return p;
    const copy = p.slice();
    copy[byte] = copy[byte]! ^ mask;
    return copy;
  });
}

// Leaf hashes used by the property tests: leafHash(8-byte big-endian index).
const MAX = 300;
function indexBytes(i: number, into = new Uint8Array(8)): Uint8Array {
  const dv = new DataView(into.buffer, into.byteOffset, 8);
  dv.setUint32(0, Math.floor(i / 2 ** 32));
  dv.setUint32(4, i >>> 0);
  return into;
}
const indexLeaf = (i: number): Uint8Array => leafHash(indexBytes(i));
const LEAVES = Array.from({ length: 2 * MAX + 2 }, (_, i) => indexLeaf(i));
const ROOTS: Uint8Array[] = (() => {
  const builder = new MerkleTreeBuilder();
  const roots = [builder.root()];
  for (const leaf of LEAVES) {
    builder.append(leaf);
    roots.push(builder.root());
  }
  return roots;
})();
const rootOf = (n: number): Uint8Array => ROOTS[n]!;

// ---------------------------------------------------------------------------------------------

describe('published vectors (transparency-dev/merkle)', () => {
  const leafHashes = LEAF_INPUTS.map(leafHash);

  it('hashes (rfc6962/rfc6962_test.go TestRFC6962Hasher)', () => {
    expect(hex(emptyRootHash())).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(new Uint8Array(0)))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hex(leafHash(Buffer.from('L123456')))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
    expect(hex(nodeHash(Buffer.from('N123'), Buffer.from('N456')))).toBe('aa217fe888e47007fa15edab33c2b492a722cb106c64667fc2b044444de66bbb');
  });

  it('leaf hashes and every perfect-subtree hash (testonly/constants.go NodeHashes)', () => {
    expect(hexes(leafHashes)).toEqual(NODE_HASHES[0]);
    const range = hashRangeFromLeaves(leafHashes);
    NODE_HASHES.forEach((level, l) => level.forEach((h, i) => expect(hex(range(i * 2 ** l, (i + 1) * 2 ** l))).toBe(h)));
  });

  it('roots for every prefix size 0..8 (testonly/constants.go RootHashes)', () => {
    const builder = new MerkleTreeBuilder();
    for (let n = 0; n <= 8; n++) {
      expect(hex(rootHash(leafHashes.slice(0, n))), `rootHash size ${n}`).toBe(ROOT_HASHES[n]);
      expect(hex(builder.root()), `builder size ${n}`).toBe(ROOT_HASHES[n]);
      expect(builder.size).toBe(n);
      if (n < 8) builder.append(leafHashes[n]!);
    }
  });

  it('builder compact range (testonly/constants.go CompactTrees)', () => {
    const nh = NODE_HASHES;
    const expected: string[][] = [
      [],
      [nh[0]![0]!],
      [nh[1]![0]!],
      [nh[1]![0]!, nh[0]![2]!],
      [nh[2]![0]!],
      [nh[2]![0]!, nh[0]![4]!],
      [nh[2]![0]!, nh[1]![2]!],
      [nh[2]![0]!, nh[1]![2]!, nh[0]![6]!],
      [nh[3]![0]!],
    ];
    const builder = new MerkleTreeBuilder();
    expected.forEach((subtrees, n) => {
      expect(hexes(builder.subtrees()), `size ${n}`).toEqual(subtrees);
      if (n < 8) builder.append(leafHashes[n]!);
    });
  });

  describe.each(INCLUSION_VECTORS)('inclusion $source', ({ index, size, proof }) => {
    const root = unhex(ROOT_HASHES[size]!);
    const leaf = leafHashes[index]!;
    const want = proof.map(unhex);

    it('is generated (array form, stored-subtree form, naive reference)', () => {
      expect(hexes(inclusionProof(leafHashes.slice(0, size), index))).toEqual(proof);
      const store = NODE_HASHES.map((level) => level.map(unhex));
      expect(hexes(inclusionProofFromRanges(size, index, storeHashRange(store)))).toEqual(proof);
      expect(hexes(refPath(index, leafHashes.slice(0, size)))).toEqual(proof);
    });

    it('verifies, and every corruption probe from verify_test.go corruptInclusionProof fails', () => {
      expect(verifyInclusion(leaf, index, size, want, root)).toBe(true);
      const some = unhex(SOME_HASH);
      const probes: [string, number, number, Uint8Array[], Uint8Array, Uint8Array][] = [
        ['leafIndex - 1', index - 1, size, want, root, leaf],
        ['leafIndex + 1', index + 1, size, want, root, leaf],
        ['leafIndex ^ 2', index ^ 2, size, want, root, leaf],
        ['treeSize * 2', index, size * 2, want, root, leaf],
        ['treeSize / 2', index, Math.floor(size / 2), want, root, leaf],
        ['wrong leaf', index, size, want, root, Buffer.from('WrongLeaf')],
        ['empty root', index, size, want, emptyRootHash(), leaf],
        ['random root', index, size, want, some, leaf],
        ['trailing garbage', index, size, [...want, new Uint8Array(0)], root, leaf],
        ['trailing root', index, size, [...want, root], root, leaf],
        ['preceding garbage', index, size, [new Uint8Array(0), ...want], root, leaf],
        ['preceding root', index, size, [root, ...want], root, leaf],
      ];
      want.forEach((_, i) => probes.push([`modified proof[${i}] bit 3`, index, size, flipped(want, i, 0, 8), root, leaf]));
      if (want.length > 0) probes.push(['removed component', index, size, want.slice(0, -1), root, leaf]);
      if (want.length > 1) probes.push(['inserted component', index, size, [want[0]!, some, ...want.slice(1)], root, leaf]);
      const accepted = probes.filter(([, i, n, p, r, l]) => verifyInclusion(l, i, n, p, r)).map(([desc]) => desc);
      expect(accepted).toEqual([]);
    });
  });

  describe.each(CONSISTENCY_VECTORS)('consistency $source', ({ size1, size2, proof }) => {
    const root1 = unhex(ROOT_HASHES[size1]!);
    const root2 = unhex(ROOT_HASHES[size2]!);
    const want = proof.map(unhex);

    it('is generated (array form, stored-subtree form, naive reference)', () => {
      expect(hexes(consistencyProof(leafHashes.slice(0, size2), size1))).toEqual(proof);
      const store = NODE_HASHES.map((level) => level.map(unhex));
      expect(hexes(consistencyProofFromRanges(size1, size2, storeHashRange(store)))).toEqual(proof);
      expect(hexes(refSubproof(size1, leafHashes.slice(0, size2), true))).toEqual(proof);
    });

    it('verifies, and every corruption probe from verify_test.go corruptConsistencyProof fails', () => {
      expect(verifyConsistency(size1, size2, root1, root2, want)).toBe(true);
      if (want.length === 0) return; // as in verify_test.go: only non-trivial proofs are probed
      const wrongRoot = Buffer.from('WrongRoot');
      const probes: [string, number, number, Uint8Array, Uint8Array, Uint8Array[]][] = [
        ['size1 - 1', size1 - 1, size2, root1, root2, want],
        ['size1 + 1', size1 + 1, size2, root1, root2, want],
        ['size1 ^ 2', size1 ^ 2, size2, root1, root2, want],
        ['size2 * 2', size1, size2 * 2, root1, root2, want],
        ['size2 / 2', size1, Math.floor(size2 / 2), root1, root2, want],
        ['wrong root1', size1, size2, wrongRoot, root2, want],
        ['wrong root2', size1, size2, root1, wrongRoot, want],
        ['swapped roots', size1, size2, root2, root1, want],
        ['empty proof', size1, size2, root1, root2, []],
        ['trailing garbage', size1, size2, root1, root2, [...want, new Uint8Array(0)]],
        ['trailing root1', size1, size2, root1, root2, [...want, root1]],
        ['trailing root2', size1, size2, root1, root2, [...want, root2]],
        ['preceding garbage', size1, size2, root1, root2, [new Uint8Array(0), ...want]],
        ['preceding root1', size1, size2, root1, root2, [root1, ...want]],
        ['preceding root2', size1, size2, root1, root2, [root2, ...want]],
        ['preceding proof[0]', size1, size2, root1, root2, [want[0]!, ...want]],
        ['truncated proof', size1, size2, root1, root2, want.slice(0, -1)],
      ];
      want.forEach((_, i) => probes.push([`modified proof[${i}] bit 4`, size1, size2, root1, root2, flipped(want, i, 0, 16)]));
      const accepted = probes.filter(([, m, n, r1, r2, p]) => verifyConsistency(m, n, r1, r2, p)).map(([desc]) => desc);
      expect(accepted).toEqual([]);
    });
  });

  it('all consistency proofs between prefixes of the 8 leaves verify and match the reference', () => {
    for (let n = 1; n <= 8; n++) {
      for (let m = 0; m <= n; m++) {
        const proof = consistencyProof(leafHashes.slice(0, n), m);
        const expected = m === 0 ? [] : refSubproof(m, leafHashes.slice(0, n), true);
        expect(hexes(proof), `${m}:${n}`).toEqual(hexes(expected));
        expect(verifyConsistency(m, n, unhex(ROOT_HASHES[m]!), unhex(ROOT_HASHES[n]!), proof), `${m}:${n}`).toBe(true);
      }
    }
  });
});

describe('edge cases and input validation', () => {
  const h = LEAVES[0]!;

  it('proof generators throw RangeError on out-of-range input', () => {
    const leaves = LEAVES.slice(0, 5);
    for (const index of [-1, 5, 6, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(() => inclusionProof(leaves, index), String(index)).toThrow(RangeError);
    expect(() => inclusionProof([], 0)).toThrow(RangeError);
    for (const old of [-1, 6, 2.5, Number.NaN]) expect(() => consistencyProof(leaves, old), String(old)).toThrow(RangeError);
    expect(consistencyProof(leaves, 0)).toEqual([]);
    expect(consistencyProof(leaves, 5)).toEqual([]);
    expect(consistencyProof([], 0)).toEqual([]);
    expect(() => inclusionProofFromRanges(2 ** 53, 0, () => h)).toThrow(RangeError);
    expect(() => consistencyProofFromRanges(3, 2, () => h)).toThrow(RangeError);
    expect(() => inclusionProofFromRanges(4, 0, () => new Uint8Array(31))).toThrow(RangeError);
  });

  it('builder rejects hashes that are not 32 bytes', () => {
    const builder = new MerkleTreeBuilder();
    expect(() => builder.append(new Uint8Array(31))).toThrow(RangeError);
    expect(() => rootHash([h, new Uint8Array(33)])).toThrow(RangeError);
    expect(builder.size).toBe(0);
    expect(hex(builder.root())).toBe(ROOT_HASHES[0]);
  });

  it('hashRangeFromSubtrees folds aligned perfect subtrees and refuses unaligned ranges', () => {
    const s = (level: number, index: number): Uint8Array => leafHash(Buffer.from(`${level}:${index}`));
    const range = hashRangeFromSubtrees(s);
    expect(() => range(1, 3)).toThrow(RangeError);
    expect(() => range(2, 2)).toThrow(RangeError);
    expect(() => range(2, 7)).toThrow(RangeError); // would need [2,6) as one perfect subtree
    expect(hex(range(8, 16))).toBe(hex(s(3, 1)));
    // [4,9) = [4,8) + [8,9), folded exactly as MTH(D[4:9]) splits.
    expect(hex(range(4, 9))).toBe(hex(nodeHash(s(2, 1), s(0, 8))));
    expect(hex(range(8, 15))).toBe(hex(nodeHash(s(2, 2), nodeHash(s(1, 6), s(0, 14)))));
  });

  it('verifyInclusion returns false (never throws) on malformed input', () => {
    const proof = inclusionProof(LEAVES.slice(0, 5), 2);
    const root = rootOf(5);
    expect(verifyInclusion(LEAVES[2]!, 2, 5, proof, root)).toBe(true);
    for (const index of [-1, 5, 2.5, Number.NaN, 2 ** 53]) expect(verifyInclusion(LEAVES[2]!, index, 5, proof, root), String(index)).toBe(false);
    for (const size of [0, -5, 5.5, Number.NaN, Number.POSITIVE_INFINITY]) expect(verifyInclusion(LEAVES[2]!, 2, size, proof, root), String(size)).toBe(false);
    expect(verifyInclusion(LEAVES[2]!.slice(0, 31), 2, 5, proof, root)).toBe(false);
    expect(verifyInclusion(LEAVES[2]!, 2, 5, proof, root.slice(0, 31))).toBe(false);
    expect(verifyInclusion(LEAVES[2]!, 2, 5, [...proof.slice(0, 2), proof[2]!.slice(0, 31)], root)).toBe(false);
    expect(verifyInclusion(h, 0, 0, [], emptyRootHash())).toBe(false);
    // Size 1: the leaf is the root and the proof is empty.
    expect(verifyInclusion(h, 0, 1, [], h)).toBe(true);
    expect(verifyInclusion(h, 0, 1, [h], h)).toBe(false);
    expect(verifyInclusion(h, 1, 1, [], h)).toBe(false);
  });

  it('verifyConsistency edge sizes (0 and equal sizes) and malformed input', () => {
    const r5 = rootOf(5);
    const r7 = rootOf(7);
    const empty = emptyRootHash();
    expect(verifyConsistency(0, 0, empty, empty, [])).toBe(true);
    expect(verifyConsistency(0, 7, empty, r7, [])).toBe(true);
    expect(verifyConsistency(0, 7, r5, r7, [])).toBe(false); // size 0 must carry the empty-tree root
    expect(verifyConsistency(0, 7, empty, r7, [empty])).toBe(false);
    expect(verifyConsistency(7, 7, r7, r7, [])).toBe(true);
    expect(verifyConsistency(7, 7, r7, r5, [])).toBe(false);
    expect(verifyConsistency(7, 7, r7, r7, [r7])).toBe(false);
    expect(verifyConsistency(7, 5, r7, r5, [])).toBe(false);
    const proof = consistencyProof(LEAVES.slice(0, 7), 5);
    expect(verifyConsistency(5, 7, r5, r7, proof)).toBe(true);
    for (const [m, n] of [
      [-1, 7],
      [5, -7],
      [5.5, 7],
      [5, Number.NaN],
      [Number.POSITIVE_INFINITY, 7],
      [5, 2 ** 53],
    ] as const) {
      expect(verifyConsistency(m, n, r5, r7, proof), `${m}:${n}`).toBe(false);
    }
    expect(verifyConsistency(5, 7, r5.slice(1), r7, proof)).toBe(false);
    expect(verifyConsistency(5, 7, r5, r7, [proof[0]!.slice(1), ...proof.slice(1)])).toBe(false);
  });

  it('works with sizes beyond 2^32 (arithmetic, not 32-bit bit operations)', () => {
    // A virtual tree in which every leaf hash is `h`: the root of any aligned range then
    // depends only on its width, so huge trees can be checked exactly.
    const memo = new Map<number, Uint8Array>([[1, h]]);
    const mth = (width: number): Uint8Array => {
      let r = memo.get(width);
      if (!r) {
        const k = refSplit(width);
        r = nodeHash(mth(k), mth(width - k));
        memo.set(width, r);
      }
      return r;
    };
    const ranges: [number, number][] = [];
    const range: HashRange = (s, e) => {
      ranges.push([s, e]);
      return mth(e - s);
    };
    const n = 2 ** 45 + 2 ** 33 + 12_345;
    for (const index of [0, 2 ** 32, 2 ** 33 + 7, 2 ** 45 + 1, n - 1]) {
      ranges.length = 0;
      const proof = inclusionProofFromRanges(n, index, range);
      expect(proof.length).toBe(pathShape(index, n).length);
      expect(ranges.length).toBe(proof.length);
      expect(verifyInclusion(h, index, n, proof, mth(n))).toBe(true);
      expect(verifyInclusion(h, index, n, proof.slice(1), mth(n))).toBe(false);
    }
    for (const old of [1, 2 ** 32, 2 ** 33 + 1, 2 ** 44 + 3, 2 ** 45, n - 1]) {
      const proof = consistencyProofFromRanges(old, n, range);
      expect(verifyConsistency(old, n, mth(old), mth(n), proof), String(old)).toBe(true);
      expect(verifyConsistency(old, n, mth(old), mth(n), proof.slice(0, -1)), String(old)).toBe(false);
    }
  });
});

describe('property tests (fast-check)', () => {
  const sizeAndIndex = fc.integer({ min: 1, max: MAX }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n - 1 })));
  const sizeAndOld = fc.integer({ min: 1, max: MAX }).chain((n) => fc.tuple(fc.constant(n), fc.integer({ min: 0, max: n })));
  const randomHash = fc.uint8Array({ minLength: 32, maxLength: 32 });

  it('builder root equals rootHash and the naive MTH for every size 0..300', () => {
    const builder = new MerkleTreeBuilder();
    for (let n = 0; n <= MAX; n++) {
      const leaves = LEAVES.slice(0, n);
      const expected = hex(refMth(leaves));
      expect(hex(rootHash(leaves)), `size ${n}`).toBe(expected);
      expect(hex(builder.root()), `size ${n}`).toBe(expected);
      builder.append(LEAVES[n]!);
    }
  });

  it('builder root equals rootHash for random entries', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: MAX }), (entries) => {
        const leaves = entries.map(leafHash);
        const builder = new MerkleTreeBuilder();
        leaves.forEach((l) => builder.append(l));
        expect(builder.size).toBe(leaves.length);
        expect(hex(builder.root())).toBe(hex(rootHash(leaves)));
        expect(hex(rootHash(leaves))).toBe(hex(refMth(leaves)));
      }),
      { numRuns: 100 },
    );
  });

  it('inclusion proofs verify; any tampering, wrong index or wrong root fails', () => {
    fc.assert(
      fc.property(sizeAndIndex, randomHash, fc.integer({ min: 1, max: 255 }), ([n, i], otherRoot, mask) => {
        const leaves = LEAVES.slice(0, n);
        const leaf = leaves[i]!;
        const root = rootOf(n);
        const proof = inclusionProof(leaves, i);
        expect(hexes(proof)).toEqual(hexes(refPath(i, leaves)));
        expect(verifyInclusion(leaf, i, n, proof, root)).toBe(true);

        // Flip any byte of any element.
        for (let e = 0; e < proof.length; e++) {
          for (let b = 0; b < 32; b++) expect(verifyInclusion(leaf, i, n, flipped(proof, e, b, mask), root), `elem ${e} byte ${b}`).toBe(false);
        }
        // Wrong index (including just past the end).
        for (let j = 0; j <= n + 1; j++) if (j !== i) expect(verifyInclusion(leaf, j, n, proof, root), `index ${j}`).toBe(false);
        // Wrong leaf / wrong root.
        expect(verifyInclusion(LEAVES[n]!, i, n, proof, root)).toBe(false);
        expect(verifyInclusion(leaf, i, n, proof, otherRoot)).toBe(false);
        expect(verifyInclusion(leaf, i, n, proof, rootOf(n + 1))).toBe(false);
        if (n > 1) expect(verifyInclusion(leaf, i, n, proof, rootOf(n - 1))).toBe(false);
        // Wrong proof length.
        expect(verifyInclusion(leaf, i, n, [...proof, root], root)).toBe(false);
        expect(verifyInclusion(leaf, i, n, [root, ...proof], root)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(leaf, i, n, proof.slice(0, -1), root)).toBe(false);
        if (proof.length > 0) expect(verifyInclusion(leaf, i, n, proof.slice(1), root)).toBe(false);
        // Reordered elements.
        if (proof.length > 1) expect(verifyInclusion(leaf, i, n, [...proof].reverse(), root)).toBe(false);
      }),
      { numRuns: 100 },
    );
  });

  it('inclusion proofs with a wrong tree size fail against that size’s root, and against the real root unless the path shape is identical', () => {
    fc.assert(
      fc.property(sizeAndIndex, fc.integer({ min: 1, max: 2 * MAX + 1 }), ([n, i], other) => {
        const leaves = LEAVES.slice(0, n);
        const proof = inclusionProof(leaves, i);
        const shape = pathShape(i, n);
        const sizes = new Set([1, 2 * n, 2 * n + 1, Math.floor(n / 2), i + 1, other]);
        for (let size = Math.max(1, n - 16); size <= n + 16; size++) sizes.add(size);
        for (const size of sizes) {
          if (size === n || size < 1) continue;
          // A proof for size n never proves inclusion in the (different) tree of `size` leaves.
          expect(verifyInclusion(leaves[i]!, i, size, proof, rootOf(size)), `size ${size} own root`).toBe(false);
          // Against the size-n root, RFC 9162 verification depends only on the path shape, so a
          // different size is accepted exactly when it gives the leaf the same path shape (e.g.
          // index 0 in sizes 5 and 6): the size has to come from the signed tree head.
          const sameShape = i < size && pathShape(i, size) === shape;
          expect(verifyInclusion(leaves[i]!, i, size, proof, rootOf(n)), `size ${size} real root`).toBe(sameShape);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('consistency proofs verify; any tampering, wrong sizes or wrong roots fail', () => {
    fc.assert(
      fc.property(sizeAndOld, randomHash, fc.integer({ min: 1, max: 255 }), fc.integer({ min: 1, max: 2 * MAX + 1 }), ([n, m], otherRoot, mask, other) => {
        const leaves = LEAVES.slice(0, n);
        const oldRoot = rootOf(m);
        const newRoot = rootOf(n);
        const proof = consistencyProof(leaves, m);
        expect(hexes(proof)).toEqual(m === 0 ? [] : hexes(refSubproof(m, leaves, true)));
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof)).toBe(true);

        if (proof.length === 0) {
          // Trivial cases (m = 0 or m = n): with the true roots, exactly these verify.
          for (let n2 = 0; n2 <= n + 1; n2++) {
            for (const m2 of [0, 1, n2 - 1, n2]) {
              if (m2 < 0 || m2 > n2) continue;
              expect(verifyConsistency(m2, n2, rootOf(m2), rootOf(n2), []), `${m2}:${n2}`).toBe(m2 === 0 || m2 === n2);
            }
          }
          expect(verifyConsistency(m, n, otherRoot, newRoot, proof)).toBe(false);
          return;
        }

        for (let e = 0; e < proof.length; e++) {
          for (let b = 0; b < 32; b++) expect(verifyConsistency(m, n, oldRoot, newRoot, flipped(proof, e, b, mask)), `elem ${e} byte ${b}`).toBe(false);
        }
        // Wrong roots.
        expect(verifyConsistency(m, n, otherRoot, newRoot, proof)).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, otherRoot, proof)).toBe(false);
        expect(verifyConsistency(m, n, newRoot, oldRoot, proof)).toBe(false);
        expect(verifyConsistency(m, n, rootOf(m - 1), newRoot, proof)).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, rootOf(n + 1), proof)).toBe(false);
        // Wrong proof length.
        expect(verifyConsistency(m, n, oldRoot, newRoot, [])).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof.slice(0, -1))).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, newRoot, proof.slice(1))).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, newRoot, [...proof, newRoot])).toBe(false);
        expect(verifyConsistency(m, n, oldRoot, newRoot, [oldRoot, ...proof])).toBe(false);
        // Wrong sizes, each with that size's true root: a proof for (m, n) proves no other pair.
        const newSizes = new Set([2 * n, 2 * n + 1, Math.floor(n / 2), other]);
        for (let n2 = Math.max(1, n - 16); n2 <= n + 16; n2++) newSizes.add(n2);
        for (const n2 of newSizes) {
          for (const m2 of [m - 1, m, m + 1, m ^ 2, 1, n2 - 1, other % n2]) {
            if (m2 < 1 || m2 >= n2 || (m2 === m && n2 === n)) continue;
            expect(verifyConsistency(m2, n2, rootOf(m2), rootOf(n2), proof), `${m2}:${n2}`).toBe(false);
          }
        }
        // Against the real roots, a size pair whose proof has a different length always fails.
        const lengthFor = (a: number, b: number): number => consistencyProofFromRanges(a, b, () => otherRoot).length;
        for (const [m2, n2] of [
          [m - 1, n],
          [m + 1, n],
          [m, n - 1],
          [m, n + 1],
          [m, 2 * n],
          [m, Math.floor(n / 2)],
          [m ^ 2, n],
        ] as const) {
          if (m2 < 1 || m2 >= n2 || lengthFor(m2, n2) === proof.length) continue;
          expect(verifyConsistency(m2, n2, oldRoot, newRoot, proof), `${m2}:${n2} real roots`).toBe(false);
        }
      }),
      { numRuns: 100 },
    );
  });

  it('proofs from stored subtree hashes equal the array forms, with O(log n) aligned lookups', () => {
    const levels = subtreeLevels(LEAVES.slice(0, MAX));
    fc.assert(
      fc.property(sizeAndIndex, sizeAndOld, ([n, i], [n2, m]) => {
        const log: [number, number][] = [];
        const range = storeHashRange(levels, log);
        const ip = inclusionProofFromRanges(n, i, range);
        expect(hexes(ip)).toEqual(hexes(inclusionProof(LEAVES.slice(0, n), i)));
        const cp = consistencyProofFromRanges(m, n2, range);
        expect(hexes(cp)).toEqual(hexes(consistencyProof(LEAVES.slice(0, n2), m)));
        expect(log.length).toBe(ip.length + cp.length);
        expect(hex(range(0, n))).toBe(hex(rootOf(n)));
      }),
      { numRuns: 200 },
    );
  });
});

describe('large trees', () => {
  it('proofs from a stored-subtree table over 2^17 + 3 leaves verify against the builder root', () => {
    const n = 2 ** 17 + 3;
    const leaves = Array.from({ length: n }, (_, i) => indexLeaf(i));
    const builder = new MerkleTreeBuilder();
    leaves.forEach((l) => builder.append(l));
    const root = builder.root();
    const levels = subtreeLevels(leaves);
    const log: [number, number][] = [];
    const range = storeHashRange(levels, log);
    expect(hex(range(0, n))).toBe(hex(root));
    for (const i of [0, 1, 65_535, 131_071, 131_072, n - 1]) {
      log.length = 0;
      const proof = inclusionProofFromRanges(n, i, range);
      expect(log.length).toBeLessThanOrEqual(18);
      expect(verifyInclusion(leaves[i]!, i, n, proof, root)).toBe(true);
    }
    const oldBuilder = new MerkleTreeBuilder();
    for (const m of [1, 1000, 65_536, 100_001, n - 1]) {
      while (oldBuilder.size < m) oldBuilder.append(leaves[oldBuilder.size]!);
      const proof = consistencyProofFromRanges(m, n, range);
      expect(verifyConsistency(m, n, oldBuilder.root(), root, proof)).toBe(true);
    }
  });

  it('timing: builder root over 10^6 leaf hashes (printed, not asserted)', () => {
    const N = 1_000_000;
    const t0 = performance.now();
    const flat = new Uint8Array(N * 32);
    const data = new Uint8Array(8);
    for (let i = 0; i < N; i++) flat.set(leafHash(indexBytes(i, data)), i * 32);
    const t1 = performance.now();
    const builder = new MerkleTreeBuilder();
    for (let i = 0; i < N; i++) builder.append(flat.subarray(i * 32, i * 32 + 32));
    const root = builder.root();
    const t2 = performance.now();
    console.log(
      `[merkle timing] 10^6 leaves: leaf hashing ${(t1 - t0).toFixed(0)} ms, MerkleTreeBuilder append+root ${(t2 - t1).toFixed(0)} ms, total ${(t2 - t0).toFixed(0)} ms; root ${hex(root)}`,
    );
    expect(builder.size).toBe(N);
  });
});
