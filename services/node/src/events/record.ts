import { and, isNull, or, sql } from 'drizzle-orm';
import type { EventType } from '@bridge/contract';
import { events, webhookDeliveries, webhookSubscriptions, type EventData } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { newId } from '../clock.ts';
import { notifyOutbox } from '../outbox/enqueue.ts';
import type { NodeContext } from '../context.ts';

export type NewEvent = { type: EventType; referralId: string } & EventData;

/**
 * Records a change for the organisation's own systems, in the caller's transaction (the one making
 * the change), and queues its delivery to every matching webhook subscription in the same
 * transaction. Codes and ids only: callers never pass a name, a note or any other free text.
 */
export async function recordEvent(tx: Executor, ctx: Pick<NodeContext, 'clock' | 'config'>, event: NewEvent): Promise<void> {
  const now = ctx.clock.now();
  const { type, referralId, ...rest } = event;
  // Absent optional members are left out, so the stored data is exactly what the feed serves.
  const data = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== null)) as unknown as EventData;
  const [row] = await tx.insert(events).values({ eventId: newId(), type, referralId, occurredAt: now, data }).returning({ id: events.id });
  const subscriptions = await tx
    .select({ id: webhookSubscriptions.id })
    .from(webhookSubscriptions)
    .where(and(isNull(webhookSubscriptions.deletedAt), or(isNull(webhookSubscriptions.eventTypes), sql`${type} = any(${webhookSubscriptions.eventTypes})`)));
  if (subscriptions.length === 0) return;
  const deadlineAt = new Date(now.getTime() + ctx.config.delivery.deadlineMs);
  await tx.insert(webhookDeliveries).values(
    subscriptions.map((s) => ({ id: newId(), subscriptionId: s.id, eventId: row!.id, status: 'queued' as const, nextAttemptAt: now, deadlineAt, createdAt: now })),
  );
  await notifyOutbox(tx);
}

/** A referral's status changed (on either side): the one event every transition records. */
export async function recordStatusChange(
  tx: Executor,
  ctx: Pick<NodeContext, 'clock' | 'config'>,
  change: { referralId: string; direction: EventData['direction']; peer: string; from: string; to: string; reason?: string | null | undefined },
): Promise<void> {
  await recordEvent(tx, ctx, {
    type: 'referral.status_changed',
    referralId: change.referralId,
    direction: change.direction,
    peer: change.peer,
    status: change.to,
    previousStatus: change.from,
    ...(change.reason ? { reason: change.reason } : {}),
  });
}
