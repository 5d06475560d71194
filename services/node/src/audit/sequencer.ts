import { desc, sql } from 'drizzle-orm';
import { currentKey, decodeHash, encodeHash, MerkleTreeBuilder, signCheckpoint } from '@bridge/crypto';
import { auditCheckpoints } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import type { NodeContext } from '../context.ts';
import { epochSeconds } from '../clock.ts';
import { auditLeafHash, ENTRY_COLUMNS, selectEntries, toEntry } from './entry.ts';
import { compactRangeKeys, readSubtrees } from './tree.ts';

export class AuditLogDamaged extends Error {
  override readonly name = 'AuditLogDamaged';
}

/** Rows sequenced per transaction. */
const BATCH = 2000;
/** Leaves hashed between two returns to the event loop. */
const YIELD_EVERY = 32;

/**
 * Gives committed audit events their leaf index, one batch per transaction (Trillian-style):
 * appenders never wait on a counter, and replicas sharing the database take turns through an
 * advisory lock. Rows become visible here only once committed, so an event whose transaction
 * rolled back never gets a leaf and leaf indexes stay contiguous. Returns the leaves added.
 */
export async function sequenceBatch(db: Executor, options: { wait?: boolean } = {}): Promise<number> {
  return (await sequenceStep(db, options)).leaves;
}

/** One batch: the leaves it added, and how many pending events it read (an event whose row is gone reads but adds none). */
async function sequenceStep(db: Executor, options: { wait?: boolean }): Promise<{ leaves: number; read: number }> {
  return db.transaction(async (tx) => {
    if (options.wait) {
      await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('bridge/audit/sequencer', 0))`);
    } else {
      const [lock] = (await tx.execute(sql`select pg_try_advisory_xact_lock(hashtextextended('bridge/audit/sequencer', 0)) as locked`)).rows as Array<{ locked: boolean }>;
      if (!lock?.locked) return { leaves: 0, read: 0 };
    }
    // The batch of pending ids first, then each event by its key (`limit 1` keeps the lookup a
    // lookup: without it PostgreSQL flattens the join, and chose a merge join or a hash join that
    // read the whole event log on every batch: 6-8 ms at 20 000 events in the delivery bench, and
    // growing with the log).
    const read = await selectEntries(
      tx,
      sql`select ${ENTRY_COLUMNS} from (select event_idx from audit_pending order by event_idx limit ${BATCH}) p
          left join lateral (select * from audit_events e where e.idx = p.event_idx limit 1) e on true order by p.event_idx`,
    );
    // A pending event whose row is gone (deleted by hand) is left pending, as it always was.
    const rows = read.filter((r) => r.idx !== null);
    if (rows.length === 0) return { leaves: 0, read: read.length };
    const builder = await resumeBuilder(tx);
    const start = builder.size;
    const last = await latestCheckpoint(tx);
    // A log shorter than what it already signed was truncated: appending would hide that.
    if (last && start < last.treeSize) throw new AuditLogDamaged(`the log has ${start} leaves but its latest checkpoint covers ${last.treeSize}`);
    const leaves: Array<{ leaf_index: number; event_idx: number; leaf_hash: string }> = [];
    const nodes: Array<[number, number, string]> = [];
    for (const row of rows) {
      // Hashing a leaf costs tens of microseconds: a batch of a few seconds' events would hold the
      // event loop for tens of milliseconds, in front of every request and delivery in flight.
      if (leaves.length > 0 && leaves.length % YIELD_EVERY === 0) await new Promise((resolve) => setImmediate(resolve));
      const entry = toEntry(row);
      const leafIndex = start + leaves.length;
      const hash = auditLeafHash(entry, leafIndex);
      leaves.push({ leaf_index: leafIndex, event_idx: entry.idx, leaf_hash: encodeHash(hash) });
      builder.append(hash, (level, index, h) => nodes.push([level, index, encodeHash(h)]));
    }
    // As one JSON parameter: drizzle's multi-row INSERT cost more to build than to run.
    await tx.execute(sql`insert into audit_leaves (leaf_index, event_idx, leaf_hash) select leaf_index, event_idx, leaf_hash from jsonb_to_recordset(${JSON.stringify(leaves)}::jsonb) as x(leaf_index bigint, event_idx bigint, leaf_hash text)`);
    if (nodes.length > 0) {
      const json = JSON.stringify(nodes.map(([level, index, hash]) => ({ level, index, hash })));
      await tx.execute(sql`insert into audit_tree_nodes (level, index, hash) select level, index, hash from jsonb_to_recordset(${json}::jsonb) as x(level smallint, index bigint, hash text)`);
    }
    await tx.execute(sql`delete from audit_pending where event_idx = any(${sql.raw(`'{${leaves.map((l) => l.event_idx).join(',')}}'::bigint[]`)})`);
    return { leaves: rows.length, read: read.length };
  });
}

/** The current tree size and a builder positioned after its last leaf (from the stored compact range). */
export async function resumeBuilder(tx: Executor): Promise<MerkleTreeBuilder> {
  const size = await treeSize(tx);
  const keys = compactRangeKeys(size);
  const hashes = await readSubtrees(tx, keys);
  return MerkleTreeBuilder.resume(
    size,
    keys.map(([level, index]) => {
      const hash = hashes.get(`${level}/${index}`);
      if (!hash) throw new Error(`stored tree is missing subtree ${level}/${index}`);
      return hash;
    }),
  );
}

export async function treeSize(tx: Executor): Promise<number> {
  const [row] = (await tx.execute(sql`select coalesce(max(leaf_index) + 1, 0)::bigint as size from audit_leaves`)).rows as Array<{ size: string }>;
  return Number(row?.size ?? 0);
}

export type CheckpointRow = typeof auditCheckpoints.$inferSelect;

export async function latestCheckpoint(tx: Executor): Promise<CheckpointRow | undefined> {
  const [row] = await tx.select().from(auditCheckpoints).orderBy(desc(auditCheckpoints.treeSize)).limit(1);
  return row;
}

/**
 * Signs a checkpoint over the sequenced prefix when it grew since the last one (or when there is
 * none yet). The root comes from the stored compact range. Returns the latest checkpoint.
 */
export async function checkpoint(ctx: Pick<NodeContext, 'db' | 'config' | 'clock'>): Promise<CheckpointRow> {
  return ctx.db.transaction(async (tx) => {
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('bridge/audit/checkpoint', 0))`);
    const builder = await resumeBuilder(tx);
    const last = await latestCheckpoint(tx);
    if (last && last.treeSize >= builder.size) return last;
    const now = ctx.clock.now();
    const rootHash = encodeHash(builder.root());
    const jws = await signCheckpoint({ iss: ctx.config.nodeId, iat: epochSeconds(now), treeSize: builder.size, rootHash }, currentKey(ctx.config.keys.log, now));
    const [row] = await tx.insert(auditCheckpoints).values({ treeSize: builder.size, rootHash, issuedAt: now, checkpoint: jws }).returning();
    return row!;
  });
}

/**
 * Sequences everything committed so far. The periodic steps skip a turn another sequencer holds;
 * with `wait` (the on-demand path) it waits for the turn, so nothing committed before the call is
 * left out. A batch that read fewer than BATCH pending events read every one committed before it
 * began, so it is the last: looping until a batch came back empty chased the events committed
 * meanwhile, in batches of a few, back to back (at 200 referrals/s, 68 sequencer transactions a
 * second). A batch that added nothing read only events whose rows are gone: it is the last too.
 */
export async function sequenceAll(db: Executor, options: { wait?: boolean } = {}): Promise<void> {
  for (;;) {
    const { leaves, read } = await sequenceStep(db, options);
    if (read < BATCH || leaves === 0) return;
  }
}

/** Sequences everything committed so far, then checkpoints it: the "on demand" path. */
export async function syncLog(ctx: Pick<NodeContext, 'db' | 'config' | 'clock'>): Promise<CheckpointRow> {
  await sequenceAll(ctx.db, { wait: true });
  return checkpoint(ctx);
}

export const rootOf = (row: CheckpointRow): Uint8Array => decodeHash(row.rootHash)!;
