import { boolean, index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

/** A person's session: only the SHA-256 of the cookie's token is stored. */
export const userSessions = pgTable(
  'user_sessions',
  {
    id: uuid('id').primaryKey(),
    tokenHash: text('token_hash').notNull().unique(),
    userId: uuid('user_id')
      .notNull()
      .references(() => users.id),
    method: text('method').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    lastSeenAt: timestamp('last_seen_at', { withTimezone: true }).notNull(),
    /** Absolute end of the session, fixed at sign-in. */
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
    /** When a factor was last presented in this session (sign-in or step-up). */
    stepUpAt: timestamp('step_up_at', { withTimezone: true }),
    /** The person's roles changed: the next request with this session gets a new token. */
    rotatePending: boolean('rotate_pending').notNull().default(false),
  },
  (t) => [index('user_sessions_user_idx').on(t.userId, t.createdAt)],
);
