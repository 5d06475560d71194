import { bigint, index, pgTable, primaryKey, text, timestamp } from 'drizzle-orm/pg-core';

/**
 * Cross-witnessing, both directions: co-signatures peers made of this node's checkpoints
 * (origin = this node) and the ones this node made of peers' checkpoints (witness = this node).
 * The latest row per (origin, witness) is where the next consistency proof must start.
 */
export const auditCosignatures = pgTable(
  'audit_cosignatures',
  {
    origin: text('origin').notNull(),
    witness: text('witness').notNull(),
    treeSize: bigint('tree_size', { mode: 'number' }).notNull(),
    rootHash: text('root_hash').notNull(),
    /** The origin's checkpoint JWS and the witness's co-signature JWS, both kept as evidence. */
    checkpoint: text('checkpoint').notNull(),
    cosignature: text('cosignature').notNull(),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.origin, t.witness, t.treeSize] }), index('audit_cosignatures_witness_idx').on(t.witness)],
);
