import type { Logger } from 'pino';
import type { Clock } from './clock.ts';
import type { Database } from './db/client.ts';
import type { NodeConfig } from './config.ts';
import type { Metrics } from './metrics/metrics.ts';

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
}
