import { createPrivateKey, createPublicKey, type KeyObject } from 'node:crypto';
import type { JWK } from 'jose';

const cache = new Map<string, KeyObject>();
const LIMIT = 512;

/**
 * A JWK as a node:crypto KeyObject, cached like `importKey`: keyed by curve, the public `x` (which
 * identifies the pair) and whether the private half is wanted — never by the private value itself.
 * Only OKP keys (Ed25519, X25519) are Bridge keys; anything else is refused.
 */
export function nodeKey(jwk: Pick<JWK, 'kty' | 'crv' | 'x' | 'd'>, half: 'private' | 'public'): KeyObject {
  if (jwk.kty !== 'OKP' || (jwk.crv !== 'Ed25519' && jwk.crv !== 'X25519') || typeof jwk.x !== 'string') {
    throw new TypeError('only OKP Ed25519 and X25519 keys are supported');
  }
  const id = `${jwk.crv}|${jwk.x}|${half}`;
  let key = cache.get(id);
  if (!key) {
    if (half === 'private') {
      if (typeof jwk.d !== 'string') throw new TypeError('the private half of the key is missing');
      key = createPrivateKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, format: 'jwk' });
    } else {
      key = createPublicKey({ key: { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, format: 'jwk' });
    }
    if (cache.size >= LIMIT) cache.clear();
    cache.set(id, key);
  }
  return key;
}
