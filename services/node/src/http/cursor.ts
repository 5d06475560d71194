import { and, eq, lt, or, type SQL, type Column } from 'drizzle-orm';
import { BridgeError } from '../errors.ts';

/** Keyset paging on (created_at, id), newest first: stable while rows are added. */
export function encodeCursor(createdAt: Date, id: string): string {
  return Buffer.from(JSON.stringify([createdAt.toISOString(), id])).toString('base64url');
}

/** The condition "older than the cursor's row"; a cursor this node did not issue is a 400. */
export function afterCursor(cursor: string, createdAt: Column, id: Column): SQL {
  let at: Date;
  let key: string;
  try {
    const [iso, value] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [string, string];
    at = new Date(iso);
    key = value;
    if (Number.isNaN(at.getTime()) || !/^[0-9a-f-]{36}$/.test(key)) throw new Error('bad cursor');
  } catch {
    throw new BridgeError(400, 'validation_failed', 'cursor is not one this node issued');
  }
  return or(lt(createdAt, at), and(eq(createdAt, at), lt(id, key)))!;
}

/** Keyset paging on a unique, never reused integer key (newest first), e.g. the audit event id. */
export function encodeIdCursor(kind: string, id: number): string {
  return Buffer.from(JSON.stringify([kind, id])).toString('base64url');
}

/** The id of a cursor from `encodeIdCursor(kind, …)`; anything else is a 400. */
export function decodeIdCursor(kind: string, cursor: string): number {
  try {
    const [k, id] = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as [unknown, unknown];
    if (k === kind && Number.isSafeInteger(id) && (id as number) >= 0) return id as number;
  } catch {
    // fall through
  }
  throw new BridgeError(400, 'validation_failed', 'cursor is not one this node issued');
}
