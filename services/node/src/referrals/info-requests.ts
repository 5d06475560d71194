import { and, asc, eq } from 'drizzle-orm';
import { ReferralInfoRequestBody, ReferralInfoResponseBody, type Consent, type InfoRequest, type InfoRequestList, type MessageClaims, type ServiceCode } from '@bridge/contract';
import { infoRequests, referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { enqueueMessage } from '../outbox/enqueue.ts';
import { mayShareText } from '../consent/disclosure.ts';
import { consentInvalidity, requireValidConsent } from '../consent/validity.ts';
import { referralOfMessage, type ReferralRow } from '../federation/message-referral.ts';
import { BridgeError, notFound } from '../errors.ts';
import { newId } from '../clock.ts';
import type { NodeContext } from '../context.ts';
import { recordEvent } from '../events/record.ts';

type InfoRow = typeof infoRequests.$inferSelect;

/** The one place rows become the contract's InfoRequest (texts absent once erased). */
function toInfoRequest(row: InfoRow): InfoRequest {
  return {
    id: row.id,
    askedBy: row.askedBy,
    askedAt: row.askedAt.toISOString(),
    ...(row.question === null ? {} : { question: row.question }),
    ...(row.answeredBy === null ? {} : { answeredBy: row.answeredBy }),
    ...(row.answeredAt === null ? {} : { answeredAt: row.answeredAt.toISOString() }),
    ...(row.answer === null ? {} : { answer: row.answer }),
  };
}

/**
 * Free text about the person crosses only while the consent holds; from the referral's sender it is
 * a case note, so its profiles and consent must allow notes. The receiver writing back to the sender
 * discloses nothing the sender does not hold, so only the consent's validity bounds it.
 */
function checkText(row: ReferralRow, from: 'sender' | 'receiver', now: Date): void {
  requireValidConsent(row, now);
  if (from === 'sender' && !mayShareText(row.services as ServiceCode[], row.consent as Consent)) {
    throw new BridgeError(422, 'disclosure_not_allowed', 'the profiles and consent of this referral do not allow case notes');
  }
}

/** The members every question event shares: ids and codes, never the question or the answer. */
const eventOf = (row: ReferralRow) => ({ referralId: row.id, direction: row.direction as 'inbound' | 'outbound', peer: row.peerNodeId, status: row.status });

const sideOf = (row: ReferralRow, self: boolean): 'sender' | 'receiver' => ((row.direction === 'outbound') === self ? 'sender' : 'receiver');

async function lockReferral(tx: Executor, id: string): Promise<ReferralRow> {
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, id)).for('update');
  if (!row) throw notFound('referral');
  return row;
}

export async function listInfoRequests(tx: Executor, referralId: string): Promise<InfoRequestList> {
  const [row] = await tx.select({ id: referrals.id }).from(referrals).where(eq(referrals.id, referralId));
  if (!row) throw notFound('referral');
  const rows = await tx.select().from(infoRequests).where(eq(infoRequests.referralId, referralId)).orderBy(asc(infoRequests.askedAt), asc(infoRequests.id));
  return { items: rows.map(toInfoRequest) };
}

/** Either side asks the other a question, queued as `referral.info-request`. */
export async function createInfoRequest(tx: Executor, ctx: NodeContext, referralId: string, text: string, actor: string): Promise<InfoRequest> {
  const now = ctx.clock.now();
  const row = await lockReferral(tx, referralId);
  checkText(row, sideOf(row, true), now);
  const id = newId();
  const [stored] = await tx.insert(infoRequests).values({ id, referralId, askedBy: ctx.config.nodeId, askedAt: now, question: text }).returning();
  await appendAudit(tx, { type: 'info.requested', actor, at: now, peerNodeId: row.peerNodeId, referralId, detail: { questionId: id } });
  const body: ReferralInfoRequestBody = { questionId: id, text };
  await enqueueMessage(tx, ctx, { peerNodeId: row.peerNodeId, referralId, type: 'referral.info-request', body, actor });
  await recordEvent(tx, ctx, { type: 'referral.question_asked', ...eventOf(row), questionId: id });
  return toInfoRequest(stored!);
}

/** Answers a question the peer asked, once, queued as `referral.info-response`. */
export async function answerInfoRequest(tx: Executor, ctx: NodeContext, referralId: string, questionId: string, text: string, actor: string): Promise<InfoRequest> {
  const now = ctx.clock.now();
  const row = await lockReferral(tx, referralId);
  const [question] = await tx.select().from(infoRequests).where(and(eq(infoRequests.id, questionId), eq(infoRequests.referralId, referralId))).for('update');
  if (!question) throw notFound('question');
  if (question.askedBy !== row.peerNodeId) throw new BridgeError(409, 'illegal_transition', 'only a question from the peer can be answered here');
  if (question.answeredAt !== null) throw new BridgeError(409, 'illegal_transition', 'the question was already answered');
  checkText(row, sideOf(row, true), now);
  const [stored] = await tx.update(infoRequests).set({ answeredBy: ctx.config.nodeId, answeredAt: now, answer: text }).where(eq(infoRequests.id, questionId)).returning();
  await appendAudit(tx, { type: 'info.answered', actor, at: now, peerNodeId: row.peerNodeId, referralId, detail: { questionId } });
  const body: ReferralInfoResponseBody = { questionId, text };
  await enqueueMessage(tx, ctx, { peerNodeId: row.peerNodeId, referralId, type: 'referral.info-response', body, actor });
  await recordEvent(tx, ctx, { type: 'referral.question_answered', ...eventOf(row), questionId });
  return toInfoRequest(stored!);
}

/**
 * Whether a text received from the peer is kept. The peer wrote it while it could; once the consent
 * no longer lets personal data cross here (revoked, expired, or the record erased), it is accepted
 * without its text, as a status note of an erased referral is: refusing it would hold back every
 * later message of the peer for this referral, its `erasure.confirm` among them.
 */
function keepsText(row: ReferralRow, from: 'sender' | 'receiver', now: Date): boolean {
  if (consentInvalidity(row, now) !== null) return false;
  checkText(row, from, now);
  return true;
}

/** `referral.info-request` from the peer: stored to be answered here. */
export async function applyInfoRequest(tx: Executor, ctx: Pick<NodeContext, 'clock' | 'config'>, claims: MessageClaims, now: Date): Promise<void> {
  const body = ReferralInfoRequestBody.parse(claims.body);
  const row = await referralOfMessage(tx, claims);
  const kept = keepsText(row, sideOf(row, false), now);
  const [existing] = await tx.select({ id: infoRequests.id }).from(infoRequests).where(eq(infoRequests.id, body.questionId));
  if (existing) throw new BridgeError(422, 'message_body_invalid', 'a question with this id already exists');
  await tx.insert(infoRequests).values({ id: body.questionId, referralId: row.id, askedBy: claims.iss, askedAt: new Date(claims.iat * 1000), question: kept ? body.text : null });
  await appendAudit(tx, { type: 'info.requested', actor: claims.iss, at: now, peerNodeId: claims.iss, referralId: row.id, messageId: claims.jti, detail: { questionId: body.questionId, ...(kept ? {} : { textDropped: true }) } });
  await recordEvent(tx, ctx, { type: 'referral.question_received', ...eventOf(row), questionId: body.questionId });
}

/** `referral.info-response` from the peer: the answer to one of our open questions. */
export async function applyInfoResponse(tx: Executor, ctx: Pick<NodeContext, 'clock' | 'config'>, claims: MessageClaims, now: Date): Promise<void> {
  const body = ReferralInfoResponseBody.parse(claims.body);
  const row = await referralOfMessage(tx, claims);
  const kept = keepsText(row, sideOf(row, false), now);
  const [question] = await tx.select().from(infoRequests).where(and(eq(infoRequests.id, body.questionId), eq(infoRequests.referralId, row.id))).for('update');
  if (!question || question.askedBy === claims.iss || question.answeredAt !== null) throw new BridgeError(422, 'message_body_invalid', 'no open question of ours with this id');
  await tx.update(infoRequests).set({ answeredBy: claims.iss, answeredAt: new Date(claims.iat * 1000), answer: kept ? body.text : null }).where(eq(infoRequests.id, question.id));
  await appendAudit(tx, { type: 'info.answered', actor: claims.iss, at: now, peerNodeId: claims.iss, referralId: row.id, messageId: claims.jti, detail: { questionId: body.questionId, ...(kept ? {} : { textDropped: true }) } });
  await recordEvent(tx, ctx, { type: 'referral.answer_received', ...eventOf(row), questionId: body.questionId });
}
