import { consistencyProofFromRanges, decodeHash, encodeHash, hashRangeFromSubtrees, inclusionProofFromRanges, type HashRange } from '@bridge/crypto';
import { preparedQuery, type Executor } from '../db/client.ts';
import { ENTRY_COLUMNS_SQL, type EntryRow } from './entry.ts';

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

const SUBTREES_SQL = `
  select level::int, index::bigint as index, hash from audit_tree_nodes
  where (level, index) in (select * from unnest($1::smallint[], $2::bigint[]))
  union all
  select 0, leaf_index, leaf_hash from audit_leaves where leaf_index = any($3::bigint[])`;

/** Reads subtree hashes (level 0 = leaf hashes) in one round trip, with a plan the connection keeps. */
export async function readSubtrees(tx: Executor, keys: Array<[number, number]>): Promise<Map<string, Uint8Array>> {
  const out = new Map<string, Uint8Array>();
  if (keys.length === 0) return out;
  const nodes = keys.filter(([level]) => level > 0);
  const leaves = keys.filter(([level]) => level === 0).map(([, index]) => index);
  const rows = await preparedQuery<{ level: number; index: string; hash: string }>(tx, 'bridge_audit_subtrees', SUBTREES_SQL, [
    nodes.map(([level]) => level),
    nodes.map(([, index]) => index),
    leaves,
  ]);
  for (const row of rows) {
    const hash = decodeHash(row.hash);
    if (hash) out.set(`${row.level}/${row.index}`, hash);
  }
  return out;
}

/**
 * The perfect subtrees that make up the first `size` leaves, largest first (the compact range):
 * the right edge of the tree of `size`, which every proof near that edge asks for.
 */
export function compactRangeKeys(size: number): Array<[number, number]> {
  const keys: Array<[number, number]> = [];
  let start = 0;
  for (let level = 52; level >= 0; level--) {
    const width = 2 ** level;
    if (size - start >= width) {
      keys.push([level, start / width]);
      start += width;
    }
  }
  return keys;
}

function proofsFrom(hashes: Map<string, Uint8Array>, plans: Plan[]): string[][] {
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

async function runPlans(tx: Executor, plans: Plan[]): Promise<string[][]> {
  return proofsFrom(await readSubtrees(tx, planSubtrees(plans)), plans);
}

/**
 * An event, its leaf index and the hashes its inclusion proof can need, in one round trip. Which
 * subtrees a proof asks for depends on the leaf index, which is only known once the event is read,
 * so the query reads a superset the database can name by itself: the leaf's complete sibling
 * subtree at every level, and the compact range of the tree (the right edge, where a sibling
 * subtree is incomplete). The proof is then computed from those as from any other read.
 */
const EVENT_WITH_SUBTREES_SQL = `
  with leaf as (
    select l.leaf_index::bigint as "leafIndex", ${ENTRY_COLUMNS_SQL}
    from audit_events e join audit_leaves l on l.event_idx = e.idx where e.idx = $1
  ), wanted as (
    select k as level, (leaf."leafIndex" >> k) # 1 as index
    from leaf, generate_series(0, 52) k
    where leaf."leafIndex" < $2 and ((leaf."leafIndex" >> k) # 1) < ($2::bigint >> k)
    union
    select * from unnest($3::int[], $4::bigint[])
  ), hashes as (
    select n.level::int as level, n.index, n.hash from audit_tree_nodes n
    where (n.level, n.index) in (select level, index from wanted where level > 0)
    union all
    select 0, l.leaf_index, l.leaf_hash from audit_leaves l
    where l.leaf_index in (select index from wanted where level = 0)
  )
  select (select row_to_json(leaf) from leaf) as entry,
         (select json_agg(json_build_array(level, index, hash)) from hashes) as hashes`;

/** An event by id with its inclusion proof in the tree of `treeSize`; null when it has no leaf there. */
export async function eventWithInclusionProof(
  tx: Executor,
  treeSize: number,
  eventId: number,
): Promise<{ row: EntryRow; leafIndex: number; proof: string[] } | null> {
  const edge = compactRangeKeys(treeSize);
  const [result] = await preparedQuery<{ entry: (EntryRow & { leafIndex: number }) | null; hashes: Array<[number, number, string]> | null }>(
    tx,
    'bridge_audit_event_with_subtrees',
    EVENT_WITH_SUBTREES_SQL,
    [eventId, treeSize, edge.map(([level]) => level), edge.map(([, index]) => index)],
  );
  const entry = result?.entry;
  if (!entry || entry.leafIndex >= treeSize) return null;
  const hashes = new Map<string, Uint8Array>();
  for (const [level, index, hash] of result.hashes ?? []) hashes.set(`${level}/${index}`, decodeHash(hash)!);
  const [proof] = proofsFrom(hashes, [(range) => inclusionProofFromRanges(treeSize, entry.leafIndex, range)]);
  return { row: entry, leafIndex: entry.leafIndex, proof: proof! };
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
