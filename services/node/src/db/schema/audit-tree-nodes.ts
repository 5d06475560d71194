import { bigint, pgTable, primaryKey, smallint, text } from 'drizzle-orm/pg-core';

/**
 * Hashes of the perfect subtrees above the leaves (level >= 1; index within the level), written by
 * the sequencer as each completes, so an inclusion or consistency proof is O(log n) lookups.
 */
export const auditTreeNodes = pgTable(
  'audit_tree_nodes',
  {
    level: smallint('level').notNull(),
    index: bigint('index', { mode: 'number' }).notNull(),
    /** base64url SHA-256. */
    hash: text('hash').notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.index] })],
);
