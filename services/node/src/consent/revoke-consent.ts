import { eq } from 'drizzle-orm';
import type { ConsentRevokeBody, Referral, RevokeConsent } from '@bridge/contract';
import { referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { enqueueMessage } from '../outbox/enqueue.ts';
import { BridgeError, notFound } from '../errors.ts';
import { getReferral } from '../referrals/queries.ts';
import type { NodeContext } from '../context.ts';
import { recordEvent } from '../events/record.ts';

/**
 * The person withdrew her consent: the sender records it and tells the receiver, in one transaction,
 * with a `consent.revoke` that obliges the receiver to erase her data and confirm.
 */
export async function revokeConsent(tx: Executor, ctx: NodeContext, id: string, input: RevokeConsent, actor: string): Promise<Referral> {
  const now = ctx.clock.now();
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
  if (!row) throw notFound('referral');
  if (row.direction !== 'outbound') throw new BridgeError(409, 'illegal_transition', 'only the sending organisation records a revocation of consent');
  if (row.consentRevokedAt !== null) throw new BridgeError(422, 'consent_not_valid', 'the consent was already revoked');
  await tx.update(referrals).set({ consentRevokedAt: now, updatedAt: now }).where(eq(referrals.id, id));
  await appendAudit(tx, { type: 'consent.revoked', actor, at: now, peerNodeId: row.peerNodeId, referralId: id, detail: { reason: input.reason ?? null } });
  const body: ConsentRevokeBody = { revokedAt: now.toISOString(), ...(input.reason === undefined ? {} : { reason: input.reason }) };
  await enqueueMessage(tx, ctx, { peerNodeId: row.peerNodeId, referralId: id, type: 'consent.revoke', body, actor });
  await recordEvent(tx, ctx, { type: 'referral.consent_revoked', referralId: id, direction: 'outbound', peer: row.peerNodeId, status: row.status, reason: input.reason });
  return getReferral(tx, ctx, id);
}
