import { and, eq, sql } from 'drizzle-orm';
import { publicJwks, type PublicJwk } from '@bridge/crypto';
import { auditCosignatures } from '../db/schema/index.ts';
import type { NodeContext } from '../context.ts';
import { findPeer } from '../peers/peers.ts';
import { ENTRY_COLUMNS, selectEntries, toEntry } from './entry.ts';
import type { CosignatureRecord, EntryRecord, ExportRecord } from './export-format.ts';
import { filterSql, type AuditFilters } from './search.ts';
import { AuditLogDamaged, latestCheckpoint, syncLog } from './sequencer.ts';
import { consistencyProof, inclusionProofs } from './tree.ts';

const PAGE = 10_000;

const hasFilter = (f: AuditFilters) => Object.values(f).some((v) => v !== undefined);

/**
 * The export for `bridge audit verify`: sequences and checkpoints first, then the checkpoint, the
 * co-signatures peers made of this log (each with a consistency proof to the checkpoint), and the
 * matching entries in leaf order with their inclusion proofs, read page by page.
 */
export async function* exportAudit(ctx: Pick<NodeContext, 'db' | 'config' | 'clock'>, filters: AuditFilters, options: { proofs?: boolean } = {}): AsyncGenerator<ExportRecord> {
  // Without proofs (complete exports only), a verifier rebuilds the tree and compares the root.
  const withProofs = options.proofs ?? true;
  // A damaged log cannot be extended, but it must still be exported to show where it is damaged.
  const cp = await syncLog(ctx).catch(async (err: unknown) => {
    const last = err instanceof AuditLogDamaged ? await latestCheckpoint(ctx.db) : undefined;
    if (!last) throw err;
    return last;
  });
  const ownLogKeys = publicJwks(ctx.config.keys).keys.filter((k) => k.purpose === 'log') as PublicJwk[];
  yield { record: 'checkpoint', origin: ctx.config.nodeId, checkpoint: cp.checkpoint, treeSize: cp.treeSize, rootHash: cp.rootHash, complete: !hasFilter(filters), keys: ownLogKeys };
  yield* cosignatureRecords(ctx, cp.treeSize);
  let after = -1;
  for (;;) {
    // Page over the leaves by index (an index range, so the join below stays a nested loop), then
    // join the events: a leaf whose event row is gone is exported (and fails) as such.
    // Leaf indexes are contiguous, so a page is an index range (a damaged log just has holes in it).
    if (after + 1 >= cp.treeSize) return;
    const end = Math.min(after + PAGE, cp.treeSize - 1);
    const rows = await selectEntries<{ leafIndex: string; eventId: string; leafHash: string; present: boolean }>(
      ctx.db,
      sql`select ${ENTRY_COLUMNS}, l.leaf_index::bigint as "leafIndex", l.event_idx::bigint as "eventId", l.leaf_hash as "leafHash", e.idx is not null as present
          from audit_leaves l left join audit_events e on e.idx = l.event_idx
          where l.leaf_index > ${after} and l.leaf_index <= ${end} and (e.idx is null or ${filterSql(filters)})
          order by l.leaf_index`,
    );
    after = end;
    if (rows.length === 0) continue;
    const leafIndexes = rows.map((r) => Number(r.leafIndex));
    const proofs = withProofs || hasFilter(filters) ? await inclusionProofs(ctx.db, cp.treeSize, leafIndexes) : leafIndexes.map(() => []);
    for (const [i, row] of rows.entries()) {
      const entry: EntryRecord = { record: 'entry', leafIndex: leafIndexes[i]!, eventId: Number(row.eventId), leafHash: row.leafHash, event: row.present ? toEntry(row) : null, proof: proofs[i]! };
      yield entry;
    }
  }
}

/** Co-signatures peers made of this node's checkpoints, with a consistency proof to `treeSize`. */
export async function* cosignatureRecords(ctx: Pick<NodeContext, 'db' | 'config'>, treeSize: number): AsyncGenerator<CosignatureRecord> {
  const rows = await ctx.db.select().from(auditCosignatures).where(and(eq(auditCosignatures.origin, ctx.config.nodeId))).orderBy(auditCosignatures.witness, auditCosignatures.treeSize);
  for (const row of rows) {
    const peer = await findPeer(ctx.db, row.witness);
    const keys = (peer?.jwks ?? []).filter((k) => k.purpose === 'log');
    const [small, large] = row.treeSize <= treeSize ? [row.treeSize, treeSize] : [treeSize, row.treeSize];
    let consistency: string[] = [];
    try {
      consistency = await consistencyProof(ctx.db, small, large);
    } catch {
      // The stored tree no longer reaches that size: the verifier reports the inconsistency.
    }
    yield { record: 'cosignature', witness: row.witness, cosignature: row.cosignature, treeSize: row.treeSize, rootHash: row.rootHash, keys, consistency };
  }
}
