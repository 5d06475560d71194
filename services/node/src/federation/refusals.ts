import type { FastifyError, FastifyRequest } from 'fastify';
import type { ProblemCode } from '@bridge/contract';
import { sha256Digest, type CryptoErrorCode } from '@bridge/crypto';
import { appendAudit } from '../audit/append.ts';
import { BridgeError } from '../errors.ts';
import { errorSummary } from '../log-safe.ts';
import { problemFromError, type ProblemParts } from '../http/problem.ts';
import type { NodeContext } from '../context.ts';

const BY_CRYPTO_CODE: Record<CryptoErrorCode, [number, ProblemCode]> = {
  malformed: [400, 'message_malformed'],
  header_forbidden: [400, 'message_header_forbidden'],
  algorithm_forbidden: [400, 'message_algorithm_forbidden'],
  decrypt_failed: [400, 'message_decrypt_failed'],
  claims_invalid: [400, 'message_malformed'],
  stale: [400, 'message_stale'],
  signature_invalid: [401, 'message_signature_invalid'],
  key_unknown: [401, 'message_key_unknown'],
  issuer_mismatch: [403, 'message_issuer_mismatch'],
  audience_mismatch: [403, 'message_audience_mismatch'],
  receipt_invalid: [400, 'receipt_invalid'],
  checkpoint_invalid: [401, 'checkpoint_invalid'],
};

export function refusalFromCrypto(code: CryptoErrorCode, message: string): BridgeError {
  const [status, problem] = BY_CRYPTO_CODE[code];
  return new BridgeError(status, problem, message);
}

/**
 * Every refused message, whatever refused it (body limit, media type, envelope, trust, order),
 * leaves exactly one audit event with its code and what is known of it, and nothing else; a request
 * turned away by the rate limit is only counted.
 */
export async function recordRefusal(ctx: NodeContext, error: FastifyError, request: FastifyRequest): Promise<ProblemParts> {
  const general = problemFromError(error, request);
  // A body that is not a compact JWE at all is a malformed message, like any other damage.
  const problem: ProblemParts = general.code === 'validation_failed' ? { status: 400, code: 'message_malformed', detail: 'the body is not a compact JWE' } : general;
  ctx.metrics.messagesRefused.inc({ code: problem.code });
  // A throttled request was not read at all: it must not cost a database write either.
  if (problem.code === 'rate_limited') return problem;
  const context = error instanceof BridgeError ? error.refusal : undefined;
  const body = typeof request.body === 'string' ? request.body : undefined;
  try {
    await appendAudit(ctx.db, {
      type: 'message.refused',
      actor: context?.issuer ?? 'unknown',
      at: ctx.clock.now(),
      peerNodeId: context?.issuer ?? null,
      referralId: context?.referralId ?? null,
      messageId: context?.messageId ?? null,
      digest: context?.digest ?? (body ? sha256Digest(body) : null),
      detail: { code: problem.code, status: problem.status, alert: context?.alert ?? false },
    });
  } catch (err) {
    request.log.error({ code: problem.code, ...errorSummary(err) }, 'could not record refusal');
  }
  request.log.warn({ code: problem.code, peer: context?.issuer, alert: context?.alert ?? false }, 'message refused');
  return problem;
}
