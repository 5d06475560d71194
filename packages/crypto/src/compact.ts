import { CryptoError } from './errors.ts';

/** Headers that would let a message choose its own key, compression or processing: never accepted. */
export const FORBIDDEN_HEADERS = ['zip', 'jku', 'x5u', 'x5c', 'jwk', 'x5t', 'x5t#S256', 'crit', 'b64'] as const;

const SEGMENT = /^[A-Za-z0-9_-]*$/;

/**
 * Splits a compact JWS (3 parts) or JWE (5 parts). Each part must be canonical base64url: a
 * non-canonical spelling (stray low bits in the last character) decodes to the same bytes, so
 * accepting it would let a changed message pass as new.
 */
export function splitCompact(value: string, count: 3 | 5): string[] {
  const parts = value.split('.');
  if (parts.length !== count || !parts.every(isCanonicalBase64url)) {
    throw new CryptoError('malformed', `expected a compact serialization with ${count} canonical base64url parts`);
  }
  return parts;
}

/** Base64url with no padding, no stray characters and no unused bits set: one spelling per byte string. */
export function isCanonicalBase64url(value: string): boolean {
  return SEGMENT.test(value) && Buffer.from(value, 'base64url').toString('base64url') === value;
}

export function decodeSegmentJson(segment: string, what: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
  } catch {
    throw new CryptoError('malformed', `${what} is not base64url JSON`);
  }
  if (value === null || typeof value !== 'object' || Array.isArray(value)) throw new CryptoError('malformed', `${what} is not an object`);
  return value as Record<string, unknown>;
}
