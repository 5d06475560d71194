import { calculateJwkThumbprint, exportJWK, generateKeyPair, type JWK } from 'jose';
import { createHash } from 'node:crypto';
import { CryptoError } from './errors.ts';

export type KeyPurpose = 'signing' | 'encryption' | 'log' | 'token';

/** Public members only: what a JWKS may carry. */
export interface PublicJwk {
  kty: 'OKP';
  crv: 'Ed25519' | 'X25519';
  x: string;
  kid: string;
  use: 'sig' | 'enc';
  alg: 'EdDSA' | 'ECDH-ES+A256KW';
  purpose: 'signing' | 'encryption' | 'log';
  validFrom: string;
  validUntil?: string | null;
}

export interface PrivateKeyRecord {
  kid: string;
  purpose: KeyPurpose;
  /** Private JWK (kty, crv, x, d). Never logged, never published. */
  jwk: JWK;
  validFrom: string;
  validUntil: string | null;
}

export interface NodeKeySet {
  signing: PrivateKeyRecord[];
  encryption: PrivateKeyRecord[];
  log: PrivateKeyRecord[];
  token: PrivateKeyRecord[];
}

const ALG: Record<KeyPurpose, { alg: 'EdDSA' | 'ECDH-ES+A256KW'; crv: 'Ed25519' | 'X25519' }> = {
  signing: { alg: 'EdDSA', crv: 'Ed25519' },
  encryption: { alg: 'ECDH-ES+A256KW', crv: 'X25519' },
  log: { alg: 'EdDSA', crv: 'Ed25519' },
  token: { alg: 'EdDSA', crv: 'Ed25519' },
};

export async function generateKey(purpose: KeyPurpose, validFrom: Date): Promise<PrivateKeyRecord> {
  const { alg, crv } = ALG[purpose];
  const { privateKey } = await generateKeyPair(alg, { crv, extractable: true });
  const jwk = await exportJWK(privateKey);
  const kid = await calculateJwkThumbprint({ kty: jwk.kty!, crv: jwk.crv!, x: jwk.x! });
  return { kid, purpose, jwk: { kty: jwk.kty, crv: jwk.crv, x: jwk.x, d: jwk.d }, validFrom: validFrom.toISOString(), validUntil: null };
}

export async function generateNodeKeys(now: Date): Promise<NodeKeySet> {
  const [signing, encryption, log, token] = await Promise.all(
    (['signing', 'encryption', 'log', 'token'] as const).map((p) => generateKey(p, now)),
  );
  return { signing: [signing!], encryption: [encryption!], log: [log!], token: [token!] };
}

export interface RotationOptions {
  /** How long the next key is published before it is used (peers learn it meanwhile). */
  activateAfterMs: number;
  /** How long the previous key stays acceptable after the next one takes over. */
  overlapMs: number;
}

/**
 * Rotates one purpose: publishes a new key valid from `now + activateAfterMs`, and retires the
 * keys in use at `now + activateAfterMs + overlapMs`. Retired keys stay in the set (and the JWKS)
 * so old receipts and checkpoints still verify; they are refused for new messages.
 */
export async function rotateKey(records: PrivateKeyRecord[], purpose: KeyPurpose, now: Date, options: RotationOptions): Promise<PrivateKeyRecord[]> {
  const activation = new Date(now.getTime() + options.activateAfterMs);
  const retirement = new Date(activation.getTime() + options.overlapMs).toISOString();
  const next = await generateKey(purpose, activation);
  const retired = records.map((r) => (r.validUntil === null || Date.parse(r.validUntil) > Date.parse(retirement) ? { ...r, validUntil: retirement } : r));
  return [...retired, next];
}

/** Keys not yet retired at `now` (including ones published ahead of use). */
export function unretiredKeys<T extends { validUntil?: string | null }>(records: T[], now: Date): T[] {
  return records.filter((r) => r.validUntil == null || Date.parse(r.validUntil) > now.getTime());
}

export function toPublicJwk(record: PrivateKeyRecord): PublicJwk {
  if (record.purpose === 'token') throw new TypeError('token keys are never published');
  const { alg, crv } = ALG[record.purpose];
  return {
    kty: 'OKP',
    crv,
    x: record.jwk.x!,
    kid: record.kid,
    use: record.purpose === 'encryption' ? 'enc' : 'sig',
    alg,
    purpose: record.purpose,
    validFrom: record.validFrom,
    validUntil: record.validUntil,
  };
}

/** The node's published JWKS: signing, encryption and log keys, never the token key. */
export function publicJwks(keys: NodeKeySet): { keys: PublicJwk[] } {
  return { keys: [...keys.signing, ...keys.encryption, ...keys.log].map(toPublicJwk) };
}

/** The key of a purpose in use at `now`: the newest whose window contains it. */
export function currentKey<T extends { validFrom: string; validUntil?: string | null }>(records: T[], now: Date): T {
  const t = now.getTime();
  const usable = records
    .filter((r) => Date.parse(r.validFrom) <= t && (r.validUntil == null || Date.parse(r.validUntil) > t))
    .sort((a, b) => Date.parse(b.validFrom) - Date.parse(a.validFrom));
  const key = usable[0];
  if (!key) throw new RangeError('no key is valid now');
  return key;
}

/** RFC 7638 thumbprint, computed from the key material itself, never taken from a claimed `kid`. */
export function keyThumbprint(jwk: { kty: string; crv?: string; x?: string }): Promise<string> {
  return calculateJwkThumbprint({ kty: jwk.kty, crv: jwk.crv!, x: jwk.x! });
}

/** What a node says about itself that a peer pins at onboarding besides its keys. */
export interface NodeIdentity {
  nodeId: string;
  urls: { api: string; messages: string; jwks: string };
}

/**
 * The fingerprint operators compare out of band at onboarding: SHA-256 over the node id, the URLs
 * that get pinned (messages go to one, keys are re-fetched from another) and the sorted
 * `purpose:thumbprint` of every published key; 16 groups of 4 hex digits, to be read aloud.
 * Changing any key, its role, the id or a pinned URL changes it.
 */
export async function nodeFingerprint(identity: NodeIdentity, jwks: { keys: PublicJwk[] }): Promise<string> {
  const keys = await Promise.all(jwks.keys.map(async (k) => `key ${k.purpose}:${await keyThumbprint(k)}`));
  const lines = [`node ${identity.nodeId}`, `api ${identity.urls.api}`, `messages ${identity.urls.messages}`, `jwks ${identity.urls.jwks}`, ...keys.sort()];
  const hex = createHash('sha256').update(lines.join('\n')).digest('hex').toUpperCase();
  return hex.match(/.{4}/g)!.join('-');
}

/** Every `kid` in a peer's JWKS must be the thumbprint of its own key; anything else is refused. */
export async function assertJwksConsistent(jwks: { keys: PublicJwk[] }): Promise<void> {
  for (const key of jwks.keys) {
    if ((await keyThumbprint(key)) !== key.kid) throw new CryptoError('malformed', 'a published kid does not match its key');
    const expected = ALG[key.purpose];
    if (!expected || key.alg !== expected.alg || key.crv !== expected.crv) {
      throw new CryptoError('algorithm_forbidden', 'a published key has an algorithm outside the allow-list');
    }
  }
}

export function normalizeFingerprint(fp: string): string {
  return fp.replace(/[^0-9a-fA-F]/g, '').toUpperCase();
}
