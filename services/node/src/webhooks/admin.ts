import { and, desc, eq, sql, type SQL } from 'drizzle-orm';
import type { ListWebhookDeliveriesQuery, WebhookDelivery, WebhookDeliveryList } from '@bridge/contract';
import { events, webhookDeliveries, webhookSubscriptions } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { afterCursor, encodeCursor } from '../http/cursor.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError, notFound } from '../errors.ts';
import { notifyText } from '../outbox/enqueue.ts';
import type { NodeContext } from '../context.ts';

type DeliveryRow = typeof webhookDeliveries.$inferSelect;

/** A delivery row, with its event's id and type, as the admin API shows it. */
function toDeliveryView(d: DeliveryRow, eventId: string, eventType: string): WebhookDelivery {
  return {
    id: d.id,
    subscriptionId: d.subscriptionId,
    eventId,
    eventType: eventType as WebhookDelivery['eventType'],
    status: d.status,
    attempts: d.attempts,
    lastError: d.lastError,
    nextAttemptAt: d.nextAttemptAt.toISOString(),
    deadlineAt: d.deadlineAt.toISOString(),
    createdAt: d.createdAt.toISOString(),
    deliveredAt: d.deliveredAt?.toISOString() ?? null,
  };
}

/** Newest first, keyset-paged on (created_at, id), like the outbox listing. */
export async function listWebhookDeliveries(tx: Executor, query: ListWebhookDeliveriesQuery): Promise<WebhookDeliveryList> {
  const filters: SQL[] = [];
  if (query.status) filters.push(eq(webhookDeliveries.status, query.status));
  if (query.cursor) filters.push(afterCursor(query.cursor, webhookDeliveries.createdAt, webhookDeliveries.id));
  const rows = await tx
    .select({ delivery: webhookDeliveries, eventId: events.eventId, eventType: events.type })
    .from(webhookDeliveries)
    .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
    .where(and(...filters))
    .orderBy(desc(webhookDeliveries.createdAt), desc(webhookDeliveries.id))
    .limit(query.limit + 1);
  const page = rows.slice(0, query.limit);
  const last = page.at(-1)?.delivery;
  return {
    items: page.map(({ delivery, eventId, eventType }) => toDeliveryView(delivery, eventId, eventType)),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}

/**
 * Puts a dead delivery back in the queue with a fresh deadline, like `resendMessage` for the outbox.
 * Refused unless it is dead and its subscription still exists (not deleted, nor disabled by a 410).
 */
export async function resendDelivery(ctx: Pick<NodeContext, 'config' | 'db' | 'clock' | 'wakeDispatcher'>, id: string, actor: string): Promise<WebhookDelivery> {
  const now = ctx.clock.now();
  const view = await ctx.db.transaction(async (tx) => {
    const [current] = await tx
      .select({ delivery: webhookDeliveries, eventId: events.eventId, eventType: events.type, referralId: events.referralId, deletedAt: webhookSubscriptions.deletedAt })
      .from(webhookDeliveries)
      .innerJoin(events, eq(events.id, webhookDeliveries.eventId))
      .innerJoin(webhookSubscriptions, eq(webhookSubscriptions.id, webhookDeliveries.subscriptionId))
      .where(eq(webhookDeliveries.id, id))
      .for('update', { of: webhookDeliveries });
    if (!current) throw notFound('webhook delivery');
    const { delivery } = current;
    if (delivery.status !== 'dead') throw new BridgeError(409, 'conflict', `only a dead delivery can be resent; this one is ${delivery.status}`);
    if (current.deletedAt) throw new BridgeError(409, 'conflict', 'the subscription of this delivery was deleted or disabled');
    const [updated] = await tx
      .update(webhookDeliveries)
      .set({ status: 'queued', nextAttemptAt: now, deadlineAt: new Date(now.getTime() + ctx.config.delivery.deadlineMs), leaseUntil: null })
      .where(eq(webhookDeliveries.id, id))
      .returning();
    // Wakes the webhook dispatchers of every replica, on commit.
    await tx.execute(sql.raw(notifyText('webhooks')));
    await appendAudit(tx, {
      type: 'webhook.resent',
      actor,
      at: now,
      referralId: current.referralId,
      detail: { deliveryId: id, subscriptionId: delivery.subscriptionId, eventType: current.eventType, attempts: delivery.attempts },
    });
    return toDeliveryView(updated!, current.eventId, current.eventType);
  });
  ctx.wakeDispatcher();
  return view;
}
