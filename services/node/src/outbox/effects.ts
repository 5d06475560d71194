import { eq } from 'drizzle-orm';
import type { ReceiptClaims } from '@bridge/crypto';
import { referrals, type outboxMessages } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { changeStatus, transitionRefusal } from '../referrals/lifecycle.ts';
import type { ReferralStatus } from '@bridge/contract';
import type { NodeContext } from '../context.ts';

/** What a verified receipt changes on the sending side, in the transaction that records it. */
export async function applyDelivered(tx: Executor, ctx: NodeContext, message: typeof outboxMessages.$inferSelect, receipt: ReceiptClaims): Promise<void> {
  if (message.type !== 'referral.request' || !message.referralId) return;
  const [referral] = await tx.select().from(referrals).where(eq(referrals.id, message.referralId)).for('update');
  // Already moved on (withdrawn before delivery): the receipt changes nothing.
  if (!referral || transitionRefusal(referral.status as ReferralStatus, 'received', 'receiver')) return;
  // iat has whole seconds: never let `received` sort before the `requested` it follows.
  const at = new Date(Math.max(receipt.iat * 1000, message.createdAt.getTime()));
  await changeStatus(tx, ctx, referral, { status: 'received', by: receipt.iss, at }, { actor: receipt.iss, messageId: message.id });
}
