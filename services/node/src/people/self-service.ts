import { and, eq } from 'drizzle-orm';
import type { ConsoleLocale } from '@bridge/contract';
import { accountsConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { userPasskeys, users } from '../db/schema/index.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError, notFound } from '../errors.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { replaceRecoveryCodes } from './recovery-codes.ts';
import { passkeyOnly } from './roles.ts';
import { endAllSessions, rotateSession, type ActiveSession } from './sessions.ts';

export async function updatePreferences(ctx: NodeContext, person: ActiveSession, locale: ConsoleLocale): Promise<ActiveSession> {
  const [user] = await ctx.db.update(users).set({ locale }).where(eq(users.id, person.user.id)).returning();
  return { ...person, user: user! };
}

export async function regenerateRecoveryCodes(ctx: NodeContext, person: ActiveSession): Promise<string[]> {
  return ctx.db.transaction(async (tx) => {
    const codes = await replaceRecoveryCodes(tx, person.user.id, ctx.clock.now());
    await appendAudit(tx, { type: 'auth.recovery_codes.regenerated', actor: `user:${person.user.id}`, at: ctx.clock.now() });
    return codes;
  });
}

/** A new password: the person's other sessions end and this one gets a new token (ASVS 7.4.3). */
export async function changePassword(ctx: NodeContext, person: ActiveSession, password: string) {
  const { user } = person;
  if (passkeyOnly(user.roles)) throw new BridgeError(422, 'password_rejected', 'this role signs in with a passkey only', [{ path: '/password', message: 'passkey_only' }]);
  if (!user.totpSecret) throw new BridgeError(422, 'password_rejected', 'a password needs an enrolled authenticator app', [{ path: '/password', message: 'no_totp' }]);
  const problem = passwordProblem(password, [user.username, ctx.config.nodeId, ctx.config.name]);
  if (problem) throw new BridgeError(422, 'password_rejected', 'choose another password', [{ path: '/password', message: problem }]);
  const passwordHash = await hashPassword(accountsConfig(ctx.config), password);
  return ctx.db.transaction(async (tx) => {
    const [row] = await tx.update(users).set({ passwordHash, updatedAt: ctx.clock.now() }).where(eq(users.id, user.id)).returning();
    await endAllSessions(tx, ctx, user.id, 'password_changed', `user:${user.id}`, person.session.id);
    await appendAudit(tx, { type: 'auth.password.changed', actor: `user:${user.id}`, at: ctx.clock.now() });
    const rotated = await rotateSession(tx, person.session, null);
    return { ...rotated, user: row! };
  });
}

/** Removes a passkey unless it is the person's last way in (or an operator's or auditor's last passkey). */
export async function deletePasskey(ctx: NodeContext, person: ActiveSession, passkeyId: string): Promise<void> {
  const { user } = person;
  await ctx.db.transaction(async (tx) => {
    const own = await tx.select().from(userPasskeys).where(eq(userPasskeys.userId, user.id)).for('update');
    if (!own.some((p) => p.id === passkeyId)) throw notFound('passkey');
    const othersLeft = own.length - 1;
    const passwordLeft = user.passwordHash !== null && user.totpSecret !== null && !passkeyOnly(user.roles);
    if (othersLeft === 0 && !passwordLeft) throw new BridgeError(409, 'last_factor', 'this is the last factor of the account');
    await tx.delete(userPasskeys).where(and(eq(userPasskeys.id, passkeyId), eq(userPasskeys.userId, user.id)));
    await endAllSessions(tx, ctx, user.id, 'factor_removed', `user:${user.id}`, person.session.id);
    await appendAudit(tx, { type: 'auth.passkey.removed', actor: `user:${user.id}`, at: ctx.clock.now(), detail: { passkey: passkeyId } });
  });
}
