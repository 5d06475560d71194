import { and, desc, eq, sql } from 'drizzle-orm';
import { MessageClaims, ReferralRequestBody } from '@bridge/contract';
import { currentKey, isCryptoError, openMessage, signReceipt, type OpenedMessage, type PublicJwk } from '@bridge/crypto';
import { inboundMessages, referrals, referralStatusHistory } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { epochSeconds, newId } from '../clock.ts';
import { BridgeError } from '../errors.ts';
import { messageContentDigest } from '../outbox/enqueue.ts';
import { requireActivePeer } from '../peers/peers.ts';
import type { NodeContext } from '../context.ts';
import { errorSummary } from '../log-safe.ts';
import { refusalFromCrypto } from './refusals.ts';

/**
 * Receives one sealed message: opens and verifies it, then in one transaction stores it, applies
 * it and signs the receipt. Anything refused is recorded in the audit log and nothing else.
 */
export async function receiveMessage(ctx: NodeContext, body: string): Promise<{ receipt: string }> {
  const now = ctx.clock.now();
  let opened: OpenedMessage;
  try {
    opened = await openMessage(body, {
      decryptionKeys: ctx.config.keys.encryption,
      audience: ctx.config.nodeId,
      now,
      acceptanceWindowSeconds: ctx.config.acceptanceWindowSeconds,
      maxBytes: ctx.config.messageMaxBytes,
      resolveSenderKey: (iss, kid) => resolveSenderKey(ctx, iss, kid),
    });
  } catch (err) {
    const refusal = isCryptoError(err) ? refusalFromCrypto(err.code, err.message) : err;
    if (refusal instanceof BridgeError) await recordRefusal(ctx, refusal, now);
    throw refusal;
  }
  try {
    return await deliver(ctx, opened, now);
  } catch (err) {
    if (err instanceof BridgeError) await recordRefusal(ctx, err, now, opened);
    throw err;
  }
}

async function resolveSenderKey(ctx: NodeContext, iss: string, kid: string): Promise<PublicJwk> {
  const peer = await requireActivePeer(ctx.db, iss);
  const key = peer.jwks.find((k) => k.kid === kid && k.purpose === 'signing');
  if (!key) throw refusalFromCrypto('key_unknown', 'kid is not a signing key pinned for the issuer');
  return key;
}

async function deliver(ctx: NodeContext, opened: OpenedMessage, now: Date): Promise<{ receipt: string }> {
  const parsed = MessageClaims.safeParse(opened.claims);
  if (!parsed.success) throw new BridgeError(422, 'message_body_invalid', 'message claims do not match the contract');
  const claims = parsed.data;
  const contentDigest = messageContentDigest(claims);
  return ctx.db.transaction(async (tx) => {
    // Serialises concurrent copies of one message so exactly one is delivered.
    await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended(${`${claims.iss}/${claims.jti}`}, 0))`);
    const [seen] = await tx.select().from(inboundMessages).where(and(eq(inboundMessages.issuer, claims.iss), eq(inboundMessages.id, claims.jti)));
    if (seen) {
      if (seen.contentDigest !== contentDigest) throw new BridgeError(409, 'message_replay_conflict', 'this message id was already delivered with other content');
      await appendAudit(tx, { type: 'message.replayed', actor: claims.iss, at: now, peerNodeId: claims.iss, referralId: seen.referralId, messageId: claims.jti, digest: opened.digest });
      return { receipt: seen.receipt };
    }
    await checkOrder(tx, claims);
    await apply(tx, ctx, claims, now);
    const logIndex = await appendAudit(tx, {
      type: 'message.received',
      actor: claims.iss,
      at: now,
      peerNodeId: claims.iss,
      referralId: claims.referralId,
      messageId: claims.jti,
      digest: opened.digest,
      detail: { messageType: claims.type, seq: claims.seq, contentDigest },
    });
    const receipt = await signReceipt(
      { iss: ctx.config.nodeId, aud: claims.iss, iat: epochSeconds(now), jti: newId(), messageId: claims.jti, digest: opened.digest, logIndex },
      currentKey(ctx.config.keys.signing, now),
    );
    await tx.insert(inboundMessages).values({
      issuer: claims.iss,
      id: claims.jti,
      referralId: claims.type === 'ping' ? null : claims.referralId,
      type: claims.type,
      seq: claims.seq,
      contentDigest,
      receivedDigest: opened.digest,
      receipt,
      logIndex,
      receivedAt: now,
    });
    return { receipt };
  });
}

/** A message applies only right after the previous one from the same sender for that referral. */
async function checkOrder(tx: Executor, claims: MessageClaims): Promise<void> {
  if (claims.type === 'ping') return;
  const [last] = await tx
    .select({ seq: inboundMessages.seq, contentDigest: inboundMessages.contentDigest })
    .from(inboundMessages)
    .where(and(eq(inboundMessages.issuer, claims.iss), eq(inboundMessages.referralId, claims.referralId)))
    .orderBy(desc(inboundMessages.seq))
    .limit(1);
  const expectedSeq = (last?.seq ?? 0) + 1;
  if (claims.seq !== expectedSeq || claims.prev !== (last?.contentDigest ?? null)) {
    throw new BridgeError(409, 'message_out_of_order', `expected seq ${expectedSeq} with the matching prev; retry after the earlier message`);
  }
}

async function apply(tx: Executor, ctx: NodeContext, claims: MessageClaims, now: Date): Promise<void> {
  switch (claims.type) {
    case 'ping':
      return;
    case 'referral.request': {
      const body = ReferralRequestBody.safeParse(claims.body);
      if (!body.success) throw new BridgeError(422, 'message_body_invalid', 'referral.request body does not match the contract');
      const [existing] = await tx.select({ id: referrals.id }).from(referrals).where(eq(referrals.id, claims.referralId));
      if (existing) throw new BridgeError(409, 'message_replay_conflict', 'a referral with this id already exists');
      if (body.data.consent.recipient !== ctx.config.nodeId) throw new BridgeError(422, 'message_body_invalid', 'the consent record names another recipient');
      const b = body.data;
      await tx.insert(referrals).values({
        id: claims.referralId,
        direction: 'inbound',
        peerNodeId: claims.iss,
        status: 'received',
        services: b.services,
        urgency: b.urgency,
        personCategory: b.personCategory,
        phase: b.phase,
        risk: b.risk,
        person: b.person,
        consent: b.consent,
        note: b.note ?? null,
        createdAt: now,
        updatedAt: now,
      });
      await tx.insert(referralStatusHistory).values([
        { referralId: claims.referralId, status: 'requested', at: new Date(claims.iat * 1000), by: claims.iss },
        { referralId: claims.referralId, status: 'received', at: now, by: ctx.config.nodeId },
      ]);
      return;
    }
    default:
      throw new BridgeError(422, 'message_body_invalid', `message type ${claims.type} is not supported by this node yet`);
  }
}

/** A refused message leaves one audit event (codes and digests only) and nothing else. */
async function recordRefusal(ctx: NodeContext, refusal: BridgeError, now: Date, opened?: OpenedMessage): Promise<void> {
  try {
    await appendAudit(ctx.db, {
      type: 'message.refused',
      actor: opened?.claims.iss ?? 'unknown',
      at: now,
      peerNodeId: opened?.claims.iss ?? null,
      messageId: opened && /^[0-9a-f-]{36}$/.test(opened.claims.jti) ? opened.claims.jti : null,
      digest: opened?.digest ?? null,
      detail: { code: refusal.code, status: refusal.status },
    });
  } catch (err) {
    ctx.logger.error({ code: refusal.code, ...errorSummary(err) }, 'could not record refusal');
  }
  ctx.logger.warn({ code: refusal.code, peer: opened?.claims.iss }, 'message refused');
}
