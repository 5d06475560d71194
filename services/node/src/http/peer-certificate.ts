import type { Socket } from 'node:net';
import { sql } from 'drizzle-orm';
import { peers } from '../db/schema/index.ts';
import type { NodeContext } from '../context.ts';
import { BridgeError } from '../errors.ts';
import { cachedPeer } from '../peers/peers.ts';
import { presentedCertificate } from './outbound.ts';
import type { App } from '../routes/types.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /**
     * The node id of the peer whose pinned client certificate carried this request (the federation
     * listener over TLS), or null: plain HTTP, or a path open without a certificate. A route that
     * verifies a signed body refuses one whose signer is not this peer.
     */
    peer: string | null;
  }
}

/**
 * Paths of the federation listener answered without a client certificate: a new peer reads the
 * metadata and keys before anyone pinned its certificate (onboarding), and a load balancer or
 * monitor checks liveness. Everything else (/federation/v1/*) needs the certificate of a peer.
 */
export function openWithoutCertificate(path: string): boolean {
  return path.startsWith('/.well-known/') || path === '/healthz';
}

/**
 * Mutual TLS on the federation listener. The TLS layer asks for a client certificate but lets any
 * (or none) through, because it cannot know the pins: here a request to a peer path needs a
 * certificate whose SHA-256 is pinned for an active peer. No certificate is `unauthorized`; a
 * stranger's, or one the peer no longer has pinned (rotated out, re-onboarded), is `peer_unknown`;
 * a suspended or revoked peer's is `peer_not_active`. A connection's peer is looked up once; every
 * request checks it again against the peer as of its last change, so a suspension or rotation
 * takes effect on open connections too. The peer is recorded on the request (`request.peer`): a
 * certificate proves the connection, not the signer of what it carries, so the routes tie the two.
 */
export function requirePeerCertificate(app: App, ctx: NodeContext): void {
  const owners = new WeakMap<Socket, string | undefined>();
  app.addHook('onRequest', async (request) => {
    const path = request.url.split('?', 1)[0]!;
    if (openWithoutCertificate(path)) return;
    const socket = request.raw.socket;
    const presented = presentedCertificate(socket);
    if (presented === undefined) throw new BridgeError(401, 'unauthorized', 'a client certificate is required');
    let owner = owners.get(socket);
    if (!owners.has(socket)) {
      const [row] = await ctx.db
        .select({ nodeId: peers.nodeId })
        .from(peers)
        .where(sql`${peers.tlsCertificates} @> ${JSON.stringify([presented])}::jsonb`)
        .limit(1);
      owner = row?.nodeId;
      owners.set(socket, owner);
    }
    const peer = owner === undefined ? undefined : await cachedPeer(ctx, owner);
    if (!peer || !peer.tlsCertificates.includes(presented)) {
      owners.delete(socket);
      ctx.logger.warn({ path: request.routeOptions.url ?? 'unmatched' }, 'federation request with a certificate no peer has pinned');
      throw new BridgeError(403, 'peer_unknown', 'the client certificate is not pinned for any peer');
    }
    if (peer.status !== 'active') throw new BridgeError(403, 'peer_not_active', 'the peer is not active');
    request.peer = peer.nodeId;
  });
}
