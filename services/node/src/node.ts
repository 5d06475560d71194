import type { Logger } from 'pino';
import type { NodeKeySet, PrivateKeyRecord } from '@bridge/crypto';
import { buildApps } from './app.ts';
import { systemClock, type Clock } from './clock.ts';
import { checkFederationTransport, checkListeners, type Listener, type NodeConfig } from './config.ts';
import type { NodeContext } from './context.ts';
import { openDatabase } from './db/client.ts';
import { applyMigrations } from './db/migrate.ts';
import { createLogger } from './logger.ts';
import { createMetrics } from './metrics/metrics.ts';
import { Dispatcher } from './outbox/dispatcher.ts';
import { ErasureJobs } from './consent/jobs.ts';
import { OverdueJobs } from './referrals/overdue-jobs.ts';
import { OutboxListener } from './outbox/listener.ts';
import { RowCache, registerRowCaches } from './db/row-cache.ts';
import type { Peer } from './peers/peers.ts';
import type { ApiClient } from './clients/clients.ts';
import { WebhookDispatcher } from './webhooks/dispatcher.ts';
import { AuditService } from './audit/service.ts';
import type { App } from './routes/types.ts';

/** Connections of the dispatcher's own pool (claims, digests, group commits of receipts). */
const DELIVERY_POOL_SIZE = 4;

export interface BridgeNode {
  ctx: NodeContext;
  /** One app per listener: `federation` for peers, `private` for the organisation itself. */
  apps: Record<Listener, App>;
  dispatcher: Dispatcher;
  /** Consent expiry and retention; runs on a timer when the node auto-dispatches, tests call `runOnce`. */
  erasure: ErasureJobs;
  /** Response deadlines: one `referral.overdue` event per late referral; on a timer like `erasure`. */
  deadlines: OverdueJobs;
  /** Delivers events to webhook subscriptions (same outbox mechanism, its own table). */
  webhooks: WebhookDispatcher;
  /** Starts both listeners and delivering; resolves to the bound address of each listener. */
  start(): Promise<Record<Listener, string>>;
  /** Swaps in a rotated key set (the JWKS, signing, decryption and token checks use it at once). */
  reloadKeys(keys: NodeKeySet): void;
  /** Stops accepting requests, finishes the delivery in progress, closes the database. */
  stop(): Promise<void>;
}

export interface NodeOptions {
  clock?: Clock;
  logger?: Logger;
  /** Tests drive the outbox themselves with `dispatcher.processAll()`. */
  autoDispatch?: boolean;
}

/** Builds a node from a config object: migrates its database and wires the app and the outbox. */
export async function createNode(config: NodeConfig, options: NodeOptions = {}): Promise<BridgeNode> {
  checkListeners(config.listeners);
  checkFederationTransport(config);
  const logger = options.logger ?? createLogger(config.nodeId, config.logLevel);
  const database = openDatabase(config.databaseUrl);
  await applyMigrations(database.db);
  // The dispatcher has its own few connections: a burst on the integration API queues for the
  // main pool, and delivery (a handful of statements per batch) must not wait behind it.
  const deliveryDatabase = openDatabase(config.databaseUrl, { max: DELIVERY_POOL_SIZE });
  let dispatcher: Dispatcher | undefined;
  let webhooks: WebhookDispatcher | undefined;
  const autoDispatch = options.autoDispatch ?? true;
  // Kept only while the listener hears every change to their tables (see RowCache).
  const listening = () => listener.listening;
  const rows = { peers: new RowCache<Peer>('peers', listening), clients: new RowCache<ApiClient>('api_clients', listening) };
  const clock = options.clock ?? systemClock;
  const ctx: NodeContext = {
    config,
    db: database.db,
    logger,
    clock,
    metrics: createMetrics(database.db, logger, {
      clock,
      nodeId: config.nodeId,
      keyExpiries: () => (Object.values(config.keys) as PrivateKeyRecord[][]).flat().map((r) => ({ purpose: r.purpose, validUntil: r.validUntil })),
    }),
    // While LISTEN is up, the NOTIFY of the same commit wakes the dispatcher after the commit (and
    // the webhook dispatcher, if the commit queued a webhook delivery): a second wake-up from here
    // would only cost a claim that finds nothing.
    wakeDispatcher: () => {
      if (autoDispatch && !listener.listening) {
        dispatcher?.wake();
        webhooks?.wake();
      }
    },
    rows,
  };
  dispatcher = new Dispatcher({ ...ctx, db: deliveryDatabase.db });
  webhooks = new WebhookDispatcher(ctx);
  const erasure = new ErasureJobs(ctx);
  const deadlines = new OverdueJobs(ctx);
  const listener = new OutboxListener(
    config.databaseUrl,
    (queue) => {
      if (queue !== 'webhooks') dispatcher.wake();
      if (queue !== 'outbox') webhooks.wake();
    },
    logger,
    (table) => {
      if (table !== 'api_clients') rows.peers.clear();
      if (table !== 'peers') rows.clients.clear();
    },
  );
  // Writes through either handle in this process clear the caches at once.
  for (const db of [database.db, deliveryDatabase.db]) registerRowCaches(db, [rows.peers, rows.clients]);
  const audit = new AuditService(ctx);
  const apps = await buildApps(ctx);
  let stopping: Promise<void> | undefined;
  return {
    ctx,
    apps,
    dispatcher,
    erasure,
    deadlines,
    webhooks,
    async start() {
      // Federation last: peers reach a node whose own API already answers.
      const priv = await apps.private.listen(config.listeners.private);
      const federation = await apps.federation.listen(config.listeners.federation);
      if (autoDispatch) {
        await listener.start();
        dispatcher.start();
        erasure.start();
        deadlines.start();
        webhooks.start();
        audit.start();
      }
      return { federation, private: priv };
    },
    reloadKeys(keys) {
      Object.assign(config.keys, keys);
      logger.info({ kids: Object.values(keys).flat().length }, 'keys reloaded');
    },
    stop() {
      stopping ??= (async () => {
        // First no new claims, so nothing starts while requests drain; the deliveries in flight
        // finish (receipt verified and stored) before the database closes.
        const draining = dispatcher.stop();
        await Promise.all(Object.values(apps).map((app) => app.close()));
        await listener.stop();
        await erasure.stop();
        await deadlines.stop();
        await Promise.all([draining, webhooks.stop(), audit.stop()]);
        await Promise.all([database.close(), deliveryDatabase.close()]);
      })();
      return stopping;
    },
  };
}
