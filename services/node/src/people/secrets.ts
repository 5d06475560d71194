import { createCipheriv, createDecipheriv, createHash, createHmac, hkdfSync, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';

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

/**
 * TOTP secrets must be readable by the server to check a code, so they cannot be hashed. They are
 * stored sealed as webhook secrets are (AES-256-GCM under a key derived by HKDF-SHA256, with its own
 * label, from the node's secret kept outside the database), bound to the user id as associated data:
 * a database dump alone does not reveal them, and a sealed secret copied to another account does not open.
 */
const totpSealingKey = (keyMaterial: string): Buffer => Buffer.from(hkdfSync('sha256', Buffer.from(keyMaterial, 'base64url'), Buffer.alloc(0), 'bridge totp secret sealing v1', 32));

/** `v1.<iv>.<ciphertext>.<tag>`, each base64url. */
export function sealTotpSecret(keyMaterial: string, userId: string, secret: string): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', totpSealingKey(keyMaterial), iv);
  cipher.setAAD(Buffer.from(userId));
  const ciphertext = Buffer.concat([cipher.update(secret, 'utf8'), cipher.final()]);
  return ['v1', iv.toString('base64url'), ciphertext.toString('base64url'), cipher.getAuthTag().toString('base64url')].join('.');
}

/** The TOTP secret, or an error when the sealed value is malformed, altered or belongs to another account. */
export function openTotpSecret(keyMaterial: string, userId: string, sealed: string): string {
  const [version, iv, ciphertext, tag] = sealed.split('.');
  if (version !== 'v1' || !iv || !ciphertext || !tag) throw new Error('sealed TOTP secret is malformed');
  try {
    const decipher = createDecipheriv('aes-256-gcm', totpSealingKey(keyMaterial), Buffer.from(iv, 'base64url'));
    decipher.setAAD(Buffer.from(userId));
    decipher.setAuthTag(Buffer.from(tag, 'base64url'));
    return Buffer.concat([decipher.update(Buffer.from(ciphertext, 'base64url')), decipher.final()]).toString('utf8');
  } catch {
    throw new Error('sealed TOTP secret does not open');
  }
}
