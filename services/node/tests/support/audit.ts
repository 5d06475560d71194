import { sql, type SQL } from 'drizzle-orm';
import { parseExport, type ExportRecord } from '../../src/audit/export-format.ts';
import type { Database } from '../../src/db/client.ts';
import type { TestNode } from './nodes.ts';

/** Reads a node's audit export through the admin API. */
export async function exportOf(node: TestNode, token: string, query = ''): Promise<{ text: string; records: ExportRecord[]; contentType: string | null }> {
  const res = await fetch(`${node.url}/admin/v1/audit/export${query}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  const text = await res.text();
  return { text, records: parseExport(text), contentType: res.headers.get('content-type') };
}

/**
 * Runs `queries` as an owner of the database who first switches its triggers off for the
 * transaction (`session_replication_role = replica`, superuser only), as a malicious operator
 * could: the audit tables' append-only triggers refuse every other UPDATE, DELETE and TRUNCATE.
 * The tamper tests come in this way and show that the log still names what was changed.
 */
export async function asOwnerWithoutTriggers(db: Database, ...queries: SQL[]): Promise<void> {
  await db.transaction(async (tx) => {
    await tx.execute(sql`set local session_replication_role = replica`);
    for (const query of queries) await tx.execute(query);
  });
}
