import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { nodeFingerprint, publicJwks } from '@bridge/crypto';
import { initDataDir, type DataDir } from '../../src/data-dir.ts';
import { freePort } from '../../src/db/embedded.ts';
import { openDatabase } from '../../src/db/client.ts';
import { nodeMetadata } from '../../src/federation/metadata.ts';
import { savePeer } from '../../src/peers/peers.ts';
import { createClient } from '../../src/clients/clients.ts';
import { createTestDatabase } from './databases.ts';
import { TEST_KEYS_ENV, TEST_KEYS_SECRET } from './keys-secret.ts';

const root = fileURLToPath(new URL('../../../..', import.meta.url));

/** A node that runs as a real `bridge serve` process, so it can be killed with SIGKILL. */
export interface ProcessNode {
  id: string;
  /** The private listener: the integration and admin API. */
  url: string;
  /** The federation listener, the node's public URL: what peers reach. */
  federationUrl: string;
  databaseUrl: string;
  dataDir: DataDir;
  env: Record<string, string>;
  child?: ChildProcess;
  /** Everything every incarnation printed, for diagnosis. */
  output: string;
  start(): Promise<void>;
  kill(signal?: NodeJS.Signals): Promise<void>;
  running(): boolean;
}

export async function prepareProcessNode(id: string, env: Record<string, string> = {}, databaseUrl?: string): Promise<ProcessNode> {
  const federationPort = await freePort();
  // Fixed across restarts (load generators keep the URL); never the federation port handed out again.
  let privatePort = await freePort();
  while (privatePort === federationPort) privatePort = await freePort();
  const federationUrl = `http://127.0.0.1:${federationPort}`;
  const dir = await mkdtemp(join(tmpdir(), `bridge-${id}-`));
  const dataDir = await initDataDir(dir, { nodeId: id, name: id, jurisdiction: 'XX', publicUrl: federationUrl }, new Date(Date.now() - 60_000), TEST_KEYS_SECRET);
  const dbUrl = databaseUrl ?? (await createTestDatabase());
  const node: ProcessNode = {
    id,
    url: `http://127.0.0.1:${privatePort}`,
    federationUrl,
    databaseUrl: dbUrl,
    dataDir,
    env,
    output: '',
    async start() {
      // One process (no tsx wrapper), so SIGKILL hits the server itself.
      const child = spawn(process.execPath, ['--import', 'tsx', join(root, 'services/node/src/bin.ts'), 'serve', '--data-dir', dir, '--federation-port', String(federationPort), '--private-port', String(privatePort)], {
        cwd: root,
        env: { ...process.env, ...TEST_KEYS_ENV, DATABASE_URL: dbUrl, BRIDGE_LOG_LEVEL: 'warn', BRIDGE_FEDERATION_PLAIN_HTTP: 'true', BRIDGE_DELIVERY_POLL_MS: '200', BRIDGE_DELIVERY_RETRY_MAX_MS: '1000',
          // The load generators submit as fast as they can with one client: never throttle them.
          BRIDGE_RATE_LIMIT_CLIENT_PER_MINUTE: '1000000',
          BRIDGE_RATE_LIMIT_MESSAGES_PER_MINUTE: '1000000',
          ...node.env },
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      node.child = child;
      await new Promise<void>((resolve, reject) => {
        let out = '';
        const onData = (d: Buffer) => {
          out += d;
          node.output += d;
          if (/private listener +http/.test(out)) resolve();
        };
        child.stdout!.on('data', onData);
        child.stderr!.on('data', (d) => ((out += d), (node.output += d)));
        child.once('exit', (code) => reject(new Error(`${id} exited (${code}) before listening: ${out.slice(-500)}`)));
      });
    },
    async kill(signal = 'SIGKILL') {
      const child = node.child;
      if (!child || child.exitCode !== null || child.signalCode !== null) return;
      const exited = new Promise((r) => child.once('exit', r));
      child.kill(signal);
      await exited;
    },
    running: () => !!node.child && node.child.exitCode === null && node.child.signalCode === null,
  };
  return node;
}

/** Both sides pin each other from their data directories, as `peers add --fingerprint` would. */
export async function onboardProcesses(a: ProcessNode, b: ProcessNode): Promise<void> {
  for (const [self, peer] of [
    [a, b],
    [b, a],
  ] as const) {
    const metadata = nodeMetadata(peer.dataDir.config);
    const jwks = publicJwks(peer.dataDir.secrets.keys);
    const handle = openDatabase(self.databaseUrl, { max: 1 });
    await savePeer(handle.db, { metadata, jwks, jwksUrl: metadata.urls.jwks, fingerprint: await nodeFingerprint(metadata, jwks) }, 'active', 'test', new Date());
    await handle.close();
  }
}

export async function tokenFor(node: ProcessNode): Promise<string> {
  const handle = openDatabase(node.databaseUrl, { max: 1 });
  try {
    const { token } = await createClient(handle.db, { nodeId: node.id, keys: node.dataDir.secrets.keys }, { name: 'load', scopes: ['referrals:read', 'referrals:write'], ttlDays: 1 }, 'test', new Date());
    return token;
  } finally {
    await handle.close();
  }
}
