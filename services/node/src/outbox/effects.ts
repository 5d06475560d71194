import { and, eq } from 'drizzle-orm';
import type { ReceiptClaims } from '@bridge/crypto';
import type { MessageType, ReferralStatus } from '@bridge/contract';
import { referrals, referralStatusHistory, type outboxMessages } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { applyPeerChange, changeStatus, transitionRefusal } from '../referrals/lifecycle.ts';
import { recordEvent } from '../events/record.ts';
import type { NodeContext } from '../context.ts';

type OutboxRow = typeof outboxMessages.$inferSelect;

/** What a verified receipt changes on the sending side, in the transaction that records it. */
export async function applyDelivered(tx: Executor, ctx: NodeContext, message: OutboxRow, receipt: ReceiptClaims): Promise<void> {
  if (!message.referralId) return;
  const [referral] = await tx.select().from(referrals).where(eq(referrals.id, message.referralId)).for('update');
  if (!referral) return;
  // Already moved on (withdrawn before delivery): the receipt changes no status.
  if (message.type === 'referral.request') {
    // iat has whole seconds: never let `received` sort before the `requested` it follows.
    const at = new Date(Math.max(receipt.iat * 1000, message.createdAt.getTime()));
    if (!transitionRefusal(referral.status as ReferralStatus, 'received', 'receiver')) {
      await changeStatus(tx, ctx, referral, { status: 'received', by: receipt.iss, at }, { actor: receipt.iss, messageId: message.id });
    } else if (!(await hasEntryBy(tx, referral.id, receipt.iss))) {
      // Withdrawn (or entered in error) before delivery: the peer's `received` was concurrent with it,
      // and is recorded before it, as the peer records it (lifecycle.ts applyPeerChange).
      await applyPeerChange(tx, ctx, referral, { status: 'received', from: 'requested', by: receipt.iss }, () => at, { actor: receipt.iss, messageId: message.id });
    }
  }
  await recordEvent(tx, ctx, { type: 'referral.message_delivered', referralId: message.referralId, direction: referral.direction as 'inbound' | 'outbound', peer: message.peerNodeId, status: referral.status, messageId: message.id, messageType: message.type as MessageType });
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

async function hasEntryBy(tx: Executor, referralId: string, by: string): Promise<boolean> {
  const [row] = await tx.select({ id: referralStatusHistory.id }).from(referralStatusHistory).where(and(eq(referralStatusHistory.referralId, referralId), eq(referralStatusHistory.by, by))).limit(1);
  return row !== undefined;
}
