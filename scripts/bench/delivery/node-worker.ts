/**
 * One Bridge node in its own process, for `pnpm bench delivery` (not a benchmark by itself: the
 * dispatcher lists only the .ts files directly in scripts/bench/). The parent forks it with
 * `--import tsx` and drives it over IPC: start → onboard(peer) → token → stop.
 */
import { createRequire } from 'node:module';
import { generateNodeKeys, generatePseudonymSecret } from '../../../packages/crypto/src/index.ts';
import { createNode, type BridgeNode } from '../../../services/node/src/node.ts';
import { createLogger } from '../../../services/node/src/logger.ts';
import { defaultDelivery, type NodeConfig } from '../../../services/node/src/config.ts';
import { freePort } from '../../../services/node/src/db/embedded.ts';
import { createClient } from '../../../services/node/src/clients/clients.ts';
import { fetchPeer, savePeer } from '../../../services/node/src/peers/peers.ts';

export type WorkerRequest =
  | { type: 'start'; nodeId: string; name: string; jurisdiction: string; databaseUrl: string; logLevel: string }
  | { type: 'onboard'; peerUrl: string }
  | { type: 'token' }
  | { type: 'statements' }
  | { type: 'stop' };
export type WorkerCommand = WorkerRequest & { id: number };

/** What `start` answers (as JSON): the federation listener for peers, the private one for the load. */
export interface NodeUrls {
  federation: string;
  private: string;
}

export type WorkerReply = { id: number; ok: true; value: string } | { id: number; ok: false; error: string };

/**
 * Every statement this process sends to PostgreSQL (BEGIN and COMMIT included), by its first
 * keyword, and `round_trips`: statements issued while their connection had nothing outstanding
 * (one issued behind others on a pipelined connection travels in their round trip). pg.Pool runs
 * its queries through pg.Client, so patching the client counts the pool, the transactions and the
 * outbox listener alike.
 */
const statements: Record<string, number> = {};
type Query = (this: unknown, ...args: unknown[]) => unknown;
// pg is the node service's dependency, not the workspace root's: load the very module it uses.
const pgClient = (createRequire(new URL('../../../services/node/package.json', import.meta.url))('pg') as { Client: { prototype: { query: Query } } }).Client;
const originalQuery = pgClient.prototype.query;
pgClient.prototype.query = function (...args) {
  const q = args[0];
  const text = typeof q === 'string' ? q : typeof (q as { text?: unknown })?.text === 'string' ? (q as { text: string }).text : '';
  const kind = (/^\s*([a-z]+)/i.exec(text)?.[1] ?? 'other').toLowerCase();
  statements[kind] = (statements[kind] ?? 0) + 1;
  const client = this as { _activeQuery?: unknown; _sentQueryQueue?: unknown[]; _queryQueue?: unknown[] };
  if (!client._activeQuery && !client._sentQueryQueue?.length && !client._queryQueue?.length) statements.round_trips = (statements.round_trips ?? 0) + 1;
  return originalQuery.apply(this, args);
};

let node: BridgeNode | undefined;
let config: NodeConfig | undefined;
let stopping: Promise<void> | undefined;

/** Resolves once the reply is handed to the IPC channel (so a disconnect after it loses nothing). */
function send(reply: WorkerReply): Promise<void> {
  return new Promise((resolve) => {
    if (!process.connected) return resolve();
    process.send!(reply, undefined, {}, () => resolve());
  });
}

async function handle(cmd: WorkerCommand): Promise<string> {
  switch (cmd.type) {
    case 'start': {
      if (node) throw new Error('already started');
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      config = {
        nodeId: cmd.nodeId,
        name: cmd.name,
        jurisdiction: cmd.jurisdiction,
        publicUrl: url,
        databaseUrl: cmd.databaseUrl,
        keys: await generateNodeKeys(new Date(Date.now() - 60_000)),
        pseudonymSecret: generatePseudonymSecret(),
        listeners: { federation: { host: '127.0.0.1', port }, private: { host: '127.0.0.1', port: 0 } },
        acceptanceWindowSeconds: 300,
        messageMaxBytes: 256 * 1024,
        bodyMaxBytes: 1024 * 1024,
        delivery: { ...defaultDelivery },
        // The benchmark measures throughput, not the limiter.
        limits: { clientPerMinute: 1_000_000, messagesPerMinute: 1_000_000, peerMessagesPerMinute: 1_000_000 },
        logLevel: cmd.logLevel,
      };
      // Logs go to stderr: the parent's stdout carries only the JSON result.
      node = await createNode(config, { logger: createLogger(cmd.nodeId, cmd.logLevel, process.stderr) });
      const addresses = await node.start();
      return JSON.stringify({ federation: url, private: addresses.private } satisfies NodeUrls);
    }
    case 'onboard': {
      if (!node) throw new Error('not started');
      const fetched = await fetchPeer(cmd.peerUrl);
      await savePeer(node.ctx.db, fetched, 'active', 'bench', new Date());
      return fetched.fingerprint;
    }
    case 'token': {
      if (!node || !config) throw new Error('not started');
      const { token } = await createClient(node.ctx.db, config, { name: 'bench load generator', scopes: ['referrals:read', 'referrals:write'], ttlDays: 1 }, 'bench', new Date());
      return token;
    }
    case 'statements': {
      const { user, system } = process.cpuUsage();
      return JSON.stringify({ counts: statements, cpuUs: user + system });
    }
    case 'stop':
      await stop();
      return 'stopped';
  }
}

function stop(): Promise<void> {
  stopping ??= (async () => {
    await node?.stop().catch((err: unknown) => process.stderr.write(`${config?.nodeId ?? 'node'}: stop failed: ${String(err)}\n`));
  })();
  return stopping;
}

if (!process.send) {
  process.stderr.write('scripts/bench/delivery/node-worker.ts is started by `pnpm bench delivery`, not directly\n');
  process.exit(2);
}

process.on('message', (cmd: WorkerCommand) => {
  handle(cmd).then(
    async (value) => {
      await send({ id: cmd.id, ok: true, value });
      if (cmd.type === 'stop' && process.connected) process.disconnect();
    },
    (err: unknown) => send({ id: cmd.id, ok: false, error: err instanceof Error ? (err.stack ?? err.message) : String(err) }),
  );
});

// Ctrl-C reaches the whole process group: the parent orchestrates shutdown, so ignore it here.
process.on('SIGINT', () => {});
// The parent went away (or asked us to stop): stop the node and leave.
process.on('disconnect', () => {
  void stop().finally(() => process.exit(0));
});
