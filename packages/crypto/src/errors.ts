/** Stable codes for every way a message, receipt or key can fail. Callers map them to problem codes. */
export type CryptoErrorCode =
  | 'malformed'
  | 'header_forbidden'
  | 'algorithm_forbidden'
  | 'decrypt_failed'
  | 'signature_invalid'
  | 'key_unknown'
  | 'audience_mismatch'
  | 'issuer_mismatch'
  | 'stale'
  | 'claims_invalid'
  | 'receipt_invalid'
  | 'checkpoint_invalid';

export class CryptoError extends Error {
  override readonly name = 'CryptoError';
  constructor(
    readonly code: CryptoErrorCode,
    message: string,
  ) {
    super(message);
  }
}

export const isCryptoError = (err: unknown): err is CryptoError => err instanceof CryptoError;
