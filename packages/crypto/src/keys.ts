import { calculateJwkThumbprint } from 'jose';
import { createHash, generateKeyPairSync, webcrypto } from 'node:crypto';
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

/** The public members of a Bridge key: what identifies it and what verifies or encrypts to it. */
export interface OkpPublicKey {
  kty: 'OKP';
  crv: 'Ed25519' | 'X25519';
  x: string;
}

/**
 * A key pair as a running node holds it: the public JWK, and the private half only as a WebCrypto
 * key created with extractable=false, so no API (subtle.exportKey, wrapKey) hands its bytes back.
 * node:crypto signs with it directly; X25519 decryption borrows its handle for one call (jwe.ts).
 * This keeps a key from leaking by mistake (a serialised config, a log line); it does not hide it
 * from code running inside the process.
 */
export interface PrivateKeyRecord {
  kid: string;
  purpose: KeyPurpose;
  jwk: OkpPublicKey;
  privateKey: webcrypto.CryptoKey;
  validFrom: string;
  validUntil: string | null;
}

/** A key pair as keys.json stores it, inside its encryption (key-file.ts): the private JWK with `d`. */
export interface StoredKeyRecord {
  kid: string;
  purpose: KeyPurpose;
  /** Private JWK (kty, crv, x, d). Never logged, never published, never written unencrypted. */
  jwk: OkpPublicKey & { d: string };
  validFrom: string;
  validUntil: string | null;
}

export interface KeySetOf<T> {
  signing: T[];
  encryption: T[];
  log: T[];
  token: T[];
}
export type NodeKeySet = KeySetOf<PrivateKeyRecord>;
export type StoredKeySet = KeySetOf<StoredKeyRecord>;

const PURPOSES = ['signing', 'encryption', 'log', 'token'] as const;

const ALG: Record<KeyPurpose, { alg: 'EdDSA' | 'ECDH-ES+A256KW'; crv: 'Ed25519' | 'X25519' }> = {
  signing: { alg: 'EdDSA', crv: 'Ed25519' },
  encryption: { alg: 'ECDH-ES+A256KW', crv: 'X25519' },
  log: { alg: 'EdDSA', crv: 'Ed25519' },
  token: { alg: 'EdDSA', crv: 'Ed25519' },
};

/** A new key pair in its stored form: what `bridge init` and `bridge keys rotate` write (encrypted). */
export async function generateStoredKey(purpose: KeyPurpose, validFrom: Date): Promise<StoredKeyRecord> {
  const { crv } = ALG[purpose];
  const { privateKey } = crv === 'Ed25519' ? generateKeyPairSync('ed25519') : generateKeyPairSync('x25519');
  const { x, d } = privateKey.export({ format: 'jwk' });
  if (typeof x !== 'string' || typeof d !== 'string') throw new CryptoError('malformed', 'generated key has no x or d');
  const kid = await calculateJwkThumbprint({ kty: 'OKP', crv, x });
  return { kid, purpose, jwk: { kty: 'OKP', crv, x, d }, validFrom: validFrom.toISOString(), validUntil: null };
}

/**
 * A stored key as the node holds it: the private half imported into WebCrypto as non-extractable;
 * the returned record keeps no `d`.
 */
export async function importKeyRecord(stored: StoredKeyRecord): Promise<PrivateKeyRecord> {
  const { crv } = ALG[stored.purpose];
  const { kty, x, d } = stored.jwk;
  if (kty !== 'OKP' || stored.jwk.crv !== crv) throw new CryptoError('algorithm_forbidden', `a ${stored.purpose} key must be an OKP ${crv} key`);
  const usages: webcrypto.KeyUsage[] = crv === 'Ed25519' ? ['sign'] : ['deriveBits'];
  const privateKey = await webcrypto.subtle.importKey('jwk', { kty, crv, x, d }, { name: crv }, false, usages);
  return { kid: stored.kid, purpose: stored.purpose, jwk: { kty, crv, x }, privateKey, validFrom: stored.validFrom, validUntil: stored.validUntil };
}

export async function importNodeKeys(stored: StoredKeySet): Promise<NodeKeySet> {
  const [signing, encryption, log, token] = await Promise.all(PURPOSES.map((p) => Promise.all(stored[p].map(importKeyRecord))));
  return { signing: signing!, encryption: encryption!, log: log!, token: token! };
}

export async function generateStoredNodeKeys(now: Date): Promise<StoredKeySet> {
  const [signing, encryption, log, token] = await Promise.all(PURPOSES.map((p) => generateStoredKey(p, now)));
  return { signing: [signing!], encryption: [encryption!], log: [log!], token: [token!] };
}

/** A key pair held as a running node holds it (the private half non-extractable). */
export async function generateKey(purpose: KeyPurpose, validFrom: Date): Promise<PrivateKeyRecord> {
  return importKeyRecord(await generateStoredKey(purpose, validFrom));
}

/** A fresh key set held in memory only, as tests and benchmarks use it. */
export async function generateNodeKeys(now: Date): Promise<NodeKeySet> {
  return importNodeKeys(await generateStoredNodeKeys(now));
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
export function rotateKey(records: PrivateKeyRecord[], purpose: KeyPurpose, now: Date, options: RotationOptions): Promise<PrivateKeyRecord[]> {
  return rotate(records, now, options, (activation) => generateKey(purpose, activation));
}

/** `rotateKey` on the stored form, for `bridge keys rotate`, which rewrites keys.json. */
export function rotateStoredKey(records: StoredKeyRecord[], purpose: KeyPurpose, now: Date, options: RotationOptions): Promise<StoredKeyRecord[]> {
  return rotate(records, now, options, (activation) => generateStoredKey(purpose, activation));
}

async function rotate<T extends { validUntil: string | null }>(records: T[], now: Date, options: RotationOptions, generate: (activation: Date) => Promise<T>): Promise<T[]> {
  const activation = new Date(now.getTime() + options.activateAfterMs);
  const retirement = new Date(activation.getTime() + options.overlapMs).toISOString();
  const next = await generate(activation);
  const retired = records.map((r) => (r.validUntil === null || Date.parse(r.validUntil) > Date.parse(retirement) ? { ...r, validUntil: retirement } : r));
  return [...retired, next];
}

/** Keys not yet retired at `now` (including ones published ahead of use). */
export function unretiredKeys<T extends { validUntil?: string | null }>(records: T[], now: Date): T[] {
  return records.filter((r) => r.validUntil == null || Date.parse(r.validUntil) > now.getTime());
}

export function toPublicJwk(record: Pick<PrivateKeyRecord, 'kid' | 'purpose' | 'jwk' | 'validFrom' | 'validUntil'>): PublicJwk {
  if (record.purpose === 'token') throw new TypeError('token keys are never published');
  const { alg, crv } = ALG[record.purpose];
  return {
    kty: 'OKP',
    crv,
    x: record.jwk.x,
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
  /** SHA-256 fingerprints (hex) of the federation listener's TLS certificates; absent for a plain-HTTP node. */
  tlsCertificates?: string[] | undefined;
}

/**
 * The fingerprint operators compare out of band at onboarding: SHA-256 over the node id, the URLs
 * that get pinned (messages go to one, keys are re-fetched from another) and the sorted
 * `purpose:thumbprint` of every published key, and the SHA-256 of every published TLS certificate
 * (so pinning the fingerprint pins the certificate); 16 groups of 4 hex digits, to be read aloud.
 * Changing any key, its role, the id or a pinned URL changes it.
 */
export async function nodeFingerprint(identity: NodeIdentity, jwks: { keys: PublicJwk[] }): Promise<string> {
  const keys = await Promise.all(jwks.keys.map(async (k) => `key ${k.purpose}:${await keyThumbprint(k)}`));
  const certificates = (identity.tlsCertificates ?? []).map((sha256) => `tls sha256:${sha256.toLowerCase()}`);
  const lines = [`node ${identity.nodeId}`, `api ${identity.urls.api}`, `messages ${identity.urls.messages}`, `jwks ${identity.urls.jwks}`, ...keys.sort(), ...certificates.sort()];
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
