import { and, eq, sql } from 'drizzle-orm';
import type { ReceiptClaims } from '@bridge/crypto';
import type { MessageType, ReferralStatus } from '@bridge/contract';
import { referrals, referralStatusHistory, type outboxMessages } from '../db/schema/index.ts';
import type { Executor, PipelinedTransaction } from '../db/client.ts';
import { applyPeerChange, changeStatus, transitionRefusal } from '../referrals/lifecycle.ts';
import { addEvent, recordEvent } from '../events/record.ts';
import { addAudit } from '../audit/append.ts';
import { mapRows, selectList, sqlQuery, Statement, statementName } from '../db/statement.ts';
import type { VerifiedDelivery } from './recorder.ts';
import { emptyMessageBody } from '../consent/erasure.ts';
import type { NodeContext } from '../context.ts';

type OutboxRow = typeof outboxMessages.$inferSelect;
type ReferralRow = typeof referrals.$inferSelect;

/**
 * What a verified receipt changes on the sending side, in the transaction that records it: its
 * writes join `statement` (the caller runs it); `referral` is the message's referral, locked.
 */
async function applyDelivered(tx: Executor, ctx: NodeContext, message: OutboxRow, receipt: ReceiptClaims, referral: ReferralRow | undefined, statement: Statement): Promise<void> {
  if (!referral) return;
  // Erased while this message was on its way: its body goes now, as the erasure's did for those delivered before.
  if (referral.erasedAt !== null) await emptyMessageBody(tx, message.id);
  // Already moved on (withdrawn before delivery): the receipt changes no status.
  if (message.type === 'referral.request') {
    // iat has whole seconds: never let `received` sort before the `requested` it follows.
    const at = new Date(Math.max(receipt.iat * 1000, message.createdAt.getTime()));
    if (!transitionRefusal(referral.status as ReferralStatus, 'received', 'receiver')) {
      await changeStatus(tx, ctx, referral, { status: 'received', by: receipt.iss, at }, { actor: receipt.iss, messageId: message.id }, { statement });
    } else if (!(await hasEntryBy(tx, referral.id, receipt.iss))) {
      // Withdrawn (or entered in error) before delivery: the peer's `received` was concurrent with it,
      // and is recorded before it, as the peer records it (lifecycle.ts applyPeerChange).
      await applyPeerChange(tx, ctx, referral, { status: 'received', from: 'requested', by: receipt.iss }, () => at, { actor: receipt.iss, messageId: message.id });
    }
  }
  addEvent(statement, ctx, { type: 'referral.message_delivered', referralId: referral.id, direction: referral.direction as 'inbound' | 'outbound', peer: message.peerNodeId, status: referral.status, messageId: message.id, messageType: message.type as MessageType });
}

/**
 * A message of a referral was given up, after its deadline or (`final`) at once because the peer
 * refused it for good: its organisation is told, in the same transaction. The refused one is an
 * alert of its own type: the later messages of the referral wait until an operator resends or
 * discards it.
 */
export async function applyDead(tx: Executor, ctx: NodeContext, message: OutboxRow, error: string, final = false): Promise<void> {
  if (!message.referralId) return;
  const referral = await referralState(tx, message.referralId);
  if (referral.erasedAt !== null) await emptyMessageBody(tx, message.id);
  await recordEvent(tx, ctx, { type: final ? 'referral.message_refused' : 'referral.message_dead', referralId: message.referralId, direction: referral.direction, peer: message.peerNodeId, status: referral.status, messageId: message.id, messageType: message.type as MessageType, error: error.slice(0, 200) });
}

async function referralState(tx: Executor, id: string) {
  const [row] = await tx.select({ direction: referrals.direction, status: referrals.status, erasedAt: referrals.erasedAt }).from(referrals).where(eq(referrals.id, id));
  return row!;
}

async function hasEntryBy(tx: Executor, referralId: string, by: string): Promise<boolean> {
  const [row] = await tx.select({ id: referralStatusHistory.id }).from(referralStatusHistory).where(and(eq(referralStatusHistory.referralId, referralId), eq(referralStatusHistory.by, by))).limit(1);
  return row !== undefined;
}

/**
 * Marks verified messages delivered and applies what each receipt changes on the sending side, in
 * the caller's transaction (one per group of receipts, see DeliveryRecorder): one statement marks
 * the whole group delivered, one locks their referrals, and one more writes each message's
 * `message.delivered` audit event and its effects (a delivered `referral.request` moves its
 * referral to `received` through the lifecycle). Returns the ids of the messages just recorded
 * that a later message of the same referral waits for.
 */
export async function recordDelivered(t: PipelinedTransaction, ctx: NodeContext, deliveries: VerifiedDelivery[]): Promise<Set<string>> {
  if (deliveries.length === 0) return new Set();
  const { tx } = t;
  const values = sql.join(
    deliveries.map((d) => sql`(${d.row.id}::uuid, ${d.receipt}::text, ${d.claims.logIndex}::bigint, ${d.at.toISOString()}::timestamptz)`),
    sql`, `,
  );
  const mark = sqlQuery(tx, sql`
    with v(id, receipt, log_index, delivered_at) as (values ${values})
    update outbox_messages o
       set status = 'delivered', receipt = v.receipt, receipt_log_index = v.log_index,
           delivered_at = v.delivered_at, lease_until = null, last_error = null
      from v
     where o.id = v.id and o.status <> 'delivered'
    returning o.id, exists (select 1 from outbox_messages n where n.referral_id = o.referral_id and n.seq > o.seq and n.status <> 'discarded') as has_successor`);
  // Locked in id order, so two recorders never wait on each other in a cycle; all the group's
  // referrals, so the lock goes out with BEGIN and the marking in one round trip (a referral whose
  // message another replica recorded first is locked for nothing, and changed by nothing).
  const referralIds = [...new Set(deliveries.flatMap((d) => (d.row.referralId ? [d.row.referralId] : [])))].sort();
  const [marked, locked] = await t.send([mark, { name: LOCK_REFERRALS_NAME, text: LOCK_REFERRALS_SQL, values: [referralIds] }]);
  // Another replica may have recorded the same receipt first: only rows updated here count.
  const result = marked as Array<{ id: string; has_successor: boolean }>;
  const updated = new Set(result.map((r) => r.id));
  const recorded = deliveries.filter((d) => updated.has(d.row.id));
  const byId = new Map(mapRows<ReferralRow>(referrals, locked!).map((r) => [r.id, r]));
  let statement = new Statement();
  const inStatement = new Set<string>();
  // One delivery's statement has a fixed shape (per branch); a group's varies with its size.
  const prepare = recorded.length === 1;
  for (const d of recorded) {
    // Two writes of one statement must not touch one referral row: a second message of the same
    // referral (not due before the first is delivered, so only on a replayed receipt) waits for the next.
    if (d.row.referralId && inStatement.has(d.row.referralId)) {
      await statement.run(tx, { prepare });
      statement = new Statement();
      inStatement.clear();
    }
    addAudit(statement, { type: 'message.delivered', actor: 'system', at: d.at, peerNodeId: d.peerNodeId, referralId: d.row.referralId, messageId: d.row.id, digest: d.claims.digest, detail: { receiptLogIndex: d.claims.logIndex } });
    if (d.row.referralId) {
      inStatement.add(d.row.referralId);
      await applyDelivered(tx, ctx, d.row, d.claims, byId.get(d.row.referralId), statement);
    }
  }
  // The last writes go out with the COMMIT.
  const last = statement.query(tx, { prepare });
  if (last) await t.send([last], { commit: true });
  return new Set(result.filter((r) => r.has_successor).map((r) => r.id));
}

const LOCK_REFERRALS_SQL = `select ${selectList(referrals)} from referrals where id = any($1::uuid[]) order by id for update`;
const LOCK_REFERRALS_NAME = statementName(LOCK_REFERRALS_SQL);
