import type { Referral, ReferralCreate, ReferralRequestBody } from '@bridge/contract';
import { contentDigest, pairwisePseudonym } from '@bridge/crypto';
import { referrals } from '../db/schema/index.ts';
import { addAudit } from '../audit/append.ts';
import { insertSql, Statement } from '../db/statement.ts';
import { addHistory } from './lifecycle.ts';
import { enqueueMessage } from '../outbox/enqueue.ts';
import { cachedPeer } from '../peers/peers.ts';
import { BridgeError } from '../errors.ts';
import { newId } from '../clock.ts';
import type { NodeContext } from '../context.ts';
import { responseDeadlines } from '../config.ts';
import type { Executor } from '../db/client.ts';
import { toReferral } from './view.ts';
import { disclose } from '../consent/disclosure.ts';
import { addEvent } from '../events/record.ts';

/**
 * Records a new outbound referral and queues its `referral.request` in the caller's transaction:
 * once the client has its 201, the message is in the outbox and will reach the peer. Every write
 * goes in one statement, after the reads, so `tx` may also be the database itself (no transaction:
 * the statement is atomic on its own); keep it so, or drop `atomic` from its route.
 */
export async function createReferral(tx: Executor, ctx: NodeContext, input: ReferralCreate, actor: string): Promise<Referral> {
  const now = ctx.clock.now();
  checkConsent(input, now);
  const id = newId();
  {
    const peer = await cachedPeer(ctx, input.recipient, tx);
    if (!peer) throw new BridgeError(404, 'peer_unknown', 'the recipient is not a known peer');
    if (peer.status !== 'active') throw new BridgeError(409, 'peer_not_active', 'the recipient peer is not active');
    const row = newReferralRow({ id, direction: 'outbound', peerNodeId: peer.nodeId, now }, input);
    const history = { referralId: id, status: 'requested', at: now, by: ctx.config.nodeId, reason: null, note: null };
    // The referral, its history, its message, their audit events and its event: one statement
    // (foreign keys are checked at its end).
    const statement = new Statement();
    statement.write(insertSql(referrals, [row]));
    addHistory(statement, history);
    const body = requestBody(ctx, input);
    addAudit(statement, { type: 'referral.created', actor, at: now, peerNodeId: peer.nodeId, referralId: id, digest: contentDigest(body) });
    await enqueueMessage(tx, ctx, { peerNodeId: peer.nodeId, referralId: id, type: 'referral.request', body, actor }, { firstOfReferral: true, statement });
    addEvent(statement, ctx, { type: 'referral.created', referralId: id, direction: 'outbound', peer: peer.nodeId, status: 'requested' });
    await statement.run(tx);
    return toReferral(row, [history], { now, deadlines: responseDeadlines(ctx.config) });
  }
}

type ReferralRow = typeof referrals.$inferSelect;

/** A referral as first stored, on either side: `requested`, with the request's fields and nothing else happened yet. */
export function newReferralRow(
  key: { id: string; direction: 'inbound' | 'outbound'; peerNodeId: string; now: Date },
  request: Pick<ReferralRow, 'services' | 'urgency' | 'personCategory' | 'phase' | 'risk' | 'person' | 'consent'> & { note?: string | null | undefined },
): ReferralRow {
  return {
    id: key.id,
    direction: key.direction,
    peerNodeId: key.peerNodeId,
    status: 'requested',
    services: request.services,
    urgency: request.urgency,
    personCategory: request.personCategory,
    phase: request.phase,
    risk: request.risk,
    person: request.person,
    consent: request.consent,
    note: request.note ?? null,
    createdAt: key.now,
    updatedAt: key.now,
    consentRevokedAt: null,
    erasedAt: null,
    erasureReason: null,
    erasureConfirmedAt: null,
    overdueFlaggedAt: null,
  };
}

/** What leaves the node: the risk block and the person under a pairwise pseudonym, within profiles and consent. */
function requestBody(ctx: NodeContext, input: ReferralCreate): ReferralRequestBody {
  const pseudonym = pairwisePseudonym(ctx.config.pseudonymSecret, input.person.localId, input.recipient);
  const { person, note } = disclose(input.person, input.note, input.services, input.consent, pseudonym);
  return {
    services: input.services,
    urgency: input.urgency,
    personCategory: input.personCategory,
    phase: input.phase,
    risk: input.risk,
    person,
    consent: input.consent,
    ...(note === undefined ? {} : { note }),
  };
}

function checkConsent(input: ReferralCreate, now: Date): void {
  const problems: Array<{ path: string; message: string }> = [];
  if (input.consent.recipient !== input.recipient) problems.push({ path: '/consent/recipient', message: 'consent names another recipient' });
  const uncovered = input.services.filter((s) => !input.consent.services.includes(s));
  if (uncovered.length > 0) problems.push({ path: '/consent/services', message: `consent does not cover ${uncovered.join(', ')}` });
  if (Date.parse(input.consent.validUntil) <= now.getTime()) problems.push({ path: '/consent/validUntil', message: 'consent has expired' });
  if (Date.parse(input.consent.givenAt) > now.getTime() + 60_000) problems.push({ path: '/consent/givenAt', message: 'consent is dated in the future' });
  if (problems.length > 0) throw new BridgeError(400, 'validation_failed', 'the consent record does not allow this referral', problems);
}
