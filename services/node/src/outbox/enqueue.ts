import { and, asc, desc, eq, gt, ne, sql } from 'drizzle-orm';
import { contentDigest, type Digest } from '@bridge/crypto';
import { outboxMessages, referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { addAudit, appendAudit } from '../audit/append.ts';
import { insertSql, Statement } from '../db/statement.ts';
import { newId } from '../clock.ts';
import type { NodeContext } from '../context.ts';

export const OUTBOX_CHANNEL = 'bridge_outbox';
/** The NOTIFY payload names the queue that has work, so a commit wakes only its own dispatcher. */
export type NotifiedQueue = 'outbox' | 'webhooks';

/** The SELECT that wakes, on commit, the dispatchers of `queue` on every replica sharing the database. */
export const notifyText = (queue: NotifiedQueue) => `select pg_notify('${OUTBOX_CHANNEL}', '${queue}')`;

export interface NewMessage {
  peerNodeId: string;
  referralId: string;
  type: string;
  body: Record<string, unknown>;
  actor: string;
}

/** The signed content of a message minus its envelope claims: what `prev` chains and replays compare. */
export function messageContentDigest(m: { type: string; referralId: string; seq: number; prev: string | null; body: unknown }): Digest {
  return contentDigest({ type: m.type, referralId: m.referralId, seq: m.seq, prev: m.prev, body: m.body });
}

/**
 * Queues a message in the caller's transaction. `seq`/`prev` chain this node's messages of one
 * referral, so the receiver can apply them in order. `firstOfReferral`: the caller created the
 * referral in this same transaction, so no other message of it can exist (seq 1, no prev; the
 * unique (referral_id, seq) index would refuse a second seq 1 anyway). `statement`: the writes
 * join the caller's, which the caller runs; otherwise they run here, as one statement.
 */
export async function enqueueMessage(
  tx: Executor,
  ctx: NodeContext,
  message: NewMessage,
  options: { firstOfReferral?: boolean; statement?: Statement } = {},
): Promise<string> {
  const now = ctx.clock.now();
  let previous: { seq: number; contentDigest: string } | undefined;
  if (!options.firstOfReferral) {
    // Messages of one referral are numbered one at a time: lock the referral row first.
    await tx.select({ id: referrals.id }).from(referrals).where(eq(referrals.id, message.referralId)).for('update');
    [previous] = await tx
      .select({ seq: outboxMessages.seq, contentDigest: outboxMessages.contentDigest })
      .from(outboxMessages)
      // A discarded message was never applied by the peer: the chain continues from the one before it.
      .where(and(eq(outboxMessages.referralId, message.referralId), ne(outboxMessages.status, 'discarded')))
      .orderBy(desc(outboxMessages.seq))
      .limit(1);
  }
  const seq = (previous?.seq ?? 0) + 1;
  const prev = previous?.contentDigest ?? null;
  const id = newId();
  const digest = messageContentDigest({ ...message, seq, prev });
  const insert = insertSql(outboxMessages, [{
    id,
    peerNodeId: message.peerNodeId,
    referralId: message.referralId,
    type: message.type,
    seq,
    prev,
    body: message.body,
    contentDigest: digest,
    status: 'queued',
    nextAttemptAt: now,
    deadlineAt: new Date(now.getTime() + ctx.config.delivery.deadlineMs),
    createdAt: now,
  }]);
  // The row, its audit event and the wake-up of every replica's dispatcher (sent on commit).
  const statement = options.statement ?? new Statement();
  statement.write(insert);
  statement.output('outbox_notified', { text: notifyText('outbox'), params: [] });
  addAudit(statement, { type: 'message.queued', actor: message.actor, at: now, peerNodeId: message.peerNodeId, referralId: message.referralId, messageId: id, digest, detail: { messageType: message.type, seq } });
  if (!options.statement) await statement.run(tx);
  return id;
}

/** Wakes the outbox dispatchers of every replica sharing this database, on commit. */
export async function notifyOutbox(tx: Executor): Promise<void> {
  await tx.execute(sql.raw(notifyText('outbox')));
}

type OutboxRow = typeof outboxMessages.$inferSelect;

/**
 * Closes the gap a discarded message leaves in its referral's chain, in the caller's transaction
 * (which holds the referral's lock, as enqueueMessage takes it). The peer applies a referral's
 * messages only as seq n+1 whose `prev` is the content digest of the n it applied last; it never
 * applied the discarded one, so each later message takes the seq of the one before it, the first
 * chains from the discarded one's own `prev`, and each content digest is computed again. None of
 * them has left yet (they waited for the discarded one), so no copy with the old numbering exists.
 * Returns how many were renumbered.
 */
export async function resequenceAfter(tx: Executor, discarded: OutboxRow, actor: string, now: Date): Promise<number> {
  if (!discarded.referralId) return 0;
  const later = await tx
    .select()
    .from(outboxMessages)
    .where(and(eq(outboxMessages.referralId, discarded.referralId), gt(outboxMessages.seq, discarded.seq), ne(outboxMessages.status, 'discarded')))
    .orderBy(asc(outboxMessages.seq))
    .for('update');
  let seq = discarded.seq;
  let prev = discarded.prev;
  for (const m of later) {
    // Renumbered one at a time in ascending order: each seq it takes has just been freed.
    const digest = messageContentDigest({ type: m.type, referralId: discarded.referralId, seq, prev, body: m.body });
    await tx.update(outboxMessages).set({ seq, prev, contentDigest: digest }).where(eq(outboxMessages.id, m.id));
    await appendAudit(tx, { type: 'message.resequenced', actor, at: now, peerNodeId: m.peerNodeId, referralId: m.referralId, messageId: m.id, digest, detail: { seq, previousSeq: m.seq, discarded: discarded.id } });
    prev = digest;
    seq++;
  }
  return later.length;
}
