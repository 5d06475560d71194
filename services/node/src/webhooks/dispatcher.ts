import { and, eq, sql } from 'drizzle-orm';
import { openWebhookSecret, signWebhook } from '@bridge/crypto';
import { events, webhookDeliveries, webhookSubscriptions } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { epochSeconds } from '../clock.ts';
import { toEvent } from '../events/feed.ts';
import { afterFailure } from '../outbox/backoff.ts';
import { claimable } from '../outbox/claim.ts';
import { WorkerPool } from '../outbox/worker-pool.ts';
import { networkErrorCode } from '../outbox/dispatcher.ts';
import { postOutbound } from '../http/outbound.ts';
import { secretKeyMaterial } from './subscriptions.ts';
import type { NodeContext } from '../context.ts';
import { errorSummary } from '../log-safe.ts';

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

interface Claimed {
  row: DeliveryRow;
  url: string;
  secret: string;
  eventId: string;
  referralId: string;
  eventType: string;
  body: string;
}

/**
 * Delivers events to webhook subscriptions the way the outbox delivers messages to peers: a claim
 * (SKIP LOCKED) takes a lease in one short transaction, the HTTP call runs outside any transaction,
 * the outcome is recorded in another; failures back off (outbox/backoff.ts) until the deadline, then
 * the delivery is dead with an audit event. Woken by the outbox's NOTIFY and by polling.
 */
export class WebhookDispatcher {
  private readonly pool: WorkerPool;

  constructor(private readonly ctx: NodeContext) {
    const { delivery } = ctx.config;
    this.pool = new WorkerPool({ concurrency: delivery.concurrency, pollIntervalMs: delivery.pollIntervalMs }, () => this.deliverOne(), (err) =>
      ctx.logger.error(errorSummary(err), 'webhook worker failed'),
    );
  }

  start(): void {
    this.pool.start();
  }
  wake(): void {
    this.pool.wake();
  }
  processAll(): Promise<void> {
    return this.pool.processAll();
  }
  stop(): Promise<void> {
    return this.pool.stop();
  }

  private async deliverOne(): Promise<boolean> {
    const claimed = await this.claimNext();
    if (claimed === undefined) return false;
    if (claimed !== 'skipped') await this.attempt(claimed);
    return true;
  }

  private async claimNext(): Promise<Claimed | 'skipped' | undefined> {
    const { ctx } = this;
    const now = ctx.clock.now();
    return ctx.db.transaction(async (tx) => {
      const [row] = await tx
        .select()
        .from(webhookDeliveries)
        .where(claimable(webhookDeliveries, now))
        // Events of one transaction share their time: their ids keep their order.
        .orderBy(webhookDeliveries.nextAttemptAt, webhookDeliveries.createdAt, webhookDeliveries.eventId)
        .limit(1)
        .for('update', { skipLocked: true });
      if (!row) return undefined;
      const [subscription] = await tx.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, row.subscriptionId));
      if (!subscription || subscription.deletedAt) {
        await tx.update(webhookDeliveries).set({ status: 'dead', lastError: 'subscription_deleted', leaseUntil: null }).where(eq(webhookDeliveries.id, row.id));
        return 'skipped' as const;
      }
      const [event] = await tx.select().from(events).where(eq(events.id, row.eventId));
      const [claimedRow] = await tx
        .update(webhookDeliveries)
        .set({ status: 'sending', leaseUntil: new Date(now.getTime() + 2 * ctx.config.delivery.requestTimeoutMs), attempts: sql`${webhookDeliveries.attempts} + 1` })
        .where(eq(webhookDeliveries.id, row.id))
        .returning();
      return {
        row: claimedRow!,
        url: subscription.url,
        secret: openWebhookSecret(secretKeyMaterial(ctx), subscription.id, subscription.sealedSecret),
        eventId: event!.eventId,
        referralId: event!.referralId,
        eventType: event!.type,
        body: JSON.stringify(toEvent(event!)),
      };
    });
  }

  private async attempt(claimed: Claimed): Promise<void> {
    const { ctx } = this;
    const { row } = claimed;
    // Signed afresh at each attempt: a receiver refuses old timestamps, so a retry must carry a new one.
    const timestamp = epochSeconds(ctx.clock.now());
    let error: string | undefined;
    try {
      const res = await postOutbound(
        claimed.url,
        claimed.body,
        {
          'content-type': 'application/json',
          'webhook-id': claimed.eventId,
          'webhook-timestamp': String(timestamp),
          'webhook-signature': signWebhook(claimed.secret, { id: claimed.eventId, timestamp, body: claimed.body }),
        },
        // The receiver's answer is never kept or logged: only its status.
        { timeoutMs: ctx.config.delivery.requestTimeoutMs, maxResponseBytes: 0 },
      );
      if (res.status < 200 || res.status >= 300) error = `http_${res.status}`;
    } catch (err) {
      error = networkErrorCode(err);
    }
    const now = ctx.clock.now();
    ctx.metrics.webhookAttempts.inc({ outcome: error === undefined ? 'delivered' : 'failed' });
    if (error === undefined) {
      await ctx.db
        .update(webhookDeliveries)
        .set({ status: 'delivered', deliveredAt: now, leaseUntil: null, lastError: null })
        .where(and(eq(webhookDeliveries.id, row.id), sql`${webhookDeliveries.status} <> 'delivered'`));
      ctx.logger.debug({ deliveryId: row.id, subscriptionId: row.subscriptionId }, 'webhook delivered');
      return;
    }
    ctx.logger.warn({ deliveryId: row.id, subscriptionId: row.subscriptionId, error, attempts: row.attempts }, 'webhook delivery failed');
    const dead = await ctx.db.transaction((tx) => this.recordFailure(tx, claimed, error, now));
    if (dead) ctx.metrics.webhookDead.inc();
  }

  /** Records a failed attempt; true when it gave the delivery up (counted once committed). */
  private async recordFailure(tx: Executor, claimed: Claimed, error: string, now: Date): Promise<boolean> {
    const { row } = claimed;
    const { dead, nextAttemptAt } = afterFailure(row.attempts, row.deadlineAt, now, this.ctx.config.delivery);
    const [updated] = await tx
      .update(webhookDeliveries)
      .set({ status: dead ? 'dead' : 'retrying', lastError: error, leaseUntil: null, nextAttemptAt })
      .where(and(eq(webhookDeliveries.id, row.id), eq(webhookDeliveries.status, 'sending')))
      .returning({ id: webhookDeliveries.id });
    if (!updated || !dead) return false;
    await appendAudit(tx, {
      type: 'webhook.dead',
      actor: 'system',
      at: now,
      referralId: claimed.referralId,
      detail: { deliveryId: row.id, subscriptionId: row.subscriptionId, eventType: claimed.eventType, error, attempts: row.attempts },
    });
    this.ctx.logger.error({ deliveryId: row.id, subscriptionId: row.subscriptionId, error }, 'webhook delivery dead');
    return true;
  }
}
