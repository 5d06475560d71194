import { bigint, pgTable, text, timestamp } from 'drizzle-orm/pg-core';

/** This node's signed tree heads (log key), one per tree size. */
export const auditCheckpoints = pgTable('audit_checkpoints', {
  treeSize: bigint('tree_size', { mode: 'number' }).primaryKey(),
  rootHash: text('root_hash').notNull(),
  issuedAt: timestamp('issued_at', { withTimezone: true }).notNull(),
  /** The compact JWS (`bridge-checkpoint+jwt`). */
  checkpoint: text('checkpoint').notNull(),
});
