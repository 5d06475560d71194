import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { OutboxDiscardReason } from '@bridge/contract';
import { outboxMessages, referrals, type OutboxStatus } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { afterCursor, encodeCursor } from '../http/cursor.ts';
import { notifyOutbox, resequenceAfter } from './enqueue.ts';
import { BridgeError, notFound } from '../errors.ts';
import type { NodeContext } from '../context.ts';
import { isFinalRefusal } from './final-refusals.ts';

type OutboxRow = typeof outboxMessages.$inferSelect;

/** What operators see of a message: state and ids, never its body (it carries personal data). */
export interface OutboxView {
  id: string;
  peer: string;
  referralId: string | null;
  type: string;
  seq: number;
  status: OutboxStatus;
  attempts: number;
  lastError: string | null;
  nextAttemptAt: string;
  deadlineAt: string;
  createdAt: string;
  deliveredAt: string | null;
}

export function toOutboxView(row: OutboxRow): OutboxView {
  return {
    id: row.id,
    peer: row.peerNodeId,
    referralId: row.referralId,
    type: row.type,
    seq: row.seq,
    status: row.status,
    attempts: row.attempts,
    lastError: row.lastError,
    nextAttemptAt: row.nextAttemptAt.toISOString(),
    deadlineAt: row.deadlineAt.toISOString(),
    createdAt: row.createdAt.toISOString(),
    deliveredAt: row.deliveredAt?.toISOString() ?? null,
  };
}

export interface OutboxQuery {
  status?: OutboxStatus | undefined;
  peer?: string | undefined;
  limit: number;
  cursor?: string | undefined;
}

/** Newest first, keyset-paged on (created_at, id). */
export async function listOutbox(tx: Executor, query: OutboxQuery): Promise<{ items: OutboxView[]; nextCursor: string | null }> {
  const filters: SQL[] = [];
  if (query.status) filters.push(eq(outboxMessages.status, query.status));
  if (query.peer) filters.push(eq(outboxMessages.peerNodeId, query.peer));
  if (query.cursor) filters.push(afterCursor(query.cursor, outboxMessages.createdAt, outboxMessages.id));
  const rows = await tx
    .select()
    .from(outboxMessages)
    .where(and(...filters))
    .orderBy(desc(outboxMessages.createdAt), desc(outboxMessages.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1);
  return {
    items: page.map(toOutboxView),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

/** Puts a dead-lettered message back in the queue with a fresh deadline; anything else is refused. */
export async function resendMessage(ctx: Pick<NodeContext, 'config' | 'db' | 'clock' | 'wakeDispatcher'>, id: string, actor: string): Promise<OutboxView> {
  const now = ctx.clock.now();
  const row = await ctx.db.transaction(async (tx) => {
    const [current] = await tx.select().from(outboxMessages).where(eq(outboxMessages.id, id)).for('update');
    if (!current) throw notFound('message');
    if (current.status !== 'dead') throw new BridgeError(409, 'conflict', `only a dead message can be resent; this one is ${current.status}`);
    const [updated] = await tx
      .update(outboxMessages)
      .set({ status: 'queued', nextAttemptAt: now, deadlineAt: new Date(now.getTime() + ctx.config.delivery.deadlineMs), leaseUntil: null })
      .where(eq(outboxMessages.id, id))
      .returning();
    await notifyOutbox(tx);
    await appendAudit(tx, { type: 'message.resent', actor, at: now, peerNodeId: current.peerNodeId, referralId: current.referralId, messageId: id, detail: { attempts: current.attempts, error: current.lastError } });
    return updated!;
  });
  ctx.wakeDispatcher();
  return toOutboxView(row);
}

/**
 * Gives up a dead message for good, so the later messages of its referral, which wait for it, flow:
 * it becomes `discarded` (its body dropped: it will never be sealed again; its digest stays as
 * evidence) and the later messages are renumbered to close the gap (resequenceAfter). Audited with
 * the operator's reason code and the message's last error, never anything of its content.
 */
export async function discardMessage(ctx: Pick<NodeContext, 'db' | 'clock' | 'wakeDispatcher'>, id: string, reason: OutboxDiscardReason, actor: string): Promise<OutboxView> {
  const now = ctx.clock.now();
  const row = await ctx.db.transaction(async (tx) => {
    const [found] = await tx.select({ referralId: outboxMessages.referralId }).from(outboxMessages).where(eq(outboxMessages.id, id));
    if (!found) throw notFound('message');
    // The referral first, as enqueueMessage locks it: no message of it is numbered while we renumber.
    if (found.referralId) await tx.select({ id: referrals.id }).from(referrals).where(eq(referrals.id, found.referralId)).for('update');
    const [current] = await tx.select().from(outboxMessages).where(eq(outboxMessages.id, id)).for('update');
    if (current!.status !== 'dead') throw new BridgeError(409, 'conflict', `only a dead message can be discarded; this one is ${current!.status}`);
    // Renumbering is safe only when the peer certainly did not apply the message: it refused it for
    // good. One that died of timeouts may have been applied with its receipt lost; the renumbered
    // later messages would then collide with it at the peer, so resend it instead (the peer
    // deduplicates by message id).
    if (current!.referralId && !isFinalRefusal(current!.lastError ?? '')) {
      throw new BridgeError(409, 'conflict', 'only a message the peer refused for good can be discarded; the peer may have applied this one, so resend it instead');
    }
    const [updated] = await tx
      .update(outboxMessages)
      .set({ status: 'discarded', body: sql`'{}'::jsonb`, leaseUntil: null })
      .where(eq(outboxMessages.id, id))
      .returning();
    const resequenced = await resequenceAfter(tx, current!, actor, now);
    await appendAudit(tx, { type: 'message.discarded', actor, at: now, peerNodeId: current!.peerNodeId, referralId: current!.referralId, messageId: id, detail: { reason, error: current!.lastError, seq: current!.seq, resequenced } });
    if (resequenced > 0) await notifyOutbox(tx);
    return updated!;
  });
  ctx.wakeDispatcher();
  return toOutboxView(row);
}
