import { afterAll, beforeAll } from 'vitest';
import { Writable } from 'node:stream';
import { generateStoredNodeKeys, generatePseudonymSecret, generateTlsCredential, importNodeKeys, type StoredKeySet } from '@bridge/crypto';
import { createNode, type BridgeNode } from '../../src/node.ts';
import { createLogger } from '../../src/logger.ts';
import { defaultDelivery, type Listener, type NodeConfig } from '../../src/config.ts';
import { freePort } from '../../src/db/embedded.ts';
import { createClient, type Scope } from '../../src/clients/clients.ts';
import { fetchPeer, savePeer } from '../../src/peers/peers.ts';
import type { Clock } from '../../src/clock.ts';
import { createTestDatabase } from './databases.ts';

export interface TestNode {
  id: string;
  /** The private listener: the integration and admin API, /metrics, /docs, /readyz (what `api` calls). */
  url: string;
  /** The federation listener, the node's public URL: metadata, JWKS, messages, /healthz (what peers call). */
  federationUrl: string;
  node: BridgeNode;
  /** Every log line the node wrote, for leak checks and debugging. */
  logs: string[];
  /**
   * The node's first keys with their private JWKs, as keys.json would hold them: for leak markers
   * and for the independent JOSE implementation. The node itself only holds non-extractable keys.
   */
  storedKeys: StoredKeySet;
  token(scopes?: Scope[]): Promise<string>;
  api(method: string, path: string, body?: unknown, token?: string): Promise<{ status: number; body: any; headers: Headers }>;
  stop(): Promise<void>;
}

export interface TestNodeOptions {
  autoDispatch?: boolean;
  clock?: Clock;
  config?: Partial<NodeConfig>;
  /** Serve federation over mutual TLS with a fresh self-signed certificate, as `bridge serve` does. */
  tls?: boolean;
}

/** A real node on its own fresh database, its two listeners on loopback ports. */
export async function startTestNode(id: string, options: TestNodeOptions = {}): Promise<TestNode> {
  // Both ports are picked first: the public URL names the federation one, the console's origin
  // (sessions, passkeys) the private one.
  const port = await freePort();
  const privatePort = await freePort();
  const federationUrl = `${options.tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const storedKeys = await generateStoredNodeKeys(new Date(Date.now() - 60_000));
  const config: NodeConfig = {
    nodeId: id,
    name: `${id} test node`,
    jurisdiction: 'XX',
    publicUrl: federationUrl,
    databaseUrl: await createTestDatabase(),
    keys: await importNodeKeys(storedKeys),
    pseudonymSecret: generatePseudonymSecret(),
    listeners: { federation: { host: '127.0.0.1', port }, private: { host: '127.0.0.1', port: privatePort } },
    acceptanceWindowSeconds: 300,
    messageMaxBytes: 256 * 1024,
    bodyMaxBytes: 1024 * 1024,
    delivery: { ...defaultDelivery, pollIntervalMs: 200, baseDelayMs: 50, maxDelayMs: 1000 },
    // Generous, so no test is throttled by accident; the rate-limit tests set their own.
    limits: { clientPerMinute: 100_000, messagesPerMinute: 100_000 },
    logLevel: 'debug',
    // Test receivers listen on 127.0.0.1 over http; the tests of the refusals turn this off.
    webhooks: { allowLocal: true },
    // Plain HTTP, asked for explicitly, unless the test asks for TLS.
    ...(options.tls ? { tls: [await generateTlsCredential(id, ['127.0.0.1'], new Date(Date.now() - 60_000))], federationPlainHttp: false } : { federationPlainHttp: true }),
    ...options.config,
  };
  const logs: string[] = [];
  const sink = new Writable({
    write(chunk, _enc, done) {
      logs.push(...String(chunk).split('\n').filter(Boolean));
      done();
    },
  });
  const node = await createNode(config, { logger: createLogger(id, config.logLevel, sink), autoDispatch: options.autoDispatch ?? true, ...(options.clock ? { clock: options.clock } : {}) });
  const url = (await node.start()).private;
  let defaultToken: string | undefined;
  const token = async (scopes: Scope[] = ['referrals:read', 'referrals:write']) =>
    (await createClient(node.ctx.db, config, { name: `${id} client`, scopes, ttlDays: 1 }, 'test', new Date())).token;
  return {
    id,
    url,
    federationUrl,
    node,
    logs,
    storedKeys,
    token,
    async api(method, path, body, explicitToken) {
      const bearer = explicitToken ?? (defaultToken ??= await token());
      const res = await fetch(`${url}${path}`, {
        method,
        headers: { authorization: `Bearer ${bearer}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
        body: body === undefined ? null : JSON.stringify(body),
      });
      const text = await res.text();
      return { status: res.status, body: text ? JSON.parse(text) : undefined, headers: res.headers };
    },
    stop: () => node.stop(),
  };
}

/**
 * The listener DESIGN.md §9 puts a path on: peers reach /federation/v1/*, /.well-known/* and
 * /healthz; everything else is private (contract-routes.test.ts proves the node keeps to it).
 */
export function listenerOf(path: string): Listener {
  return /^\/(federation\/v1\/|\.well-known\/|healthz(\?|$))/.test(path) ? 'federation' : 'private';
}

/** The base URL of the listener that serves `path`: for tests that call every operation. */
export function listenerUrl(node: Pick<TestNode, 'url' | 'federationUrl'>, path: string): string {
  return listenerOf(path) === 'federation' ? node.federationUrl : node.url;
}

/** atina and pvpt, each on its own database, onboarded to each other. */
export async function startPair(options: { atina?: TestNodeOptions; pvpt?: TestNodeOptions } = {}): Promise<[TestNode, TestNode]> {
  const [atina, pvpt] = await Promise.all([startTestNode('atina', options.atina), startTestNode('pvpt', options.pvpt)]);
  await onboard(atina, pvpt);
  return [atina, pvpt];
}

/** Starts an onboarded pair before the tests of the enclosing block and stops it after them. */
export function usePair(receive: (atina: TestNode, pvpt: TestNode) => void, options: { atina?: TestNodeOptions; pvpt?: TestNodeOptions } = {}): void {
  let pair: [TestNode, TestNode] | undefined;
  beforeAll(async () => {
    pair = await startPair(options);
    receive(...pair);
  });
  afterAll(async () => {
    await Promise.all(pair?.map((n) => n.stop()) ?? []);
  });
}

/** Each side pins the other's keys, as `bridge peers add --fingerprint` does, and activates it. */
export async function onboard(a: TestNode, b: TestNode): Promise<void> {
  await savePeer(a.node.ctx.db, await fetchPeer(b.federationUrl), 'active', 'test', new Date());
  await savePeer(b.node.ctx.db, await fetchPeer(a.federationUrl), 'active', 'test', new Date());
}

export async function waitFor<T>(probe: () => Promise<T | undefined | false>, timeoutMs = 15_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value) return value;
    if (Date.now() > deadline) throw new Error('timed out');
    await new Promise((r) => setTimeout(r, 50));
  }
}
