import { and, eq, gt, isNotNull, isNull, lt } from 'drizzle-orm';
import * as oidc from 'openid-client';
import type { FastifyReply, FastifyRequest } from 'fastify';
import type { OidcCallback, OidcIdentity } from '@bridge/contract';
import { accountsConfig, type OidcConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { oidcSignIns, users } from '../db/schema/index.ts';
import { newId } from '../clock.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError } from '../errors.ts';
import { randomToken, tokenHash } from './secrets.ts';
import { useOneTimeCode } from './second-factor.ts';
import { createSession, endAllSessions, type SessionRow } from './sessions.ts';
import { passkeyOnly } from './roles.ts';
import { signInFailed } from './sign-in.ts';
import { peekAttempt, recordFailure, recordSuccess, reserveAttempt, type Throttle } from './throttle.ts';
import { findUser, notSelf, type UserRow } from './users.ts';

export const OIDC_COOKIE = '__Host-bridge_oidc';
/** How long a person has from starting at the provider to finishing (local factor included). */
const ATTEMPT_MS = 10 * 60_000;

/**
 * Only `amr` value `mfa` (RFC 8176 §2: "multiple-factor authentication") counts as the provider
 * checking more than one factor. The other RFC 8176 values name a single method, not a combination:
 * `otp`, `sms`, `hwk`, `swk`, `pop`, `sc` or a biometric alone may each be the *only* factor the
 * provider checked (and `sms` is not even a strong one, NIST SP 800-63B 5.1.3.3), so without `mfa`
 * the person also gives a local one-time code.
 */
const MFA_METHODS = new Set(['mfa']);

export const showsMfa = (amr: unknown): boolean => Array.isArray(amr) && amr.some((m) => typeof m === 'string' && MFA_METHODS.has(m));

export function oidcConfig(ctx: NodeContext): OidcConfig {
  if (!ctx.config.oidc) throw new BridgeError(404, 'oidc_not_configured', 'this node has no identity provider configured');
  return ctx.config.oidc;
}

const redirectUri = (ctx: NodeContext, config: OidcConfig): string => {
  const accounts = accountsConfig(ctx.config);
  return config.redirectUri ?? `${accounts.consoleOrigin}${accounts.consolePath}/oidc`;
};

/** Plain http is allowed for a provider on loopback only (tests, a local demo). */
const loopback = (issuer: string): boolean => ['localhost', '127.0.0.1', '[::1]'].includes(new URL(issuer).hostname);

const discovered = new Map<string, Promise<oidc.Configuration>>();

/** The provider's metadata, fetched once per process; its `issuer` must equal the configured one exactly. */
function providerOf(config: OidcConfig): Promise<oidc.Configuration> {
  const key = `${config.issuer}\u0000${config.clientId}`;
  let found = discovered.get(key);
  if (!found) {
    found = oidc.discovery(new URL(config.issuer), config.clientId, config.clientSecret, undefined, loopback(config.issuer) ? { execute: [oidc.allowInsecureRequests] } : undefined);
    found.catch(() => discovered.delete(key));
    discovered.set(key, found);
  }
  return found;
}

const bindingOf = (request: FastifyRequest): string | undefined => {
  const value = (request as { cookies?: Record<string, string | undefined> }).cookies?.[OIDC_COOKIE];
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
};

const setBinding = (reply: FastifyReply, token: string, maxAgeSeconds: number) =>
  reply.header('set-cookie', `${OIDC_COOKIE}=${token}; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=${maxAgeSeconds}`);

/** The provider's authorization URL for a new attempt; the browser gets only a random binding token. */
export async function startOidcSignIn(ctx: NodeContext, reply: FastifyReply): Promise<{ authorizationUrl: string }> {
  const config = oidcConfig(ctx);
  const provider = await providerOf(config).catch(() => {
    throw new BridgeError(503, 'not_ready', 'the identity provider cannot be reached');
  });
  const now = ctx.clock.now();
  const binding = randomToken();
  const row = { id: newId(), bindingHash: tokenHash(binding), state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier(), userId: null, createdAt: now, expiresAt: new Date(now.getTime() + ATTEMPT_MS) };
  await ctx.db.delete(oidcSignIns).where(lt(oidcSignIns.expiresAt, now));
  await ctx.db.insert(oidcSignIns).values(row);
  const url = oidc.buildAuthorizationUrl(provider, {
    redirect_uri: redirectUri(ctx, config),
    scope: 'openid',
    state: row.state,
    nonce: row.nonce,
    code_challenge: await oidc.calculatePKCECodeChallenge(row.codeVerifier),
    code_challenge_method: 'S256',
  });
  setBinding(reply, binding, ATTEMPT_MS / 1000);
  return { authorizationUrl: url.href };
}

/** Takes the attempt this browser started, once: a second use (a replay) finds nothing. */
async function takeAttempt(ctx: NodeContext, request: FastifyRequest, awaitingFactor: boolean) {
  const binding = bindingOf(request);
  if (!binding) return undefined;
  const [row] = await ctx.db
    .delete(oidcSignIns)
    .where(and(eq(oidcSignIns.bindingHash, tokenHash(binding)), gt(oidcSignIns.expiresAt, ctx.clock.now()), awaitingFactor ? isNotNull(oidcSignIns.userId) : isNull(oidcSignIns.userId)))
    .returning();
  return row ? { row, binding } : undefined;
}

async function failed(ctx: NodeContext, user: UserRow | undefined, reason: string): Promise<never> {
  await appendAudit(ctx.db, { type: 'auth.sign_in.failed', actor: user ? `user:${user.id}` : 'anonymous', at: ctx.clock.now(), detail: { method: 'oidc', reason } });
  throw signInFailed();
}

/** A failed check of a counted attempt: the throttle's wait or lock is set, as for a password. */
async function throttledFailure(ctx: NodeContext, throttle: Throttle, user: UserRow, reason: string): Promise<never> {
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const lockedNow = await recordFailure(tx, accountsConfig(ctx.config), throttle, now);
    await appendAudit(tx, { type: 'auth.sign_in.failed', actor: `user:${user.id}`, at: now, detail: { method: 'oidc', reason } });
    if (lockedNow) await appendAudit(tx, { type: 'auth.lockout', actor: `user:${user.id}`, at: now });
  });
  throw signInFailed();
}

async function issue(ctx: NodeContext, user: UserRow, factor: string, throttle: Throttle): Promise<{ token: string; session: SessionRow; user: UserRow }> {
  return ctx.db.transaction(async (tx) => {
    await recordSuccess(tx, throttle);
    const created = await createSession(tx, ctx, user, 'oidc');
    await appendAudit(tx, { type: 'auth.sign_in.succeeded', actor: `user:${user.id}`, at: ctx.clock.now(), detail: { method: 'oidc', factor } });
    return { ...created, user };
  });
}

/**
 * The provider's answer: the code is exchanged with the PKCE verifier, and the ID token checked (exact
 * issuer, audience, nonce, signature) by openid-client. The person is the account linked to the
 * token's issuer and subject; nobody is created. Without a second factor in `amr`, the attempt is kept
 * for the person's local one-time code and the answer is 401 `local_factor_required`.
 */
export async function completeOidcSignIn(ctx: NodeContext, request: FastifyRequest, input: OidcCallback): Promise<{ token: string; session: SessionRow; user: UserRow }> {
  const config = oidcConfig(ctx);
  const attempt = await takeAttempt(ctx, request, false);
  if (!attempt) return failed(ctx, undefined, 'no_attempt');
  const { row, binding } = attempt;
  const provider = await providerOf(config).catch(() => {
    throw new BridgeError(503, 'not_ready', 'the identity provider cannot be reached');
  });
  const callback = new URL(redirectUri(ctx, config));
  callback.searchParams.set('code', input.code);
  callback.searchParams.set('state', input.state);
  if (input.iss !== undefined) callback.searchParams.set('iss', input.iss);
  let claims: oidc.IDToken | undefined;
  try {
    const tokens = await oidc.authorizationCodeGrant(provider, callback, { pkceCodeVerifier: row.codeVerifier, expectedState: row.state, expectedNonce: row.nonce, idTokenExpected: true });
    claims = tokens.claims();
  } catch (err) {
    ctx.logger.info({ event: 'oidc.rejected', reason: err instanceof Error ? ((err as { code?: string }).code ?? err.name) : 'error' }, 'identity provider answer refused');
  }
  if (!claims || claims.iss !== config.issuer) return failed(ctx, undefined, 'token');
  const [user] = await ctx.db.select().from(users).where(and(eq(users.oidcIssuer, claims.iss), eq(users.oidcSubject, claims.sub)));
  if (!user || user.status !== 'active') return failed(ctx, user, 'identity');
  // Operators and auditors sign in with a passkey only (DESIGN.md §9), whatever the provider checked.
  if (passkeyOnly(user.roles)) return failed(ctx, user, 'passkey_only');
  // The same throttle as a password sign-in: a locked or waiting account does not get in this way either.
  const accounts = accountsConfig(ctx.config);
  if (showsMfa(claims.amr)) {
    const throttle = await reserveAttempt(ctx.db, accounts, user.username, request.ip, ctx.clock.now());
    if (throttle.locked) return throttledFailure(ctx, throttle, user, 'locked');
    return issue(ctx, user, 'provider_mfa', throttle);
  }
  // Not counted here (the local code step counts), but a throttled account stops before its code is asked for.
  if ((await peekAttempt(ctx.db, accounts, user.username, request.ip, ctx.clock.now())).locked) return failed(ctx, user, 'locked');
  // The same binding now waits for a local factor, within the attempt's lifetime.
  await ctx.db.insert(oidcSignIns).values({ ...row, id: newId(), bindingHash: tokenHash(binding), userId: user.id });
  throw new BridgeError(401, 'local_factor_required', 'the identity provider did not confirm a second factor; enter a one-time code');
}

/** The local one-time code after a provider sign-in without a second factor; the attempt ends either way. */
export async function completeOidcSignInWithCode(ctx: NodeContext, request: FastifyRequest, code: string): Promise<{ token: string; session: SessionRow; user: UserRow }> {
  oidcConfig(ctx);
  const attempt = await takeAttempt(ctx, request, true);
  if (!attempt) return failed(ctx, undefined, 'no_attempt');
  const user = await findUser(ctx.db, attempt.row.userId!);
  if (!user || user.status !== 'active') return failed(ctx, user, 'identity');
  if (passkeyOnly(user.roles)) return failed(ctx, user, 'passkey_only');
  // Counted before it is checked and forgiven on success, exactly as checkPassword does.
  const throttle = await reserveAttempt(ctx.db, accountsConfig(ctx.config), user.username, request.ip, ctx.clock.now());
  const method = throttle.locked ? null : await ctx.db.transaction((tx) => useOneTimeCode(tx, ctx.config.pseudonymSecret, user, code, ctx.clock.now()));
  if (method === null) return throttledFailure(ctx, throttle, user, throttle.locked ? 'locked' : 'local_factor');
  return issue(ctx, user, method === 'recovery_code' ? 'recovery_code' : 'totp', throttle);
}

export const clearBinding = (reply: FastifyReply) => reply.header('set-cookie', `${OIDC_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Lax; Max-Age=0`);

/**
 * Links an account to an identity at the provider; one identity belongs to one account at most. A new
 * way into an account: nobody links their own, operators and auditors (passkey only) cannot be linked,
 * and the person's sessions end in the same transaction, so a link made behind their back shows.
 */
export async function linkUserOidc(ctx: NodeContext, userId: string, identity: OidcIdentity, actor: string): Promise<void> {
  notSelf(actor, userId);
  await ctx.db.transaction(async (tx) => {
    const user = await findUser(tx, userId);
    if (!user) throw new BridgeError(404, 'not_found', 'not found');
    if (passkeyOnly(user.roles)) throw new BridgeError(422, 'passkey_required', 'operators and auditors sign in with a passkey only');
    const [taken] = await tx.select({ id: users.id }).from(users).where(and(eq(users.oidcIssuer, identity.issuer), eq(users.oidcSubject, identity.subject)));
    if (taken && taken.id !== userId) throw new BridgeError(409, 'conflict', 'this identity is linked to another account');
    await tx.update(users).set({ oidcIssuer: identity.issuer, oidcSubject: identity.subject, updatedAt: ctx.clock.now() }).where(eq(users.id, userId));
    await endAllSessions(tx, ctx, userId, 'oidc_linked', actor);
    await appendAudit(tx, { type: 'auth.oidc.linked', actor, at: ctx.clock.now(), detail: { user: `user:${userId}` } });
  });
}
