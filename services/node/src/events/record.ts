import type { EventType } from '@bridge/contract';
import { events, type EventData } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { Statement } from '../db/statement.ts';
import { newId } from '../clock.ts';
import { notifyText } from '../outbox/enqueue.ts';
import type { NodeContext } from '../context.ts';

export type NewEvent = { type: EventType; referralId: string } & EventData;

/**
 * Records a change for the organisation's own systems, in the caller's transaction (the one making
 * the change), and queues its delivery to every matching webhook subscription in the same
 * transaction. Codes and ids only: callers never pass a name, a note or any other free text.
 */
export async function recordEvent(tx: Executor, ctx: Pick<NodeContext, 'clock' | 'config'>, event: NewEvent): Promise<void> {
  const statement = new Statement();
  addEvent(statement, ctx, event);
  await statement.run(tx);
}

/**
 * `recordEvent` as writes of a `Statement`: the event, a delivery for every matching subscription,
 * and (only if there is one) the wake-up of the webhook dispatchers on commit.
 */
export function addEvent(statement: Statement, ctx: Pick<NodeContext, 'clock' | 'config'>, event: NewEvent): void {
  const now = ctx.clock.now();
  const { type, referralId, ...rest } = event;
  // Absent optional members are left out, so the stored data is exactly what the feed serves.
  const data = Object.fromEntries(Object.entries(rest).filter(([, v]) => v !== undefined && v !== null)) as unknown as EventData;
  statement.insert(events, [{ eventId: newId(), type, referralId, occurredAt: now, data }], {
    returning: 'id, type, occurred_at',
    then: (inserted) => {
      // Each delivery is due from its own event's time, with the outbox's deadline.
      const queued = statement.write({
        text: `insert into webhook_deliveries (id, subscription_id, event_id, status, next_attempt_at, deadline_at, created_at)
        select gen_random_uuid(), s.id, e.id, 'queued', e.occurred_at, e.occurred_at + $1::bigint * interval '1 millisecond', e.occurred_at
          from webhook_subscriptions s join "${inserted}" e on s.event_types is null or e.type = any(s.event_types)
         where s.deleted_at is null
        returning 1`,
        params: [ctx.config.delivery.deadlineMs],
      });
      statement.output(`${queued}_notified`, { text: `${notifyText('webhooks')} where exists (select 1 from "${queued}")`, params: [] });
    },
  });
}

/** A referral's status changed (on either side): the one event every transition records. */
export function statusChangedEvent(change: { referralId: string; direction: EventData['direction']; peer: string; from: string; to: string; reason?: string | null | undefined }): NewEvent {
  return {
    type: 'referral.status_changed',
    referralId: change.referralId,
    direction: change.direction,
    peer: change.peer,
    status: change.to,
    previousStatus: change.from,
    ...(change.reason ? { reason: change.reason } : {}),
  };
}
