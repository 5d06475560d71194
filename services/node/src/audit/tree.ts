import { sql } from 'drizzle-orm';
import { consistencyProofFromRanges, decodeHash, encodeHash, hashRangeFromSubtrees, inclusionProofFromRanges, type HashRange } from '@bridge/crypto';
import type { Executor } from '../db/client.ts';

/**
 * Proofs from the stored tree: a proof needs O(log n) perfect-subtree hashes. The proof is first
 * planned with placeholder hashes (which subtrees it asks for depends only on the sizes), the
 * hashes are then read in one query, and the proof is computed for real.
 */
type Plan = (hashRange: HashRange) => Uint8Array[];

const PLACEHOLDER = new Uint8Array(32);

class MissingSubtree extends Error {}

function planSubtrees(plans: Plan[]): Array<[number, number]> {
  const wanted = new Map<string, [number, number]>();
  const recorder = hashRangeFromSubtrees((level, index) => {
    wanted.set(`${level}/${index}`, [level, index]);
    return PLACEHOLDER;
  });
  for (const plan of plans) plan(recorder);
  return [...wanted.values()];
}

/** Reads subtree hashes (level 0 = leaf hashes) in one round trip. */
export async function readSubtrees(tx: Executor, keys: Array<[number, number]>): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (keys.length === 0) return out;
  const levels = keys.map(([l]) => l);
  const indexes = keys.map(([, i]) => i);
  const result = await tx.execute(sql`
    select k.level, k.index::bigint as index, coalesce(n.hash, l.leaf_hash) as hash
    from unnest(${sql.raw(`'{${levels.join(',')}}'::int[]`)}, ${sql.raw(`'{${indexes.join(',')}}'::bigint[]`)}) as k(level, index)
    left join audit_tree_nodes n on k.level > 0 and n.level = k.level and n.index = k.index
    left join audit_leaves l on k.level = 0 and l.leaf_index = k.index`);
  for (const row of result.rows as Array<{ level: number; index: string; hash: string | null }>) {
    const hash = decodeHash(row.hash);
    if (hash) out.set(`${row.level}/${row.index}`, hash);
  }
  return out;
}

async function runPlans(tx: Executor, plans: Plan[]): Promise<string[][]> {
  const hashes = await readSubtrees(tx, planSubtrees(plans));
  const stored = hashRangeFromSubtrees((level, index) => {
    const hash = hashes.get(`${level}/${index}`);
    if (!hash) throw new MissingSubtree(`subtree ${level}/${index} is missing from the stored tree`);
    return hash;
  });
  // A proof that needs a missing subtree is empty: it then fails verification where it is used.
  return plans.map((plan) => {
    try {
      return plan(stored).map(encodeHash);
    } catch (err) {
      if (err instanceof MissingSubtree) return [];
      throw err;
    }
  });
}

/** Inclusion proofs (base64url hashes, RFC 9162 order) for leaves of the tree of `treeSize`. */
export function inclusionProofs(tx: Executor, treeSize: number, leafIndexes: number[]): Promise<string[][]> {
  return runPlans(
    tx,
    leafIndexes.map((i) => (range) => inclusionProofFromRanges(treeSize, i, range)),
  );
}

export async function consistencyProof(tx: Executor, oldSize: number, newSize: number): Promise<string[]> {
  const [proof] = await runPlans(tx, [(range) => consistencyProofFromRanges(oldSize, newSize, range)]);
  return proof!;
}
