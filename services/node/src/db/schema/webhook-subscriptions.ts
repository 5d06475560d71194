import { index, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * Where the node pushes events. The secret it signs with is stored sealed (packages/crypto
 * sealWebhookSecret): shown once at creation, never logged, never returned again.
 */
export const webhookSubscriptions = pgTable(
  'webhook_subscriptions',
  {
    id: uuid('id').primaryKey(),
    url: text('url').notNull(),
    /** Event types delivered; null means every type, including ones added later. */
    eventTypes: text('event_types').array(),
    sealedSecret: text('sealed_secret').notNull(),
    createdBy: text('created_by').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    /** Deleted subscriptions stay, so their deliveries keep their history; nothing new is queued. */
    deletedAt: timestamp('deleted_at', { withTimezone: true }),
  },
  (t) => [index('webhook_subscriptions_active_idx').on(t.deletedAt)],
);
