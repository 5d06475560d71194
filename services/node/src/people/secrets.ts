import { createHash, createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

/** 32 random bytes, base64url (43 characters): session tokens and enrolment link tokens. */
export const randomToken = (): string => randomBytes(32).toString('base64url');

/** What is stored for a token: its SHA-256, base64url. A 256-bit random token needs no slow hash. */
export const tokenHash = (token: string): string => createHash('sha256').update(token, 'utf8').digest('base64url');

/** Constant-time comparison of two strings of the same encoding. */
export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/**
 * The CSRF token of a session: an HMAC of its id under a key derived from the node's secret, so it is
 * bound to the session (another session's token never matches) and needs no storage.
 */
export function csrfToken(nodeSecret: string, sessionId: string): string {
  const key = createHmac('sha256', nodeSecret).update('bridge console csrf key v1').digest();
  return createHmac('sha256', key).update(sessionId).digest('base64url');
}

// 32 characters without look-alikes (no i, l, o, u): 5 bits each; 28 characters ≈ 140 bits.
const RECOVERY_ALPHABET = 'abcdefghjkmnpqrstvwxyz0123456789';

/** A recovery code: seven groups of four characters, ≈140 random bits. */
export function newRecoveryCode(): string {
  const chars = Array.from({ length: 28 }, () => RECOVERY_ALPHABET[randomInt(RECOVERY_ALPHABET.length)]!);
  return Array.from({ length: 7 }, (_, i) => chars.slice(i * 4, i * 4 + 4).join('')).join('-');
}

export const RECOVERY_CODE_PATTERN = /^[a-z0-9]{4}(-[a-z0-9]{4}){6}$/;

/** How a typed recovery code is compared: lower case, without spaces. */
export const normaliseRecoveryCode = (code: string): string => code.trim().toLowerCase().replace(/\s+/g, '');
