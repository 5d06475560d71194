import { and, eq, inArray, isNull, sql } from 'drizzle-orm';
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
import { checkTargetUrl, guardedAgents, TargetForbidden } from './target.ts';
import type { NodeContext } from '../context.ts';
import { errorSummary } from '../log-safe.ts';

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** Connections to receivers when local targets are not allowed: each new one checks the address it connects to. */
const guarded = guardedAgents();

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
    const allowLocal = ctx.config.webhooks?.allowLocal ?? false;
    let error: string | undefined;
    try {
      // Checked again at each attempt: the setting may have changed since the subscription was made.
      checkTargetUrl(new URL(claimed.url), allowLocal);
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
        { timeoutMs: ctx.config.delivery.requestTimeoutMs, maxResponseBytes: 0, ...(allowLocal ? {} : { agents: guarded }) },
      );
      if (res.status < 200 || res.status >= 300) error = `http_${res.status}`;
    } catch (err) {
      error = err instanceof TargetForbidden ? 'target_forbidden' : networkErrorCode(err);
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
    const dead = await ctx.db.transaction((tx) => (error === 'http_410' ? this.disableGone(tx, claimed, now) : this.recordFailure(tx, claimed, error, now)));
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

  /**
   * `410 Gone`: the receiver says this URL will not take deliveries again, so retrying is pointless.
   * The delivery is dead at once, the subscription is disabled (like a deletion, by the system) with
   * its waiting deliveries given up, and an audit event records it.
   */
  private async disableGone(tx: Executor, claimed: Claimed, now: Date): Promise<boolean> {
    const { row } = claimed;
    const [updated] = await tx
      .update(webhookDeliveries)
      .set({ status: 'dead', lastError: 'http_410', leaseUntil: null })
      .where(and(eq(webhookDeliveries.id, row.id), eq(webhookDeliveries.status, 'sending')))
      .returning({ id: webhookDeliveries.id });
    const [disabled] = await tx
      .update(webhookSubscriptions)
      .set({ deletedAt: now })
      .where(and(eq(webhookSubscriptions.id, row.subscriptionId), isNull(webhookSubscriptions.deletedAt)))
      .returning({ id: webhookSubscriptions.id });
    if (disabled) {
      await tx
        .update(webhookDeliveries)
        .set({ status: 'dead', lastError: 'subscription_gone', leaseUntil: null })
        .where(and(eq(webhookDeliveries.subscriptionId, row.subscriptionId), inArray(webhookDeliveries.status, ['queued', 'retrying'])));
      await appendAudit(tx, {
        type: 'webhook.disabled',
        actor: 'system',
        at: now,
        referralId: claimed.referralId,
        detail: { subscriptionId: row.subscriptionId, deliveryId: row.id, eventType: claimed.eventType, error: 'http_410' },
      });
      this.ctx.logger.warn({ subscriptionId: row.subscriptionId, deliveryId: row.id }, 'webhook subscription disabled: receiver answered 410');
    }
    return updated !== undefined;
  }
}
