import { and, eq, gt, isNull } from 'drizzle-orm';
import type { Enrolment, PasswordEnrolment, TotpSetup, UserRole } from '@bridge/contract';
import { accountsConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { userEnrolments, users } from '../db/schema/index.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError } from '../errors.ts';
import { hashPassword, passwordProblem } from './passwords.ts';
import { replaceRecoveryCodes } from './recovery-codes.ts';
import { passkeyOnly } from './roles.ts';
import { openTotpSecret, sealTotpSecret, tokenHash } from './secrets.ts';
import { createSession, type SessionRow } from './sessions.ts';
import { newTotpSecret, totpStep, totpUri } from './totp.ts';
import { findUser, type UserRow } from './users.ts';

export type EnrolmentRow = typeof userEnrolments.$inferSelect;

export const enrolmentInvalid = () => new BridgeError(410, 'enrolment_invalid', 'this enrolment link is no longer valid');

/** The unused, unexpired enrolment of a link token and its user (not disabled), or 410. */
export async function openEnrolment(tx: Executor, ctx: NodeContext, token: string): Promise<{ enrolment: EnrolmentRow; user: UserRow }> {
  const [enrolment] = await tx
    .select()
    .from(userEnrolments)
    .where(and(eq(userEnrolments.tokenHash, tokenHash(token)), isNull(userEnrolments.usedAt), gt(userEnrolments.expiresAt, ctx.clock.now())));
  const user = enrolment ? await findUser(tx, enrolment.userId) : undefined;
  if (!enrolment || !user || user.status === 'disabled') throw enrolmentInvalid();
  return { enrolment, user };
}

export async function describeEnrolment(ctx: NodeContext, token: string): Promise<Enrolment> {
  const { enrolment, user } = await openEnrolment(ctx.db, ctx, token);
  return {
    username: user.username,
    roles: user.roles as UserRole[],
    methods: passkeyOnly(user.roles) ? ['passkey'] : ['passkey', 'password'],
    expiresAt: enrolment.expiresAt.toISOString(),
  };
}

const requirePasswordAllowed = (user: UserRow) => {
  if (passkeyOnly(user.roles)) throw new BridgeError(422, 'passkey_required', 'this role must use a passkey');
};

export async function startTotpEnrolment(ctx: NodeContext, token: string): Promise<TotpSetup> {
  const { enrolment, user } = await openEnrolment(ctx.db, ctx, token);
  requirePasswordAllowed(user);
  const secret = newTotpSecret();
  await ctx.db.update(userEnrolments).set({ pendingTotpSecret: sealTotpSecret(ctx.config.pseudonymSecret, user.id, secret) }).where(eq(userEnrolments.id, enrolment.id));
  return { secret, otpauthUri: totpUri(secret, `Bridge (${ctx.config.nodeId})`, user.username) };
}

/**
 * Uses the link up (a conditional UPDATE, so two completions cannot both win), activates the account,
 * issues recovery codes and signs the person in. Called inside the caller's transaction.
 */
export async function completeEnrolment(
  tx: Executor,
  ctx: NodeContext,
  enrolment: EnrolmentRow,
  user: UserRow,
  method: 'passkey' | 'password',
): Promise<{ token: string; session: SessionRow; user: UserRow; recoveryCodes: string[] }> {
  const now = ctx.clock.now();
  const used = await tx.update(userEnrolments).set({ usedAt: now, pendingTotpSecret: null }).where(and(eq(userEnrolments.id, enrolment.id), isNull(userEnrolments.usedAt))).returning({ id: userEnrolments.id });
  if (used.length === 0) throw enrolmentInvalid();
  const [active] = await tx.update(users).set({ status: 'active', updatedAt: now }).where(eq(users.id, user.id)).returning();
  const recoveryCodes = await replaceRecoveryCodes(tx, user.id, now);
  await appendAudit(tx, { type: 'auth.enrolled', actor: `user:${user.id}`, at: now, detail: { method } });
  const created = await createSession(tx, ctx, active!, method);
  await appendAudit(tx, { type: 'auth.sign_in.succeeded', actor: `user:${user.id}`, at: now, detail: { method, enrolment: true } });
  return { ...created, user: active!, recoveryCodes };
}

export async function enrolPassword(ctx: NodeContext, input: PasswordEnrolment) {
  const config = accountsConfig(ctx.config);
  const { enrolment, user } = await openEnrolment(ctx.db, ctx, input.token);
  requirePasswordAllowed(user);
  const problem = passwordProblem(input.password, [user.username, ctx.config.nodeId, ctx.config.name]);
  if (problem) throw new BridgeError(422, 'password_rejected', 'choose another password', [{ path: '/password', message: problem }]);
  const now = ctx.clock.now();
  const step = enrolment.pendingTotpSecret ? await totpStep(openTotpSecret(ctx.config.pseudonymSecret, user.id, enrolment.pendingTotpSecret), input.totpCode, now, null) : null;
  if (step === null) throw new BridgeError(400, 'validation_failed', 'the code does not match the authenticator app', [{ path: '/totpCode', message: 'totp_mismatch' }]);
  const passwordHash = await hashPassword(config, input.password);
  return ctx.db.transaction(async (tx) => {
    // Still sealed: the pending secret was sealed for this same user id.
    await tx.update(users).set({ passwordHash, totpSecret: enrolment.pendingTotpSecret, totpLastStep: step }).where(eq(users.id, user.id));
    return completeEnrolment(tx, ctx, enrolment, { ...user, passwordHash }, 'password');
  });
}
