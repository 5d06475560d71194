import type { FastifyReply, FastifyRequest } from 'fastify';
import { accountsConfig } from '../config.ts';
import type { NodeContext } from '../context.ts';
import { BridgeError } from '../errors.ts';
import { forbidden } from '../clients/auth.ts';
import { scopesOf } from './roles.ts';
import { csrfToken, sameSecret } from './secrets.ts';
import { resolveSession, rotateSession, SESSION_COOKIE, steppedUp, type ActiveSession } from './sessions.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The signed-in person and their session, when the request was authenticated by a session cookie. */
    person: ActiveSession | null;
  }
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export const csrfRejected = (why: string) => new BridgeError(403, 'csrf_rejected', why);

/**
 * Refuses a state-changing request a browser sent from another site: `Sec-Fetch-Site` other than
 * same-origin or none (a typed URL), or an `Origin` other than the console's. Requests without
 * either header do not come from a browser page and are judged by their credentials.
 */
export function checkSameOrigin(ctx: NodeContext, request: FastifyRequest): void {
  const site = request.headers['sec-fetch-site'];
  if (typeof site === 'string' && site !== 'same-origin' && site !== 'none') throw csrfRejected('cross-site requests are refused');
  const origin = request.headers.origin;
  if (typeof origin === 'string' && origin !== accountsConfig(ctx.config).consoleOrigin) throw csrfRejected('requests from another origin are refused');
}

/** The session cookie's token, if the request carries one. */
export const sessionCookie = (request: FastifyRequest): string | undefined => {
  const value = (request as { cookies?: Record<string, string | undefined> }).cookies?.[SESSION_COOKIE];
  return value && /^[A-Za-z0-9_-]{43}$/.test(value) ? value : undefined;
};

/**
 * A `__Host-` cookie: Secure, HttpOnly, SameSite=Strict, Path=/, no Domain and no Max-Age or Expires,
 * so it is a browser-session cookie; the server enforces the timeouts.
 */
export function setSessionCookie(reply: FastifyReply, token: string): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=${token}; Path=/; Secure; HttpOnly; SameSite=Strict`);
}

export function clearSessionCookie(reply: FastifyReply): void {
  reply.header('set-cookie', `${SESSION_COOKIE}=; Path=/; Secure; HttpOnly; SameSite=Strict; Expires=Thu, 01 Jan 1970 00:00:00 GMT`);
}

/**
 * Authenticates a request by its session cookie: a live session of an active account (read now, so a
 * disabled account or a changed role counts at once), the request not cross-site, a state-changing
 * request carrying the session's CSRF token, the roles giving one of `scopes` (`[]`: any person), and
 * a recent step-up where the operation asks for one. Sets `request.person` and `request.client` (with
 * the id `user:<id>`, which is what the audit log records as the actor).
 */
export async function authenticatePerson(ctx: NodeContext, request: FastifyRequest, reply: FastifyReply, scopes: readonly string[], stepUp: boolean): Promise<void> {
  checkSameOrigin(ctx, request);
  const token = sessionCookie(request);
  const active = token ? await resolveSession(ctx, token) : null;
  if (!active) throw new BridgeError(401, 'unauthorized', 'sign in to continue');
  if (!SAFE_METHODS.has(request.method)) {
    const sent = request.headers['x-csrf-token'];
    if (typeof sent !== 'string' || !sameSecret(sent, csrfToken(ctx.config.pseudonymSecret, active.session.id))) {
      throw csrfRejected('the request lacks this session\'s CSRF token');
    }
  }
  if (active.session.rotatePending) {
    // The person's roles changed since the session began: it continues under a new token.
    const rotated = await rotateSession(ctx.db, active.session, null);
    setSessionCookie(reply, rotated.token);
    active.session = rotated.session;
  }
  const granted = scopesOf(active.user.roles);
  if (scopes.length > 0 && !scopes.some((s) => (granted as string[]).includes(s))) throw forbidden(scopes, 'session');
  if (stepUp && !steppedUp(ctx, active.session)) throw new BridgeError(403, 'step_up_required', 'confirm it is you to continue');
  request.person = active;
  request.client = { id: `user:${active.user.id}`, name: active.user.username, scopes: granted, kind: 'user' };
}
