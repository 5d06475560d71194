import { and, eq, gt } from 'drizzle-orm';
import {
  generateAuthenticationOptions,
  generateRegistrationOptions,
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import type { Passkey, PasskeyChallenge, WebAuthnJson } from '@bridge/contract';
import { accountsConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import type { Executor } from '../db/client.ts';
import { authChallenges, userPasskeys } from '../db/schema/index.ts';
import { newId } from '../clock.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError } from '../errors.ts';
import { signInFailed } from './sign-in.ts';
import { recordFailure, recordSuccess, reserveAttempt } from './throttle.ts';
import { findUser, type UserRow } from './users.ts';

const CHALLENGE_MS = 5 * 60_000;
type Purpose = 'sign_in' | 'step_up' | 'enrol' | 'register';

export const passkeyInvalid = () => new BridgeError(422, 'passkey_invalid', 'the passkey could not be verified');

async function storeChallenge(tx: Executor, ctx: NodeContext, purpose: Purpose, challenge: string, userId: string | null, sessionId: string | null): Promise<string> {
  const now = ctx.clock.now();
  const id = newId();
  await tx.insert(authChallenges).values({ id, purpose, challenge, userId, sessionId, createdAt: now, expiresAt: new Date(now.getTime() + CHALLENGE_MS) });
  return id;
}

/** Takes a challenge for good (deleted even when the response then fails): each is answered at most once. */
async function takeChallenge(tx: Executor, ctx: NodeContext, id: string, purpose: Purpose): Promise<typeof authChallenges.$inferSelect | undefined> {
  const [row] = await tx.delete(authChallenges).where(and(eq(authChallenges.id, id), eq(authChallenges.purpose, purpose), gt(authChallenges.expiresAt, ctx.clock.now()))).returning();
  return row;
}

const rp = (ctx: NodeContext) => {
  const config = accountsConfig(ctx.config);
  return { rpID: config.rpId, origin: config.consoleOrigin, rpName: `Bridge (${ctx.config.nodeId})` };
};

/** Creation options for a new passkey of `user`: resident key and user verification required, no attestation. */
export async function registrationOptions(tx: Executor, ctx: NodeContext, user: UserRow, purpose: 'enrol' | 'register', sessionId: string | null): Promise<PasskeyChallenge> {
  const { rpID, rpName } = rp(ctx);
  const existing = await tx.select().from(userPasskeys).where(eq(userPasskeys.userId, user.id));
  const options = await generateRegistrationOptions({
    rpName,
    rpID,
    userName: user.username,
    userID: Buffer.from(user.id.replace(/-/g, ''), 'hex'),
    attestationType: 'none',
    timeout: CHALLENGE_MS,
    excludeCredentials: existing.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransportFuture[] })),
    authenticatorSelection: { residentKey: 'required', userVerification: 'required' },
    supportedAlgorithmIDs: [-8, -7, -257],
  });
  const challengeId = await storeChallenge(tx, ctx, purpose, options.challenge, user.id, sessionId);
  return { challengeId, publicKey: options as unknown as WebAuthnJson };
}

/** Verifies a new credential against its challenge and stores it (public key only). */
export async function registerPasskey(
  tx: Executor,
  ctx: NodeContext,
  user: UserRow,
  purpose: 'enrol' | 'register',
  sessionId: string | null,
  challengeId: string,
  credential: WebAuthnJson,
  name: string | undefined,
): Promise<Passkey> {
  const { rpID, origin } = rp(ctx);
  const challenge = await takeChallenge(tx, ctx, challengeId, purpose);
  if (!challenge || challenge.userId !== user.id || challenge.sessionId !== sessionId) throw passkeyInvalid();
  let verified;
  try {
    verified = await verifyRegistrationResponse({
      response: credential as unknown as RegistrationResponseJSON,
      expectedChallenge: challenge.challenge,
      expectedOrigin: origin,
      expectedRPID: rpID,
      requireUserVerification: true,
    });
  } catch {
    throw passkeyInvalid();
  }
  if (!verified.verified) throw passkeyInvalid();
  const info = verified.registrationInfo;
  const now = ctx.clock.now();
  const row = {
    id: newId(),
    userId: user.id,
    credentialId: info.credential.id,
    publicKey: Buffer.from(info.credential.publicKey).toString('base64url'),
    counter: info.credential.counter,
    transports: (info.credential.transports ?? []) as string[],
    backedUp: info.credentialBackedUp,
    name: name ?? null,
    createdAt: now,
    lastUsedAt: null,
  };
  const inserted = await tx.insert(userPasskeys).values(row).onConflictDoNothing().returning();
  if (inserted.length === 0) throw passkeyInvalid();
  await appendAudit(tx, { type: 'auth.passkey.added', actor: `user:${user.id}`, at: now, detail: { passkey: row.id, backedUp: row.backedUp } });
  return { id: row.id, name: row.name, createdAt: now.toISOString(), lastUsedAt: null, backedUp: row.backedUp };
}

/** Request options: any discoverable credential (sign-in), or the person's own (step-up). */
export async function authenticationOptions(ctx: NodeContext, purpose: 'sign_in' | 'step_up', user: UserRow | null, sessionId: string | null): Promise<PasskeyChallenge> {
  const { rpID } = rp(ctx);
  const own = user ? await ctx.db.select().from(userPasskeys).where(eq(userPasskeys.userId, user.id)) : [];
  const options = await generateAuthenticationOptions({
    rpID,
    userVerification: 'required',
    timeout: CHALLENGE_MS,
    allowCredentials: own.map((p) => ({ id: p.credentialId, transports: p.transports as AuthenticatorTransportFuture[] })),
  });
  const challengeId = await storeChallenge(ctx.db, ctx, purpose, options.challenge, user?.id ?? null, sessionId);
  return { challengeId, publicKey: options as unknown as WebAuthnJson };
}

/**
 * Verifies an assertion: the challenge (once, unexpired, for this purpose and session), a stored
 * credential (of `expectedUser` on a step-up), origin, RP ID, user verification, signature and a
 * counter that moved forward. Every failure is `sign_in_failed`, counted like a wrong password.
 */
export async function verifyPasskey(
  ctx: NodeContext,
  purpose: 'sign_in' | 'step_up',
  challengeId: string,
  credential: WebAuthnJson,
  address: string,
  expected: { user: UserRow; sessionId: string } | null,
): Promise<UserRow> {
  const config = accountsConfig(ctx.config);
  const { rpID, origin } = rp(ctx);
  const now = ctx.clock.now();
  const credentialId = typeof credential.id === 'string' ? credential.id : '';
  const [stored] = credentialId ? await ctx.db.select().from(userPasskeys).where(eq(userPasskeys.credentialId, credentialId)) : [];
  const user = stored ? await findUser(ctx.db, stored.userId) : undefined;
  const throttle = await reserveAttempt(ctx.db, config, user?.username ?? `credential:${credentialId}`, address, now);
  const ok = await ctx.db.transaction(async (tx) => {
    const challenge = await takeChallenge(tx, ctx, challengeId, purpose);
    if (!challenge || !stored || !user || user.status !== 'active' || throttle.locked) return false;
    if (expected && (expected.user.id !== user.id || challenge.sessionId !== expected.sessionId)) return false;
    try {
      const result = await verifyAuthenticationResponse({
        response: credential as unknown as AuthenticationResponseJSON,
        expectedChallenge: challenge.challenge,
        expectedOrigin: origin,
        expectedRPID: rpID,
        requireUserVerification: true,
        credential: { id: stored.credentialId, publicKey: Buffer.from(stored.publicKey, 'base64url'), counter: stored.counter, transports: stored.transports as AuthenticatorTransportFuture[] },
      });
      if (!result.verified) return false;
      await tx.update(userPasskeys).set({ counter: result.authenticationInfo.newCounter, lastUsedAt: now, backedUp: result.authenticationInfo.credentialBackedUp }).where(eq(userPasskeys.id, stored.id));
      await recordSuccess(tx, throttle);
      return true;
    } catch {
      return false;
    }
  });
  if (ok) return user!;
  await ctx.db.transaction(async (tx) => {
    const lockedNow = await recordFailure(tx, config, throttle, now);
    const actor = user ? `user:${user.id}` : 'anonymous';
    await appendAudit(tx, { type: 'auth.sign_in.failed', actor, at: now, detail: { method: 'passkey', stepUp: purpose === 'step_up' } });
    if (lockedNow && user) await appendAudit(tx, { type: 'auth.lockout', actor, at: now });
  });
  throw signInFailed();
}
