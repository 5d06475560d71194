import { eq } from 'drizzle-orm';
import type { Consent, Referral, ReferralStatus, ReferralStatusBody, ServiceCode } from '@bridge/contract';
import { referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { enqueueMessage } from '../outbox/enqueue.ts';
import { mayShareText } from '../consent/disclosure.ts';
import { consentInvalidity } from '../consent/validity.ts';
import { BridgeError, notFound } from '../errors.ts';
import type { NodeContext } from '../context.ts';
import { getReferral } from './queries.ts';
import { changeStatus } from './lifecycle.ts';

/** A status this node's own systems may set, with its code and note. */
export interface LocalStatusChange {
  status: ReferralStatusBody['status'] | 'cancelled';
  reason?: string | undefined;
  note?: string | undefined;
}

/**
 * This node's side of a status change: applied through the lifecycle, then told to the peer in the
 * same transaction (`referral.withdraw` for a cancellation, `referral.status` for everything else).
 */
export async function setReferralStatus(tx: Executor, ctx: NodeContext, id: string, input: LocalStatusChange, actor: string): Promise<Referral> {
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
  if (!row) throw notFound('referral');
  const at = ctx.clock.now();
  // The status this change is made from: the peer uses it to tell a concurrent change from a late one.
  const from = row.status as ReferralStatus;
  const erased = row.erasedAt !== null;
  await changeStatus(tx, ctx, row, { ...input, by: ctx.config.nodeId, at }, { actor });
  // An erased record keeps no text about the person: a note would bring some back (and send it on).
  if (input.note !== undefined && erased) throw new BridgeError(422, 'consent_not_valid', "the person's data was erased: a status change can carry no note");
  // The note crosses only if the profiles and the consent (case notes) allow it, and while the consent holds.
  const shareNote = input.note !== undefined && consentInvalidity(row, at) === null && mayShareText(row.services as ServiceCode[], row.consent as Consent);
  const codes = { from, ...(input.reason === undefined ? {} : { reason: input.reason }), ...(shareNote ? { note: input.note } : {}) };
  const message =
    input.status === 'cancelled' ? { type: 'referral.withdraw', body: codes } : { type: 'referral.status', body: { status: input.status, at: at.toISOString(), ...codes } };
  await enqueueMessage(tx, ctx, { peerNodeId: row.peerNodeId, referralId: id, ...message, actor });
  return getReferral(tx, ctx, id);
}
