import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { ListReferralsQuery, Referral, ReferralList } from '@bridge/contract';
import { referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { notFound } from '../errors.ts';
import { afterCursor, encodeCursor } from '../http/cursor.ts';
import { historiesFor, toReferral } from './view.ts';

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
