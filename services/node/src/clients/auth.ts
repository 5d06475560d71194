import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import { operations } from '@bridge/contract';
import { publicKeyPem, unretiredKeys } from '@bridge/crypto';
import type { NodeContext } from '../context.ts';
import { BridgeError } from '../errors.ts';
import { findClient, tokenAudience, type Scope } from './clients.ts';
import { authenticatePerson, sessionCookie } from '../people/session-auth.ts';

export interface AuthenticatedClient {
  /** The client's id, or `user:<id>` for a person signed in with a session. */
  id: string;
  name: string;
  scopes: Scope[];
  kind?: 'client' | 'user';
}

declare module 'fastify' {
  interface FastifyRequest {
    client: AuthenticatedClient | null;
  }
  interface FastifyContextConfig {
    /**
     * Not needed: the scopes come from the contract (`operations.<id>.scopes`). A route that still
     * names one must name a scope the contract gives it, or the node refuses to start.
     */
    scope?: Scope;
    /** Set at registration from the contract: a bearer caller needs any one of these (null: no bearer token). */
    scopes?: readonly string[] | null;
    /** Set at registration from the contract: a person's session needs one of these (`[]`: any person; null: no session). */
    sessionScopes?: readonly string[] | null;
    /** Set at registration from the contract: a session needs a recent step-up. */
    stepUp?: boolean;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: { sub: string; scope: string; jti: string };
  }
}

/** "METHOD /fastify/:path" → the scopes the contract requires for it (null: no bearer token). */
const contractScopes = new Map<string, readonly string[] | null>(
  Object.values(operations).map((op) => [`${op.method} ${op.fastifyPath}`, op.scopes]),
);

interface RouteAuth {
  scopes: readonly string[] | null;
  sessionScopes: readonly string[] | null;
  stepUp: boolean;
}
const contractAuth = new Map<string, RouteAuth>(
  Object.values(operations).map((op) => [`${op.method} ${op.fastifyPath}`, { scopes: op.scopes, sessionScopes: op.sessionScopes, stepUp: op.stepUp }]),
);

/**
 * How a route is authenticated, from the contract: bearer scopes, session scopes, step-up. A route
 * the contract does not list stops the node at start-up; one with neither is public.
 */
export function authFor(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): RouteAuth {
  const method = [route.method].flat()[0]!;
  const key = `${method === 'HEAD' ? 'GET' : method} ${route.url}`;
  const auth = contractAuth.get(key);
  if (!auth) throw new Error(`${key} is not an operation of the contract`);
  if (auth.scopes !== null) scopesFor(route);
  return auth;
}

/**
 * The scopes of a route behind bearer auth, from the contract. A route the contract does not list,
 * or lists without a bearer requirement, or whose own `config.scope` disagrees, stops the node at
 * start-up: enforcement cannot drift from the document integrators read.
 */
export function scopesFor(route: Pick<RouteOptions, 'method' | 'url' | 'config'>): readonly string[] {
  const method = [route.method].flat()[0]!;
  const key = `${method === 'HEAD' ? 'GET' : method} ${route.url}`;
  const scopes = contractScopes.get(key);
  if (!scopes) throw new Error(`${key} is behind bearer auth but the contract gives it no bearerAuth scope`);
  const own = (route.config as { scope?: string } | undefined)?.scope;
  if (own !== undefined && !scopes.includes(own)) throw new Error(`${key} names scope ${own} but the contract requires ${scopes.join(' or ')}`);
  return scopes;
}

/**
 * Bearer-token auth for the plugin it is registered in: signature (EdDSA, this node's token keys),
 * issuer, audience and expiry by @fastify/jwt; then the client must exist, be unrevoked and hold
 * one of the route's scopes as the contract states them.
 */
export async function registerBearerAuth(app: FastifyInstance, ctx: NodeContext): Promise<void> {
  // Looked up per token, so keys rotated into a running node are honoured; PEMs are cached by kid.
  const pems = new Map<string, Promise<string>>();
  const pemFor = (kid: string): Promise<string> => {
    const record = unretiredKeys(ctx.config.keys.token, ctx.clock.now()).find((k) => k.kid === kid);
    if (!record) return Promise.resolve('');
    if (!pems.has(kid)) pems.set(kid, publicKeyPem(record));
    return pems.get(kid)!;
  };
  await app.register(fastifyJwt, {
    secret: {
      public: (_request: FastifyRequest, token: { header?: { kid?: string } } | undefined) => {
        const kid = token?.header?.kid;
        return kid ? pemFor(kid) : Promise.resolve('');
      },
    },
    // The key callback needs the header (kid) to pick among token keys.
    decode: { complete: true },
    // Verified tokens are remembered (fast-jwt's LRU, by the token's hash, never past its exp): an
    // integration sends one token with every request, and checking its Ed25519 signature again was
    // ~0.15 ms of CPU per request. The cache belongs to the key the callback above returned, which
    // is looked up on every request, so a retired token key is refused at once; revocation of the
    // client is checked on every request below; a failed verification is not remembered.
    verify: { algorithms: ['EdDSA'], allowedIss: ctx.config.nodeId, allowedAud: tokenAudience(ctx.config.nodeId), cache: 1000 },
  } as Parameters<typeof fastifyJwt>[1]);
  app.decorateRequest('client', null);
  // Every route of this plugin takes its scopes from the contract, once, at registration.
  app.addHook('onRoute', (route) => {
    route.config = { ...(route.config as object), ...authFor(route) };
  });
  app.decorateRequest('person', null);
  app.addHook('onRequest', async (request, reply) => {
    const { scopes, sessionScopes, stepUp } = request.routeOptions.config;
    // A person's session, when the route takes one and no bearer token is presented.
    if (sessionScopes != null && request.headers.authorization === undefined && (scopes == null || sessionCookie(request) !== undefined)) {
      await authenticatePerson(ctx, request, reply, sessionScopes, stepUp ?? false);
      return;
    }
    if (scopes == null) {
      if (sessionScopes == null) return; // public
      throw new BridgeError(401, 'unauthorized', 'sign in to continue');
    }
    try {
      await request.jwtVerify();
    } catch {
      throw new BridgeError(401, 'unauthorized', 'a valid bearer token is required');
    }
    const { sub } = request.user;
    const client = await ctx.rows.clients.get(sub, () => findClient(ctx.db, sub));
    const now = ctx.clock.now();
    if (!client || client.revokedAt !== null || client.expiresAt <= now) throw new BridgeError(401, 'unauthorized', 'the token is revoked or expired');
    const needed = request.routeOptions.config.scopes ?? [];
    if (!needed.some((scope) => client.scopes.includes(scope))) throw forbidden(needed);
    request.client = { id: client.id, name: client.name, scopes: client.scopes as Scope[], kind: 'client' };
  });
}

/** 403 naming the scopes the route accepts (scope names are public: they are in the contract). */
export function forbidden(needed: readonly string[], caller: 'token' | 'session' = 'token'): BridgeError {
  const names = needed.map((scope) => `"${scope}"`);
  const which = names.length === 1 ? names[0]! : `one of ${names.join(', ')}`;
  const lacks = caller === 'token' ? 'the token lacks' : "your roles lack";
  const error = new BridgeError(403, 'forbidden', `${lacks} the scope this operation needs: ${which}`);
  error.requiredScopes = needed;
  return error;
}
