import { sql } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { OutboxStatus } from '@bridge/contract';
import type { Database } from '../db/client.ts';
import { errorSummary } from '../log-safe.ts';

/**
 * The node's Prometheus metrics, on a registry of its own (several nodes share one process in the
 * tests). Label values come only from fixed sets: peer node ids, message types, problem codes,
 * outcomes, route patterns and status classes; never a person, a referral or a message id.
 */
export interface Metrics {
  registry: Registry;
  deliveries: Counter<'peer' | 'type'>;
  deliveryAttempts: Counter<'peer' | 'outcome'>;
  deadLetters: Counter<'peer'>;
  messagesReceived: Counter<'peer' | 'type'>;
  messagesRefused: Counter<'code'>;
  deliveryDuration: Histogram;
  webhookAttempts: Counter<'outcome'>;
  webhookDead: Counter;
  httpRequestDuration: Histogram<'listener' | 'method' | 'route' | 'status_class'>;
}

export function createMetrics(db: Database, logger: Logger): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  new Gauge({
    name: 'bridge_outbox_messages',
    help: 'Outbox messages by status, counted in the database at scrape time.',
    labelNames: ['status'],
    registers,
    async collect() {
      try {
        const result = await db.execute<{ status: string; count: string }>(sql`select status, count(*)::text as count from outbox_messages group by status`);
        const counts = new Map(result.rows.map((r) => [r.status, Number(r.count)]));
        for (const status of OutboxStatus.options) this.set({ status }, counts.get(status) ?? 0);
      } catch (err) {
        // A scrape must not fail because the database is away: the gauge keeps its last values.
        logger.warn(errorSummary(err), 'could not count outbox messages');
      }
    },
  });
  return {
    registry,
    deliveries: new Counter({ name: 'bridge_deliveries_total', help: 'Messages delivered to a peer, with a verified receipt.', labelNames: ['peer', 'type'], registers }),
    deliveryAttempts: new Counter({ name: 'bridge_delivery_attempts_total', help: 'Delivery attempts to a peer, by outcome.', labelNames: ['peer', 'outcome'], registers }),
    deadLetters: new Counter({ name: 'bridge_dead_letters_total', help: 'Messages given up on after their delivery deadline.', labelNames: ['peer'], registers }),
    messagesReceived: new Counter({ name: 'bridge_messages_received_total', help: 'Messages received from a peer and applied (replays not counted).', labelNames: ['peer', 'type'], registers }),
    messagesRefused: new Counter({ name: 'bridge_messages_refused_total', help: 'Messages refused, by problem code.', labelNames: ['code'], registers }),
    webhookAttempts: new Counter({ name: 'bridge_webhook_attempts_total', help: 'Webhook delivery attempts, by outcome (delivered or failed).', labelNames: ['outcome'], registers }),
    webhookDead: new Counter({ name: 'bridge_webhook_dead_total', help: 'Webhook deliveries given up (deadline passed, or the receiver answered 410 Gone).', registers }),
    deliveryDuration: new Histogram({
      name: 'bridge_delivery_duration_seconds',
      help: 'From claiming an outbox message to its verified receipt, per successful attempt.',
      buckets: [0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30],
      registers,
    }),
    httpRequestDuration: new Histogram({
      name: 'bridge_http_request_duration_seconds',
      help: 'HTTP requests served, by listener (federation or private), method, route pattern and status class.',
      labelNames: ['listener', 'method', 'route', 'status_class'],
      buckets: [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10],
      registers,
    }),
  };
}

/** `2xx`, `4xx`, ...: the status class, so the label has at most five values. */
export const statusClass = (status: number): string => `${Math.floor(status / 100)}xx`;
