import { sql, type SQL } from 'drizzle-orm';
import type { Executor } from '../db/client.ts';
import { decodeIdCursor, encodeIdCursor } from '../http/cursor.ts';
import { ENTRY_COLUMNS, selectEntries, toEntry, type AuditEntry } from './entry.ts';

export interface AuditFilters {
  from?: string | undefined;
  to?: string | undefined;
  referralId?: string | undefined;
  messageId?: string | undefined;
  peer?: string | undefined;
  type?: string | undefined;
  actor?: string | undefined;
}

export type AuditEventView = AuditEntry & { leafIndex: number | null };

/** The WHERE clause of a search over `audit_events e`. */
export function filterSql(f: AuditFilters): SQL {
  const parts: SQL[] = [sql`true`];
  if (f.from) parts.push(sql`e.at >= ${f.from}::timestamptz`);
  if (f.to) parts.push(sql`e.at < ${f.to}::timestamptz`);
  if (f.referralId) parts.push(sql`e.referral_id = ${f.referralId}::uuid`);
  if (f.messageId) parts.push(sql`e.message_id = ${f.messageId}::uuid`);
  if (f.peer) parts.push(sql`e.peer_node_id = ${f.peer}`);
  if (f.type) parts.push(sql`e.type = ${f.type}`);
  if (f.actor) parts.push(sql`e.actor = ${f.actor}`);
  return sql.join(parts, sql` and `);
}

/** Newest first, keyset-paged on the event id. */
export async function searchAudit(tx: Executor, filters: AuditFilters & { limit: number; cursor?: string | undefined }): Promise<{ items: AuditEventView[]; nextCursor: string | null }> {
  const before = filters.cursor === undefined ? sql`true` : sql`e.idx < ${decodeIdCursor('audit', filters.cursor)}`;
  const rows = await selectEntries<{ leafIndex: string | null }>(
    tx,
    sql`select ${ENTRY_COLUMNS}, l.leaf_index::bigint as "leafIndex" from audit_events e left join audit_leaves l on l.event_idx = e.idx
        where ${filterSql(filters)} and ${before} order by e.idx desc limit ${filters.limit + 1}`,
  );
  const page = rows.slice(0, filters.limit);
  const last = page.at(-1);
  return {
    items: page.map((r) => ({ ...toEntry(r), leafIndex: r.leafIndex === null ? null : Number(r.leafIndex) })),
    nextCursor: rows.length > filters.limit && last ? encodeIdCursor('audit', Number(last.idx)) : null,
  };
}
