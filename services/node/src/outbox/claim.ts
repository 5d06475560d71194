import { sql, type Column, type SQL } from 'drizzle-orm';

/**
 * The rows a delivery worker may claim (with FOR UPDATE SKIP LOCKED): due for a first attempt or a
 * retry, or `sending` under a lease that ran out (its worker died mid-attempt). Shared by the peer
 * outbox and the webhook deliveries, whose tables have the same delivery columns.
 */
export function claimable(t: { status: Column; nextAttemptAt: Column; leaseUntil: Column }, now: Date): SQL {
  return sql`((${t.status} in ('queued', 'retrying') and ${t.nextAttemptAt} <= ${now.toISOString()})
    or (${t.status} = 'sending' and ${t.leaseUntil} < ${now.toISOString()}))`;
}
