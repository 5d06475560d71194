import { defaultPorts, keysSecretHelp, parseServeEnv, readKeysSecret, serveEnvHelp, type Listener } from '../../config.ts';
import { watchFile, unwatchFile } from 'node:fs';
import { loadDataDir, secretsFile } from '../../data-dir.ts';
import { createNode } from '../../node.ts';
import { nodeDatabase } from '../database.ts';
import { nodeConfigFromDataDir } from '../node-config.ts';
import { defineCommand, helpText, parseCommand, parsePort, required, resolvePath, type CliIo } from '../args.ts';

export const serveCommand = defineCommand({
  usage: ['bridge serve --data-dir <dir> [--federation-port <port>] [--private-port <port>]'],
  description: [
    'Runs a node until SIGINT or SIGTERM; on either it stops accepting requests, finishes the deliveries in flight and exits.',
    '',
    'A node has two listeners, and no route answers on both:',
    '  federation  the only one peers and the internet reach: /federation/v1/*, /.well-known/*, /healthz;',
    '              its address is the public URL given to `bridge init` (peers\' metadata and JWKS URLs)',
    '  private     the organisation\'s own systems and operators: /v1/*, /admin/v1/*, /console/*, /docs,',
    '              /openapi.json, /metrics, /readyz; binds 127.0.0.1 unless BRIDGE_PRIVATE_HOST says otherwise',
  ].join('\n'),
  options: {
    'data-dir': { type: 'string', value: '<dir>', description: 'the node\'s data directory (from `bridge init`)' },
    'federation-port': { type: 'string', value: '<port>', description: `TCP port of the federation listener, 0 to 65535 (default BRIDGE_FEDERATION_PORT, else ${defaultPorts.federation})` },
    'private-port': { type: 'string', value: '<port>', description: `TCP port of the private listener, 0 to 65535 (default BRIDGE_PRIVATE_PORT, else ${defaultPorts.private})` },
  },
  footer: `${serveEnvHelp()}\n\n${keysSecretHelp}`,
});
export const serveUsage = helpText(serveCommand);

export async function serve(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { values } = parseCommand(argv, serveCommand);
  if (values.help) return io.out(serveUsage), 0;
  const dir = resolvePath(io, required(values['data-dir'], '--data-dir', serveUsage));
  const ports = {
    ...(values['federation-port'] === undefined ? {} : { federation: parsePort(values['federation-port'], '--federation-port', serveUsage) }),
    ...(values['private-port'] === undefined ? {} : { private: parsePort(values['private-port'], '--private-port', serveUsage) }),
  };
  const env = parseServeEnv(io.env);
  const secret = readKeysSecret(io.env);
  const dataDir = await loadDataDir(dir, secret);
  const database = await nodeDatabase(dataDir, env.DATABASE_URL);
  let node: Awaited<ReturnType<typeof createNode>> | undefined;
  let addresses: Record<Listener, string>;
  try {
    node = await createNode(nodeConfigFromDataDir(dataDir, env, database.url, ports));
    addresses = await node.start();
  } catch (err) {
    // Nothing may be left running when start-up fails (port taken, database unreachable).
    await node?.stop().catch(() => {});
    await database.stop();
    throw err;
  }
  const running = node;
  io.out(`node ${dataDir.config.nodeId} listening (${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`);
  io.out(`  federation listener ${addresses.federation} (peers; public URL ${dataDir.config.publicUrl})`);
  io.out(`  private listener    ${addresses.private} (integration and admin API, /docs, /metrics, /readyz)`);
  // `bridge keys rotate` rewrites keys.json; pick the new keys up without a restart.
  const reload = () => loadDataDir(dir, secret).then((d) => running.reloadKeys(d.secrets.keys), () => io.err('could not reload keys.json'));
  watchFile(secretsFile(dir), { interval: 2000 }, reload);
  process.on('SIGHUP', reload);
  await new Promise<void>((resolve) => {
    const done = () => resolve();
    process.once('SIGINT', done);
    process.once('SIGTERM', done);
    signal?.addEventListener('abort', done, { once: true });
  });
  unwatchFile(secretsFile(dir), reload);
  process.off('SIGHUP', reload);
  io.out('stopping');
  await running.stop();
  await database.stop();
  return 0;
}
