import { and, eq, ne } from 'drizzle-orm';
import { MessageClaims, ReferralRequestBody, ReferralStatusBody, ReferralWithdrawBody, unstorableTextPath, type Consent, type ServiceCode } from '@bridge/contract';
import { addHistory, applyPeerChange, changeStatus, reasonRefusal, type PeerStatusChange } from '../referrals/lifecycle.ts';
import { mayShareText, overDisclosed } from '../consent/disclosure.ts';
import { currentKey, isCryptoError, openMessage, signReceipt, type OpenedMessage } from '@bridge/crypto';
import { inboundMessages, outboxMessages, referrals } from '../db/schema/index.ts';
import { pipelinedTransaction, type Executor } from '../db/client.ts';
import { appendAudit, auditInsertWithIdx, NEXT_AUDIT_IDX_SQL } from '../audit/append.ts';
import { epochSeconds, newId } from '../clock.ts';
import { BridgeError } from '../errors.ts';
import { messageContentDigest } from '../outbox/enqueue.ts';
import { resolvePeerSigningKey } from '../peers/keys.ts';
import type { NodeContext } from '../context.ts';
import { takePeerMessageBudget } from './peer-rate-limit.ts';
import { refusalFromCrypto } from './refusals.ts';
import { applyConsentRevoke, applyErasureConfirm } from '../consent/erasure.ts';
import { applyDisclose } from '../referrals/disclose.ts';
import { applyInfoRequest, applyInfoResponse } from '../referrals/info-requests.ts';
import { addEvent } from '../events/record.ts';
import { newReferralRow } from '../referrals/create-referral.ts';
import { insertSql, Statement, statementName } from '../db/statement.ts';

/**
 * Receives one sealed message: opens and verifies it, then in one transaction stores it, applies
 * it and signs the receipt. A refusal is thrown as a BridgeError carrying what is known of the
 * message; the federation plugin records it in the audit log. `caller` is the peer whose client
 * certificate carried the message (null without TLS): a message signed by any other peer is
 * refused, so one peer cannot present what another signed (a captured message, a stolen key).
 */
export async function receiveMessage(ctx: NodeContext, body: string, caller: string | null = null): Promise<{ receipt: string }> {
  const now = ctx.clock.now();
  let opened: OpenedMessage;
  try {
    opened = await openMessage(body, {
      decryptionKeys: ctx.config.keys.encryption,
      audience: ctx.config.nodeId,
      now,
      acceptanceWindowSeconds: ctx.config.acceptanceWindowSeconds,
      maxBytes: ctx.config.messageMaxBytes,
      resolveSenderKey: (iss, kid) => resolvePeerSigningKey(ctx, iss, kid),
    });
  } catch (err) {
    throw isCryptoError(err) ? refusalFromCrypto(err.code, err.message) : err;
  }
  try {
    // Before anything is spent or stored in the signer's name (its message budget included).
    if (caller !== null && opened.claims.iss !== caller) {
      throw new BridgeError(403, 'message_issuer_mismatch', 'the message is signed by another peer than the one whose certificate carried it', undefined, { alert: true });
    }
    takePeerMessageBudget(ctx, opened.claims.iss);
    const receipt = await deliver(ctx, opened, now);
    crashAfterCommitForFaultTests(ctx);
    return receipt;
  } catch (err) {
    if (err instanceof BridgeError) {
      // The signature verified, so the issuer and ids are the sender's own claims.
      const { claims } = opened;
      err.refusal = {
        issuer: claims.iss,
        digest: opened.digest,
        ...(UUID.test(claims.jti) ? { messageId: claims.jti } : {}),
        ...(UUID.test(claims.referralId) ? { referralId: claims.referralId } : {}),
        ...err.refusal,
      };
    }
    throw err;
  }
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

async function deliver(ctx: NodeContext, opened: OpenedMessage, now: Date): Promise<{ receipt: string }> {
  // Checked before anything reads the claims: the digest of the content canonicalises them, and the
  // body goes into PostgreSQL, neither of which can take a NUL or an unpaired surrogate.
  if (unstorableTextPath(opened.claims)) throw new BridgeError(422, 'message_body_invalid', 'message claims hold a NUL character or an unpaired surrogate');
  const parsed = MessageClaims.safeParse(opened.claims);
  if (!parsed.success) throw new BridgeError(422, 'message_body_invalid', 'message claims do not match the contract');
  const claims = parsed.data;
  const contentDigest = messageContentDigest(claims);
  let applied = false;
  const result = await pipelinedTransaction(ctx.db, async (t) => {
    const { tx } = t;
    // Serialises the messages of one referral from one sender (order), then copies of one message
    // (exactly once). Always in this order (a select list is evaluated left to right), so two
    // transactions never wait on each other in a cycle. The state is read by the next statement
    // (a later snapshot, once the locks are held); BEGIN and both go out in one round trip.
    const [, stateRows] = await t.send([
      { name: RECEIVE_LOCKS_NAME, text: RECEIVE_LOCKS_SQL, values: [`referral/${claims.iss}/${claims.referralId}`, `message/${claims.iss}/${claims.jti}`] },
      { name: RECEIVE_STATE_NAME, text: RECEIVE_STATE_SQL, values: [claims.referralId, claims.iss, claims.jti] },
    ]);
    const { seen, last, referralExists, logIndex } = receiveState(stateRows![0] as ReceiveStateRow | undefined);
    if (seen) {
      if (seen.contentDigest !== contentDigest) {
        throw new BridgeError(409, 'message_replay_conflict', 'this message id was already delivered with other content', undefined, { alert: true });
      }
      await appendAudit(tx, { type: 'message.replayed', actor: claims.iss, at: now, peerNodeId: claims.iss, referralId: seen.referralId, messageId: claims.jti, digest: opened.digest });
      return { receipt: seen.receipt };
    }
    checkOrder(claims, last);
    // What applying the message writes, its audit event and the stored receipt go as one statement.
    const statement = new Statement();
    await apply(tx, ctx, claims, now, referralExists, statement);
    const receipt = await signReceipt(
      { iss: ctx.config.nodeId, aud: claims.iss, iat: epochSeconds(now), jti: newId(), messageId: claims.jti, digest: opened.digest, logIndex },
      currentKey(ctx.config.keys.signing, now),
    );
    statement.write(
      auditInsertWithIdx(
        {
          type: 'message.received',
          actor: claims.iss,
          at: now,
          peerNodeId: claims.iss,
          referralId: claims.referralId,
          messageId: claims.jti,
          digest: opened.digest,
          detail: { messageType: claims.type, seq: claims.seq, contentDigest },
        },
        logIndex,
      ),
    );
    statement.write(insertSql(inboundMessages, [{
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
    }]));
    // The writes and the COMMIT: the second round trip.
    await t.send([statement.query(tx)!], { commit: true });
    applied = true;
    return { receipt };
  });
  // Counted once committed; the issuer is a pinned peer, as the signature verified.
  if (applied) ctx.metrics.messagesReceived.inc({ peer: claims.iss, type: claims.type });
  return result;
}

interface ReceiveState {
  /** This (iss, jti) delivered before. */
  seen: { contentDigest: string; referralId: string | null; receipt: string } | undefined;
  /** The last message applied from this sender for this referral. */
  last: { seq: number; contentDigest: string } | undefined;
  referralExists: boolean;
  /** The id of this message's `message.received` audit event, drawn now: the receipt names it. */
  logIndex: number;
}

interface ReceiveStateRow {
  seen_content_digest: string | null;
  seen_referral_id: string | null;
  seen_receipt: string | null;
  last_seq: number | null;
  last_content_digest: string | null;
  referral_exists: boolean;
  log_index: string;
}

/**
 * The row of the one statement for the replay check, the order check, whether the referral exists,
 * and the audit event id. Prepared: on every message, planning it cost PostgreSQL three times what
 * running it did.
 */
function receiveState(row: ReceiveStateRow | undefined): ReceiveState {
  if (!row) throw new Error('receive state read returned no row');
  return {
    seen: row.seen_receipt === null ? undefined : { contentDigest: row.seen_content_digest!, referralId: row.seen_referral_id, receipt: row.seen_receipt },
    last: row.last_seq === null ? undefined : { seq: Number(row.last_seq), contentDigest: row.last_content_digest! },
    referralExists: row.referral_exists,
    logIndex: Number(row.log_index),
  };
}

const RECEIVE_LOCKS_SQL = 'select pg_advisory_xact_lock(hashtextextended($1, 0)), pg_advisory_xact_lock(hashtextextended($2, 0))';
const RECEIVE_LOCKS_NAME = statementName(RECEIVE_LOCKS_SQL);
const RECEIVE_STATE_SQL = `select s.content_digest as seen_content_digest, s.referral_id as seen_referral_id, s.receipt as seen_receipt,
            l.seq as last_seq, l.content_digest as last_content_digest,
            exists (select 1 from referrals r where r.id = $1::uuid) as referral_exists,
            ${NEXT_AUDIT_IDX_SQL} as log_index
       from (select 1) as one
       left join inbound_messages s on s.issuer = $2 and s.id = $3::uuid
       left join lateral (
         select i.seq, i.content_digest from inbound_messages i
          where i.issuer = $2 and i.referral_id = $1::uuid
          order by i.seq desc limit 1) as l on true`;
const RECEIVE_STATE_NAME = statementName(RECEIVE_STATE_SQL);

/** A message applies only right after the previous one from the same sender for that referral. */
function checkOrder(claims: MessageClaims, last: ReceiveState['last']): void {
  if (claims.type === 'ping') return;
  const expectedSeq = (last?.seq ?? 0) + 1;
  if (claims.seq !== expectedSeq || claims.prev !== (last?.contentDigest ?? null)) {
    throw new BridgeError(409, 'message_out_of_order', `expected seq ${expectedSeq} with the matching prev; retry after the earlier message`);
  }
}

/** Applies the message; a new referral's writes join `statement`, which the caller runs (other kinds run their own). */
async function apply(tx: Executor, ctx: NodeContext, claims: MessageClaims, now: Date, referralExists: boolean, statement: Statement): Promise<void> {
  switch (claims.type) {
    case 'ping':
      return;
    case 'referral.request': {
      const body = ReferralRequestBody.safeParse(claims.body);
      if (!body.success) throw new BridgeError(422, 'message_body_invalid', 'referral.request body does not match the contract');
      if (referralExists) throw new BridgeError(409, 'message_replay_conflict', 'a referral with this id already exists', undefined, { alert: true });
      const b = body.data;
      checkReceivedConsent(ctx, b, now);
      const created = newReferralRow({ id: claims.referralId, direction: 'inbound', peerNodeId: claims.iss, now }, b);
      // Delivery is the receiver's first status change, made (and told to its systems) like every
      // other one; the row is inserted with it already made, as one statement's writes cannot
      // update a row another of them inserts.
      statement.write(insertSql(referrals, [{ ...created, status: 'received' }]));
      addHistory(statement, { referralId: claims.referralId, status: 'requested', at: new Date(claims.iat * 1000), by: claims.iss });
      addEvent(statement, ctx, { type: 'referral.received', referralId: claims.referralId, direction: 'inbound', peer: claims.iss, status: 'received' });
      await changeStatus(tx, ctx, created, { status: 'received', by: ctx.config.nodeId, at: now }, { actor: 'system', messageId: claims.jti }, { statement, rowInserted: true });
      return;
    }
    case 'referral.withdraw': {
      const body = ReferralWithdrawBody.safeParse(claims.body);
      if (!body.success) throw new BridgeError(422, 'message_body_invalid', 'referral.withdraw body does not match the contract');
      return applyStatus(tx, ctx, claims, { status: 'cancelled', ...body.data }, new Date(claims.iat * 1000), now);
    }
    case 'referral.status': {
      const body = ReferralStatusBody.safeParse(claims.body);
      if (!body.success) throw new BridgeError(422, 'message_body_invalid', 'referral.status body does not match the contract');
      const { at, ...change } = body.data;
      return applyStatus(tx, ctx, claims, change, new Date(at), now);
    }
    case 'referral.disclose':
      return applyDisclose(tx, ctx, claims, now);
    case 'referral.info-request':
      return applyInfoRequest(tx, ctx, claims, now);
    case 'referral.info-response':
      return applyInfoResponse(tx, ctx, claims, now);
    case 'consent.revoke':
      return applyConsentRevoke(tx, ctx, claims, now);
    case 'erasure.confirm':
      return applyErasureConfirm(tx, ctx, claims, now);
    default:
      throw new BridgeError(422, 'message_body_invalid', `message type ${claims.type} is not supported by this node yet`);
  }
}

/**
 * A status change made by the peer, applied through the same lifecycle as a local one: the peer must be
 * a party to the referral (either direction) and the table must allow it to set this status from the
 * status it was made from; a change concurrent with one of this node's is resolved by `applyPeerChange`.
 */
async function applyStatus(
  tx: Executor,
  ctx: NodeContext,
  claims: MessageClaims,
  change: Pick<PeerStatusChange, 'status' | 'from' | 'reason' | 'note'>,
  claimedAt: Date,
  now: Date,
): Promise<void> {
  const [referral] = await tx.select().from(referrals).where(and(eq(referrals.id, claims.referralId), eq(referrals.peerNodeId, claims.iss))).for('update');
  if (!referral) throw new BridgeError(422, 'message_body_invalid', 'no referral shared with this peer has that id');
  if (referral.direction === 'outbound' && !(await requestReceiptRecorded(tx, referral.id))) {
    // The receiver's change overtook the receipt of our request, which records its `received`: the
    // change is judged once that is recorded (a retry, moments later), not refused for good now.
    throw new BridgeError(409, 'message_out_of_order', 'the receipt of the referral request is not recorded yet; retry');
  }
  const badReason = reasonRefusal(change.status, change.reason);
  if (badReason) throw new BridgeError(422, 'message_body_invalid', badReason);
  if (change.note !== undefined && !mayShareText(referral.services as ServiceCode[], referral.consent as Consent)) {
    throw new BridgeError(422, 'disclosure_not_allowed', 'discloses a note the profiles and consent do not cover');
  }
  // The peer's own time of the change, kept within what this node has seen: after the entry before it, not in the future.
  const at = (previousAt: Date | undefined) => new Date(Math.min(now.getTime(), Math.max(claimedAt.getTime(), previousAt?.getTime() ?? 0)));
  // An erased record keeps no text about the person: a note the peer wrote before it learned of the
  // erasure (or after a retention purge here) is not kept, and the change applies without it.
  const kept = referral.erasedAt === null ? change : { ...change, note: undefined };
  await applyPeerChange(tx, ctx, referral, { ...kept, by: claims.iss }, at, { actor: claims.iss, messageId: claims.jti });
}

/** Whether the receipt of our `referral.request` of this referral is recorded (its outbox message delivered). */
async function requestReceiptRecorded(tx: Executor, referralId: string): Promise<boolean> {
  const [request] = await tx
    .select({ status: outboxMessages.status })
    .from(outboxMessages)
    .where(and(eq(outboxMessages.referralId, referralId), ne(outboxMessages.status, 'discarded'), eq(outboxMessages.type, 'referral.request')))
    .limit(1);
  return request?.status === 'delivered';
}

/** The receiver applies the sender's rule again: nothing beyond profiles ∩ consent is stored. */
function checkReceivedConsent(ctx: NodeContext, body: ReferralRequestBody, now: Date): void {
  const { consent } = body;
  if (consent.recipient !== ctx.config.nodeId) throw new BridgeError(422, 'message_body_invalid', 'the consent record names another recipient');
  if (Date.parse(consent.validUntil) <= now.getTime()) throw new BridgeError(422, 'message_body_invalid', 'the consent record has expired');
  const uncovered = body.services.filter((s) => !consent.services.includes(s));
  if (uncovered.length > 0) throw new BridgeError(422, 'message_body_invalid', `the consent does not cover ${uncovered.join(', ')}`);
  const extra = overDisclosed(body.person, body.note, body.services, consent, 'request');
  if (extra.length > 0) throw new BridgeError(422, 'disclosure_not_allowed', `discloses fields outside the profiles and consent: ${extra.join(', ')}`);
}

/** The fault tests' "killed between its commit and its reply": committed, then gone without answering. */
function crashAfterCommitForFaultTests(ctx: NodeContext): void {
  const p = ctx.config.faults?.crashAfterCommitProbability;
  if (p !== undefined && Math.random() < p) process.kill(process.pid, 'SIGKILL');
}
