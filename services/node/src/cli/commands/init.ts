import { keysSecretHelp, readKeysSecret } from '../../config.ts';
import { initDataDir } from '../../data-dir.ts';
import { ownFingerprint } from '../../federation/metadata.ts';
import { defineCommand, helpText, parseCommand, required, resolvePath, type CliIo } from '../args.ts';

export const initCommand = defineCommand({
  usage: ['bridge init --node-id <id> --data-dir <dir> --public-url <url> [--name <name>] [--jurisdiction <code>]'],
  description: "Creates a node's data directory: keys (signing, encryption, log, token) in keys.json, encrypted with the keys secret (mode 0600), and config.json.",
  options: {
    'node-id': { type: 'string', value: '<id>', description: 'lowercase slug that names this node to its peers, e.g. atina' },
    'data-dir': { type: 'string', value: '<dir>', description: 'directory to create; refuses one that already holds a node' },
    'public-url': { type: 'string', value: '<url>', description: 'base URL where peers and clients reach this node, e.g. https://bridge.atina.org.rs' },
    name: { type: 'string', value: '<name>', description: 'display name (default: the node id)' },
    jurisdiction: { type: 'string', value: '<code>', description: 'jurisdiction code shown to peers, e.g. RS or XK (default: unspecified)' },
  },
  footer: keysSecretHelp,
});
export const initUsage = helpText(initCommand);

export async function init(argv: string[], io: CliIo): Promise<number> {
  const { values } = parseCommand(argv, initCommand);
  if (values.help) return io.out(initUsage), 0;
  const nodeId = required(values['node-id'], '--node-id', initUsage);
  const dir = resolvePath(io, required(values['data-dir'], '--data-dir', initUsage));
  const publicUrl = required(values['public-url'], '--public-url', initUsage);
  const dataDir = await initDataDir(dir, { nodeId, name: values.name ?? nodeId, jurisdiction: values.jurisdiction ?? 'unspecified', publicUrl }, new Date(), readKeysSecret(io.env));
  io.out(`initialised node ${dataDir.config.nodeId} in ${dir}`);
  for (const purpose of ['signing', 'encryption', 'log', 'token'] as const) io.out(`  ${purpose.padEnd(10)} key ${dataDir.secrets.keys[purpose][0]!.kid}`);
  io.out(`fingerprint ${await ownFingerprint({ ...dataDir.config, keys: dataDir.secrets.keys, tls: dataDir.secrets.tls })}`);
  io.out('read this fingerprint to each peer operator when they run `bridge peers add`');
  return 0;
}
