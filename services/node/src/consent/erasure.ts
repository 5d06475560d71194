import { and, eq, inArray, sql } from 'drizzle-orm';
import { ConsentRevokeBody, ErasureConfirmBody, type MessageClaims } from '@bridge/contract';
import { idempotencyKeys, infoRequests, outboxMessages, referrals, referralStatusHistory } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { enqueueMessage } from '../outbox/enqueue.ts';
import { referralOfMessage, type ReferralRow } from '../federation/message-referral.ts';
import type { NodeContext } from '../context.ts';
import { recordEvent } from '../events/record.ts';

export type ErasureReason = 'CONSENT_REVOKED' | 'CONSENT_EXPIRED' | 'RETENTION';

/**
 * Erases the person's data of one referral on this node: the person fields and the pseudonym, the
 * referral's note, the notes of its status history, the texts of its questions and answers, and the
 * bodies of its delivered (or dead) outgoing messages. Kept: ids, codes (services, urgency, category, phase,
 * risk), statuses and their times, the consent record (when, how, for what: no data about the
 * person), inbound message records (digests and receipts only) and the audit log (never held
 * personal data). An outbound referral purged by retention keeps its `localId`, the key of the
 * organisation's own case file. Erasing twice keeps the first time and reason.
 */
export async function erasePersonalData(tx: Executor, ctx: Pick<NodeContext, 'clock' | 'config'>, row: ReferralRow, reason: ErasureReason, actor: string, now: Date): Promise<Date> {
  if (row.erasedAt !== null) return row.erasedAt;
  const localId = row.direction === 'outbound' ? (row.person as { localId?: string }).localId : undefined;
  await tx
    .update(referrals)
    .set({ person: localId === undefined ? {} : { localId }, note: null, erasedAt: now, erasureReason: reason, updatedAt: now })
    .where(eq(referrals.id, row.id));
  await tx.update(referralStatusHistory).set({ note: null }).where(eq(referralStatusHistory.referralId, row.id));
  await tx.update(infoRequests).set({ question: null, answer: null }).where(eq(infoRequests.referralId, row.id));
  // A delivered message is never sealed again; its digest stays as evidence of what was sent. A dead
  // one is not sent again with the person's data either. One still on its way keeps its body until
  // it is delivered or given up (emptyMessageBody), since what is sealed must match its digest.
  const emptied = await tx
    .update(outboxMessages)
    .set({ body: sql`'{}'::jsonb` })
    .where(and(eq(outboxMessages.referralId, row.id), inArray(outboxMessages.status, ['delivered', 'dead'])))
    .returning({ id: outboxMessages.id });
  const questions = await tx.select({ id: infoRequests.id }).from(infoRequests).where(eq(infoRequests.referralId, row.id));
  await eraseStoredResponses(tx, [row.id, ...questions.map((q) => q.id)], localId);
  await appendAudit(tx, { type: 'referral.erased', actor, at: now, peerNodeId: row.peerNodeId, referralId: row.id, detail: { reason, direction: row.direction, outboxBodiesEmptied: emptied.length } });
  await recordEvent(tx, ctx, { type: 'referral.erased', referralId: row.id, direction: row.direction as 'inbound' | 'outbound', peer: row.peerNodeId, status: row.status, reason });
  return now;
}

/** A message of an erased referral was delivered or given up after the erasure: its body goes now. */
export async function emptyMessageBody(tx: Executor, messageId: string): Promise<void> {
  await tx.update(outboxMessages).set({ body: sql`'{}'::jsonb` }).where(eq(outboxMessages.id, messageId));
}

/** The receiver erases and answers with a signed `erasure.confirm` through its outbox. */
export async function eraseAndConfirm(tx: Executor, ctx: NodeContext, row: ReferralRow, reason: 'CONSENT_REVOKED' | 'CONSENT_EXPIRED', actor: string, now: Date): Promise<void> {
  const erasedAt = await erasePersonalData(tx, ctx, row, reason, actor, now);
  const body: ErasureConfirmBody = { reason, erasedAt: erasedAt.toISOString() };
  await enqueueMessage(tx, ctx, { peerNodeId: row.peerNodeId, referralId: row.id, type: 'erasure.confirm', body, actor: ctx.config.nodeId });
}

/** `consent.revoke` from the referral's sender: erase the person's data here and confirm. */
export async function applyConsentRevoke(tx: Executor, ctx: NodeContext, claims: MessageClaims, now: Date): Promise<void> {
  ConsentRevokeBody.parse(claims.body);
  const row = await referralOfMessage(tx, claims, 'inbound');
  await eraseAndConfirm(tx, ctx, row, 'CONSENT_REVOKED', claims.iss, now);
}

/** `erasure.confirm` from the receiver of one of our referrals: record it. */
export async function applyErasureConfirm(tx: Executor, ctx: Pick<NodeContext, 'clock' | 'config'>, claims: MessageClaims, now: Date): Promise<void> {
  const body = ErasureConfirmBody.parse(claims.body);
  const row = await referralOfMessage(tx, claims, 'outbound');
  if (row.erasureConfirmedAt === null) {
    await tx.update(referrals).set({ erasureConfirmedAt: now }).where(eq(referrals.id, row.id));
    await recordEvent(tx, ctx, { type: 'referral.erasure_confirmed', referralId: row.id, direction: 'outbound', peer: claims.iss, status: row.status, reason: body.reason });
  }
  await appendAudit(tx, { type: 'erasure.confirmed', actor: claims.iss, at: now, peerNodeId: claims.iss, referralId: row.id, messageId: claims.jti, detail: { reason: body.reason } });
}

/**
 * Stored idempotent responses are copies of a referral or a question: strip the same personal data
 * from them, so a replay still answers, with what is left.
 */
async function eraseStoredResponses(tx: Executor, ids: string[], localId: string | undefined): Promise<void> {
  const rows = await tx
    .select({ clientId: idempotencyKeys.clientId, key: idempotencyKeys.key, body: idempotencyKeys.responseBody })
    .from(idempotencyKeys)
    .where(inArray(sql`${idempotencyKeys.responseBody}->>'id'`, ids));
  for (const r of rows) {
    const { note: _note, question: _question, answer: _answer, ...rest } = r.body as Record<string, unknown>;
    const body: Record<string, unknown> = { ...rest };
    if ('person' in body) body.person = localId === undefined ? {} : { localId };
    if (Array.isArray(body.history)) body.history = body.history.map(({ note: _n, ...h }: Record<string, unknown>) => h);
    await tx.update(idempotencyKeys).set({ responseBody: body }).where(and(eq(idempotencyKeys.clientId, r.clientId), eq(idempotencyKeys.key, r.key)));
  }
}
