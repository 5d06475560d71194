import { sql, type SQL } from 'drizzle-orm';
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Logger } from 'pino';
import { OutboxStatus } from '@bridge/contract';
import type { Database } from '../db/client.ts';
import type { Clock } from '../clock.ts';
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
  witnessFailures: Counter<'peer' | 'code'>;
  httpRequestDuration: Histogram<'listener' | 'method' | 'route' | 'status_class'>;
}

/** What the scrape-time gauges read besides the database. */
export interface MetricsSources {
  clock: Clock;
  nodeId: string;
  /**
   * The end of validity of each purpose's keys (null: no end set). Read at every scrape, so a key
   * reload shows; a TLS certificate reports under purpose `tls` once the node has one.
   */
  keyExpiries: () => Array<{ purpose: string; validUntil: string | null }>;
}

/** Statuses of a message still to deliver (the outbox's pending index covers exactly these); constants, inlined as literals so the planner matches the index. */
const UNDELIVERED = ['queued', 'sending', 'retrying'] as const;

export function createMetrics(db: Database, logger: Logger, sources: MetricsSources): Metrics {
  const registry = new Registry();
  const registers = [registry];
  collectDefaultMetrics({ register: registry });
  const safely = async (what: string, collect: () => Promise<void>) => {
    try {
      await collect();
    } catch (err) {
      // A scrape must not fail because the database is away: the gauge keeps its last values.
      logger.warn(errorSummary(err), `could not read ${what}`);
    }
  };
  new Gauge({
    name: 'bridge_outbox_messages',
    help: 'Outbox messages by status, counted in the database at scrape time.',
    labelNames: ['status'],
    registers,
    async collect() {
      await safely('outbox counts', async () => {
        const result = await db.execute<{ status: string; count: string }>(sql`select status, count(*)::text as count from outbox_messages group by status`);
        const counts = new Map(result.rows.map((r) => [r.status, Number(r.count)]));
        for (const status of OutboxStatus.options) this.set({ status }, counts.get(status) ?? 0);
      });
    },
  });
  new Gauge({
    name: 'bridge_outbox_oldest_undelivered_age_seconds',
    help: 'Age of the oldest message not yet delivered to each peer (queued, sending or retrying); 0 when none waits.',
    labelNames: ['peer'],
    registers,
    async collect() {
      await safely('outbox ages', async () => {
        const result = await db.execute<{ peer: string; oldest: string | null }>(
          // The status filter is the pending index's own predicate: only undelivered rows are read.
          sql`select p.node_id as peer, o.oldest from peers p left join (
                select peer_node_id, extract(epoch from min(created_at))::text as oldest from outbox_messages
                where status in (${sql.raw(UNDELIVERED.map((s) => `'${s}'`).join(', '))}) group by peer_node_id
              ) o on o.peer_node_id = p.node_id`,
        );
        const now = sources.clock.now().getTime() / 1000;
        this.reset();
        for (const r of result.rows) this.set({ peer: r.peer }, r.oldest === null ? 0 : Math.max(0, now - Number(r.oldest)));
      });
    },
  });
  new Gauge({
    name: 'bridge_audit_last_cosignature_timestamp_seconds',
    help: 'When the latest co-signature was stored, per peer: direction "received" for a peer co-signing this node\'s log, "given" for this node co-signing the peer\'s.',
    labelNames: ['peer', 'direction'],
    registers,
    async collect() {
      await safely('co-signature times', async () => {
        const self = sources.nodeId;
        // Per pair, the newest co-signature is the one of the largest tree: a primary-key lookup, not a scan.
        const latest = (origin: SQL, witness: SQL) =>
          sql`(select extract(epoch from s.created_at)::text from audit_cosignatures s where s.origin = ${origin} and s.witness = ${witness} order by s.tree_size desc limit 1)`;
        const result = await db.execute<{ peer: string; received: string | null; given: string | null }>(
          sql`select p.node_id as peer, ${latest(sql`${self}`, sql`p.node_id`)} as received, ${latest(sql`p.node_id`, sql`${self}`)} as given from peers p`,
        );
        this.reset();
        for (const r of result.rows) {
          if (r.received !== null) this.set({ peer: r.peer, direction: 'received' }, Number(r.received));
          if (r.given !== null) this.set({ peer: r.peer, direction: 'given' }, Number(r.given));
        }
      });
    },
  });
  new Gauge({
    name: 'bridge_audit_uncosigned_age_seconds',
    help: 'How long this node\'s audit log has held a checkpoint each active peer has not co-signed; 0 when the peer has co-signed the latest.',
    labelNames: ['peer'],
    registers,
    async collect() {
      await safely('co-signature lag', async () => {
        const self = sources.nodeId;
        // issued_at grows with tree_size, so the first checkpoint past the co-signed size is the oldest one.
        const result = await db.execute<{ peer: string; oldest: string | null }>(
          sql`select p.node_id as peer, (select extract(epoch from c.issued_at)::text from audit_checkpoints c
                where c.tree_size > coalesce((select max(s.tree_size) from audit_cosignatures s where s.origin = ${self} and s.witness = p.node_id), 0)
                order by c.tree_size limit 1) as oldest
              from peers p where p.status = 'active'`,
        );
        const now = sources.clock.now().getTime() / 1000;
        this.reset();
        for (const r of result.rows) this.set({ peer: r.peer }, r.oldest === null ? 0 : Math.max(0, now - Number(r.oldest)));
      });
    },
  });
  new Gauge({
    name: 'bridge_key_expiry_timestamp_seconds',
    help: 'When the last key of each purpose stops being valid; +Inf while one has no end (a rotation sets the end of the old key).',
    labelNames: ['purpose'],
    registers,
    collect() {
      const latest = new Map<string, number>();
      for (const { purpose, validUntil } of sources.keyExpiries()) {
        const end = validUntil === null ? Infinity : Date.parse(validUntil) / 1000;
        latest.set(purpose, Math.max(latest.get(purpose) ?? -Infinity, end));
      }
      this.reset();
      for (const [purpose, end] of latest) this.set({ purpose }, end);
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
    witnessFailures: new Counter({
      name: 'bridge_witness_failures_total',
      help: 'Witnessing a peer\'s log failed its checks, by problem code: audit_inconsistent (a rewritten or rolled-back log) or checkpoint_invalid.',
      labelNames: ['peer', 'code'],
      registers,
    }),
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
