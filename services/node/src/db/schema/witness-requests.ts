import { index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * The `jti` of every witness request this node answered, kept until the request could no longer
 * pass its age check, so a captured request cannot be played again within its window.
 */
export const witnessRequests = pgTable(
  'witness_requests',
  {
    issuer: text('issuer').notNull(),
    jti: text('jti').notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.issuer, t.jti] }), index('witness_requests_expires_idx').on(t.expiresAt)],
);
