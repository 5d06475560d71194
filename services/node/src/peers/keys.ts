import { eq, sql } from 'drizzle-orm';
import { isStorableText, Jwks, storableText } from '@bridge/contract';
import { assertJwksConsistent, type PublicJwk } from '@bridge/crypto';
import { peers } from '../db/schema/index.ts';
import { appendAudit } from '../audit/append.ts';
import { refusalFromCrypto } from '../federation/refusals.ts';
import type { NodeContext } from '../context.ts';
import { getJson, requireActivePeer, type Peer } from './peers.ts';
import { peerAgents } from '../http/outbound.ts';
import { rowsChanged } from '../db/row-cache.ts';

/** A peer's JWKS is re-fetched at most this often, however many unknown kids arrive. */
export const JWKS_REFRESH_INTERVAL_MS = 60_000;

/**
 * The signing key `kid` of active peer `iss`. An unknown kid triggers one re-fetch of the peer's
 * JWKS from the URL pinned at onboarding (never from anything in the message); a kid that belongs
 * to another node is an issuer mismatch.
 */
export async function resolvePeerSigningKey(ctx: NodeContext, iss: string, kid: string): Promise<PublicJwk> {
  const peer = await requireActivePeer(ctx, iss);
  const pinned = signingKey(peer.jwks, kid);
  if (pinned) return pinned;
  // Looked up in PostgreSQL next, which cannot take a NUL or an unpaired surrogate.
  if (!isStorableText(kid)) throw refusalFromCrypto('key_unknown', 'kid is not a signing key of the issuer');
  const owner = await ownerOfKid(ctx, kid);
  if (owner !== undefined && owner !== iss) throw refusalFromCrypto('issuer_mismatch', 'the signing key belongs to another node');
  const refreshed = await refreshPeerKeys(ctx, peer);
  const key = refreshed ? signingKey(refreshed, kid) : undefined;
  if (!key) throw refusalFromCrypto('key_unknown', 'kid is not a signing key of the issuer');
  return key;
}

const signingKey = (keys: PublicJwk[], kid: string) => keys.find((k) => k.kid === kid && k.purpose === 'signing');

async function ownerOfKid(ctx: NodeContext, kid: string): Promise<string | undefined> {
  const own = [...ctx.config.keys.signing, ...ctx.config.keys.encryption, ...ctx.config.keys.log, ...ctx.config.keys.token];
  if (own.some((k) => k.kid === kid)) return ctx.config.nodeId;
  const [row] = await ctx.db
    .select({ nodeId: peers.nodeId })
    .from(peers)
    .where(sql`${peers.jwks} @> ${JSON.stringify([{ kid }])}::jsonb`)
    .limit(1);
  return row?.nodeId;
}

/**
 * Re-fetches a peer's JWKS from its pinned URL and merges it into the pinned set: new keys are
 * added, validity windows updated, and keys the peer no longer lists are kept so old receipts
 * still verify. Returns the merged keys, or undefined when rate-limited or unreachable.
 */
export async function refreshPeerKeys(ctx: NodeContext, peer: Peer): Promise<PublicJwk[] | undefined> {
  const now = ctx.clock.now();
  if (peer.jwksRefreshedAt && now.getTime() - peer.jwksRefreshedAt.getTime() < JWKS_REFRESH_INTERVAL_MS) return undefined;
  let fetched: PublicJwk[];
  try {
    // From the pinned URL, over https only from the pinned certificate; never following a redirect.
    const res = await getJson(peer.jwksUrl, 5_000, peer.tlsCertificates, peerAgents(ctx.config));
    const jwks = storableText(Jwks).parse(res.body) as { keys: PublicJwk[] };
    await assertJwksConsistent(jwks);
    fetched = jwks.keys;
  } catch {
    await ctx.db.update(peers).set({ jwksRefreshedAt: now }).where(eq(peers.nodeId, peer.nodeId));
    rowsChanged(ctx.db, 'peers');
    ctx.logger.warn({ peer: peer.nodeId }, 'peer jwks refresh failed');
    return undefined;
  }
  const merged = await ctx.db.transaction(async (tx) => {
    // Merged into the stored keys, read and locked here: `peer` may be a cached copy, and another
    // replica may have added keys since it was read.
    const [current] = await tx.select({ jwks: peers.jwks }).from(peers).where(eq(peers.nodeId, peer.nodeId)).for('update');
    const byKid = new Map((current?.jwks ?? peer.jwks).map((k) => [k.kid, k]));
    const added = fetched.filter((k) => !byKid.has(k.kid)).map((k) => k.kid);
    for (const key of fetched) byKid.set(key.kid, key);
    const keys = [...byKid.values()];
    await tx.update(peers).set({ jwks: keys, jwksRefreshedAt: now, updatedAt: now }).where(eq(peers.nodeId, peer.nodeId));
    await appendAudit(tx, { type: 'peer.keys_refreshed', actor: 'system', at: now, peerNodeId: peer.nodeId, detail: { added: added.join(' '), keys: keys.length } });
    return keys;
  });
  rowsChanged(ctx.db, 'peers');
  return merged;
}
