import { bigint, index, integer, pgTable, text, timestamp, uuid } from 'drizzle-orm/pg-core';
import type { OutboxStatus } from './outbox-messages.ts';
import { events } from './events.ts';
import { webhookSubscriptions } from './webhook-subscriptions.ts';

/**
 * One event to one subscription, written in the event's transaction and delivered like an outbox
 * message: claimed with SKIP LOCKED under a lease, retried with capped backoff, dead after its deadline.
 */
export const webhookDeliveries = pgTable(
  'webhook_deliveries',
  {
    id: uuid('id').primaryKey(),
    subscriptionId: uuid('subscription_id')
      .notNull()
      .references(() => webhookSubscriptions.id),
    eventId: bigint('event_id', { mode: 'number' })
      .notNull()
      .references(() => events.id),
    status: text('status').$type<OutboxStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    /** `http_<status>`, `timeout`, `network_<code>` or `subscription_deleted`: never the receiver's answer. */
    lastError: text('last_error'),
    deadlineAt: timestamp('deadline_at', { withTimezone: true }).notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    index('webhook_deliveries_due_idx').on(t.status, t.nextAttemptAt),
    index('webhook_deliveries_subscription_idx').on(t.subscriptionId),
    index('webhook_deliveries_event_idx').on(t.eventId),
  ],
);
