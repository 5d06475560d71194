import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { publicKeyPem, unretiredKeys } from '@bridge/crypto';
import type { NodeContext } from '../context.ts';
import { BridgeError } from '../errors.ts';
import { findClient, tokenAudience, type Scope } from './clients.ts';

export interface AuthenticatedClient {
  id: string;
  name: string;
  scopes: Scope[];
}

declare module 'fastify' {
  interface FastifyRequest {
    client: AuthenticatedClient | null;
  }
  interface FastifyContextConfig {
    /** The scope a route needs; every route behind bearer auth names one. */
    scope?: Scope;
  }
}

declare module '@fastify/jwt' {
  interface FastifyJWT {
    user: { sub: string; scope: string; jti: string };
  }
}

/**
 * Bearer-token auth for the plugin it is registered in: signature (EdDSA, this node's token keys),
 * issuer, audience and expiry by @fastify/jwt; then the client must exist, be unrevoked and hold
 * the route's scope.
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
    verify: { algorithms: ['EdDSA'], allowedIss: ctx.config.nodeId, allowedAud: tokenAudience(ctx.config.nodeId) },
  } as Parameters<typeof fastifyJwt>[1]);
  app.decorateRequest('client', null);
  app.addHook('onRequest', async (request) => {
    try {
      await request.jwtVerify();
    } catch {
      throw new BridgeError(401, 'unauthorized', 'a valid bearer token is required');
    }
    const client = await findClient(ctx.db, request.user.sub);
    const now = ctx.clock.now();
    if (!client || client.revokedAt !== null || client.expiresAt <= now) throw new BridgeError(401, 'unauthorized', 'the token is revoked or expired');
    const needed = request.routeOptions.config.scope;
    if (!needed || !client.scopes.includes(needed)) throw new BridgeError(403, 'forbidden', 'the token does not carry the scope this route needs');
    request.client = { id: client.id, name: client.name, scopes: client.scopes as Scope[] };
  });
}
