import { eq } from 'drizzle-orm';
import type { AuditCheckpoint, AuditConsistencyProof, AuditEventProof } from '@bridge/contract';
import { auditCheckpoints } from '../db/schema/index.ts';
import type { NodeContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { appendAudit } from './append.ts';
import { toEntry } from './entry.ts';
import { exportAudit } from './export.ts';
import type { ExportRecord } from './export-format.ts';
import { syncLog, type CheckpointRow } from './sequencer.ts';
import { consistencyProof, eventWithInclusionProof } from './tree.ts';
import { verifyExport, type AuditVerification } from './verify.ts';

type Ctx = Pick<NodeContext, 'db' | 'config' | 'clock'>;

export const checkpointView = (row: CheckpointRow): AuditCheckpoint => ({
  treeSize: row.treeSize,
  rootHash: row.rootHash,
  issuedAt: row.issuedAt.toISOString(),
  checkpoint: row.checkpoint,
});

/** An event with its inclusion proof in the tree of `treeSize`, or null when it has no leaf there. */
export async function eventInclusion(tx: Executor, treeSize: number, eventId: number): Promise<Omit<AuditEventProof, 'checkpoint'> | null> {
  const found = await eventWithInclusionProof(tx, treeSize, eventId);
  if (!found) return null;
  return { event: { ...toEntry(found.row), leafIndex: found.leafIndex }, leafIndex: found.leafIndex, proof: found.proof };
}

/** An event by its id (a receipt's logIndex), with its inclusion proof in the latest checkpoint. */
export async function eventProof(ctx: Ctx, eventId: number): Promise<AuditEventProof> {
  const cp = await syncLog(ctx);
  const found = await eventInclusion(ctx.db, cp.treeSize, eventId);
  if (!found) throw notFound('audit event');
  return { ...found, checkpoint: checkpointView(cp) };
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
