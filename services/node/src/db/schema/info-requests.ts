import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { referrals } from './referrals.ts';

/**
 * A question either node asked about a referral, and its answer. The id is shared by both nodes (it
 * travels in the messages). Question and answer are free text about the person: erased with her data.
 */
export const infoRequests = pgTable(
  'info_requests',
  {
    id: uuid('id').primaryKey(),
    referralId: uuid('referral_id')
      .notNull()
      .references(() => referrals.id),
    askedBy: text('asked_by').notNull(),
    askedAt: timestamp('asked_at', { withTimezone: true }).notNull(),
    question: text('question'),
    answeredBy: text('answered_by'),
    answeredAt: timestamp('answered_at', { withTimezone: true }),
    answer: text('answer'),
  },
  (t) => [index('info_requests_referral_idx').on(t.referralId, t.askedAt)],
);
