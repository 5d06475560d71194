import { bigint, integer, pgTable, primaryKey, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { peers } from './peers.ts';
import { referrals } from './referrals.ts';

/** A delivered message, keyed by (iss, jti) so a replay finds its original receipt. */
export const inboundMessages = pgTable(
  'inbound_messages',
  {
    issuer: text('issuer')
      .notNull()
      .references(() => peers.nodeId),
    id: uuid('id').notNull(),
    referralId: uuid('referral_id').references(() => referrals.id),
    type: text('type').notNull(),
    seq: integer('seq').notNull(),
    contentDigest: text('content_digest').notNull(),
    receivedDigest: text('received_digest').notNull(),
    receipt: text('receipt').notNull(),
    logIndex: bigint('log_index', { mode: 'number' }).notNull(),
    receivedAt: timestamp('received_at', { withTimezone: true }).notNull(),
  },
  // One message per (sender, referral, seq): a second one can never be applied.
  (t) => [primaryKey({ columns: [t.issuer, t.id] }), uniqueIndex('inbound_messages_referral_seq_idx').on(t.referralId, t.issuer, t.seq)],
);
