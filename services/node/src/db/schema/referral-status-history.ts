import { bigserial, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { referrals } from './referrals.ts';

export const referralStatusHistory = pgTable(
  'referral_status_history',
  {
    id: bigserial('id', { mode: 'number' }).primaryKey(),
    referralId: uuid('referral_id')
      .notNull()
      .references(() => referrals.id),
    status: text('status').notNull(),
    at: timestamp('at', { withTimezone: true }).notNull(),
    by: text('by').notNull(),
    reason: text('reason'),
    note: text('note'),
  },
  (t) => [index('referral_status_history_referral_idx').on(t.referralId, t.id)],
);
