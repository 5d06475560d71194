import { and, eq } from 'drizzle-orm';
import type { ReceiptClaims } from '@bridge/crypto';
import { referrals, referralStatusHistory, type outboxMessages } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import type { NodeContext } from '../context.ts';

/** What a verified receipt changes on the sending side, in the transaction that records it. */
export async function applyDelivered(tx: Executor, ctx: NodeContext, message: typeof outboxMessages.$inferSelect, receipt: ReceiptClaims): Promise<void> {
  if (message.type !== 'referral.request' || !message.referralId) return;
  // iat has whole seconds: never let `received` sort before the `requested` it follows.
  const at = new Date(Math.max(receipt.iat * 1000, message.createdAt.getTime()));
  const [updated] = await tx
    .update(referrals)
    .set({ status: 'received', updatedAt: ctx.clock.now() })
    .where(and(eq(referrals.id, message.referralId), eq(referrals.status, 'requested')))
    .returning({ id: referrals.id });
  if (!updated) return;
  await tx.insert(referralStatusHistory).values({ referralId: message.referralId, status: 'received', at, by: receipt.iss });
  await appendAudit(tx, { type: 'referral.status', actor: receipt.iss, at: ctx.clock.now(), peerNodeId: receipt.iss, referralId: message.referralId, messageId: message.id, detail: { status: 'received' } });
}
