import { desc, eq, sql } from 'drizzle-orm';
import { contentDigest, type Digest } from '@bridge/crypto';
import { outboxMessages, referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { addAudit } from '../audit/append.ts';
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
      .where(eq(outboxMessages.referralId, message.referralId))
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
