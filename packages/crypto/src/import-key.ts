import { importJWK, type JWK } from 'jose';

type ImportedKey = Awaited<ReturnType<typeof importJWK>>;
const cache = new Map<string, Promise<ImportedKey>>();
const LIMIT = 512;

/**
 * importJWK with a bounded cache, for what still goes through jose (API tokens): the same key
 * signs every token, and importing it into WebCrypto each time costs as much as the signature. Keyed by the public `x` (which identifies the
 * pair) and whether the private half is present — never by the private value itself.
 */
export function importKey(jwk: JWK, alg: string): Promise<ImportedKey> {
  const id = `${alg}|${jwk.crv}|${jwk.x}|${jwk.d ? 'private' : 'public'}`;
  let key = cache.get(id);
  if (!key) {
    if (cache.size >= LIMIT) cache.clear();
    key = importJWK(jwk.d ? { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d } : { kty: jwk.kty, crv: jwk.crv, x: jwk.x }, alg);
    key.catch(() => cache.delete(id));
    cache.set(id, key);
  }
  return key;
}
