import { parseServeEnv, readKeysSecret } from '../../config.ts';
import { loadDataDir } from '../../data-dir.ts';
import { createClient, listClients, revokeClient, SCOPES, type Scope } from '../../clients/clients.ts';
import { withNodeDatabase } from '../database.ts';
import { defineCommand, helpText, parseCommand, required, resolvePath, UsageError, type CliIo } from '../args.ts';

export const clientsCommand = defineCommand({
  usage: ['bridge clients create --data-dir <dir> --name <name> --scopes <list> [--ttl-days <days>]', 'bridge clients list --data-dir <dir>', 'bridge clients revoke <client-id> --data-dir <dir>'],
  description: 'create prints a bearer token for the integration and admin API, once; it is never stored.',
  options: {
    'data-dir': { type: 'string', value: '<dir>', description: 'the node\'s data directory' },
    name: { type: 'string', value: '<name>', description: 'create: who the client is, e.g. atina-case-system' },
    scopes: { type: 'string', value: '<list>', description: `create: comma-separated, from ${SCOPES.join(', ')}` },
    'ttl-days': { type: 'string', value: '<days>', description: 'create: the token\'s lifetime in days, 1 to 3650 (default 365)' },
  },
  positionals: 1,
});
export const clientsUsage = helpText(clientsCommand);

export async function clients(argv: string[], io: CliIo): Promise<number> {
  const [sub, ...rest] = argv;
  const { values, positionals } = parseCommand(rest, clientsCommand);
  if (sub === undefined) throw new UsageError('missing clients command', clientsUsage);
  if (values.help) return io.out(clientsUsage), 0;
  const dataDir = await loadDataDir(resolvePath(io, required(values['data-dir'], '--data-dir', clientsUsage)), readKeysSecret(io.env));
  const { DATABASE_URL } = parseServeEnv(io.env);
  const actor = `operator:${dataDir.config.nodeId}`;
  switch (sub) {
    case 'create': {
      const name = required(values.name, '--name', clientsUsage);
      const scopes = parseScopes(required(values.scopes, '--scopes', clientsUsage));
      const ttlDays = Number(values['ttl-days'] ?? 365);
      if (!Number.isInteger(ttlDays) || ttlDays < 1 || ttlDays > 3650) throw new UsageError('--ttl-days must be a whole number of days from 1 to 3650', clientsUsage);
      const config = { nodeId: dataDir.config.nodeId, keys: dataDir.secrets.keys };
      const client = await withNodeDatabase(dataDir, DATABASE_URL, (db) => createClient(db, config, { name, scopes, ttlDays }, actor, new Date()));
      io.err(`client ${client.id} (${name}) with ${scopes.join(', ')}, valid until ${client.expiresAt.toISOString()}; the token follows and is not shown again:`);
      io.out(client.token);
      return 0;
    }
    case 'list': {
      const rows = await withNodeDatabase(dataDir, DATABASE_URL, (db) => listClients(db));
      if (rows.length === 0) io.out('no clients');
      for (const c of rows) io.out(`${c.id}  ${c.name.padEnd(24)} ${c.scopes.join(',').padEnd(40)} ${c.revokedAt ? 'revoked' : `until ${c.expiresAt.toISOString()}`}`);
      return 0;
    }
    case 'revoke': {
      const id = required(positionals[0], '<client-id>', clientsUsage);
      if (!/^[0-9a-f-]{36}$/i.test(id)) throw new UsageError(`<client-id> must be a client id as printed by \`bridge clients list\``, clientsUsage);
      await withNodeDatabase(dataDir, DATABASE_URL, (db) => revokeClient(db, id, actor, new Date()));
      io.out(`client ${id} revoked`);
      return 0;
    }
    default:
      throw new UsageError(`unknown clients command ${sub}`, clientsUsage);
  }
}

function parseScopes(list: string): Scope[] {
  const scopes = [...new Set(list.split(',').map((s) => s.trim()).filter(Boolean))];
  const unknown = scopes.filter((s) => !(SCOPES as readonly string[]).includes(s));
  if (scopes.length === 0 || unknown.length > 0) throw new UsageError(`unknown scope ${unknown.join(', ') || '(none given)'}; choose from ${SCOPES.join(', ')}`, clientsUsage);
  return scopes as Scope[];
}
