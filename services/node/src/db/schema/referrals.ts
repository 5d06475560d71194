import { sql } from 'drizzle-orm';
import { index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { peers } from './peers.ts';

export type Direction = 'inbound' | 'outbound';

/**
 * One referral as this node sees it. For outbound referrals `person` is the organisation's own
 * record; for inbound ones it is exactly what the peer disclosed.
 */
export const referrals = pgTable(
  'referrals',
  {
    id: uuid('id').primaryKey(),
    direction: text('direction').$type<Direction>().notNull(),
    peerNodeId: text('peer_node_id')
      .notNull()
      .references(() => peers.nodeId),
    status: text('status').notNull(),
    services: text('services').array().notNull(),
    urgency: text('urgency').notNull(),
    personCategory: text('person_category').notNull(),
    phase: text('phase').notNull(),
    risk: jsonb('risk').$type<Record<string, unknown>>().notNull(),
    person: jsonb('person').$type<Record<string, unknown>>().notNull(),
    consent: jsonb('consent').$type<Record<string, unknown>>().notNull(),
    note: text('note'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
    /** Outbound: when the person's revocation of consent was recorded (then `consent.revoke` was queued). */
    consentRevokedAt: timestamp('consent_revoked_at', { withTimezone: true }),
    /** When this node erased the person's data of this referral, and why (a code). */
    erasedAt: timestamp('erased_at', { withTimezone: true }),
    erasureReason: text('erasure_reason'),
    /** Outbound: when the peer's signed `erasure.confirm` arrived. */
    erasureConfirmedAt: timestamp('erasure_confirmed_at', { withTimezone: true }),
    /** When this node recorded the `referral.overdue` event (its response deadline passed unanswered); once per referral. */
    overdueFlaggedAt: timestamp('overdue_flagged_at', { withTimezone: true }),
  },
  (t) => [
    index('referrals_peer_idx').on(t.peerNodeId),
    index('referrals_list_idx').on(t.direction, t.createdAt, t.id),
    // What the overdue job scans every minute: referrals still awaiting an answer and not yet flagged.
    index('referrals_awaiting_answer_idx')
      .on(t.createdAt)
      .where(sql`${t.overdueFlaggedAt} is null and ${t.status} in ('requested', 'received')`),
  ],
);
