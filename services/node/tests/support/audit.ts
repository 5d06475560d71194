import { parseExport, type ExportRecord } from '../../src/audit/export-format.ts';
import type { TestNode } from './nodes.ts';

/** Reads a node's audit export through the admin API. */
export async function exportOf(node: TestNode, token: string, query = ''): Promise<{ text: string; records: ExportRecord[]; contentType: string | null }> {
  const res = await fetch(`${node.url}/admin/v1/audit/export${query}`, { headers: { authorization: `Bearer ${token}` } });
  if (res.status !== 200) throw new Error(`export answered ${res.status}: ${await res.text()}`);
  const text = await res.text();
  return { text, records: parseExport(text), contentType: res.headers.get('content-type') };
}
