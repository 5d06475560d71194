import { sign } from 'node:crypto';
import { nodeKey } from './node-keys.ts';
import type { PrivateKeyRecord } from './keys.ts';

/**
 * A compact JWS (RFC 7515) signed with EdDSA over Ed25519 (RFC 8037), by node:crypto directly.
 * Producing only: every JWS this node accepts is verified by jose. jose signs through WebCrypto,
 * which on Node 20 cost ~170 µs of CPU per signature against ~55 µs here (pnpm bench crypto).
 */
export function signCompactEdDsa(header: { typ: string; kid: string }, payload: string, key: PrivateKeyRecord): string {
  const input = `${b64url(JSON.stringify({ alg: 'EdDSA', ...header }))}.${b64url(payload)}`;
  const signature = sign(null, Buffer.from(input), nodeKey(key.jwk, 'private'));
  return `${input}.${signature.toString('base64url')}`;
}

export const b64url = (text: string | Uint8Array): string => Buffer.from(text).toString('base64url');
