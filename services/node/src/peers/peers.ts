import { eq } from 'drizzle-orm';
import { selectWhereEq } from '../db/statement.ts';
import { rowsChanged } from '../db/row-cache.ts';
import type { NodeContext } from '../context.ts';
import { assertJwksConsistent, currentKey, nodeFingerprint, type PublicJwk } from '@bridge/crypto';
import { NodeId, NodeMetadata, Jwks, storableText } from '@bridge/contract';
import { peers, type PeerStatus } from '../db/schema/index.ts';
import type { Database, Executor } from '../db/client.ts';
import { appendAudit } from '../audit/append.ts';
import { BridgeError } from '../errors.ts';
import { getOutbound, peerAgents, type CertificatePins, type OutboundAgents } from '../http/outbound.ts';

/** Largest metadata or JWKS document read from a peer. */
const MAX_DOCUMENT_BYTES = 256 * 1024;

export type Peer = typeof peers.$inferSelect;

export interface FetchedPeer {
  metadata: NodeMetadata;
  jwks: { keys: PublicJwk[] };
  jwksUrl: string;
  fingerprint: string;
}

/**
 * Fetches a peer's metadata and keys from its base URL and computes the fingerprint to compare.
 * Over https the certificate is not known yet: any is accepted for the metadata, which must list
 * the one presented; the fingerprint covers the listed ones, so the operator's comparison pins it.
 * The keys are then read only from a server presenting a listed certificate.
 */
export async function fetchPeer(baseUrl: string, timeoutMs = 10_000, agents?: OutboundAgents): Promise<FetchedPeer> {
  const base = baseUrl.replace(/\/+$/, '');
  const first = await getJson(`${base}/.well-known/bridge.json`, timeoutMs, 'any', agents);
  // Stored as it is: text PostgreSQL cannot hold is refused here, not by the database.
  const metadata = storableText(NodeMetadata).parse(first.body);
  if (first.certificate !== undefined && !metadata.tlsCertificates?.includes(first.certificate)) {
    throw new Error(`${base} presented a TLS certificate its metadata does not list`);
  }
  const jwksDocument = await getJson(metadata.urls.jwks, timeoutMs, metadata.tlsCertificates ?? [], agents);
  const jwks = storableText(Jwks).parse(jwksDocument.body) as { keys: PublicJwk[] };
  await assertJwksConsistent(jwks);
  return { metadata, jwks, jwksUrl: metadata.urls.jwks, fingerprint: await nodeFingerprint(metadata, jwks) };
}

/** GETs a peer's JSON document (metadata, JWKS) through the peer agents; throws unless 2xx JSON. */
export async function getJson(url: string, timeoutMs: number, pins: CertificatePins, agents: OutboundAgents = peerAgents({})): Promise<{ body: unknown; certificate?: string | undefined }> {
  const res = await getOutbound(url, { accept: 'application/json' }, { timeoutMs, maxResponseBytes: MAX_DOCUMENT_BYTES, agents, pins });
  if (res.status < 200 || res.status > 299) throw new Error(`GET ${url} answered ${res.status}`);
  return { body: JSON.parse(res.text) as unknown, certificate: res.certificate };
}

/** Stores a fetched peer (new or re-pinned) in the given status. */
export async function savePeer(db: Database, fetched: FetchedPeer, status: PeerStatus, actor: string, now: Date): Promise<Peer> {
  const { metadata } = fetched;
  const saved = await db.transaction(async (tx) => {
    const values = {
      nodeId: metadata.nodeId,
      name: metadata.name,
      jurisdiction: metadata.jurisdiction,
      baseUrl: metadata.urls.api,
      jwksUrl: fetched.jwksUrl,
      messagesUrl: metadata.urls.messages,
      jwks: fetched.jwks.keys,
      fingerprint: fetched.fingerprint,
      tlsCertificates: metadata.tlsCertificates ?? [],
      status,
      createdAt: now,
      updatedAt: now,
    };
    const [row] = await tx
      .insert(peers)
      .values(values)
      .onConflictDoUpdate({ target: peers.nodeId, set: { ...values, createdAt: undefined } })
      .returning();
    await appendAudit(tx, { type: 'peer.added', actor, at: now, peerNodeId: metadata.nodeId, digest: null, detail: { status, fingerprint: fetched.fingerprint } });
    return row!;
  });
  rowsChanged(db, 'peers');
  return saved;
}

export async function setPeerStatus(db: Database, nodeId: string, status: PeerStatus, actor: string, now: Date): Promise<Peer> {
  const changed = await db.transaction(async (tx) => {
    const [row] = await tx.update(peers).set({ status, updatedAt: now }).where(eq(peers.nodeId, nodeId)).returning();
    if (!row) throw new BridgeError(404, 'peer_unknown', `no peer ${nodeId}`);
    await appendAudit(tx, { type: 'peer.status', actor, at: now, peerNodeId: nodeId, detail: { status } });
    return row;
  });
  rowsChanged(db, 'peers');
  return changed;
}

export async function findPeer(tx: Executor, nodeId: string): Promise<Peer | undefined> {
  const [row] = await selectWhereEq<Peer>(tx, peers, peers.nodeId, nodeId);
  return row;
}

export async function listPeers(db: Database): Promise<Peer[]> {
  return db.select().from(peers).orderBy(peers.nodeId);
}

/**
 * A peer as of its last change, from this node's cache (see RowCache): for the paths every message
 * or request takes. A caller inside a transaction passes it: a miss is then read on the connection
 * it already holds, never on a second one from the pool (a full pool of such transactions would
 * each wait for a connection none of them gives back).
 */
export async function cachedPeer(ctx: Pick<NodeContext, 'db' | 'rows'>, nodeId: string, tx: Executor = ctx.db): Promise<Peer | undefined> {
  if (tx === ctx.db) return ctx.rows.peers.get(nodeId, () => findPeer(ctx.db, nodeId));
  // Not even a read in flight on the pool is waited for (it may need the connection tx holds).
  return heldPeer(ctx, nodeId, tx);
}

/** The peer the cache holds already, or else read on `db`: never waiting on a read in flight elsewhere. */
export async function heldPeer(ctx: Pick<NodeContext, 'rows'>, nodeId: string, db: Executor): Promise<Peer | undefined> {
  return ctx.rows.peers.held(nodeId) ?? findPeer(db, nodeId);
}

/** A peer that may exchange messages now, or the reason it may not. */
export async function requireActivePeer(ctx: Pick<NodeContext, 'db' | 'rows'>, nodeId: string): Promise<Peer> {
  // A claimed id that is no node id (a NUL in it would even fail the lookup) names no peer.
  const peer = NodeId.safeParse(nodeId).success ? await cachedPeer(ctx, nodeId) : undefined;
  if (!peer) throw new BridgeError(403, 'peer_unknown', 'the sender is not a known peer');
  if (peer.status !== 'active') throw new BridgeError(403, 'peer_not_active', 'the peer is not active');
  return peer;
}

/** The peer's encryption key to seal for now. */
export function peerEncryptionKey(peer: Peer, now: Date): PublicJwk {
  return currentKey(peer.jwks.filter((k) => k.purpose === 'encryption'), now);
}
