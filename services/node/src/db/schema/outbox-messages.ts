import { sql } from 'drizzle-orm';
import { bigint, index, integer, jsonb, pgTable, text, timestamp, uniqueIndex, uuid } from 'drizzle-orm/pg-core';
import { peers } from './peers.ts';
import { referrals } from './referrals.ts';

/** `discarded`: a dead message an operator gave up; the later messages of its referral took its place (discardMessage in outbox/admin.ts). */
export type OutboxStatus = 'queued' | 'sending' | 'retrying' | 'delivered' | 'dead' | 'discarded';

/**
 * A message to a peer, written in the same transaction as the change that caused it. It is sealed
 * afresh at every attempt (new iat, same jti and content); `sentDigests` keeps the digest of every
 * sealed copy, committed before the copy is sent, so a receipt for any of them is recognised.
 */
export const outboxMessages = pgTable(
  'outbox_messages',
  {
    id: uuid('id').primaryKey(),
    peerNodeId: text('peer_node_id')
      .notNull()
      .references(() => peers.nodeId),
    referralId: uuid('referral_id').references(() => referrals.id),
    type: text('type').notNull(),
    seq: integer('seq').notNull(),
    prev: text('prev'),
    body: jsonb('body').$type<Record<string, unknown>>().notNull(),
    contentDigest: text('content_digest').notNull(),
    status: text('status').$type<OutboxStatus>().notNull(),
    attempts: integer('attempts').notNull().default(0),
    /** When it may next be claimed; while `sending`, equal to `leaseUntil` (its lease running out makes it due again). */
    nextAttemptAt: timestamp('next_attempt_at', { withTimezone: true }).notNull(),
    /** While `sending`: the dispatcher that claimed it owns it until then; after that anyone may retry. */
    leaseUntil: timestamp('lease_until', { withTimezone: true }),
    lastError: text('last_error'),
    /** Undelivered past this, the message is dead-lettered (a resend sets a new one). */
    deadlineAt: timestamp('deadline_at', { withTimezone: true }).notNull(),
    sentDigests: text('sent_digests').array().notNull().default([]),
    receipt: text('receipt'),
    receiptLogIndex: bigint('receipt_log_index', { mode: 'number' }),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
    deliveredAt: timestamp('delivered_at', { withTimezone: true }),
  },
  (t) => [
    // Only messages still to deliver, in claim order: a claim reads the first few entries instead of
    // sorting the whole backlog, and delivered rows (the bulk of the table) are not in it at all.
    index('outbox_messages_pending_idx').on(t.nextAttemptAt, t.createdAt).where(sql`${t.status} in ('queued', 'sending', 'retrying')`),
    index('outbox_messages_peer_idx').on(t.peerNodeId),
    // A discarded message keeps its seq, which the message after it takes over.
    uniqueIndex('outbox_messages_referral_seq_idx').on(t.referralId, t.seq).where(sql`${t.status} <> 'discarded'`),
  ],
);
