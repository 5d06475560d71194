import { FlattenedEncrypt, flattenedDecrypt, type FlattenedJWE } from 'jose';
import { CryptoError } from './errors.ts';

/**
 * keys.json at rest: a JWE in flattened JSON serialization (RFC 7516 §7.2.2), by jose, encrypted
 * with a key derived from the operator's secret — PBES2-HS512+A256KW (RFC 7518 §4.8: PBKDF2 with
 * HMAC-SHA-512 and a random 16-byte salt, wrapping a random AES-256-GCM content key). A standard
 * format any JOSE library opens with the secret; nothing hand-rolled.
 */
export const KEY_FILE_ALG = 'PBES2-HS512+A256KW';
export const KEY_FILE_ENC = 'A256GCM';
export const KEY_FILE_CTY = 'bridge-keys+json';
/**
 * PBKDF2-HMAC-SHA512 iterations: OWASP's recommendation (Password Storage Cheat Sheet, 2023). Paid
 * once per start, rotation or reload (~0.2–0.5 s here); a guess at the secret costs the same.
 */
export const KEY_FILE_P2C = 210_000;
/** Refuse a header asking for far more work than we ever write: a file is not a denial of service. */
const MAX_P2C = 10 * KEY_FILE_P2C;

export type SealedKeyFile = FlattenedJWE;

/** Whether parsed JSON is a sealed key file (as opposed to the plain keys.json of earlier versions). */
export function isSealedKeyFile(value: unknown): value is SealedKeyFile {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
  const v = value as Record<string, unknown>;
  return typeof v.protected === 'string' && typeof v.ciphertext === 'string' && typeof v.iv === 'string' && typeof v.tag === 'string';
}

export async function sealKeyFile(plaintext: string, secret: string): Promise<SealedKeyFile> {
  return new FlattenedEncrypt(new TextEncoder().encode(plaintext))
    .setProtectedHeader({ alg: KEY_FILE_ALG, enc: KEY_FILE_ENC, cty: KEY_FILE_CTY })
    .setKeyManagementParameters({ p2c: KEY_FILE_P2C })
    .encrypt(new TextEncoder().encode(secret));
}

/**
 * The plaintext of a sealed key file. A wrong secret and a changed file look the same
 * (`decrypt_failed`): AES-GCM cannot tell them apart, and neither should an error message.
 */
export async function openKeyFile(sealed: SealedKeyFile, secret: string): Promise<string> {
  let header: Record<string, unknown>;
  try {
    header = JSON.parse(Buffer.from(sealed.protected ?? '', 'base64url').toString('utf8')) as Record<string, unknown>;
  } catch {
    throw new CryptoError('malformed', 'the key file header is not base64url JSON');
  }
  if (header.alg !== KEY_FILE_ALG || header.enc !== KEY_FILE_ENC || header.cty !== KEY_FILE_CTY) {
    throw new CryptoError('algorithm_forbidden', `the key file must be ${KEY_FILE_ALG} with ${KEY_FILE_ENC}`);
  }
  if (typeof header.p2c !== 'number' || header.p2c > MAX_P2C) throw new CryptoError('algorithm_forbidden', `the key file's PBES2 count must be at most ${MAX_P2C}`);
  if (sealed.header !== undefined || sealed.aad !== undefined) throw new CryptoError('header_forbidden', 'the key file has unprotected header or aad members');
  try {
    const { plaintext } = await flattenedDecrypt(sealed, new TextEncoder().encode(secret), {
      keyManagementAlgorithms: [KEY_FILE_ALG],
      contentEncryptionAlgorithms: [KEY_FILE_ENC],
      maxPBES2Count: MAX_P2C,
    });
    return new TextDecoder('utf-8', { fatal: true }).decode(plaintext);
  } catch {
    throw new CryptoError('decrypt_failed', 'the key file could not be decrypted with this secret');
  }
}
