import { sql } from 'drizzle-orm';
import { bigint, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { referrals } from './referrals.ts';

/** Codes and ids only: what the client needs to decide to GET the referral. Never personal data. */
export interface EventData {
  direction: 'inbound' | 'outbound';
  peer: string;
  status: string;
  previousStatus?: string;
  reason?: string;
  messageId?: string;
  messageType?: string;
  error?: string;
  fields?: string[];
  questionId?: string;
}

/**
 * What changed, for the organisation's own systems (the `/v1/events` feed and webhooks), written in
 * the same transaction as the change. `seq` is the feed position, given after commit by the
 * sequencer (events/feed.ts), so it follows commit order, unlike `id`.
 */
export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    /** Null until the sequencer has seen the row committed. */
    seq: bigint('seq', { mode: 'number' }),
    eventId: uuid('event_id').notNull(),
    type: text('type').notNull(),
    referralId: uuid('referral_id')
      .notNull()
      .references(() => referrals.id),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    data: jsonb('data').$type<EventData>().notNull(),
  },
  (t) => [
    uniqueIndex('events_seq_idx').on(t.seq),
    index('events_unsequenced_idx')
      .on(t.id)
      .where(sql`${t.seq} is null`),
    uniqueIndex('events_event_id_idx').on(t.eventId),
    index('events_referral_idx').on(t.referralId),
  ],
);
