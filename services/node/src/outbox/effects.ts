import { sql } from 'drizzle-orm';
import type { ReceiptClaims } from '@bridge/crypto';
import type { outboxMessages } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import type { NodeContext } from '../context.ts';
import { errorSummary } from '../log-safe.ts';

/** A message whose receipt has verified, to be recorded as delivered. */
export interface VerifiedDelivery {
  row: typeof outboxMessages.$inferSelect;
  peerNodeId: string;
  receipt: string;
  claims: ReceiptClaims;
  at: Date;
}

/** At most this many deliveries share one transaction. */
const MAX_GROUP = 64;

/**
 * Records verified receipts. Deliveries that complete while a group is being committed wait and
 * are committed together in the next transaction (group commit): nothing waits when the node is
 * quiet, and under load one transaction carries many. `record` resolves once its delivery is
 * committed; when a group fails, its deliveries are retried one transaction each, so one bad row
 * cannot hold back the others (an uncommitted delivery stays `sending` and is retried after its
 * lease, the peer answering with its original receipt).
 */
export class DeliveryRecorder {
  private pending: Array<{ delivery: VerifiedDelivery; resolve: (hasSuccessor: boolean) => void; reject: (err: unknown) => void }> = [];
  private flushing = false;

  constructor(private readonly ctx: NodeContext) {}

  /** Resolves once committed: true when a later message of the same referral waits in the outbox. */
  record(delivery: VerifiedDelivery): Promise<boolean> {
    return new Promise((resolve, reject) => {
      this.pending.push({ delivery, resolve, reject });
      if (!this.flushing) void this.flush();
    });
  }

  private async flush(): Promise<void> {
    this.flushing = true;
    try {
      while (this.pending.length > 0) {
        const group = this.pending.splice(0, MAX_GROUP);
        try {
          const successors = await this.ctx.db.transaction((tx) => recordDelivered(tx, this.ctx, group.map((g) => g.delivery)));
          for (const g of group) g.resolve(successors.has(g.delivery.row.id));
        } catch (err) {
          if (group.length === 1) {
            group[0]!.reject(err);
            continue;
          }
          this.ctx.logger.warn({ ...errorSummary(err), deliveries: group.length }, 'recording a group of deliveries failed; recording them one by one');
          for (const g of group) {
            await this.ctx.db.transaction((tx) => recordDelivered(tx, this.ctx, [g.delivery])).then((successors) => g.resolve(successors.size > 0), g.reject);
          }
        }
      }
    } finally {
      this.flushing = false;
    }
  }
}

/**
 * Marks verified messages delivered and applies what a receipt changes on the sending side, in
 * the caller's transaction: a delivered `referral.request` moves its referral from `requested` to
 * `received`. One statement does the updates and the history rows; the audit events follow, each
 * message's `message.delivered` before its `referral.status`. Returns the ids of the messages just
 * recorded that a later message of the same referral waits for.
 */
export async function recordDelivered(tx: Executor, ctx: NodeContext, deliveries: VerifiedDelivery[]): Promise<Set<string>> {
  if (deliveries.length === 0) return new Set();
  const now = ctx.clock.now();
  const values = sql.join(
    deliveries.map(
      (d) =>
        // iat has whole seconds: `received` never sorts before the `requested` it follows (greatest below).
        sql`(${d.row.id}::uuid, ${d.receipt}::text, ${d.claims.logIndex}::bigint, ${d.at.toISOString()}::timestamptz, ${new Date(d.claims.iat * 1000).toISOString()}::timestamptz, ${d.claims.iss}::text)`,
    ),
    sql`, `,
  );
  const result = await tx.execute<{ id: string; received: boolean; has_successor: boolean }>(sql`
    with v(id, receipt, log_index, delivered_at, receipt_iat, receipt_iss) as (values ${values}),
    d as (
      update outbox_messages o
         set status = 'delivered', receipt = v.receipt, receipt_log_index = v.log_index,
             delivered_at = v.delivered_at, lease_until = null, last_error = null
        from v
       where o.id = v.id and o.status <> 'delivered'
      returning o.id, o.type, o.referral_id, o.created_at, v.receipt_iat, v.receipt_iss,
                exists (select 1 from outbox_messages n where n.referral_id = o.referral_id and n.seq > o.seq) as has_successor),
    r as (
      update referrals
         set status = 'received', updated_at = ${now.toISOString()}::timestamptz
        from d
       where d.type = 'referral.request' and referrals.id = d.referral_id and referrals.status = 'requested'
      returning referrals.id, greatest(d.receipt_iat, d.created_at) as at, d.receipt_iss as by),
    h as (
      insert into referral_status_history (referral_id, status, at, by)
      select r.id, 'received', r.at, r.by from r
      returning referral_id)
    select d.id, d.has_successor, exists (select 1 from h where h.referral_id = d.referral_id) as received from d`);
  // Another replica may have recorded the same receipt first: only rows updated here count.
  const updated = new Map(result.rows.map((r) => [r.id, r.received]));
  for (const d of deliveries) {
    if (!updated.has(d.row.id)) continue;
    await appendAudit(tx, { type: 'message.delivered', actor: 'system', at: d.at, peerNodeId: d.peerNodeId, referralId: d.row.referralId, messageId: d.row.id, digest: d.claims.digest, detail: { receiptLogIndex: d.claims.logIndex } });
    if (updated.get(d.row.id)) {
      await appendAudit(tx, { type: 'referral.status', actor: d.claims.iss, at: now, peerNodeId: d.claims.iss, referralId: d.row.referralId, messageId: d.row.id, detail: { status: 'received' } });
    }
  }
  return new Set(result.rows.filter((r) => r.has_successor).map((r) => r.id));
}
