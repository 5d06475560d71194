/** Zod schemas for the audit log (admin search, proofs, export, verification, witnessing). See ../schemas.ts. */
import { z } from 'zod';
import { CompactJws } from './federation.ts';
import { dateTime } from './helpers.ts';
import { NodeId } from './referral.ts';

export const MerkleHash = z.string().regex(/^[A-Za-z0-9_-]{43}$/);
export type MerkleHash = z.infer<typeof MerkleHash>;

export const AuditEvent = z.strictObject({
  idx: z.number().int().min(0),
  leafIndex: z.number().int().min(0).nullable(),
  at: z.string(),
  type: z.string(),
  actor: z.string(),
  peerNodeId: z.string().nullable(),
  referralId: z.string().nullable(),
  messageId: z.string().nullable(),
  digest: z.string().nullable(),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])).nullable(),
});
export type AuditEvent = z.infer<typeof AuditEvent>;

export const AuditEventList = z.strictObject({ items: z.array(AuditEvent), nextCursor: z.string().nullable() });
export type AuditEventList = z.infer<typeof AuditEventList>;

export const AuditCheckpoint = z.strictObject({
  treeSize: z.number().int().min(0),
  rootHash: MerkleHash,
  issuedAt: dateTime(),
  checkpoint: CompactJws,
});
export type AuditCheckpoint = z.infer<typeof AuditCheckpoint>;

export const AuditEventProof = z.strictObject({
  event: AuditEvent,
  leafIndex: z.number().int().min(0),
  checkpoint: AuditCheckpoint,
  proof: z.array(MerkleHash),
});
export type AuditEventProof = z.infer<typeof AuditEventProof>;

export const AuditConsistencyProof = z.strictObject({ from: AuditCheckpoint, to: AuditCheckpoint, proof: z.array(MerkleHash) });
export type AuditConsistencyProof = z.infer<typeof AuditConsistencyProof>;

export const AuditExport = z.string();
export type AuditExport = z.infer<typeof AuditExport>;

export const AuditFailure = z.strictObject({
  leafIndex: z.number().int().nullable(),
  eventId: z.number().int().nullable(),
  reason: z.string(),
});
export type AuditFailure = z.infer<typeof AuditFailure>;

export const AuditVerification = z.strictObject({
  ok: z.boolean(),
  treeSize: z.number().int().min(0),
  entries: z.number().int().min(0),
  cosignatures: z.number().int().min(0),
  failure: AuditFailure.nullable(),
});
export type AuditVerification = z.infer<typeof AuditVerification>;

export const WitnessOutcome = z.strictObject({
  peer: NodeId,
  outcome: z.enum(['cosigned', 'inconsistent', 'invalid', 'unreachable']),
  treeSize: z.number().int().min(0).nullable(),
});
export type WitnessOutcome = z.infer<typeof WitnessOutcome>;

export const WitnessOutcomeList = z.strictObject({ checkpoint: AuditCheckpoint, peers: z.array(WitnessOutcome) });
export type WitnessOutcomeList = z.infer<typeof WitnessOutcomeList>;

export const CheckpointResponse = z.strictObject({ checkpoint: CompactJws, consistency: z.array(MerkleHash) });
export type CheckpointResponse = z.infer<typeof CheckpointResponse>;

/** Filters of `searchAuditEvents` and `exportAuditLog`. */
const auditFilters = {
  from: dateTime().optional(),
  to: dateTime().optional(),
  referralId: z.uuid().optional(),
  messageId: z.uuid().optional(),
  peer: NodeId.optional(),
  type: z.string().min(1).max(64).optional(),
  actor: z.string().min(1).max(128).optional(),
};

export const SearchAuditQuery = z.strictObject({
  ...auditFilters,
  limit: z.coerce.number().int().min(1).max(500).default(100),
  cursor: z.string().min(1).max(512).optional(),
});
export type SearchAuditQuery = z.infer<typeof SearchAuditQuery>;

export const ExportAuditQuery = z.strictObject({ format: z.enum(['ndjson', 'csv']).default('ndjson'), ...auditFilters });
export type ExportAuditQuery = z.infer<typeof ExportAuditQuery>;

export const AuditEventIdParams = z.strictObject({ eventId: z.coerce.number().int().min(0) });
export type AuditEventIdParams = z.infer<typeof AuditEventIdParams>;

export const ConsistencyQuery = z.strictObject({ fromSize: z.coerce.number().int().min(0), toSize: z.coerce.number().int().min(0) });
export type ConsistencyQuery = z.infer<typeof ConsistencyQuery>;
