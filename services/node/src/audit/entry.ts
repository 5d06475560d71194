import { sql, type SQL } from 'drizzle-orm';
import { entryLeafHash } from '@bridge/crypto';
import type { Executor } from '../db/client.ts';

/**
 * One audit event exactly as stored: every column, `at` with the database's full microsecond
 * precision. Its canonical JSON is the Merkle leaf, so changing any column changes the leaf hash.
 */
export interface AuditEntry {
  /** The event id (`audit_events.idx`): what receipts call `logIndex`. Not the leaf index. */
  idx: number;
  at: string;
  type: string;
  actor: string;
  peerNodeId: string | null;
  referralId: string | null;
  messageId: string | null;
  digest: string | null;
  detail: Record<string, string | number | boolean | null> | null;
}

/**
 * The leaf at `leafIndex` is the canonical JSON of the event with its leaf index: the position is
 * bound into the leaf, so a row moved to another position no longer matches its own hash.
 */
export const auditLeafHash = (entry: AuditEntry, leafIndex: number): Uint8Array => entryLeafHash({ ...entry, leafIndex });

/** Columns of `audit_events e` as an `AuditEntry`, for raw selects. */
export const ENTRY_COLUMNS_SQL = `e.idx::bigint AS idx, to_char(e.at AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.US"Z"') AS at, e.type, e.actor,
   e.peer_node_id AS "peerNodeId", e.referral_id::text AS "referralId", e.message_id::text AS "messageId", e.digest, e.detail`;
export const ENTRY_COLUMNS = sql.raw(ENTRY_COLUMNS_SQL);

/** An `AuditEntry` as pg returns it: bigint ids come back as strings. */
export type EntryRow = Omit<AuditEntry, 'idx'> & { idx: string | number };

export function toEntry(row: EntryRow): AuditEntry {
  return {
    idx: Number(row.idx),
    at: row.at,
    type: row.type,
    actor: row.actor,
    peerNodeId: row.peerNodeId,
    referralId: row.referralId,
    messageId: row.messageId,
    digest: row.digest,
    detail: row.detail,
  };
}

export async function selectEntries<T extends object = object>(tx: Executor, query: SQL): Promise<Array<EntryRow & T>> {
  const result = await tx.execute(query);
  return result.rows as unknown as Array<EntryRow & T>;
}
