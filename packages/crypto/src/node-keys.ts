import { createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

const cache = new Map<string, KeyObject>();
const LIMIT = 512;

/**
 * A public JWK as a node:crypto KeyObject, cached by curve and `x`. Only OKP keys (Ed25519,
 * X25519) are Bridge keys; anything else is refused. Private keys never pass here: a node holds
 * them as non-extractable CryptoKeys (keys.ts).
 */
export function nodeKey(jwk: Pick<JWK, 'kty' | 'crv' | 'x'>): KeyObject {
  if (jwk.kty !== 'OKP' || (jwk.crv !== 'Ed25519' && jwk.crv !== 'X25519') || typeof jwk.x !== 'string') {
    throw new TypeError('only OKP Ed25519 and X25519 keys are supported');
  }
  const id = `${jwk.crv}|${jwk.x}`;
  let key = cache.get(id);
  if (!key) {
    key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    if (cache.size >= LIMIT) cache.clear();
    cache.set(id, key);
  }
  return key;
}
