import { eq } from 'drizzle-orm';
import { ReferralDiscloseBody, type Consent, type DiscloseFields, type MessageClaims, type Referral, type ServiceCode } from '@bridge/contract';
import { referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { enqueueMessage } from '../outbox/enqueue.ts';
import { ACCEPTED_STATUSES, allowedFields, overDisclosed } from '../consent/disclosure.ts';
import { requireValidConsent } from '../consent/validity.ts';
import { referralOfMessage } from '../federation/message-referral.ts';
import { BridgeError, notFound } from '../errors.ts';
import type { NodeContext } from '../context.ts';
import { getReferral } from './queries.ts';
import { recordEvent } from '../events/record.ts';

/**
 * The sender releases further fields of an accepted referral: each must be in the profiles of its
 * services (onRequest or afterAcceptance) and in the consent, and present in the record.
 */
export async function discloseReferral(tx: Executor, ctx: NodeContext, id: string, input: DiscloseFields, actor: string): Promise<Referral> {
  const now = ctx.clock.now();
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
  if (!row) throw notFound('referral');
  if (row.direction !== 'outbound') throw new BridgeError(409, 'illegal_transition', 'only the sending organisation releases fields of a referral');
  if (!ACCEPTED_STATUSES.has(row.status)) throw new BridgeError(409, 'referral_not_accepted', `further fields can be released only after acceptance; the referral is ${row.status}`);
  requireValidConsent(row, now);
  const allowed = allowedFields(row.services as ServiceCode[], row.consent as Consent, 'accepted');
  const refused = input.fields.filter((f) => !allowed.has(f));
  if (refused.length > 0) throw new BridgeError(422, 'disclosure_not_allowed', `not allowed by the profiles and consent of this referral: ${refused.join(', ')}`);
  const record = row.person as Record<string, unknown>;
  const missing = input.fields.filter((f) => (f === 'note' ? row.note : record[f]) == null);
  if (missing.length > 0) throw new BridgeError(422, 'validation_failed', `the record has no value for: ${missing.join(', ')}`);
  const person: Record<string, unknown> = {};
  for (const f of input.fields) if (f !== 'note') person[f] = record[f];
  const body: ReferralDiscloseBody = { person, ...(input.fields.includes('note') ? { note: row.note! } : {}) };
  await tx.update(referrals).set({ updatedAt: now }).where(eq(referrals.id, id));
  await appendAudit(tx, { type: 'referral.disclosed', actor, at: now, peerNodeId: row.peerNodeId, referralId: id, detail: { fields: input.fields.join(',') } });
  await enqueueMessage(tx, ctx, { peerNodeId: row.peerNodeId, referralId: id, type: 'referral.disclose', body, actor });
  await recordEvent(tx, ctx, { type: 'referral.disclosed', referralId: id, direction: 'outbound', peer: row.peerNodeId, status: row.status, fields: input.fields });
  return getReferral(tx, ctx, id);
}

/**
 * `referral.disclose` on the receiver: only after acceptance, only within the same rule, only while
 * the consent holds; the fields are merged into what the sender disclosed before.
 */
export async function applyDisclose(tx: Executor, ctx: Pick<NodeContext, 'clock' | 'config'>, claims: MessageClaims, now: Date): Promise<void> {
  const body = ReferralDiscloseBody.parse(claims.body);
  const row = await referralOfMessage(tx, claims, 'inbound');
  if (!ACCEPTED_STATUSES.has(row.status)) throw new BridgeError(409, 'referral_not_accepted', `fields released before acceptance; the referral is ${row.status}`);
  requireValidConsent(row, now);
  const extra = overDisclosed(body.person, body.note, row.services as ServiceCode[], row.consent as Consent, 'accepted');
  if (extra.length > 0) throw new BridgeError(422, 'disclosure_not_allowed', `discloses fields outside the profiles and consent: ${extra.join(', ')}`);
  await tx
    .update(referrals)
    .set({ person: { ...(row.person as Record<string, unknown>), ...body.person }, ...(body.note === undefined ? {} : { note: body.note }), updatedAt: now })
    .where(eq(referrals.id, row.id));
  const fields = [...Object.keys(body.person), ...(body.note === undefined ? [] : ['note'])];
  await appendAudit(tx, { type: 'referral.disclosed', actor: claims.iss, at: now, peerNodeId: claims.iss, referralId: row.id, messageId: claims.jti, detail: { fields: fields.join(',') } });
  // An empty disclosure (nothing in it) changes nothing the receiving systems need to fetch.
  if (fields.length > 0) await recordEvent(tx, ctx, { type: 'referral.disclosure_received', referralId: row.id, direction: 'inbound', peer: claims.iss, status: row.status, fields });
}
