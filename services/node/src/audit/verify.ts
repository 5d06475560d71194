import { decodeHash, encodeHash, isCryptoError, MerkleTreeBuilder, verifyCheckpoint, verifyConsistency, verifyCosignature, verifyInclusion, type PublicJwk } from '@bridge/crypto';
import { auditLeafHash } from './entry.ts';
import type { ExportRecord } from './export-format.ts';

export interface AuditFailure {
  leafIndex: number | null;
  eventId: number | null;
  reason: string;
}

export interface AuditVerification {
  ok: boolean;
  treeSize: number;
  entries: number;
  cosignatures: number;
  failure: AuditFailure | null;
}

export interface VerifyOptions {
  /** The origin's log keys as pinned (e.g. from its JWKS); defaults to the keys in the export. */
  keys?: PublicJwk[];
  /** Extra co-signatures held elsewhere (e.g. the peer's copy), checked like the exported ones. */
  cosignatures?: ExportRecord[];
}

const why = (err: unknown) => (isCryptoError(err) ? err.message : 'it cannot be read');

/**
 * Checks an export with no server and no database: the checkpoint signature, every co-signature
 * and its consistency with the checkpoint, then every entry (its content against its leaf hash,
 * its inclusion proof, and for a complete export the order, gaps and the root). Stops at the first
 * failure and names it.
 */
export async function verifyExport(records: ExportRecord[], options: VerifyOptions = {}): Promise<AuditVerification> {
  const result: AuditVerification = { ok: false, treeSize: 0, entries: 0, cosignatures: 0, failure: null };
  const fail = (leafIndex: number | null, eventId: number | null, reason: string) => {
    result.failure = { leafIndex, eventId, reason };
    return result;
  };
  const head = records[0];
  if (head?.record !== 'checkpoint') return fail(null, null, 'the export does not start with a checkpoint');
  let claims;
  try {
    claims = await verifyCheckpoint(head.checkpoint, head.origin, options.keys ?? head.keys);
  } catch (err) {
    return fail(null, null, `the checkpoint does not verify: ${why(err)}`);
  }
  const treeSize = claims.treeSize;
  const root = decodeHash(claims.rootHash)!;
  result.treeSize = treeSize;

  for (const record of [...records.slice(1).filter((r) => r.record === 'cosignature'), ...(options.cosignatures ?? [])]) {
    if (record.record !== 'cosignature') continue;
    let co;
    try {
      co = await verifyCosignature(record.cosignature, record.witness, record.keys, head.origin);
    } catch (err) {
      return fail(null, null, `the co-signature by ${record.witness} does not verify: ${why(err)}`);
    }
    const coRoot = decodeHash(co.rootHash)!;
    const proof = (record.consistency ?? []).map(decodeHash);
    const consistent =
      proof.every((p) => p !== undefined) &&
      (co.treeSize <= treeSize
        ? verifyConsistency(co.treeSize, treeSize, coRoot, root, proof as Uint8Array[])
        : verifyConsistency(treeSize, co.treeSize, root, coRoot, proof as Uint8Array[]));
    if (!consistent) {
      return fail(null, null, `the checkpoint (${treeSize} leaves) is not consistent with the one ${record.witness} co-signed (${co.treeSize} leaves): the log was rewritten or rolled back`);
    }
    result.cosignatures++;
  }

  const builder = head.complete ? new MerkleTreeBuilder() : undefined;
  let expected = 0;
  let previous = -1;
  for (const record of records) {
    if (record.record !== 'entry') continue;
    const { leafIndex, eventId } = record;
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0) return fail(null, eventId ?? null, 'an entry has no valid leaf index');
    if (builder && leafIndex !== expected) {
      return leafIndex > expected ? fail(expected, null, `leaf ${expected} is missing`) : fail(leafIndex, eventId, `leaf ${leafIndex} is out of order or repeated`);
    }
    if (leafIndex <= previous) return fail(leafIndex, eventId, `leaf ${leafIndex} is out of order or repeated`);
    if (leafIndex >= treeSize) return fail(leafIndex, eventId, `leaf ${leafIndex} is beyond the checkpoint's ${treeSize} leaves`);
    const event = record.event;
    if (!event) return fail(leafIndex, eventId, `the event of leaf ${leafIndex} is missing`);
    if (event.idx !== eventId) return fail(leafIndex, eventId, `leaf ${leafIndex} holds event ${event.idx}, but event ${eventId} was sequenced there`);
    let hash: Uint8Array;
    try {
      hash = auditLeafHash(event);
    } catch {
      return fail(leafIndex, eventId, 'the event cannot be canonicalized');
    }
    if (record.leafHash && encodeHash(hash) !== record.leafHash) return fail(leafIndex, eventId, "the event's content does not match its leaf hash");
    const proof = (record.proof ?? []).map(decodeHash);
    if (!builder || proof.length > 0) {
      if (!proof.every((p) => p !== undefined) || !verifyInclusion(hash, leafIndex, treeSize, proof as Uint8Array[], root)) {
        return fail(leafIndex, eventId, `leaf ${leafIndex} does not prove into the checkpoint (moved, replaced or its tree changed)`);
      }
    }
    builder?.append(hash);
    previous = leafIndex;
    expected++;
    result.entries++;
  }
  if (builder) {
    if (expected < treeSize) return fail(expected, null, `leaf ${expected} is missing: the export ends after ${expected} of the checkpoint's ${treeSize} leaves`);
    if (encodeHash(builder.root()) !== claims.rootHash) return fail(null, null, "the entries' root does not match the checkpoint");
  }
  result.ok = true;
  return result;
}
