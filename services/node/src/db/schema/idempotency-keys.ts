import { integer, jsonb, pgTable, primaryKey, text, timestamp, uuid } from 'drizzle-orm/pg-core';

/**
 * One row per (client, Idempotency-Key). `running` while the first request executes (its lease
 * lets a crashed one be taken over); `done` with the stored response, written in the same
 * transaction as the change, so a retry after any crash either replays it or re-executes.
 */
export const idempotencyKeys = pgTable(
  'idempotency_keys',
  {
    clientId: uuid('client_id').notNull(),
    key: text('key').notNull(),
    requestHash: text('request_hash').notNull(),
    state: text('state').$type<'running' | 'done'>().notNull(),
    leaseUntil: timestamp('lease_until', { withTimezone: true }).notNull(),
    /** The attempt holding the lease; only it may record the response. */
    owner: uuid('owner').notNull(),
    responseStatus: integer('response_status'),
    responseBody: jsonb('response_body'),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.clientId, t.key] })],
);
