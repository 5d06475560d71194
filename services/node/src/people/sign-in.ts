import { eq } from 'drizzle-orm';
import type { PasswordSignIn, PasswordStepUp, SignInMethod } from '@bridge/contract';
import { accountsConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { users } from '../db/schema/index.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError } from '../errors.ts';
import { dummyHash, hashPassword, needsRehash, verifyPassword } from './passwords.ts';
import { passkeyOnly } from './roles.ts';
import { useOneTimeCode } from './second-factor.ts';
import { createSession, rotateSession, type SessionRow } from './sessions.ts';
import { recordFailure, recordSuccess, reserveAttempt } from './throttle.ts';
import { findUserByName, type UserRow } from './users.ts';

/** The one answer to every failed sign-in or step-up, whatever the reason (ASVS 6.3.8). */
export const signInFailed = () => new BridgeError(401, 'sign_in_failed', 'the sign-in details are not correct');

/**
 * Password + one-time code in one request (no half-signed-in state). The same work is done for an
 * unknown user (a dummy argon2id hash), a disabled or locked account and a wrong secret, and the same
 * error comes back; the attempt is counted before it is checked.
 */
async function checkPassword(ctx: NodeContext, username: string, password: string, code: string, address: string): Promise<{ user: UserRow; method: SignInMethod }> {
  const config = accountsConfig(ctx.config);
  const now = ctx.clock.now();
  const throttle = await reserveAttempt(ctx.db, config, username, address, now);
  const user = await findUserByName(ctx.db, username);
  const stored = user?.passwordHash ?? (await dummyHash(config));
  const passwordOk = await verifyPassword(stored, password);
  // Operators and auditors sign in with a passkey only (DESIGN.md §9): a password they may still hold
  // (from before a role change) fails exactly like a wrong one.
  const usable = passwordOk && user !== undefined && user.passwordHash !== null && user.status === 'active' && !passkeyOnly(user.roles) && !throttle.locked;
  const result = await ctx.db.transaction(async (tx) => {
    if (!usable || !user) return null;
    const method = await useOneTimeCode(tx, ctx.config.pseudonymSecret, user, code, now);
    if (method === null) return null;
    await recordSuccess(tx, throttle);
    if (method === 'recovery_code') await appendAudit(tx, { type: 'auth.recovery_code.used', actor: `user:${user.id}`, at: now });
    if (needsRehash(config, user.passwordHash!)) await tx.update(users).set({ passwordHash: await hashPassword(config, password) }).where(eq(users.id, user.id));
    return { user, method };
  });
  if (result) return result;
  await ctx.db.transaction(async (tx) => {
    const lockedNow = await recordFailure(tx, config, throttle, now);
    const actor = user ? `user:${user.id}` : 'anonymous';
    await appendAudit(tx, { type: 'auth.sign_in.failed', actor, at: now, detail: { method: 'password' } });
    if (lockedNow && user) await appendAudit(tx, { type: 'auth.lockout', actor, at: now });
  });
  throw signInFailed();
}

export async function signInWithPassword(ctx: NodeContext, input: PasswordSignIn, address: string): Promise<{ token: string; session: SessionRow; user: UserRow }> {
  const { user, method } = await checkPassword(ctx, input.username, input.password, input.code, address);
  return ctx.db.transaction(async (tx) => {
    const created = await createSession(tx, ctx, user, method);
    await appendAudit(tx, { type: 'auth.sign_in.succeeded', actor: `user:${user.id}`, at: ctx.clock.now(), detail: { method } });
    return { ...created, user };
  });
}

/** A fresh factor for this session: it is rotated and may perform sensitive operations for a while. */
export async function stepUpWithPassword(ctx: NodeContext, user: UserRow, session: SessionRow, input: PasswordStepUp, address: string): Promise<{ token: string; session: SessionRow }> {
  const { method } = await checkPassword(ctx, user.username, input.password, input.code, address);
  return ctx.db.transaction(async (tx) => {
    const rotated = await rotateSession(tx, session, ctx.clock.now());
    await appendAudit(tx, { type: 'auth.step_up', actor: `user:${user.id}`, at: ctx.clock.now(), detail: { method } });
    return rotated;
  });
}
