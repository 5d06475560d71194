import { integer, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Failed-factor counters shared by every replica: one row per account (keyed by a hash of the
 * username, so unknown names are throttled exactly like known ones) and one per client address.
 */
export const authThrottles = pgTable('auth_throttles', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  lockedUntil: timestamp('locked_until', { withTimezone: true }),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
