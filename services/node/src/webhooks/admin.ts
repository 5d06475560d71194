import { and, desc, eq, type SQL } from 'drizzle-orm';
import type { ListWebhookDeliveriesQuery, WebhookDelivery, WebhookDeliveryList } from '@bridge/contract';
import { events, webhookDeliveries } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { afterCursor, encodeCursor } from '../http/cursor.ts';

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
    items: page.map(({ delivery: d, eventId, eventType }) => ({
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
    })),
    nextCursor: rows.length > query.limit && last ? encodeCursor(last.createdAt, last.id) : null,
  };
}
