import { asc, inArray } from 'drizzle-orm';
import type { Referral, Urgency } from '@bridge/contract';
import { referralStatusHistory, type referrals } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';

type ReferralRow = typeof referrals.$inferSelect;
type HistoryRow = typeof referralStatusHistory.$inferSelect;

/** Statuses that still wait for the receiver's answer: past the response deadline, they are overdue. */
export const AWAITING_ANSWER = ['requested', 'received'] as const;

/** What the deadline fields are computed from: the node's clock and its deadline per urgency. */
export interface DeadlineView {
  now: Date;
  deadlines: Record<Urgency, number>;
}

/** The one place rows become the contract's Referral. */
export function toReferral(row: ReferralRow, history: Array<Pick<HistoryRow, 'status' | 'at' | 'by' | 'reason' | 'note'>>, view: DeadlineView): Referral {
  const responseDueAt = new Date(row.createdAt.getTime() + view.deadlines[row.urgency as Urgency]);
  const overdue = (AWAITING_ANSWER as readonly string[]).includes(row.status) && view.now.getTime() > responseDueAt.getTime();
  return {
    id: row.id,
    direction: row.direction,
    peer: row.peerNodeId,
    status: row.status as Referral['status'],
    services: row.services as Referral['services'],
    urgency: row.urgency as Referral['urgency'],
    personCategory: row.personCategory as Referral['personCategory'],
    phase: row.phase as Referral['phase'],
    risk: row.risk as Referral['risk'],
    person: row.person as Referral['person'],
    consent: row.consent as Referral['consent'],
    ...(row.note === null ? {} : { note: row.note }),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    responseDueAt: responseDueAt.toISOString(),
    overdue,
    history: history.map((h) => ({
      status: h.status as Referral['status'],
      at: h.at.toISOString(),
      by: h.by,
      ...(h.reason === null ? {} : { reason: h.reason }),
      ...(h.note === null ? {} : { note: h.note }),
    })),
    ...(row.consentRevokedAt === null ? {} : { consentRevokedAt: row.consentRevokedAt.toISOString() }),
    ...(row.erasedAt === null ? {} : { erasedAt: row.erasedAt.toISOString() }),
    ...(row.erasureConfirmedAt === null ? {} : { erasureConfirmedAt: row.erasureConfirmedAt.toISOString() }),
  };
}

export async function historiesFor(tx: Executor, ids: string[]): Promise<Map<string, HistoryRow[]>> {
  const byId = new Map<string, HistoryRow[]>(ids.map((id) => [id, []]));
  if (ids.length === 0) return byId;
  const rows = await tx
    .select()
    .from(referralStatusHistory)
    .where(inArray(referralStatusHistory.referralId, ids))
    .orderBy(asc(referralStatusHistory.id));
  for (const row of rows) byId.get(row.referralId)!.push(row);
  return byId;
}
