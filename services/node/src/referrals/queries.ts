import { and, desc, eq, inArray, lt, not, or, type SQL } from 'drizzle-orm';
import type { ListReferralsQuery, Referral, ReferralList, Urgency } from '@bridge/contract';
import { referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { responseDeadlines } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { notFound } from '../errors.ts';
import { afterCursor, encodeCursor } from '../http/cursor.ts';
import { AWAITING_ANSWER, historiesFor, toReferral, type DeadlineView } from './view.ts';
import { appendAuditMany } from '../audit/append.ts';

/**
 * Reads of personal data are audit events (ids only), written in the reading transaction: if the
 * event cannot be written, nothing is read.
 */
export async function readReferral(ctx: NodeContext, id: string, actor: string): Promise<Referral> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const referral = await getReferral(tx, ctx, id);
    await appendAuditMany(tx, [{ type: 'referral.read', actor, at: now, peerNodeId: referral.peer, referralId: id, detail: { operation: 'getReferral' } }]);
    return referral;
  });
}

export async function readReferrals(ctx: NodeContext, query: ListReferralsQuery, actor: string): Promise<ReferralList> {
  const now = ctx.clock.now();
  return ctx.db.transaction(async (tx) => {
    const list = await listReferrals(tx, ctx, query);
    await appendAuditMany(
      tx,
      list.items.map((r) => ({ type: 'referral.read' as const, actor, at: now, peerNodeId: r.peer, referralId: r.id, detail: { operation: 'listReferrals' } })),
    );
    return list;
  });
}

export const deadlineView = (ctx: NodeContext): DeadlineView => ({ now: ctx.clock.now(), deadlines: responseDeadlines(ctx.config) });

export async function getReferral(tx: Executor, ctx: NodeContext, id: string): Promise<Referral> {
  const [row] = await tx.select().from(referrals).where(eq(referrals.id, id));
  if (!row) throw notFound('referral');
  return toReferral(row, (await historiesFor(tx, [id])).get(id)!, deadlineView(ctx));
}

/** Newest first, keyset-paged on (created_at, id) so pages stay stable while referrals arrive. */
export async function listReferrals(tx: Executor, ctx: NodeContext, query: ListReferralsQuery): Promise<ReferralList> {
  const view = deadlineView(ctx);
  const filters: SQL[] = [];
  if (query.direction) filters.push(eq(referrals.direction, query.direction));
  if (query.status) filters.push(eq(referrals.status, query.status));
  if (query.overdue !== undefined) filters.push(query.overdue ? overdueAt(view) : not(overdueAt(view)));
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
    items: page.map((r) => toReferral(r, histories.get(r.id)!, view)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

/** The SQL twin of `overdue` in toReferral: still awaiting an answer, created longer ago than its deadline. */
export function overdueAt(view: DeadlineView): SQL {
  const pastDeadline = (Object.entries(view.deadlines) as [Urgency, number][]).map(
    ([urgency, ms]) => and(eq(referrals.urgency, urgency), lt(referrals.createdAt, new Date(view.now.getTime() - ms)))!,
  );
  return and(inArray(referrals.status, [...AWAITING_ANSWER]), or(...pastDeadline))!;
}
