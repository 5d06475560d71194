import { sign, verify, type KeyObject } from 'node:crypto';
import { nodeKey } from './node-keys.ts';
import type { PrivateKeyRecord } from './keys.ts';

/**
 * Compact JWS (RFC 7515) with EdDSA over Ed25519 (RFC 8037), the only signature Bridge uses, by
 * node:crypto directly. jose does the same through WebCrypto, which on Node 20 cost ~170 µs of CPU
 * per signature and ~250 µs per verification, against ~55 and ~120 µs here (pnpm bench crypto).
 * What is signed here jose and python3-jwcrypto verify in the tests, and jose's signatures verify here.
 */
export function signCompactEdDsa(header: { typ: string; kid: string }, payload: string, key: Pick<PrivateKeyRecord, 'privateKey'>): string {
  const input = `${b64url(JSON.stringify({ alg: 'EdDSA', ...header }))}.${b64url(payload)}`;
  // node:crypto signs with a (non-extractable) CryptoKey as it does with a KeyObject, at the same
  // cost (documented since Node 15; @types/node leaves CryptoKey out of the parameter type).
  const signature = sign(null, Buffer.from(input), key.privateKey as unknown as KeyObject);
  return `${input}.${signature.toString('base64url')}`;
}

/**
 * Whether the three canonical parts of a compact JWS carry a valid Ed25519 signature by `key`. The
 * caller has split them (`splitCompact`) and checked the header: `alg` is EdDSA, and nothing that
 * changes how the signature is computed (`b64`, `crit`) is present. OpenSSL refuses a non-canonical
 * signature (S not below the group order), so one payload has one signature per key.
 */
export function verifyCompactEdDsa(parts: readonly string[], key: { kty: string; crv: string; x: string }): boolean {
  if (key.kty !== 'OKP' || key.crv !== 'Ed25519') return false;
  const signature = Buffer.from(parts[2]!, 'base64url');
  if (signature.length !== 64) return false;
  try {
    return verify(null, Buffer.from(`${parts[0]}.${parts[1]}`), nodeKey(key), signature);
  } catch {
    return false;
  }
}

export const b64url = (text: string | Uint8Array): string => Buffer.from(text).toString('base64url');
