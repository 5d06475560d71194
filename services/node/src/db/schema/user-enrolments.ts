import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

/** A one-time enrolment link: only the SHA-256 of its token is stored; used once, within its hour. */
export const userEnrolments = pgTable(
  'user_enrolments',
  {
    id: uuid('id').primaryKey(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    tokenHash: text('token_hash').notNull().unique(),
    /** The TOTP secret offered by startTotpEnrolment, sealed (people/secrets.ts), until the enrolment completes. */
    pendingTotpSecret: text('pending_totp_secret'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    usedAt: timestamp('used_at', { withTimezone: true }),
  },
  (t) => [index('user_enrolments_user_idx').on(t.userId)],
);
