import { eq, sql } from 'drizzle-orm';
import type { AuditCheckpoint, AuditConsistencyProof, AuditEventProof } from '@bridge/contract';
import { auditCheckpoints } from '../db/schema/index.ts';
import type { NodeContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { appendAudit } from './append.ts';
import { ENTRY_COLUMNS, selectEntries, toEntry } from './entry.ts';
import { exportAudit } from './export.ts';
import type { ExportRecord } from './export-format.ts';
import { syncLog, type CheckpointRow } from './sequencer.ts';
import { consistencyProof, inclusionProofs } from './tree.ts';
import { verifyExport, type AuditVerification } from './verify.ts';

type Ctx = Pick<NodeContext, 'db' | 'config' | 'clock'>;

export const checkpointView = (row: CheckpointRow): AuditCheckpoint => ({
  treeSize: row.treeSize,
  rootHash: row.rootHash,
  issuedAt: row.issuedAt.toISOString(),
  checkpoint: row.checkpoint,
});

/** An event by its id (a receipt's logIndex), with its inclusion proof in the latest checkpoint. */
export async function eventProof(ctx: Ctx, eventId: number): Promise<AuditEventProof> {
  const cp = await syncLog(ctx);
  const [row] = await selectEntries<{ leafIndex: string }>(
    ctx.db,
    sql`select ${ENTRY_COLUMNS}, l.leaf_index::bigint as "leafIndex" from audit_events e join audit_leaves l on l.event_idx = e.idx where e.idx = ${eventId}`,
  );
  if (!row || Number(row.leafIndex) >= cp.treeSize) throw notFound('audit event');
  const leafIndex = Number(row.leafIndex);
  const [proof] = await inclusionProofs(ctx.db, cp.treeSize, [leafIndex]);
  return { event: { ...toEntry(row), leafIndex }, leafIndex, checkpoint: checkpointView(cp), proof: proof! };
}

export async function consistencyBetween(ctx: Ctx, fromSize: number, toSize: number): Promise<AuditConsistencyProof> {
  const [from] = await ctx.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, fromSize));
  const [to] = await ctx.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, toSize));
  if (!from || !to) throw notFound('checkpoint');
  const [small, large] = fromSize <= toSize ? [fromSize, toSize] : [toSize, fromSize];
  return { from: checkpointView(from), to: checkpointView(to), proof: await consistencyProof(ctx.db, small, large) };
}

/** Checks the whole log as `bridge audit verify` checks an export, and records that it was checked. */
export async function verifyLog(ctx: Ctx, actor: string): Promise<AuditVerification> {
  const records: ExportRecord[] = [];
  for await (const record of exportAudit(ctx, {})) records.push(record);
  const result = await verifyExport(records);
  await appendAudit(ctx.db, {
    type: 'audit.verified',
    actor,
    at: ctx.clock.now(),
    detail: { ok: result.ok, treeSize: result.treeSize, failedLeaf: result.failure?.leafIndex ?? null },
  });
  return result;
}
