import pg from 'pg';
import type { Logger } from 'pino';
import { OUTBOX_CHANNEL, type NotifiedQueue } from './enqueue.ts';
import type { CachedTable } from '../db/row-cache.ts';

/**
 * LISTENs for outbox and webhook notifications (sent on commit by any replica sharing the database)
 * and wakes the dispatcher of the queue a notification names; on (re)connect, both, since anything
 * may have been committed meanwhile. Reconnects with backoff when the connection drops; polling
 * covers the gap. Notifications `cache:<table>` (a trigger's, on any change to a cached table) go
 * to `onRowsChanged`, which also hears `all` whenever the connection comes up or goes down.
 */
export class OutboxListener {
  private client: pg.Client | undefined;
  private stopped = false;
  private retryMs = 500;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly connectionString: string,
    private readonly onNotify: (queue: NotifiedQueue | 'all') => void,
    private readonly logger: Logger,
    private readonly onRowsChanged: (table: CachedTable | 'all') => void = () => {},
  ) {}

  /** True while notifications arrive (the connection is up and LISTEN has run). */
  get listening(): boolean {
    return this.client !== undefined;
  }

  async start(): Promise<void> {
    if (this.stopped) return;
    const client = new pg.Client({ connectionString: this.connectionString, application_name: 'bridge-node-listener' });
    client.on('notification', (n) => {
      if (n.payload?.startsWith('cache:')) return this.onRowsChanged(n.payload === 'cache:peers' ? 'peers' : n.payload === 'cache:api_clients' ? 'api_clients' : 'all');
      this.onNotify(n.payload === 'webhooks' ? 'webhooks' : n.payload === 'outbox' ? 'outbox' : 'all');
    });
    client.on('error', () => this.reconnect(client));
    client.on('end', () => this.reconnect(client));
    try {
      await client.connect();
      await client.query(`listen ${OUTBOX_CHANNEL}`);
      // Anything changed while we were not listening is picked up now; rows cached before are dropped.
      this.onRowsChanged('all');
      this.client = client;
      this.retryMs = 500;
      this.onNotify('all');
    } catch {
      this.reconnect(client);
    }
  }

  private reconnect(client: pg.Client): void {
    if (this.stopped || (this.client && this.client !== client)) return;
    this.client = undefined;
    this.onRowsChanged('all');
    client.removeAllListeners('end');
    client.end().catch(() => {});
    this.logger.warn({ retryMs: this.retryMs }, 'outbox listener disconnected');
    this.timer = setTimeout(() => void this.start(), this.retryMs);
    this.timer.unref();
    this.retryMs = Math.min(this.retryMs * 2, 30_000);
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    const client = this.client;
    this.client = undefined;
    if (client) {
      client.removeAllListeners('end');
      await client.end().catch(() => {});
    }
  }
}
