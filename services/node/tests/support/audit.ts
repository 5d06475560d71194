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

const APPEND_ONLY = ['audit_events', 'audit_leaves', 'audit_tree_nodes', 'audit_checkpoints', 'audit_cosignatures'];

/**
 * Runs `queries` as an owner of the audit tables who first switches their append-only triggers
 * off (migration 0012), as a malicious operator could: the tamper tests come in this way and
 * show that the log still names what was changed. The triggers are back on before the
 * transaction commits, so no other connection ever sees them off.
 */
export async function asOwnerWithoutTriggers(db: Database, ...queries: SQL[]): Promise<void> {
  await db.transaction(async (tx) => {
    for (const table of APPEND_ONLY) await tx.execute(sql.raw(`alter table ${table} disable trigger ${table}_append_only`));
    for (const query of queries) await tx.execute(query);
    for (const table of APPEND_ONLY) await tx.execute(sql.raw(`alter table ${table} enable trigger ${table}_append_only`));
  });
}
