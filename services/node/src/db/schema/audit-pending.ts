import { bigint, pgTable } from 'drizzle-orm/pg-core';

/**
 * Events committed but not yet given a leaf index. A trigger on `audit_events` fills it in the
 * appending statement itself (no extra round trip); the sequencer drains it.
 */
export const auditPending = pgTable('audit_pending', {
  eventIdx: bigint('event_idx', { mode: 'number' }).primaryKey(),
});
