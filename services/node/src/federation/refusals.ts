import type { ProblemCode } from '@bridge/contract';
import type { CryptoErrorCode } from '@bridge/crypto';
import { BridgeError } from '../errors.ts';

const BY_CRYPTO_CODE: Record<CryptoErrorCode, [number, ProblemCode]> = {
  malformed: [400, 'message_malformed'],
  header_forbidden: [400, 'message_header_forbidden'],
  algorithm_forbidden: [400, 'message_algorithm_forbidden'],
  decrypt_failed: [400, 'message_decrypt_failed'],
  claims_invalid: [400, 'message_malformed'],
  signature_invalid: [401, 'message_signature_invalid'],
  key_unknown: [401, 'message_key_unknown'],
  issuer_mismatch: [401, 'message_issuer_mismatch'],
  audience_mismatch: [403, 'message_audience_mismatch'],
  stale: [401, 'message_stale'],
  receipt_invalid: [400, 'receipt_invalid'],
};

export function refusalFromCrypto(code: CryptoErrorCode, message: string): BridgeError {
  const [status, problem] = BY_CRYPTO_CODE[code];
  return new BridgeError(status, problem, message);
}
