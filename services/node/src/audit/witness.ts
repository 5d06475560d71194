import { and, desc, eq, lt } from 'drizzle-orm';
import { CheckpointResponse, operations } from '@bridge/contract';
import {
  currentKey,
  decodeHash,
  isCryptoError,
  peekIssuer,
  signCosignature,
  signWitnessRequest,
  verifyCheckpoint,
  verifyConsistency,
  verifyCosignature,
  verifyWitnessRequest,
  type PublicJwk,
} from '@bridge/crypto';
import { auditCheckpoints, auditCosignatures, witnessRequests } from '../db/schema/index.ts';
import type { NodeContext } from '../context.ts';
import { epochSeconds, newId } from '../clock.ts';
import { BridgeError } from '../errors.ts';
import { listPeers, requireActivePeer, type Peer } from '../peers/peers.ts';
import { refreshPeerKeys } from '../peers/keys.ts';
import { appendAudit } from './append.ts';
import { peerAgents, postOutbound } from '../http/outbound.ts';

/** Largest checkpoint answer read from a peer (a checkpoint and its consistency proof). */
const MAX_CHECKPOINT_ANSWER_BYTES = 256 * 1024;
import { syncLog, type CheckpointRow } from './sequencer.ts';
import { consistencyProof } from './tree.ts';

export type WitnessOutcome = { peer: string; outcome: 'cosigned' | 'inconsistent' | 'invalid' | 'unreachable'; treeSize: number | null };

const logKeys = (keys: PublicJwk[]) => keys.filter((k) => k.purpose === 'log');
const invalid = (message: string) => new BridgeError(401, 'checkpoint_invalid', message);

/** Verifies a JWS from a peer with its pinned log keys, re-fetching its JWKS once on failure (a rotated key). */
async function withPeerKeys<T>(ctx: NodeContext, peer: Peer, check: (keys: PublicJwk[]) => Promise<T>): Promise<T> {
  try {
    return await check(logKeys(peer.jwks));
  } catch (err) {
    if (!isCryptoError(err)) throw err;
    const refreshed = await refreshPeerKeys(ctx, peer);
    if (!refreshed) throw invalid(err.message);
    try {
      return await check(logKeys(refreshed));
    } catch (again) {
      throw isCryptoError(again) ? invalid(again.message) : again;
    }
  }
}

/** The last checkpoint of `origin` that `witness` co-signed, as recorded here. */
async function lastCosigned(ctx: NodeContext, origin: string, witness: string) {
  const [row] = await ctx.db
    .select()
    .from(auditCosignatures)
    .where(and(eq(auditCosignatures.origin, origin), eq(auditCosignatures.witness, witness)))
    .orderBy(desc(auditCosignatures.treeSize))
    .limit(1);
  return row;
}

// ---- origin side -------------------------------------------------------------------------------

/** A witness asks for this node's latest checkpoint and a consistency proof from what it last co-signed. */
export async function answerCheckpointRequest(ctx: NodeContext, jws: string, caller: string | null = null): Promise<CheckpointResponse> {
  const iss = peekIssuer(jws);
  if (!iss) throw invalid('the witness request cannot be read');
  const peer = await requireActivePeer(ctx, iss);
  const request = await withPeerKeys(ctx, peer, (keys) =>
    verifyWitnessRequest(jws, { iss, aud: ctx.config.nodeId, keys, now: ctx.clock.now(), maxAgeSeconds: ctx.config.acceptanceWindowSeconds }),
  );
  requireCaller(iss, caller);
  await spendWitnessRequest(ctx, iss, request.jti, request.iat);
  const cp = await syncLog(ctx);
  if (request.fromSize > cp.treeSize) {
    throw new BridgeError(409, 'audit_inconsistent', `the witness co-signed ${request.fromSize} leaves; this log has ${cp.treeSize}`);
  }
  return { checkpoint: cp.checkpoint, consistency: await consistencyProof(ctx.db, request.fromSize, cp.treeSize) };
}

/**
 * A witness request is good once: its `jti` is kept until the request would fail its age check
 * anyway (`iat` plus the acceptance window), and a second use within that window is refused.
 */
async function spendWitnessRequest(ctx: NodeContext, iss: string, jti: string, iat: number): Promise<void> {
  // Stored and compared as text: printable ASCII of a sane length (the node's own are UUIDs).
  if (!/^[\x21-\x7e]{1,128}$/.test(jti)) throw invalid('the witness request id is not valid');
  const now = ctx.clock.now();
  const expiresAt = new Date((iat + ctx.config.acceptanceWindowSeconds) * 1000 + 1000);
  const fresh = await ctx.db.transaction(async (tx) => {
    await tx.delete(witnessRequests).where(lt(witnessRequests.expiresAt, now));
    return tx.insert(witnessRequests).values({ issuer: iss, jti, expiresAt }).onConflictDoNothing().returning({ jti: witnessRequests.jti });
  });
  if (fresh.length === 0) throw invalid('the witness request was already used');
}

/**
 * The verified signer of a witness request or co-signature must be the peer whose client
 * certificate carried it (`caller`; null without TLS, where the signature alone decides): no peer
 * spends another's request ids or hands in another's co-signature.
 */
function requireCaller(iss: string, caller: string | null): void {
  if (caller !== null && iss !== caller) {
    throw new BridgeError(403, 'message_issuer_mismatch', 'signed by another peer than the one whose certificate carried it');
  }
}

/** A witness hands back its co-signature of one of this node's checkpoints. */
export async function acceptCosignature(ctx: NodeContext, jws: string, caller: string | null = null): Promise<void> {
  const iss = peekIssuer(jws);
  if (!iss) throw invalid('the co-signature cannot be read');
  const peer = await requireActivePeer(ctx, iss);
  const claims = await withPeerKeys(ctx, peer, (keys) => verifyCosignature(jws, iss, keys, ctx.config.nodeId));
  requireCaller(iss, caller);
  const [own] = await ctx.db.select().from(auditCheckpoints).where(eq(auditCheckpoints.treeSize, claims.treeSize));
  if (!own || own.rootHash !== claims.rootHash) throw new BridgeError(409, 'audit_inconsistent', 'no checkpoint of this size and root');
  const now = ctx.clock.now();
  await ctx.db.transaction(async (tx) => {
    const inserted = await tx
      .insert(auditCosignatures)
      .values({ origin: ctx.config.nodeId, witness: iss, treeSize: claims.treeSize, rootHash: claims.rootHash, checkpoint: own.checkpoint, cosignature: jws, createdAt: now })
      .onConflictDoNothing()
      .returning({ treeSize: auditCosignatures.treeSize });
    if (inserted.length > 0) {
      await appendAudit(tx, { type: 'audit.cosignature_received', actor: iss, at: now, peerNodeId: iss, detail: { treeSize: claims.treeSize } });
    }
  });
}

// ---- witness side ------------------------------------------------------------------------------

/**
 * Witnesses one peer: asks for its checkpoint with a consistency proof from the last one this
 * node co-signed, checks both, co-signs, stores the co-signature and hands it back. A proof that
 * fails (a rewritten or rolled-back log) is an alert in this node's audit log, and no co-signature.
 */
export async function witnessPeer(ctx: NodeContext, peer: Peer): Promise<WitnessOutcome> {
  const self = ctx.config.nodeId;
  const last = await lastCosigned(ctx, peer.nodeId, self);
  const now = ctx.clock.now();
  const request = await signWitnessRequest({ iss: self, aud: peer.nodeId, iat: epochSeconds(now), jti: newId(), fromSize: last?.treeSize ?? 0 }, currentKey(ctx.config.keys.log, now));
  const outcome = (o: WitnessOutcome['outcome'], treeSize: number | null = null): WitnessOutcome => ({ peer: peer.nodeId, outcome: o, treeSize });
  const alert = async (code: string, detail: Record<string, number | string>) => {
    ctx.logger.warn({ peer: peer.nodeId, code }, 'peer audit log failed witnessing');
    ctx.metrics.witnessFailures.inc({ peer: peer.nodeId, code });
    await appendAudit(ctx.db, { type: 'audit.witness_failed', actor: 'system', at: ctx.clock.now(), peerNodeId: peer.nodeId, detail: { code, alert: true, ...detail } });
  };
  let body: CheckpointResponse;
  try {
    const res = await postOutbound(`${peer.baseUrl}${operations.requestAuditCheckpoint.path}`, request, { 'content-type': 'application/jose', accept: 'application/json' }, {
      timeoutMs: ctx.config.delivery.requestTimeoutMs,
      maxResponseBytes: MAX_CHECKPOINT_ANSWER_BYTES,
      agents: peerAgents(ctx.config),
      pins: peer.tlsCertificates,
    });
    if (res.status === 409) {
      await alert('audit_inconsistent', { fromSize: last?.treeSize ?? 0 });
      return outcome('inconsistent');
    }
    if (res.status < 200 || res.status > 299) return outcome('unreachable');
    body = CheckpointResponse.parse(JSON.parse(res.text));
  } catch {
    return outcome('unreachable');
  }
  let cp;
  try {
    cp = await withPeerKeys(ctx, peer, (keys) => verifyCheckpoint(body.checkpoint, peer.nodeId, keys));
  } catch {
    await alert('checkpoint_invalid', {});
    return outcome('invalid');
  }
  if (last) {
    const proof = body.consistency.map(decodeHash) as Uint8Array[];
    if (!verifyConsistency(last.treeSize, cp.treeSize, decodeHash(last.rootHash)!, decodeHash(cp.rootHash)!, proof)) {
      await alert('audit_inconsistent', { fromSize: last.treeSize, treeSize: cp.treeSize });
      return outcome('inconsistent', cp.treeSize);
    }
    if (last.treeSize === cp.treeSize) {
      await handBack(ctx, peer, last.cosignature);
      return outcome('cosigned', cp.treeSize);
    }
  }
  const signedAt = ctx.clock.now();
  const cosignature = await signCosignature({ iss: self, sub: peer.nodeId, iat: epochSeconds(signedAt), treeSize: cp.treeSize, rootHash: cp.rootHash }, currentKey(ctx.config.keys.log, signedAt));
  await ctx.db.transaction(async (tx) => {
    await tx
      .insert(auditCosignatures)
      .values({ origin: peer.nodeId, witness: self, treeSize: cp.treeSize, rootHash: cp.rootHash, checkpoint: body.checkpoint, cosignature, createdAt: signedAt })
      .onConflictDoNothing();
    await appendAudit(tx, { type: 'audit.cosigned', actor: 'system', at: signedAt, peerNodeId: peer.nodeId, detail: { treeSize: cp.treeSize } });
  });
  await handBack(ctx, peer, cosignature);
  return outcome('cosigned', cp.treeSize);
}

/** Gives the peer its co-signature; if it is down, it gets it again on the next round. */
async function handBack(ctx: NodeContext, peer: Peer, cosignature: string): Promise<void> {
  try {
    const res = await postOutbound(`${peer.baseUrl}${operations.submitAuditCosignature.path}`, cosignature, { 'content-type': 'application/jose' }, {
      timeoutMs: ctx.config.delivery.requestTimeoutMs,
      maxResponseBytes: 0,
      agents: peerAgents(ctx.config),
      pins: peer.tlsCertificates,
    });
    if (res.status < 200 || res.status > 299) ctx.logger.warn({ peer: peer.nodeId, status: res.status }, 'peer refused a co-signature');
  } catch {
    ctx.logger.warn({ peer: peer.nodeId }, 'co-signature not handed back');
  }
}

/** One round: checkpoint this log, then witness every active peer. */
export async function witnessRound(ctx: NodeContext): Promise<{ checkpoint: CheckpointRow; peers: WitnessOutcome[] }> {
  const checkpoint = await syncLog(ctx);
  const peers = (await listPeers(ctx.db)).filter((p) => p.status === 'active');
  const outcomes: WitnessOutcome[] = [];
  for (const peer of peers) outcomes.push(await witnessPeer(ctx, peer));
  return { checkpoint, peers: outcomes };
}
