import { and, desc, eq, lt, or, type SQL } from 'drizzle-orm';
import type { ListReferralsQuery, Referral, ReferralList } from '@bridge/contract';
import { referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { BridgeError, notFound } from '../errors.ts';
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
  if (query.cursor) {
    const { createdAt, id } = decodeCursor(query.cursor);
    filters.push(or(lt(referrals.createdAt, createdAt), and(eq(referrals.createdAt, createdAt), lt(referrals.id, id)))!);
  }
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

function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

function decodeCursor(cursor: string): { createdAt: Date; id: string } {
  try {
    const [at, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    const createdAt = new Date(at);
    if (Number.isNaN(createdAt.getTime()) || !/^[0-9a-f-]{36}$/.test(id)) throw new Error('bad cursor');
    return { createdAt, id };
  } catch {
    throw new BridgeError(400, 'validation_failed', 'cursor is not one this node issued');
  }
}
