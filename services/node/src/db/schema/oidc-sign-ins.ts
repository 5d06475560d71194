import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import { users } from './users.ts';

/**
 * A sign-in with the organisation's OpenID provider in progress. The browser holds only a random token
 * in a short-lived cookie; the row is found by its hash and holds the state, nonce and PKCE verifier.
 * Deleted when the callback is used (each attempt counts once); 10 minutes at most.
 */
export const oidcSignIns = pgTable(
  'oidc_sign_ins',
  {
    id: uuid('id').primaryKey(),
    bindingHash: text('binding_hash').notNull().unique(),
    state: text('state').notNull(),
    nonce: text('nonce').notNull(),
    codeVerifier: text('code_verifier').notNull(),
    /** Set when the provider's token showed no second factor: the person still owes a local one. */
    userId: uuid('user_id').references(() => users.id, { onDelete: 'cascade' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    expiresAt: timestamp('expires_at', { withTimezone: true }).notNull(),
  },
  (t) => [index('oidc_sign_ins_expires_idx').on(t.expiresAt)],
);
