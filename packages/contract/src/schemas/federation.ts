/** Zod schemas for problems, federation messages, receipts, node metadata, keys and probes. See ../schemas.ts. */
import { z } from 'zod';
import { Consent, DisclosedFields, DisclosedPerson, NodeId, PersonCategory, Phase, ReferralStatus, Risk, ServiceCode, Urgency } from './referral.ts';
import { dateTime, unique, uniqueMessage, withdrawFields } from './helpers.ts';

export const ProblemCode = z.enum([
  'validation_failed',
  'unauthorized',
  'forbidden',
  'not_found',
  'conflict',
  'payload_too_large',
  'unsupported_media_type',
  'rate_limited',
  'internal_error',
  'not_ready',
  'peer_unknown',
  'peer_not_active',
  'message_malformed',
  'message_header_forbidden',
  'message_algorithm_forbidden',
  'message_decrypt_failed',
  'message_signature_invalid',
  'message_key_unknown',
  'message_audience_mismatch',
  'message_issuer_mismatch',
  'message_stale',
  'message_replay_conflict',
  'message_body_invalid',
  'message_out_of_order',
  'receipt_invalid',
  'idempotency_key_in_use',
  'idempotency_key_reused',
  'illegal_transition',
  'disclosure_not_allowed',
  'referral_not_accepted',
  'consent_not_valid',
  'checkpoint_invalid',
  'audit_inconsistent',
  'webhook_target_forbidden',
  'sign_in_failed',
  'csrf_rejected',
  'step_up_required',
  'own_account',
  'enrolment_invalid',
  'password_rejected',
  'passkey_invalid',
  'passkey_required',
  'last_factor',
  'roles_invalid',
  'oidc_not_configured',
  'local_factor_required',
]);
export type ProblemCode = z.infer<typeof ProblemCode>;

/** RFC 9457 problem details with a stable `code`. */
export const Problem = z.strictObject({
  type: z.string(),
  title: z.string(),
  status: z.number().int().min(100).max(599),
  code: ProblemCode,
  detail: z.string().optional(),
  instance: z.string().optional(),
  requestId: z.string().optional(),
  errors: z.array(z.strictObject({ path: z.string(), message: z.string() })).optional(),
  requiredScopes: z.array(z.string()).min(1).optional(),
});
export type Problem = z.infer<typeof Problem>;

export const CompactJwe = z
  .string()
  .max(262144)
  .regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
export type CompactJwe = z.infer<typeof CompactJwe>;

export const CompactJws = z.string().regex(/^[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/);
export type CompactJws = z.infer<typeof CompactJws>;

export const Digest = z.string().regex(/^sha-256:[A-Za-z0-9_-]{43}$/);
export type Digest = z.infer<typeof Digest>;

export const MessageType = z.enum([
  'referral.request',
  'referral.status',
  'referral.disclose',
  'referral.info-request',
  'referral.info-response',
  'referral.withdraw',
  'consent.revoke',
  'erasure.confirm',
  'ping',
]);
export type MessageType = z.infer<typeof MessageType>;

/** The `body` of a `referral.request` message. */
export const ReferralRequestBody = z.strictObject({
  services: z.array(ServiceCode).min(1).max(15).refine(unique, uniqueMessage),
  urgency: Urgency,
  personCategory: PersonCategory,
  phase: Phase,
  risk: Risk,
  person: DisclosedPerson,
  consent: Consent,
  note: z.string().max(2000).optional(),
});
export type ReferralRequestBody = z.infer<typeof ReferralRequestBody>;

/** The `body` of a `referral.withdraw` message, sent when the sender cancels a referral. */
export const ReferralWithdrawBody = z.strictObject({ ...withdrawFields, from: ReferralStatus });
export type ReferralWithdrawBody = z.infer<typeof ReferralWithdrawBody>;

/** The `body` of a `referral.status` message: a status change made by the sending node. */
export const ReferralStatusBody = z.strictObject({
  status: z.enum(['accepted', 'rejected', 'in-progress', 'on-hold', 'completed', 'failed', 'entered-in-error']),
  from: ReferralStatus,
  at: dateTime(),
  reason: z.string().min(1).max(64).regex(/^[A-Z][A-Z0-9_]*$/).optional(),
  note: z.string().max(2000).optional(),
});
export type ReferralStatusBody = z.infer<typeof ReferralStatusBody>;

/** The `body` of a `referral.disclose` message: further fields, released after acceptance. */
export const ReferralDiscloseBody = z.strictObject({ person: DisclosedFields, note: z.string().max(2000).optional() });
export type ReferralDiscloseBody = z.infer<typeof ReferralDiscloseBody>;

const infoFields = { questionId: z.uuid(), text: z.string().min(1).max(2000) };

/** The `body` of a `referral.info-request` message. */
export const ReferralInfoRequestBody = z.strictObject(infoFields);
export type ReferralInfoRequestBody = z.infer<typeof ReferralInfoRequestBody>;

/** The `body` of a `referral.info-response` message. */
export const ReferralInfoResponseBody = z.strictObject(infoFields);
export type ReferralInfoResponseBody = z.infer<typeof ReferralInfoResponseBody>;

/** The `body` of a `consent.revoke` message. */
export const ConsentRevokeBody = z.strictObject({ revokedAt: dateTime(), reason: withdrawFields.reason });
export type ConsentRevokeBody = z.infer<typeof ConsentRevokeBody>;

/** The `body` of an `erasure.confirm` message. */
export const ErasureConfirmBody = z.strictObject({ reason: z.enum(['CONSENT_REVOKED', 'CONSENT_EXPIRED']), erasedAt: dateTime() });
export type ErasureConfirmBody = z.infer<typeof ErasureConfirmBody>;

/** The message types whose `body` has its own schema (the `allOf` of `if`/`then` of MessageClaims). */
const BODY_SCHEMAS: Partial<Record<MessageType, z.ZodType>> = {
  'referral.request': ReferralRequestBody,
  'referral.withdraw': ReferralWithdrawBody,
  'referral.status': ReferralStatusBody,
  'referral.disclose': ReferralDiscloseBody,
  'referral.info-request': ReferralInfoRequestBody,
  'referral.info-response': ReferralInfoResponseBody,
  'consent.revoke': ConsentRevokeBody,
  'erasure.confirm': ErasureConfirmBody,
};

/**
 * The signed payload of every message. A `referral.request` body must be a ReferralRequestBody and a
 * `referral.withdraw` body a ReferralWithdrawBody.
 */
export const MessageClaims = z
  .strictObject({
    iss: NodeId,
    aud: NodeId,
    iat: z.number().int(),
    exp: z.number().int(),
    jti: z.uuid(),
    type: MessageType,
    referralId: z.uuid(),
    seq: z.number().int().min(1),
    prev: Digest.nullable(),
    body: z.record(z.string(), z.unknown()),
  })
  .superRefine((claims, ctx) => {
    const body = BODY_SCHEMAS[claims.type];
    if (!body) return;
    const parsed = body.safeParse(claims.body);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', message: issue.message, path: ['body', ...issue.path] });
    }
  });
export type MessageClaims = z.infer<typeof MessageClaims>;

/** The signed payload of a delivery receipt. */
export const ReceiptClaims = z.strictObject({
  iss: NodeId,
  aud: NodeId,
  iat: z.number().int(),
  jti: z.uuid(),
  messageId: z.uuid(),
  digest: Digest,
  logIndex: z.number().int().min(0),
});
export type ReceiptClaims = z.infer<typeof ReceiptClaims>;

export const ReceiptResponse = z.strictObject({ receipt: CompactJws });
export type ReceiptResponse = z.infer<typeof ReceiptResponse>;

export const NodeMetadata = z.strictObject({
  nodeId: NodeId,
  name: z.string(),
  jurisdiction: z.string().min(1).max(64),
  contractVersions: z.array(z.string()),
  urls: z.strictObject({ api: z.url(), messages: z.url(), jwks: z.url() }),
  tlsCertificates: z.array(z.string().regex(/^[0-9a-f]{64}$/)).min(1).max(8).optional(),
});
export type NodeMetadata = z.infer<typeof NodeMetadata>;

/** A public OKP key; a private member (`d`) is rejected as an unknown key. */
export const PublicJwk = z.strictObject({
  kty: z.enum(['OKP']),
  crv: z.enum(['Ed25519', 'X25519']),
  x: z.string().regex(/^[A-Za-z0-9_-]{43}$/),
  kid: z.string().min(1).max(128),
  use: z.enum(['sig', 'enc']),
  alg: z.enum(['EdDSA', 'ECDH-ES+A256KW']),
  purpose: z.enum(['signing', 'encryption', 'log']),
  validFrom: dateTime(),
  validUntil: dateTime().nullable().optional(),
});
export type PublicJwk = z.infer<typeof PublicJwk>;

export const Jwks = z.strictObject({ keys: z.array(PublicJwk) });
export type Jwks = z.infer<typeof Jwks>;

export const Health = z.strictObject({ status: z.enum(['ok']) });
export type Health = z.infer<typeof Health>;

export const Readiness = z.strictObject({
  status: z.enum(['ready', 'not_ready']),
  checks: z.strictObject({ database: z.boolean(), migrations: z.boolean(), keys: z.boolean() }),
});
export type Readiness = z.infer<typeof Readiness>;
