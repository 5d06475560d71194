import { sql } from 'drizzle-orm';
import { bigint, customType, index, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { referrals } from './referrals.ts';

/** PostgreSQL's 64-bit transaction id, read as a decimal string (it outgrows a JS number's safe range in theory). */
const xid8 = customType<{ data: string; driverData: string }>({ dataType: () => 'xid8' });

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
}

/**
 * What changed, for the organisation's own systems (the `/v1/events` feed and webhooks), written in
 * the same transaction as the change. `xid` is the writing transaction's id: the feed serves a row
 * only once every transaction that could still commit a smaller one has ended (see events/feed.ts).
 */
export const events = pgTable(
  'events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    xid: xid8('xid')
      .notNull()
      .default(sql`pg_current_xact_id()`),
    eventId: uuid('event_id').notNull(),
    type: text('type').notNull(),
    referralId: uuid('referral_id')
      .notNull()
      .references(() => referrals.id),
    occurredAt: timestamp('occurred_at', { withTimezone: true }).notNull(),
    data: jsonb('data').$type<EventData>().notNull(),
  },
  (t) => [index('events_feed_idx').on(t.xid, t.id), uniqueIndex('events_event_id_idx').on(t.eventId), index('events_referral_idx').on(t.referralId)],
);
