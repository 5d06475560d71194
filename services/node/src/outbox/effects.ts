import { eq } from 'drizzle-orm';
import type { ReceiptClaims } from '@bridge/crypto';
import type { MessageType, ReferralStatus } from '@bridge/contract';
import { referrals, type outboxMessages } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { changeStatus, transitionRefusal } from '../referrals/lifecycle.ts';
import { recordEvent } from '../events/record.ts';
import { emptyMessageBody } from '../consent/erasure.ts';
import type { NodeContext } from '../context.ts';

type OutboxRow = typeof outboxMessages.$inferSelect;

/** What a verified receipt changes on the sending side, in the transaction that records it. */
export async function applyDelivered(tx: Executor, ctx: NodeContext, message: OutboxRow, receipt: ReceiptClaims): Promise<void> {
  if (!message.referralId) return;
  const [referral] = await tx.select().from(referrals).where(eq(referrals.id, message.referralId)).for('update');
  if (!referral) return;
  // Erased while this message was on its way: its body goes now, as the erasure's did for those delivered before.
  if (referral.erasedAt !== null) await emptyMessageBody(tx, message.id);
  // Already moved on (withdrawn before delivery): the receipt changes no status.
  if (message.type === 'referral.request' && !transitionRefusal(referral.status as ReferralStatus, 'received', 'receiver')) {
    // iat has whole seconds: never let `received` sort before the `requested` it follows.
    const at = new Date(Math.max(receipt.iat * 1000, message.createdAt.getTime()));
    await changeStatus(tx, ctx, referral, { status: 'received', by: receipt.iss, at }, { actor: receipt.iss, messageId: message.id });
  }
  await recordEvent(tx, ctx, { type: 'referral.message_delivered', referralId: message.referralId, direction: referral.direction as 'inbound' | 'outbound', peer: message.peerNodeId, status: referral.status, messageId: message.id, messageType: message.type as MessageType });
}

/** A message of a referral was given up after its deadline: its organisation is told, in the same transaction. */
export async function applyDead(tx: Executor, ctx: NodeContext, message: OutboxRow, error: string): Promise<void> {
  if (!message.referralId) return;
  const referral = await referralState(tx, message.referralId);
  if (referral.erasedAt !== null) await emptyMessageBody(tx, message.id);
  await recordEvent(tx, ctx, { type: 'referral.message_dead', referralId: message.referralId, direction: referral.direction, peer: message.peerNodeId, status: referral.status, messageId: message.id, messageType: message.type as MessageType, error: error.slice(0, 200) });
}

async function referralState(tx: Executor, id: string) {
  const [row] = await tx.select({ direction: referrals.direction, status: referrals.status, erasedAt: referrals.erasedAt }).from(referrals).where(eq(referrals.id, id));
  return row!;
}
