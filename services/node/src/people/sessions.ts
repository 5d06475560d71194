import { and, desc, eq, sql } from 'drizzle-orm';
import type { SessionInfo, SessionList, SignInMethod } from '@bridge/contract';
import { accountsConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { userSessions, users } from '../db/schema/index.ts';
import { newId } from '../clock.ts';
import { appendAudit } from '../audit/append.ts';
import { csrfToken, randomToken, tokenHash } from './secrets.ts';
import { currentUser, type UserRow } from './users.ts';

export type SessionRow = typeof userSessions.$inferSelect;

export const SESSION_COOKIE = '__Host-bridge_session';

/** A new session for a person who just presented a factor; the oldest beyond the limit end. */
export async function createSession(tx: Executor, ctx: NodeContext, user: UserRow, method: SignInMethod): Promise<{ token: string; session: SessionRow }> {
  const config = accountsConfig(ctx.config);
  const now = ctx.clock.now();
  const token = randomToken();
  const session: SessionRow = {
    id: newId(),
    tokenHash: tokenHash(token),
    userId: user.id,
    method,
    createdAt: now,
    lastSeenAt: now,
    expiresAt: new Date(now.getTime() + config.sessionAbsoluteMs),
    stepUpAt: now,
    rotatePending: false,
  };
  await tx.insert(userSessions).values(session);
  const all = await tx.select({ id: userSessions.id }).from(userSessions).where(eq(userSessions.userId, user.id)).orderBy(desc(userSessions.createdAt), desc(userSessions.id));
  for (const old of all.slice(config.maxSessions)) {
    await tx.delete(userSessions).where(eq(userSessions.id, old.id));
    await appendAudit(tx, { type: 'session.revoked', actor: `user:${user.id}`, at: now, detail: { reason: 'session_limit' } });
  }
  await tx.update(users).set({ lastSignInAt: now }).where(eq(users.id, user.id));
  return { token, session };
}

/**
 * Gives the session a new token (the old cookie stops working at once) and, on a step-up, a new
 * step-up time. Used on step-up, credential change and after a role change.
 */
export async function rotateSession(tx: Executor, session: SessionRow, stepUpAt: Date | null): Promise<{ token: string; session: SessionRow }> {
  const token = randomToken();
  const [row] = await tx
    .update(userSessions)
    .set({ tokenHash: tokenHash(token), rotatePending: false, ...(stepUpAt ? { stepUpAt } : {}) })
    .where(eq(userSessions.id, session.id))
    .returning();
  return { token, session: row! };
}

export interface ActiveSession {
  session: SessionRow;
  user: UserRow;
}

/**
 * The live session of a cookie token, with its user as of now: unknown, ended, timed out (idle or
 * absolute) or belonging to a disabled account gives null. Records the activity.
 */
export async function resolveSession(ctx: NodeContext, token: string): Promise<ActiveSession | null> {
  const config = accountsConfig(ctx.config);
  const now = ctx.clock.now();
  const [row] = await ctx.db.select().from(userSessions).innerJoin(users, eq(users.id, userSessions.userId)).where(eq(userSessions.tokenHash, tokenHash(token)));
  if (!row) return null;
  const { user_sessions: session, users: user } = row;
  const idleEnd = session.lastSeenAt.getTime() + config.sessionIdleMs;
  if (now.getTime() >= idleEnd || now >= session.expiresAt || user.status !== 'active') {
    if (user.status === 'active') await ctx.db.delete(userSessions).where(eq(userSessions.id, session.id));
    return null;
  }
  await ctx.db.update(userSessions).set({ lastSeenAt: now }).where(eq(userSessions.id, session.id));
  return { session: { ...session, lastSeenAt: now }, user };
}

export async function endSession(tx: Executor, ctx: NodeContext, userId: string, sessionId: string, reason: string, actor: string): Promise<boolean> {
  const deleted = await tx.delete(userSessions).where(and(eq(userSessions.id, sessionId), eq(userSessions.userId, userId))).returning({ id: userSessions.id });
  if (deleted.length > 0) await appendAudit(tx, { type: 'session.revoked', actor, at: ctx.clock.now(), detail: { user: `user:${userId}`, reason } });
  return deleted.length > 0;
}

/** Ends every session of a person (except `keep`), as one audit event. */
export async function endAllSessions(tx: Executor, ctx: NodeContext, userId: string, reason: string, actor: string, keep?: string): Promise<number> {
  const where = keep ? and(eq(userSessions.userId, userId), sql`${userSessions.id} <> ${keep}`) : eq(userSessions.userId, userId);
  const deleted = await tx.delete(userSessions).where(where).returning({ id: userSessions.id });
  if (deleted.length > 0) await appendAudit(tx, { type: 'session.revoked', actor, at: ctx.clock.now(), detail: { user: `user:${userId}`, reason, count: deleted.length } });
  return deleted.length;
}

export async function listSessions(ctx: NodeContext, userId: string, currentId: string): Promise<SessionList> {
  const config = accountsConfig(ctx.config);
  const now = ctx.clock.now().getTime();
  const rows = await ctx.db.select().from(userSessions).where(eq(userSessions.userId, userId)).orderBy(desc(userSessions.createdAt));
  return {
    items: rows
      .filter((s) => s.lastSeenAt.getTime() + config.sessionIdleMs > now && s.expiresAt.getTime() > now)
      .map((s) => ({
        id: s.id,
        method: s.method as SignInMethod,
        createdAt: s.createdAt.toISOString(),
        lastSeenAt: s.lastSeenAt.toISOString(),
        expiresAt: s.expiresAt.toISOString(),
        current: s.id === currentId,
      })),
  };
}

/** The session as the console sees it, with its CSRF token. */
export async function sessionInfo(tx: Executor, ctx: NodeContext, user: UserRow, session: SessionRow): Promise<SessionInfo> {
  const config = accountsConfig(ctx.config);
  const stepUpEnd = session.stepUpAt ? session.stepUpAt.getTime() + config.stepUpMs : 0;
  return {
    user: await currentUser(tx, user),
    session: {
      id: session.id,
      method: session.method as SignInMethod,
      createdAt: session.createdAt.toISOString(),
      idleExpiresAt: new Date(Math.min(session.lastSeenAt.getTime() + config.sessionIdleMs, session.expiresAt.getTime())).toISOString(),
      expiresAt: session.expiresAt.toISOString(),
      stepUpUntil: stepUpEnd > ctx.clock.now().getTime() ? new Date(stepUpEnd).toISOString() : null,
    },
    csrfToken: csrfToken(ctx.config.pseudonymSecret, session.id),
  };
}

/** A step-up (or sign-in) within the configured window. */
export function steppedUp(ctx: NodeContext, session: SessionRow): boolean {
  return session.stepUpAt !== null && session.stepUpAt.getTime() + accountsConfig(ctx.config).stepUpMs > ctx.clock.now().getTime();
}
