import { parseServeEnv } from '../../config.ts';
import { watchFile, unwatchFile } from 'node:fs';
import { loadDataDir, secretsFile } from '../../data-dir.ts';
import { createNode } from '../../node.ts';
import { nodeDatabase } from '../database.ts';
import { nodeConfigFromDataDir } from '../node-config.ts';
import { parse, parsePort, required, resolvePath, type CliIo } from '../args.ts';

export const serveUsage = `usage: bridge serve --data-dir <dir> --port <port>

Runs a node until SIGINT or SIGTERM. Environment:
  DATABASE_URL                       postgres:// URL; without it the node runs on an embedded
                                     PostgreSQL kept in <dir>/postgres
  BRIDGE_HOST                        address to listen on (default 127.0.0.1)
  BRIDGE_LOG_LEVEL                   fatal|error|warn|info|debug|trace|silent (default info)
  BRIDGE_ACCEPTANCE_WINDOW_SECONDS   allowed clock difference for messages (default 300)
  BRIDGE_MESSAGE_MAX_BYTES           largest accepted message (default 262144)
  BRIDGE_DELIVERY_TIMEOUT_MS         how long a delivery to a peer may take (default 10000)
  BRIDGE_DELIVERY_POLL_MS            outbox poll interval when no notification arrives (default 1000)
  BRIDGE_DELIVERY_RETRY_MAX_MS       longest wait between delivery attempts (default 300000)
  BRIDGE_RATE_LIMIT_CLIENT_PER_MINUTE
                                     requests per minute per API client, on the integration
                                     and admin surfaces each (default 600)
  BRIDGE_RATE_LIMIT_MESSAGES_PER_MINUTE
                                     federation messages per minute per remote address
                                     (default 3000)
  BRIDGE_AUDIT_SEQUENCE_MS           how often audit events are sequenced and checkpointed (default 5000)
  BRIDGE_AUDIT_WITNESS_MS            how often peers' audit checkpoints are co-signed, 0 for on demand
                                     only (default 600000)
  BRIDGE_FAULT_CRASH_AFTER_COMMIT    fault tests only: probability of dying right after a commit`;

export async function serve(argv: string[], io: CliIo, signal?: AbortSignal): Promise<number> {
  const { values } = parse(argv, { 'data-dir': { type: 'string' }, port: { type: 'string' } }, serveUsage);
  if (values.help) return io.out(serveUsage), 0;
  const dir = resolvePath(io, required(values['data-dir'], '--data-dir', serveUsage));
  const port = parsePort(required(values.port, '--port', serveUsage), serveUsage);
  const env = parseServeEnv(io.env);
  const dataDir = await loadDataDir(dir);
  const database = await nodeDatabase(dataDir, env.DATABASE_URL);
  let node: Awaited<ReturnType<typeof createNode>> | undefined;
  let address: string;
  try {
    node = await createNode(nodeConfigFromDataDir(dataDir, env, database.url, port));
    address = await node.start();
  } catch (err) {
    // Nothing may be left running when start-up fails (port taken, database unreachable).
    await node?.stop().catch(() => {});
    await database.stop();
    throw err;
  }
  const running = node;
  io.out(`node ${dataDir.config.nodeId} listening on ${address} (${database.embedded ? 'embedded PostgreSQL' : 'DATABASE_URL'})`);
  // `bridge keys rotate` rewrites keys.json; pick the new keys up without a restart.
  const reload = () => loadDataDir(dir).then((d) => running.reloadKeys(d.secrets.keys), () => io.err('could not reload keys.json'));
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
