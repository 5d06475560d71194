import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Database } from './db/client.ts';
import type { NodeConfig } from './config.ts';
import type { Metrics } from './metrics/metrics.ts';
import type { RowCache } from './db/row-cache.ts';
import type { Peer } from './peers/peers.ts';
import type { ApiClient } from './clients/clients.ts';

/** The one explicit context handed to the code that needs it. */
export interface NodeContext {
  config: NodeConfig;
  db: Database;
  logger: Logger;
  clock: Clock;
  /** This node's own metrics registry and instruments. */
  metrics: Metrics;
  /** Asks the outbox dispatcher to look for due messages now. */
  wakeDispatcher(): void;
  /** Peers and API clients as of their last change (see RowCache): read on every message and request. */
  rows: { peers: RowCache<Peer>; clients: RowCache<ApiClient> };
}
