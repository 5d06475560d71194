import { jsonb, pgTable, text, timestamp } from 'drizzle-orm/pg-core';
import type { PublicJwk } from '@bridge/crypto';

export type PeerStatus = 'pending' | 'active' | 'suspended' | 'revoked';

/** A node this node has onboarded, with the keys pinned at onboarding. */
export const peers = pgTable('peers', {
  nodeId: text('node_id').primaryKey(),
  name: text('name').notNull(),
  jurisdiction: text('jurisdiction').notNull(),
  baseUrl: text('base_url').notNull(),
  jwksUrl: text('jwks_url').notNull(),
  messagesUrl: text('messages_url').notNull(),
  jwks: jsonb('jwks').$type<PublicJwk[]>().notNull(),
  fingerprint: text('fingerprint').notNull(),
  /** SHA-256 (hex) of the TLS certificates pinned at onboarding: the only ones accepted from this peer, either way. */
  tlsCertificates: jsonb('tls_certificates').$type<string[]>().notNull().default([]),
  status: text('status').$type<PeerStatus>().notNull(),
  /** Last re-fetch of the JWKS from `jwks_url`; refreshes are rate-limited by it. */
  jwksRefreshedAt: timestamp('jwks_refreshed_at', { withTimezone: true }),
  createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull(),
});
