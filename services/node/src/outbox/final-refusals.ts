import type { ProblemCode } from '@bridge/contract';

/**
 * Which answers of a peer end a delivery at once. A refusal is final when it is about this message's
 * content, so the same message sealed again can never be accepted by the peer in its present state:
 * retrying it for the whole delivery deadline would only hold back every later message of its
 * referral (an `erasure.confirm` among them). Such a message is dead-lettered at the first refusal,
 * with an alert; an operator resends it (after the cause is fixed) or discards it.
 *
 * Everything else is transient and retried until the deadline: transport failures (`timeout`,
 * `network_*`, `http_<status>`), answers about the peer's state, trust or keys (which change without
 * touching the message and, being the same for every message to that peer, hold back nothing in
 * particular), and answers about timing. An unknown code is transient: retrying is the safe default.
 *
 * | code                          | kind      | why                                                                                   |
 * |-------------------------------|-----------|---------------------------------------------------------------------------------------|
 * | message_body_invalid          | final     | the body fails its schema or fits no referral shared with the peer: it never will     |
 * | illegal_transition            | final     | the lifecycle forbids the change from where the referral stands; statuses only move on |
 * | disclosure_not_allowed        | final     | beyond the profiles and consent of the referral, which a resend does not change       |
 * | referral_not_accepted         | final     | fields released to a referral the peer did not accept (or no longer holds as accepted) |
 * | consent_not_valid             | final     | a revoked, expired or erased consent never becomes valid again                         |
 * | message_replay_conflict       | final     | the id (or referral id) is already taken with other content; the peer keeps the first |
 * | payload_too_large             | final     | this message is over the peer's size limit                                             |
 * | message_out_of_order          | transient | an earlier message (or the receipt of the referral's request) has not arrived yet      |
 * | rate_limited, not_ready       | transient | the peer asks to come back later                                                      |
 * | internal_error                | transient | the peer failed; it may recover                                                       |
 * | message_stale                 | transient | a clock skew; every attempt is sealed with a fresh `iat`                              |
 * | message_decrypt_failed        | transient | sealed to a key the peer retired; its keys are fetched again before the retry         |
 * | message_key_unknown, message_signature_invalid | transient | the peer has not learnt our current signing key yet             |
 * | peer_unknown, peer_not_active, message_issuer_mismatch, message_audience_mismatch | transient | onboarding or pinning, fixed by operators for every message of the peer at once |
 * | message_malformed, message_header_forbidden, message_algorithm_forbidden, unsupported_media_type | transient | our envelope, the same for every message: fixed by an upgrade, not by a resend |
 * | receipt_invalid               | transient | the receipt did not verify here; the peer's keys are fetched again                    |
 */
export const FINAL_REFUSALS: ReadonlySet<ProblemCode> = new Set<ProblemCode>([
  'message_body_invalid',
  'illegal_transition',
  'disclosure_not_allowed',
  'referral_not_accepted',
  'consent_not_valid',
  'message_replay_conflict',
  'payload_too_large',
]);

/** True when the delivery error `error` (a peer's problem code or a transport code) can never succeed by retrying. */
export function isFinalRefusal(error: string): boolean {
  return (FINAL_REFUSALS as ReadonlySet<string>).has(error);
}
