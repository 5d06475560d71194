import { eq } from 'drizzle-orm';
import type { Referral, WithdrawReferral } from '@bridge/contract';
import { referrals, referralStatusHistory } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { enqueueMessage } from '../outbox/enqueue.ts';
import { consentedFields } from '../consent/disclosure.ts';
import { BridgeError, notFound } from '../errors.ts';
import type { NodeContext } from '../context.ts';
import { getReferral } from './queries.ts';
import { recordStatusChange } from '../events/record.ts';

/** Statuses after which nothing but entered-in-error may follow. */
export const FINAL_STATUSES: ReadonlySet<string> = new Set(['rejected', 'completed', 'failed', 'cancelled', 'entered-in-error']);

/** The sender cancels a referral that is not final, and tells the peer in the same transaction. */
export async function withdrawReferral(tx: Executor, ctx: NodeContext, id: string, input: WithdrawReferral, actor: string): Promise<Referral> {
  const now = ctx.clock.now();
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
  if (!row) throw notFound('referral');
  if (row.direction !== 'outbound') throw new BridgeError(409, 'illegal_transition', 'only the sending organisation can withdraw a referral');
  if (FINAL_STATUSES.has(row.status)) throw new BridgeError(409, 'illegal_transition', `a ${row.status} referral cannot be withdrawn`);
  await tx.update(referrals).set({ status: 'cancelled', updatedAt: now }).where(eq(referrals.id, id));
  await tx.insert(referralStatusHistory).values({ referralId: id, status: 'cancelled', at: now, by: ctx.config.nodeId, reason: input.reason ?? null, note: input.note ?? null });
  await appendAudit(tx, { type: 'referral.status', actor, at: now, peerNodeId: row.peerNodeId, referralId: id, detail: { status: 'cancelled', reason: input.reason ?? null } });
  await recordStatusChange(tx, ctx, { referralId: id, direction: 'outbound', peer: row.peerNodeId, from: row.status, to: 'cancelled', reason: input.reason });
  // The note crosses only if the person consented to case notes being shared.
  const shareNote = input.note !== undefined && consentedFields(row.consent as { dataCategories: [] }).has('note');
  const body = { ...(input.reason === undefined ? {} : { reason: input.reason }), ...(shareNote ? { note: input.note } : {}) };
  await enqueueMessage(tx, ctx, { peerNodeId: row.peerNodeId, referralId: id, type: 'referral.withdraw', body, actor });
  return getReferral(tx, id);
}
