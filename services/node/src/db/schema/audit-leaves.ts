import { bigint, pgTable, text } from 'drizzle-orm/pg-core';

/**
 * The sequenced log: leaf `leaf_index` (contiguous from 0, in the order the sequencer saw the
 * events commit) is event `event_idx`, with the RFC 9162 leaf hash of its canonical JSON.
 */
export const auditLeaves = pgTable('audit_leaves', {
  leafIndex: bigint('leaf_index', { mode: 'number' }).primaryKey(),
  eventIdx: bigint('event_idx', { mode: 'number' }).notNull().unique('audit_leaves_event_idx_unique'),
  /** base64url SHA-256. */
  leafHash: text('leaf_hash').notNull(),
});
