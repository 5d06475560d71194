import { readFile } from 'node:fs/promises';
import type { PublicJwk } from '@bridge/crypto';
import { ExportFormatError, parseExport, type ExportRecord } from '../../audit/export-format.ts';
import { verifyExport } from '../../audit/verify.ts';
import { defineCommand, helpText, parseCommand, required, resolvePath, UsageError, type CliIo } from '../args.ts';

export const auditCommand = defineCommand({
  usage: ['bridge audit verify <export> [--jwks <file>] [--cosignatures <export>]'],
  description: `verify checks an audit export (NDJSON or CSV, from GET /admin/v1/audit/export) offline, with no
server and no database: the checkpoint's signature, every co-signature by a peer and its
consistency with the checkpoint, and every entry against its leaf hash and inclusion proof (for a
complete export also the order, the gaps and the root). It names the first bad entry.`,
  options: {
    jwks: { type: 'string', value: '<file>', description: 'the node\'s JWKS as pinned at onboarding (default: the log keys in the export, whose kids are printed to compare)' },
    cosignatures: { type: 'string', value: '<export>', description: 'another export whose co-signature records are checked too, e.g. one taken earlier or the peer\'s own copy, to catch a log rolled back since' },
  },
  positionals: 1,
  footer: 'exit status: 0 when the export verifies, 1 when it does not, 2 on a usage error.',
});
export const auditUsage = helpText(auditCommand);

async function readRecords(io: CliIo, path: string): Promise<ExportRecord[]> {
  let text: string;
  try {
    text = await readFile(resolvePath(io, path), 'utf8');
  } catch {
    throw new UsageError(`cannot read ${path}`, auditUsage);
  }
  try {
    return parseExport(text);
  } catch (err) {
    throw new UsageError(`${path} is not an audit export: ${err instanceof ExportFormatError ? err.message : 'unreadable'}`, auditUsage);
  }
}

export async function audit(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommand(rest, auditCommand);
  if (values.help || sub === '--help' || sub === '-h') return io.out(auditUsage), 0;
  if (sub !== 'verify') throw new UsageError(sub === undefined ? 'missing audit command' : `unknown audit command ${sub}`, auditUsage);
  const path = required(positionals[0], '<export>', auditUsage);
  const records = await readRecords(io, path);
  let keys: PublicJwk[] | undefined;
  if (values.jwks) {
    try {
      keys = (JSON.parse(await readFile(resolvePath(io, values.jwks), 'utf8')) as { keys: PublicJwk[] }).keys;
      if (!Array.isArray(keys)) throw new Error('no keys');
    } catch {
      throw new UsageError(`${values.jwks} is not a JWKS`, auditUsage);
    }
  }
  const extra = values.cosignatures ? (await readRecords(io, values.cosignatures)).filter((r) => r.record === 'cosignature') : [];
  const head = records[0];
  if (head?.record === 'checkpoint') {
    const kids = (keys ?? head.keys).filter((k) => k.purpose === 'log').map((k) => k.kid);
    io.out(`log of ${head.origin}, checked with log key(s) ${kids.join(', ')}${keys ? ' (from --jwks)' : ' (from the export: compare them with the pinned JWKS)'}`);
  }
  const result = await verifyExport(records, { ...(keys ? { keys } : {}), cosignatures: extra });
  if (result.ok) {
    io.out(`OK: ${result.entries} entries verified against a checkpoint of ${result.treeSize} leaves, ${result.cosignatures} co-signature(s) consistent`);
    return 0;
  }
  const f = result.failure!;
  const where = f.leafIndex === null ? '' : ` at leaf ${f.leafIndex}${f.eventId === null ? '' : ` (event ${f.eventId})`}`;
  io.err(`FAILED${where}: ${f.reason}`);
  io.err(`${result.entries} entries verified before the failure`);
  return 1;
}
