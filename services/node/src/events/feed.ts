import { sql } from 'drizzle-orm';
import type { Event, EventPage, ListEventsQuery } from '@bridge/contract';
import { events } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import { BridgeError } from '../errors.ts';

type EventRow = typeof events.$inferSelect;

/** The one place an events row becomes the contract's Event (also the webhook body). */
export function toEvent(row: EventRow): Event {
  return { id: row.eventId, type: row.type as Event['type'], occurredAt: row.occurredAt.toISOString(), referralId: row.referralId, ...(row.data as Omit<Event, 'id' | 'type' | 'occurredAt' | 'referralId'>) };
}

interface Position {
  xid: string;
  id: number;
}

const START: Position = { xid: '0', id: 0 };

export function encodeEventCursor(p: Position): string {
  return Buffer.from(`${p.xid}.${p.id}`).toString('base64url');
}

function decodeEventCursor(cursor: string): Position {
  const match = /^(\d{1,20})\.(\d{1,19})$/.exec(Buffer.from(cursor, 'base64url').toString('utf8'));
  if (!match) throw new BridgeError(400, 'validation_failed', 'cursor is not one this node issued', [{ path: '/querystring/after', message: 'not a cursor of this feed' }]);
  return { xid: match[1]!, id: Number(match[2]) };
}

/**
 * Oldest first, in (xid, id) order, and only rows whose transaction id is below the xmin of this
 * statement's snapshot. Every transaction below xmin has ended, so no row can ever appear behind
 * the cursor: a later commit always has an xid at or above that xmin, hence above every row served.
 * Ordering by the identity column alone would skip a row whose transaction took its id early but
 * committed after a reader had moved past it. The price: one long transaction delays the feed.
 */
export async function listEvents(tx: Executor, query: ListEventsQuery): Promise<EventPage> {
  const after = query.after ? decodeEventCursor(query.after) : START;
  const rows = await tx
    .select()
    .from(events)
    .where(sql`${events.xid} < pg_snapshot_xmin(pg_current_snapshot()) and (${events.xid}, ${events.id}) > (${after.xid}::xid8, ${after.id})`)
    .orderBy(events.xid, events.id)
    .limit(query.limit);
  const last = rows.at(-1);
  return { items: rows.map(toEvent), nextCursor: last ? encodeEventCursor({ xid: last.xid, id: last.id }) : (query.after ?? encodeEventCursor(START)) };
}
