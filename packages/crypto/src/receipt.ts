import { signCompactEdDsa, verifyCompactEdDsa } from './jws.ts';
import { CryptoError } from './errors.ts';
import type { Digest } from './digest.ts';
import type { PrivateKeyRecord, PublicJwk } from './keys.ts';
import { decodeSegmentJson, FORBIDDEN_HEADERS, splitCompact } from './compact.ts';

export const RECEIPT_TYP = 'bridge-receipt+jwt';

export interface ReceiptClaims {
  iss: string;
  aud: string;
  iat: number;
  jti: string;
  messageId: string;
  digest: Digest;
  logIndex: number;
}

export async function signReceipt(claims: ReceiptClaims, signingKey: PrivateKeyRecord): Promise<string> {
  return signCompactEdDsa({ typ: RECEIPT_TYP, kid: signingKey.kid }, JSON.stringify(claims), signingKey);
}

export interface ReceiptExpectation {
  iss: string;
  aud: string;
  messageId: string;
  /** Digests of every sealed copy the sender sent for this message: a receipt must name one. */
  digests: string[];
  /** The issuer's signing keys, retired ones included: old receipts stay verifiable. */
  issuerKeys: PublicJwk[];
}

/** Verifies a receipt; any failure is `receipt_invalid` with the reason in the message. */
export async function verifyReceipt(jws: string, expected: ReceiptExpectation): Promise<ReceiptClaims> {
  const fail = (why: string): never => {
    throw new CryptoError('receipt_invalid', why);
  };
  let parts: string[];
  try {
    parts = splitCompact(jws, 3);
  } catch {
    return fail('receipt is not a compact JWS');
  }
  const header = decodeSegmentJson(parts[0]!, 'receipt header');
  if (header.alg !== 'EdDSA') fail('receipt alg outside the allow-list');
  if (header.typ !== RECEIPT_TYP) fail(`receipt typ must be ${RECEIPT_TYP}`);
  if (FORBIDDEN_HEADERS.some((h) => h in header)) fail('receipt carries a forbidden header');
  const key = expected.issuerKeys.find((k) => k.kid === header.kid && k.purpose === 'signing');
  if (!key) return fail('receipt is signed with a key the issuer does not own');
  if (!verifyCompactEdDsa(parts, key)) return fail('receipt signature does not verify');
  const payload = Buffer.from(parts[1]!, 'base64url');
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(payload));
  } catch {
    return fail('receipt payload is not JSON');
  }
  if (!isReceiptClaims(parsed)) return fail('receipt claims are missing or of the wrong type');
  const claims = parsed;
  if (claims.iss !== expected.iss) fail('receipt issuer is not the receiver');
  if (claims.aud !== expected.aud) fail('receipt is addressed to another node');
  if (claims.messageId !== expected.messageId) fail('receipt is for another message');
  if (!expected.digests.includes(claims.digest)) fail('receipt digest matches no copy that was sent');
  if (!Number.isInteger(claims.logIndex) || claims.logIndex < 0) fail('receipt logIndex is invalid');
  return claims;
}

function isReceiptClaims(value: unknown): value is ReceiptClaims {
  const c = value as Partial<ReceiptClaims> | null;
  return (
    c !== null &&
    typeof c === 'object' &&
    !Array.isArray(c) &&
    typeof c.iss === 'string' &&
    typeof c.aud === 'string' &&
    Number.isInteger(c.iat) &&
    typeof c.jti === 'string' &&
    typeof c.messageId === 'string' &&
    typeof c.digest === 'string' &&
    Number.isInteger(c.logIndex)
  );
}
