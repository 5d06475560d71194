import { bigint, index, jsonb, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Append-only record of what happened, written in the same transaction as the change. Ids, types,
 * actors, peers and digests only: never personal data.
 */
export const auditEvents = pgTable(
  'audit_events',
  {
    idx: bigint('idx', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity({ startWith: 0, minValue: 0 }),
    at: timestamp('at', { withTimezone: true }).notNull(),
    type: text('type').notNull(),
    actor: text('actor').notNull(),
    peerNodeId: text('peer_node_id'),
    referralId: uuid('referral_id'),
    messageId: uuid('message_id'),
    digest: text('digest'),
    detail: jsonb('detail').$type<Record<string, string | number | boolean | null>>(),
  },
  (t) => [index('audit_events_referral_idx').on(t.referralId), index('audit_events_at_idx').on(t.at)],
);
