import { and, eq } from 'drizzle-orm';
import type { ReceiptClaims } from '@bridge/crypto';
import type { MessageType } from '@bridge/contract';
import { referrals, referralStatusHistory, type outboxMessages } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { recordEvent, recordStatusChange } from '../events/record.ts';
import type { NodeContext } from '../context.ts';

type OutboxRow = typeof outboxMessages.$inferSelect;

/** What a verified receipt changes on the sending side, in the transaction that records it. */
export async function applyDelivered(tx: Executor, ctx: NodeContext, message: OutboxRow, receipt: ReceiptClaims): Promise<void> {
  if (!message.referralId) return;
  let previous: string | undefined;
  if (message.type === 'referral.request') {
    // iat has whole seconds: never let `received` sort before the `requested` it follows.
    const at = new Date(Math.max(receipt.iat * 1000, message.createdAt.getTime()));
    const [updated] = await tx
      .update(referrals)
      .set({ status: 'received', updatedAt: ctx.clock.now() })
      .where(and(eq(referrals.id, message.referralId), eq(referrals.status, 'requested')))
      .returning({ id: referrals.id });
    if (updated) {
      previous = 'requested';
      await tx.insert(referralStatusHistory).values({ referralId: message.referralId, status: 'received', at, by: receipt.iss });
      await appendAudit(tx, { type: 'referral.status', actor: receipt.iss, at: ctx.clock.now(), peerNodeId: receipt.iss, referralId: message.referralId, messageId: message.id, detail: { status: 'received' } });
    }
  }
  const referral = await referralState(tx, message.referralId);
  await recordEvent(tx, ctx, { type: 'referral.message_delivered', referralId: message.referralId, direction: referral.direction, peer: message.peerNodeId, status: referral.status, messageId: message.id, messageType: message.type as MessageType });
  if (previous) await recordStatusChange(tx, ctx, { referralId: message.referralId, direction: referral.direction, peer: message.peerNodeId, from: previous, to: referral.status });
}

/** A message of a referral was given up after its deadline: its organisation is told, in the same transaction. */
export async function applyDead(tx: Executor, ctx: NodeContext, message: OutboxRow, error: string): Promise<void> {
  if (!message.referralId) return;
  const referral = await referralState(tx, message.referralId);
  await recordEvent(tx, ctx, { type: 'referral.message_dead', referralId: message.referralId, direction: referral.direction, peer: message.peerNodeId, status: referral.status, messageId: message.id, messageType: message.type as MessageType, error: error.slice(0, 200) });
}

async function referralState(tx: Executor, id: string) {
  const [row] = await tx.select({ direction: referrals.direction, status: referrals.status }).from(referrals).where(eq(referrals.id, id));
  return row!;
}
