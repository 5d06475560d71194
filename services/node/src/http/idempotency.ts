import { and, eq, lt } from 'drizzle-orm';
import { contentDigest } from '@bridge/crypto';
import { idempotencyKeys } from '../db/schema/index.ts';
import type { Executor } from '../db/client.ts';
import type { NodeContext } from '../context.ts';
import { BridgeError } from '../errors.ts';
import { newId } from '../clock.ts';

export interface IdempotentResult<T> {
  status: number;
  body: T;
  replayed: boolean;
}

/**
 * How long a request may hold its key before a retry may take it over (its process may have died).
 * Takeover is safe however long the first one really runs: only the lease owner can commit.
 */
const LEASE_MS = 10_000;

/**
 * Runs `operation` in a transaction at most once per (client, key). Same key and payload → the
 * stored response; same key while the first is running → 409; same key, other payload → 422.
 * Failures store nothing: the change rolled back, so the same key may be retried.
 * `options.atomic`: see below.
 */
export async function idempotent<T>(
  ctx: NodeContext,
  request: { clientId: string; key: string | undefined; fingerprint: unknown },
  operation: (tx: Executor) => Promise<{ status: number; body: T }>,
  options: { atomic?: boolean } = {},
): Promise<IdempotentResult<T>> {
  if (request.key === undefined) {
    // `atomic`: the operation reads, then makes all its writes in one statement, which PostgreSQL
    // commits or rolls back as a whole; BEGIN and COMMIT would only add two round trips.
    return { ...(await (options.atomic ? operation(ctx.db) : ctx.db.transaction(operation))), replayed: false };
  }
  const { clientId, key } = request;
  const requestHash = contentDigest(request.fingerprint);
  const now = ctx.clock.now();
  const where = and(eq(idempotencyKeys.clientId, clientId), eq(idempotencyKeys.key, key));

  const owner = newId();
  const [reserved] = await ctx.db
    .insert(idempotencyKeys)
    .values({ clientId, key, requestHash, state: 'running', owner, leaseUntil: new Date(now.getTime() + LEASE_MS), createdAt: now })
    .onConflictDoNothing()
    .returning();
  if (!reserved) {
    const [existing] = await ctx.db.select().from(idempotencyKeys).where(where);
    if (!existing) throw new BridgeError(409, 'idempotency_key_in_use', 'the request with this key is being processed; retry shortly');
    if (existing.requestHash !== requestHash) throw new BridgeError(422, 'idempotency_key_reused', 'this Idempotency-Key was used with another payload');
    if (existing.state === 'done') return { status: existing.responseStatus!, body: existing.responseBody as T, replayed: true };
    // Still running: refuse, unless its lease ran out (the first request's process died).
    const [taken] = await ctx.db
      .update(idempotencyKeys)
      .set({ owner, leaseUntil: new Date(now.getTime() + LEASE_MS) })
      .where(and(where, eq(idempotencyKeys.state, 'running'), lt(idempotencyKeys.leaseUntil, now)))
      .returning();
    if (!taken) throw new BridgeError(409, 'idempotency_key_in_use', 'the request with this key is being processed; retry shortly');
  }
  try {
    const result = await ctx.db.transaction(async (tx) => {
      const outcome = await operation(tx);
      const [recorded] = await tx
        .update(idempotencyKeys)
        .set({ state: 'done', responseStatus: outcome.status, responseBody: outcome.body as object })
        .where(and(where, eq(idempotencyKeys.owner, owner), eq(idempotencyKeys.state, 'running')))
        .returning({ key: idempotencyKeys.key });
      // A retry took the key over meanwhile: roll this attempt back, the other one decides.
      if (!recorded) throw new BridgeError(409, 'idempotency_key_in_use', 'the request with this key was taken over by a retry');
      return outcome;
    });
    return { ...result, replayed: false };
  } catch (err) {
    // Best effort: if the database is unreachable, the lease runs out instead.
    await ctx.db.delete(idempotencyKeys).where(and(where, eq(idempotencyKeys.owner, owner), eq(idempotencyKeys.state, 'running'))).catch(() => {});
    throw err;
  }
}
