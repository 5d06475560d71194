import { decodeHash, encodeHash, isCryptoError, MerkleTreeBuilder, verifyCheckpoint, verifyConsistency, verifyCosignature, verifyInclusion, type PublicJwk } from '@bridge/crypto';
import { auditLeafHash } from './entry.ts';
import type { EntryRecord, ExportRecord } from './export-format.ts';

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

  const entries = records.filter((r): r is EntryRecord => r.record === 'entry');
  /** The entry's own content against its stored leaf hash: a hash, or why it fails. */
  const own = (record: EntryRecord): Uint8Array | string => {
    let outcome: Uint8Array | string;
    const event = record.event;
    if (!event) outcome = `the event of leaf ${record.leafIndex} is missing`;
    else if (event.idx !== record.eventId) outcome = `leaf ${record.leafIndex} holds event ${event.idx}, but event ${record.eventId} was sequenced there`;
    else {
      try {
        const hash = auditLeafHash(event, record.leafIndex);
        outcome = record.leafHash && encodeHash(hash) !== record.leafHash ? "the event's content or position does not match its leaf hash" : hash;
      } catch {
        outcome = 'the event cannot be canonicalized';
      }
    }
    return outcome;
  };

  const builder = head.complete ? new MerkleTreeBuilder() : undefined;
  let expected = 0;
  let previous = -1;
  for (const record of entries) {
    const { leafIndex, eventId } = record;
    if (!Number.isSafeInteger(leafIndex) || leafIndex < 0) return fail(null, eventId ?? null, 'an entry has no valid leaf index');
    if (builder && leafIndex !== expected) {
      return leafIndex > expected ? fail(expected, null, `leaf ${expected} is missing`) : fail(leafIndex, eventId, `leaf ${leafIndex} is out of order or repeated`);
    }
    if (leafIndex <= previous) return fail(leafIndex, eventId, `leaf ${leafIndex} is out of order or repeated`);
    if (leafIndex >= treeSize) return fail(leafIndex, eventId, `leaf ${leafIndex} is beyond the checkpoint's ${treeSize} leaves`);
    const hash = own(record);
    if (typeof hash === 'string') return fail(leafIndex, eventId, hash);
    const proof = (record.proof ?? []).map(decodeHash);
    // A complete export may leave proofs out: the rebuilt root is then compared at the end.
    if (!builder || proof.length > 0 || treeSize === 1) {
      if (!proof.every((p) => p !== undefined) || !verifyInclusion(hash, leafIndex, treeSize, proof as Uint8Array[], root)) {
        // A proof also carries the stored hash of the leaf's pair: when that one is the damaged
        // leaf (missing, changed or moved), it is the first bad entry, not this one.
        const pair = leafIndex % 2 === 0 ? leafIndex + 1 : leafIndex - 1;
        if (pair > leafIndex && pair < treeSize) {
          const other = entries.find((e) => e.leafIndex === pair);
          if (!other && builder) return fail(pair, null, `leaf ${pair} is missing`);
          const otherHash = other ? own(other) : undefined;
          if (other && typeof otherHash === 'string') return fail(pair, other.eventId, otherHash);
        }
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
