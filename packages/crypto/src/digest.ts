import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

export type Digest = `sha-256:${string}`;

/** SHA-256 of exact bytes, as `sha-256:<base64url>`. */
export function sha256Digest(data: string | Uint8Array): Digest {
  return `sha-256:${createHash('sha256').update(data).digest('base64url')}`;
}

/** RFC 8785 canonical JSON, so the same value always hashes the same on both nodes. */
export function canonicalJson(value: unknown): string {
  const text = canonicalize(value);
  if (text === undefined) throw new TypeError('value cannot be canonicalized');
  return text;
}

export function contentDigest(value: unknown): Digest {
  return sha256Digest(canonicalJson(value));
}
