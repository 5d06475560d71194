import { pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/** An integration or admin client; its token's `jti` is this id, so revoking the row revokes the token. */
export const apiClients = pgTable('api_clients', {
  id: uuid('id').primaryKey(),
  name: text('name').notNull(),
  scopes: text('scopes').array().notNull(),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  revokedAt: timestamp('revoked_at', { withTimezone: true }),
});
