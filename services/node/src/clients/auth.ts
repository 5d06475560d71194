import fastifyJwt from '@fastify/jwt';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { publicKeyPem } from '@bridge/crypto';
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
  const pems = new Map(await Promise.all(ctx.config.keys.token.map(async (k) => [k.kid, await publicKeyPem(k)] as const)));
  await app.register(fastifyJwt, {
    secret: {
      public: (_request: FastifyRequest, token: { header?: { kid?: string } } | undefined) => {
        const pem = token?.header?.kid ? pems.get(token.header.kid) : undefined;
        return Promise.resolve(pem ?? '');
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
