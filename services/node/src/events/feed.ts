import { eq, gt, sql } from 'drizzle-orm';
import type { Event, EventPage, ListEventsQuery } from '@bridge/contract';
import { events } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { BridgeError } from '../errors.ts';

type EventRow = typeof events.$inferSelect;

/** The one place an events row becomes the contract's Event (also the webhook body). */
export function toEvent(row: EventRow): Event {
  return { id: row.eventId, type: row.type as Event['type'], occurredAt: row.occurredAt.toISOString(), referralId: row.referralId, ...(row.data as Omit<Event, 'id' | 'type' | 'occurredAt' | 'referralId'>) };
}

export function encodeEventCursor(seq: number): string {
  return Buffer.from(`seq.${seq}`).toString('base64url');
}

const notIssued = () =>
  new BridgeError(400, 'validation_failed', 'cursor is not one this node issued', [{ path: '/querystring/after', message: 'not a cursor of this feed' }]);

/** The feed position of a cursor: exactly as `encodeEventCursor` writes it (base64url is lenient). */
function decodeEventCursor(cursor: string): number {
  const match = /^seq\.(0|[1-9]\d{0,14})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match || encodeEventCursor(Number(match[1])) !== cursor) throw notIssued();
  return Number(match[1]);
}

/**
 * The post-commit sequencer. Identity ids are taken when a row is inserted, not when it commits, so
 * "id > last seen" skips a row whose transaction took its id early and committed after a reader
 * moved past it. Instead, feed positions are handed out here, to committed rows only, in runs
 * serialised by an advisory lock: each run numbers the rows it can see (they are committed) above
 * every number given before, and commits them at once. A row that commits late is simply numbered
 * by a later run, above every position a reader has already passed. Nothing depends on transaction
 * ids, so positions survive a dump and restore.
 */
export async function sequenceEvents(tx: Executor): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtextextended('bridge/events/sequencer', 0))`);
  // A fresh statement after the lock: it sees the previous run's commit.
  await tx.execute(sql`
    update ${events} e set seq = base.top + n.position
    from (select coalesce(max(seq), 0) as top from ${events}) base,
         (select id, row_number() over (order by id) as position from ${events} where seq is null) n
    where e.id = n.id`);
}

/** Oldest first, by feed position; sequences what has committed since the last call first. */
export async function listEvents(db: Executor, query: ListEventsQuery): Promise<EventPage> {
  const after = query.after ? decodeEventCursor(query.after) : 0;
  const rows = await db.transaction(async (tx) => {
    await sequenceEvents(tx);
    const page = await tx.select().from(events).where(gt(events.seq, after)).orderBy(events.seq).limit(query.limit);
    // Positions are given without gaps and events are never deleted, so every cursor this node
    // handed out names 0 or an event's position; nothing after it means it must name the last one.
    if (page.length === 0 && after > 0 && (await tx.$count(events, eq(events.seq, after))) === 0) throw notIssued();
    return page;
  });
  const last = rows.at(-1);
  return { items: rows.map(toEvent), nextCursor: last ? encodeEventCursor(last.seq!) : (query.after ?? encodeEventCursor(0)) };
}
