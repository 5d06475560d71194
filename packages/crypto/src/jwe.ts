import { createCipheriv, createDecipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, KeyObject, randomBytes, type webcrypto } from 'node:crypto';
import type { JWK } from 'jose';
import { nodeKey } from './node-keys.ts';
import { b64url } from './jws.ts';
import { CryptoError } from './errors.ts';
import { isCanonicalBase64url } from './compact.ts';

/**
 * Compact JWE (RFC 7516) with the one suite Bridge allows — ECDH-ES+A256KW over X25519 (RFC 7518
 * §4.6, RFC 8037) and A256GCM — by node:crypto directly. jose does the same through WebCrypto,
 * which on Node 20 cost ~1.1 ms of CPU per message each way, ~5× these synchronous calls
 * (pnpm bench crypto). jose opens these in the tests, and so does an independent implementation
 * (python3-jwcrypto) in the integration tests; what jose seals opens here.
 */
export const JWE_ALG = 'ECDH-ES+A256KW';
export const JWE_ENC = 'A256GCM';

const KW_IV = Buffer.from('a6a6a6a6a6a6a6a6', 'hex');
const CEK_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Encrypts to the recipient's X25519 key with a fresh ephemeral key, content key and IV. */
export function encryptCompact(plaintext: string, header: { cty: string; kid: string }, recipient: Pick<JWK, 'kty' | 'crv' | 'x'>): string {
  if (recipient.crv !== 'X25519') throw new CryptoError('key_unknown', 'recipient key is not an X25519 key');
  const ephemeral = generateKeyPairSync('x25519');
  const { x } = ephemeral.publicKey.export({ format: 'jwk' });
  const kek = concatKdf(diffieHellman({ privateKey: ephemeral.privateKey, publicKey: nodeKey(recipient) }), EMPTY, EMPTY);
  const cek = randomBytes(CEK_BYTES);
  const wrap = createCipheriv('id-aes256-wrap', kek, KW_IV);
  const encryptedKey = Buffer.concat([wrap.update(cek), wrap.final()]);
  const protectedHeader = b64url(JSON.stringify({ alg: JWE_ALG, enc: JWE_ENC, ...header, epk: { kty: 'OKP', crv: 'X25519', x } }));
  const iv = randomBytes(IV_BYTES);
  const gcm = createCipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
  gcm.setAAD(Buffer.from(protectedHeader, 'ascii'));
  const ciphertext = Buffer.concat([gcm.update(plaintext, 'utf8'), gcm.final()]);
  return [protectedHeader, b64url(encryptedKey), b64url(iv), b64url(ciphertext), b64url(gcm.getAuthTag())].join('.');
}

/**
 * Decrypts a compact JWE whose five canonical parts and protected header the caller has already
 * split, parsed and checked (alg, enc, forbidden headers), with the node's non-extractable X25519
 * key. Any failure is `decrypt_failed`, with no detail of which step failed.
 */
export async function decryptCompact(parts: readonly string[], header: Record<string, unknown>, privateKey: webcrypto.CryptoKey): Promise<Buffer> {
  if (header.alg !== JWE_ALG || header.enc !== JWE_ENC) throw new CryptoError('algorithm_forbidden', 'JWE alg/enc outside the allow-list');
  const [protectedHeader, encryptedKeyPart, ivPart, ciphertextPart, tagPart] = parts as [string, string, string, string, string];
  try {
    const epk = header.epk as { kty?: unknown; crv?: unknown; x?: unknown } | undefined;
    if (!epk || typeof epk !== 'object' || epk.kty !== 'OKP' || epk.crv !== 'X25519' || typeof epk.x !== 'string') throw new Error('epk');
    const encryptedKey = Buffer.from(encryptedKeyPart, 'base64url');
    const iv = Buffer.from(ivPart, 'base64url');
    const tag = Buffer.from(tagPart, 'base64url');
    if (encryptedKey.length !== CEK_BYTES + 8 || iv.length !== IV_BYTES || tag.length !== TAG_BYTES) throw new Error('lengths');
    // node:crypto's diffieHellman takes only KeyObjects. KeyObject.from hands over the handle the
    // CryptoKey wraps (what crypto.sign does inside with a CryptoKey), used for this one call and
    // never kept. WebCrypto's deriveBits would do the same at ~2× the CPU and a thread-pool hop per
    // message (measured: openMessage median 340–400 µs → 550–800 µs under load).
    const shared = diffieHellman({
      privateKey: KeyObject.from(privateKey),
      publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: epk.x }, format: 'jwk' }),
    });
    // A small-order ephemeral key gives an all-zero secret (RFC 7748 §6.1): refused, not used.
    if (shared.every((b) => b === 0)) throw new Error('small-order epk');
    const kek = concatKdf(shared, partyInfo(header.apu), partyInfo(header.apv));
    const unwrap = createDecipheriv('id-aes256-wrap', kek, KW_IV);
    const cek = Buffer.concat([unwrap.update(encryptedKey), unwrap.final()]);
    const gcm = createDecipheriv('aes-256-gcm', cek, iv, { authTagLength: TAG_BYTES });
    gcm.setAAD(Buffer.from(protectedHeader, 'ascii'));
    gcm.setAuthTag(tag);
    return Buffer.concat([gcm.update(Buffer.from(ciphertextPart, 'base64url')), gcm.final()]);
  } catch {
    throw new CryptoError('decrypt_failed', 'message could not be decrypted');
  }
}

const EMPTY = Buffer.alloc(0);

/** `apu`/`apv` as sent (base64url), or empty; anything else fails the decryption. */
function partyInfo(value: unknown): Buffer {
  if (value === undefined) return EMPTY;
  if (typeof value !== 'string' || !isCanonicalBase64url(value)) throw new Error('party info');
  return Buffer.from(value, 'base64url');
}

/** The Concat KDF of RFC 7518 §4.6.2 for a 256-bit key-wrapping key: a single SHA-256 round. */
function concatKdf(shared: Buffer, apu: Buffer, apv: Buffer): Buffer {
  const lengthPrefixed = (data: Buffer) => Buffer.concat([uint32(data.length), data]);
  const otherInfo = Buffer.concat([lengthPrefixed(Buffer.from(JWE_ALG, 'ascii')), lengthPrefixed(apu), lengthPrefixed(apv), uint32(256)]);
  return createHash('sha256').update(uint32(1)).update(shared).update(otherInfo).digest();
}

function uint32(n: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n);
  return b;
}
