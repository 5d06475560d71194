import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { ListReferralsQuery, Referral, ReferralList } from '@bridge/contract';
import { referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { afterCursor, encodeCursor } from '../http/cursor.ts';
import { historiesFor, toReferral } from './view.ts';
import { appendAuditMany } from '../audit/append.ts';
import type { Database } from '../db/client.ts';

/**
 * Reads of personal data are audit events (ids only), written in the reading transaction: if the
 * event cannot be written, nothing is read.
 */
export async function readReferral(db: Database, id: string, actor: string, now: Date): Promise<Referral> {
  return db.transaction(async (tx) => {
    const referral = await getReferral(tx, id);
    await appendAuditMany(tx, [{ type: 'referral.read', actor, at: now, peerNodeId: referral.peer, referralId: id, detail: { operation: 'getReferral' } }]);
    return referral;
  });
}

export async function readReferrals(db: Database, query: ListReferralsQuery, actor: string, now: Date): Promise<ReferralList> {
  return db.transaction(async (tx) => {
    const list = await listReferrals(tx, query);
    await appendAuditMany(
      tx,
      list.items.map((r) => ({ type: 'referral.read' as const, actor, at: now, peerNodeId: r.peer, referralId: r.id, detail: { operation: 'listReferrals' } })),
    );
    return list;
  });
}

export async function getReferral(tx: Executor, id: string): Promise<Referral> {
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, id));
  if (!row) throw notFound('referral');
  return toReferral(row, (await historiesFor(tx, [id])).get(id)!);
}

/** Newest first, keyset-paged on (created_at, id) so pages stay stable while referrals arrive. */
export async function listReferrals(tx: Executor, query: ListReferralsQuery): Promise<ReferralList> {
  const filters: SQL[] = [];
  if (query.direction) filters.push(eq(referrals.direction, query.direction));
  if (query.status) filters.push(eq(referrals.status, query.status));
  if (query.cursor) filters.push(afterCursor(query.cursor, referrals.createdAt, referrals.id));
  const rows = await tx
    .select()
    .from(referrals)
    .where(and(...filters))
    .orderBy(desc(referrals.createdAt), desc(referrals.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const histories = await historiesFor(tx, page.map((r) => r.id));
  const last = page.at(-1);
  return {
    items: page.map((r) => toReferral(r, histories.get(r.id)!)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}
