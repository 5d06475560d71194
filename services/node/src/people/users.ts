import { and, asc, eq, isNull, sql } from 'drizzle-orm';
import type { ConsoleLocale, CurrentUser, EnrolmentLink, User, UserCreate, UserRole, UserStatus } from '@bridge/contract';
import { accountsConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { userEnrolments, userPasskeys, userRecoveryCodes, userSessions, users } from '../db/schema/index.ts';
import { newId } from '../clock.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError, notFound } from '../errors.ts';
import { checkRoles, passkeyOnly, scopesOf } from './roles.ts';
import { randomToken, tokenHash } from './secrets.ts';
import { isLocked, unlockAccount } from './throttle.ts';
import { endAllSessions } from './sessions.ts';

export type UserRow = typeof users.$inferSelect;

export async function findUser(tx: Executor, id: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.id, id));
  return row;
}

export async function findUserByName(tx: Executor, username: string): Promise<UserRow | undefined> {
  const [row] = await tx.select().from(users).where(eq(users.username, username.normalize('NFKC').toLowerCase()));
  return row;
}

async function loadUser(tx: Executor, id: string): Promise<UserRow> {
  const user = await findUser(tx, id);
  if (!user) throw notFound('user');
  return user;
}

async function recoveryCodesLeft(tx: Executor, userId: string): Promise<number> {
  const [row] = await tx.select({ n: sql<number>`count(*)::int` }).from(userRecoveryCodes).where(and(eq(userRecoveryCodes.userId, userId), isNull(userRecoveryCodes.usedAt)));
  return row?.n ?? 0;
}

/** The signed-in person's own view: roles, scopes and factors (names and dates, never secrets). */
export async function currentUser(tx: Executor, user: UserRow): Promise<CurrentUser> {
  const passkeys = await tx.select().from(userPasskeys).where(eq(userPasskeys.userId, user.id)).orderBy(asc(userPasskeys.createdAt));
  return {
    id: user.id,
    username: user.username,
    roles: user.roles as UserRole[],
    scopes: scopesOf(user.roles),
    locale: user.locale as ConsoleLocale,
    factors: {
      passkeys: passkeys.map((p) => ({ id: p.id, name: p.name, createdAt: p.createdAt.toISOString(), lastUsedAt: p.lastUsedAt?.toISOString() ?? null, backedUp: p.backedUp })),
      password: user.passwordHash !== null,
      totp: user.totpSecret !== null,
      recoveryCodesLeft: await recoveryCodesLeft(tx, user.id),
    },
  };
}

/** An account as operators see it. */
export async function userView(tx: Executor, ctx: NodeContext, user: UserRow): Promise<User> {
  const [passkeys] = await tx.select({ n: sql<number>`count(*)::int` }).from(userPasskeys).where(eq(userPasskeys.userId, user.id));
  return {
    id: user.id,
    username: user.username,
    roles: user.roles as UserRole[],
    status: user.status as UserStatus,
    locked: await isLocked(tx, accountsConfig(ctx.config), user.username),
    factors: { passkeys: passkeys?.n ?? 0, password: user.passwordHash !== null, totp: user.totpSecret !== null, recoveryCodesLeft: await recoveryCodesLeft(tx, user.id) },
    createdAt: user.createdAt.toISOString(),
    lastSignInAt: user.lastSignInAt?.toISOString() ?? null,
  };
}

/** A one-time enrolment link for the user; any earlier unused link of theirs stops working. */
export async function issueEnrolment(tx: Executor, ctx: NodeContext, userId: string): Promise<EnrolmentLink> {
  const config = accountsConfig(ctx.config);
  const now = ctx.clock.now();
  const token = randomToken();
  await tx.delete(userEnrolments).where(and(eq(userEnrolments.userId, userId), isNull(userEnrolments.usedAt)));
  const expiresAt = new Date(now.getTime() + config.enrolmentTtlMs);
  await tx.insert(userEnrolments).values({ id: newId(), userId, tokenHash: tokenHash(token), pendingTotpSecret: null, createdAt: now, expiresAt, usedAt: null });
  // The token travels in the fragment: browsers never send it to a server or put it in a Referer.
  return { url: `${config.consoleOrigin}${config.consolePath}/enrol#${token}`, expiresAt: expiresAt.toISOString() };
}

export async function createUser(ctx: NodeContext, input: UserCreate, actor: string): Promise<{ user: User; enrolment: EnrolmentLink }> {
  checkRoles(input.roles);
  return ctx.db.transaction(async (tx) => {
    const now = ctx.clock.now();
    const id = newId();
    const inserted = await tx
      .insert(users)
      .values({ id, username: input.username, roles: [...input.roles], status: 'invited', locale: 'en', passwordHash: null, totpSecret: null, totpLastStep: null, createdAt: now, updatedAt: now, lastSignInAt: null })
      .onConflictDoNothing()
      .returning();
    if (inserted.length === 0) throw new BridgeError(409, 'conflict', 'the username is taken');
    await appendAudit(tx, { type: 'user.created', actor, at: now, detail: { user: `user:${id}`, roles: input.roles.join(',') } });
    const enrolment = await issueEnrolment(tx, ctx, id);
    return { user: await userView(tx, ctx, inserted[0]!), enrolment };
  });
}

export async function listUsers(ctx: NodeContext): Promise<User[]> {
  const rows = await ctx.db.select().from(users).orderBy(asc(users.username));
  return Promise.all(rows.map((u) => userView(ctx.db, ctx, u)));
}

export async function getUser(ctx: NodeContext, id: string): Promise<User> {
  return userView(ctx.db, ctx, await loadUser(ctx.db, id));
}

/** Nobody changes their own roles or status: another operator must (separation of duties). */
export function notSelf(actor: string, id: string): void {
  if (actor === `user:${id}`) throw new BridgeError(403, 'own_account', 'nobody changes their own roles, status or factors here');
}

export async function setUserRoles(ctx: NodeContext, id: string, roles: UserRole[], actor: string): Promise<User> {
  notSelf(actor, id);
  checkRoles(roles);
  return ctx.db.transaction(async (tx) => {
    const user = await loadUser(tx, id);
    // Operators and auditors sign in with a passkey only: an account without one would be left with
    // a password and TOTP that the role may not use (or, before this check, could still use).
    if (passkeyOnly(roles) && !(await hasPasskey(tx, id))) {
      throw new BridgeError(422, 'passkey_required', 'this account needs a passkey before it can be an operator or auditor');
    }
    const now = ctx.clock.now();
    const [row] = await tx.update(users).set({ roles: [...roles], updatedAt: now }).where(eq(users.id, id)).returning();
    // The person's sessions get new tokens on their next request (privilege change, ASVS 7.2.4).
    await tx.update(userSessions).set({ rotatePending: true }).where(eq(userSessions.userId, id));
    await appendAudit(tx, { type: 'user.roles_changed', actor, at: now, detail: { user: `user:${id}`, from: user.roles.join(','), to: roles.join(',') } });
    return userView(tx, ctx, row!);
  });
}

export async function setUserStatus(ctx: NodeContext, id: string, enabled: boolean, actor: string): Promise<User> {
  notSelf(actor, id);
  return ctx.db.transaction(async (tx) => {
    const user = await loadUser(tx, id);
    const now = ctx.clock.now();
    const status = enabled ? (user.passwordHash || user.totpSecret || (await hasPasskey(tx, id)) ? 'active' : 'invited') : 'disabled';
    const [row] = await tx.update(users).set({ status, updatedAt: now }).where(eq(users.id, id)).returning();
    if (!enabled) await endAllSessions(tx, ctx, id, 'user_disabled', actor);
    await appendAudit(tx, { type: enabled ? 'user.enabled' : 'user.disabled', actor, at: now, detail: { user: `user:${id}` } });
    return userView(tx, ctx, row!);
  });
}

async function hasPasskey(tx: Executor, userId: string): Promise<boolean> {
  const [row] = await tx.select({ id: userPasskeys.id }).from(userPasskeys).where(eq(userPasskeys.userId, userId)).limit(1);
  return row !== undefined;
}

/** Removes every factor and session and issues a new enrolment link; the operator never sees a secret. */
export async function resetUser(ctx: NodeContext, id: string, actor: string): Promise<EnrolmentLink> {
  notSelf(actor, id);
  return ctx.db.transaction(async (tx) => {
    const user = await loadUser(tx, id);
    const now = ctx.clock.now();
    await tx.delete(userPasskeys).where(eq(userPasskeys.userId, id));
    await tx.delete(userRecoveryCodes).where(eq(userRecoveryCodes.userId, id));
    await tx.update(users).set({ passwordHash: null, totpSecret: null, totpLastStep: null, status: user.status === 'disabled' ? 'disabled' : 'invited', updatedAt: now }).where(eq(users.id, id));
    await endAllSessions(tx, ctx, id, 'user_reset', actor);
    await unlockAccount(tx, user.username);
    await appendAudit(tx, { type: 'user.reset', actor, at: now, detail: { user: `user:${id}` } });
    return issueEnrolment(tx, ctx, id);
  });
}

export async function unlockUser(ctx: NodeContext, id: string, actor: string): Promise<User> {
  return ctx.db.transaction(async (tx) => {
    const user = await loadUser(tx, id);
    await unlockAccount(tx, user.username);
    await appendAudit(tx, { type: 'user.unlocked', actor, at: ctx.clock.now(), detail: { user: `user:${id}` } });
    return userView(tx, ctx, user);
  });
}

export async function revokeUserSessions(ctx: NodeContext, id: string, actor: string): Promise<void> {
  await ctx.db.transaction(async (tx) => {
    await loadUser(tx, id);
    await endAllSessions(tx, ctx, id, 'operator', actor);
  });
}
