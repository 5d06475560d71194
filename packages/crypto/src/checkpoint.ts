import { signCompactEdDsa, verifyCompactEdDsa } from './jws.ts';
import { CryptoError } from './errors.ts';
import { canonicalJson } from './digest.ts';
import { createHash } from 'node:crypto';
import { MERKLE_HASH_SIZE } from './merkle.ts';
import type { PrivateKeyRecord, PublicJwk } from './keys.ts';
import { decodeSegmentJson, FORBIDDEN_HEADERS, splitCompact } from './compact.ts';

export const CHECKPOINT_TYP = 'bridge-checkpoint+jwt';
export const COSIGNATURE_TYP = 'bridge-cosignature+jwt';
export const WITNESS_REQUEST_TYP = 'bridge-witness-request+jwt';

/** A signed tree head: the log of `iss` had `treeSize` leaves with root `rootHash` at `iat`. */
export interface CheckpointClaims {
  iss: string;
  iat: number;
  treeSize: number;
  /** base64url of the 32-byte RFC 9162 root hash. */
  rootHash: string;
}

/** A witness's signature over another node's checkpoint, made after checking it is consistent. */
export interface CosignatureClaims {
  /** The witness. */
  iss: string;
  /** The node whose log the checkpoint is of. */
  sub: string;
  iat: number;
  treeSize: number;
  rootHash: string;
}

/** A witness asks a peer for its latest checkpoint and a consistency proof from `fromSize`. */
export interface WitnessRequestClaims {
  iss: string;
  aud: string;
  iat: number;
  jti: string;
  fromSize: number;
}

export const encodeHash = (hash: Uint8Array): string => Buffer.from(hash).toString('base64url');

/** Decodes a base64url hash; anything that is not exactly 32 canonical bytes is undefined. */
export function decodeHash(value: unknown): Uint8Array | undefined {
  if (typeof value !== 'string' || !/^[A-Za-z0-9_-]{43}$/.test(value)) return undefined;
  const buf = Buffer.from(value, 'base64url');
  if (buf.length !== MERKLE_HASH_SIZE || buf.toString('base64url') !== value) return undefined;
  return new Uint8Array(buf);
}

/**
 * RFC 8785 canonical JSON of plain JSON data (objects, arrays, strings, finite numbers, booleans,
 * null), as `canonicalJson` writes it, several times faster: JCS serialises strings and numbers
 * exactly as JSON.stringify does and sorts keys by UTF-16 code units, as Array.prototype.sort does.
 * Anything else (undefined, functions, toJSON, non-finite numbers) goes to `canonicalJson`.
 */
/** String.prototype.isWellFormed (Node >= 20; not in the ES2023 lib typings): no lone surrogates. */
const isWellFormed = (s: string): boolean => (s as unknown as { isWellFormed(): boolean }).isWellFormed();

function canonicalPlain(value: unknown): string {
  if (typeof value === 'string') return isWellFormed(value) ? JSON.stringify(value) : canonicalJson(value);
  if (value === null || typeof value === 'boolean') return JSON.stringify(value);
  if (typeof value === 'number') return Number.isFinite(value) ? JSON.stringify(value) : canonicalJson(value);
  if (Array.isArray(value)) return `[${value.map(canonicalPlain).join(',')}]`;
  if (typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype && !('toJSON' in value)) {
    const obj = value as Record<string, unknown>;
    let out = '{';
    let first = true;
    for (const key of Object.keys(obj).sort()) {
      const v = obj[key];
      if (v === undefined) continue;
      out += `${first ? '' : ','}${canonicalPlain(key)}:${canonicalPlain(v)}`;
      first = false;
    }
    return `${out}}`;
  }
  return canonicalJson(value);
}

export { canonicalPlain as canonicalJsonFast };

/** The leaf hash of one audit entry: RFC 9162 leaf hash of its RFC 8785 canonical JSON. */
export function entryLeafHash(entry: unknown): Uint8Array {
  return leafHashOfText(canonicalPlain(entry));
}

/** SHA-256(0x00 || utf8(text)) without copying the text into a prefixed buffer first. */
function leafHashOfText(text: string): Uint8Array {
  const digest = createHash('sha256').update(LEAF_PREFIX).update(text, 'utf8').digest();
  return new Uint8Array(digest.buffer, digest.byteOffset, digest.byteLength);
}

const LEAF_PREFIX = new Uint8Array([0x00]);

async function sign(typ: string, claims: object, key: PrivateKeyRecord): Promise<string> {
  if (key.purpose !== 'log') throw new CryptoError('checkpoint_invalid', 'checkpoints are signed with a log key');
  return signCompactEdDsa({ typ, kid: key.kid }, JSON.stringify(claims), key);
}

export const signCheckpoint = (claims: CheckpointClaims, logKey: PrivateKeyRecord) => sign(CHECKPOINT_TYP, claims, logKey);
export const signCosignature = (claims: CosignatureClaims, logKey: PrivateKeyRecord) => sign(COSIGNATURE_TYP, claims, logKey);
export const signWitnessRequest = (claims: WitnessRequestClaims, logKey: PrivateKeyRecord) => sign(WITNESS_REQUEST_TYP, claims, logKey);

/** Reads the claims without verifying: only to pick the issuer's keys before `verify*`. */
export function peekIssuer(jws: string): string | undefined {
  try {
    const iss = decodeSegmentJson(splitCompact(jws, 3)[1]!, 'payload').iss;
    return typeof iss === 'string' ? iss : undefined;
  } catch {
    return undefined;
  }
}

async function verify(jws: string, typ: string, keys: PublicJwk[]): Promise<Record<string, unknown>> {
  const fail = (why: string): never => {
    throw new CryptoError('checkpoint_invalid', why);
  };
  let parts: string[] = [];
  try {
    parts = splitCompact(jws, 3);
  } catch {
    fail(`${typ} is not a compact JWS`);
  }
  let header: Record<string, unknown> = {};
  try {
    header = decodeSegmentJson(parts[0]!, 'header');
  } catch {
    fail(`${typ} header is not JSON`);
  }
  if (header.alg !== 'EdDSA') fail(`${typ} alg outside the allow-list`);
  if (header.typ !== typ) fail(`typ must be ${typ}`);
  if (FORBIDDEN_HEADERS.some((h) => h in header)) fail(`${typ} carries a forbidden header`);
  const key = keys.find((k) => k.kid === header.kid && k.purpose === 'log');
  if (!key) fail(`${typ} is signed with a key that is not a log key of its issuer`);
  if (!verifyCompactEdDsa(parts, key!)) fail(`${typ} signature does not verify`);
  const payload = Buffer.from(parts[1]!, 'base64url');
  let claims: unknown;
  try {
    claims = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    fail(`${typ} payload is not JSON`);
  }
  if (claims === null || typeof claims !== 'object' || Array.isArray(claims)) fail(`${typ} payload is not an object`);
  const c = claims as Record<string, unknown>;
  if (typeof c.iss !== 'string' || !Number.isSafeInteger(c.iat)) fail(`${typ} claims are missing`);
  return c;
}

function treeClaims(c: Record<string, unknown>, what: string): void {
  if (!Number.isSafeInteger(c.treeSize) || (c.treeSize as number) < 0) throw new CryptoError('checkpoint_invalid', `${what} treeSize is invalid`);
  if (!decodeHash(c.rootHash)) throw new CryptoError('checkpoint_invalid', `${what} rootHash is not a 32-byte base64url hash`);
}

/** Verifies a checkpoint against the log keys of `origin` (retired ones included: old checkpoints stay valid). */
export async function verifyCheckpoint(jws: string, origin: string, originKeys: PublicJwk[]): Promise<CheckpointClaims> {
  const c = await verify(jws, CHECKPOINT_TYP, originKeys);
  if (c.iss !== origin) throw new CryptoError('checkpoint_invalid', 'checkpoint is of another node');
  treeClaims(c, 'checkpoint');
  return { iss: c.iss as string, iat: c.iat as number, treeSize: c.treeSize as number, rootHash: c.rootHash as string };
}

/** Verifies a witness's co-signature (by `witness`'s log keys) of a checkpoint of `origin`. */
export async function verifyCosignature(jws: string, witness: string, witnessKeys: PublicJwk[], origin: string): Promise<CosignatureClaims> {
  const c = await verify(jws, COSIGNATURE_TYP, witnessKeys);
  if (c.iss !== witness) throw new CryptoError('checkpoint_invalid', 'co-signature is by another witness');
  if (c.sub !== origin) throw new CryptoError('checkpoint_invalid', 'co-signature is of another node');
  treeClaims(c, 'co-signature');
  return { iss: c.iss as string, sub: c.sub as string, iat: c.iat as number, treeSize: c.treeSize as number, rootHash: c.rootHash as string };
}

/** Verifies a witness request from `iss` to `aud`, within `maxAgeSeconds` of `now`. */
export async function verifyWitnessRequest(jws: string, expected: { iss: string; aud: string; keys: PublicJwk[]; now: Date; maxAgeSeconds: number }): Promise<WitnessRequestClaims> {
  const c = await verify(jws, WITNESS_REQUEST_TYP, expected.keys);
  if (c.iss !== expected.iss) throw new CryptoError('checkpoint_invalid', 'witness request issuer mismatch');
  if (c.aud !== expected.aud) throw new CryptoError('checkpoint_invalid', 'witness request is addressed to another node');
  if (Math.abs((c.iat as number) - expected.now.getTime() / 1000) > expected.maxAgeSeconds) throw new CryptoError('checkpoint_invalid', 'witness request is stale');
  if (typeof c.jti !== 'string' || !Number.isSafeInteger(c.fromSize) || (c.fromSize as number) < 0) throw new CryptoError('checkpoint_invalid', 'witness request claims are invalid');
  return { iss: c.iss as string, aud: c.aud as string, iat: c.iat as number, jti: c.jti, fromSize: c.fromSize as number };
}
