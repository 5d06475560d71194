import { createHmac, randomUUID } from 'node:crypto';
import { CompactEncrypt, CompactSign, importJWK } from 'jose';
import { currentKey, publicJwks, type MessageClaims, type PrivateKeyRecord, type PublicJwk } from '@bridge/crypto';
import type { TestNode } from './nodes.ts';

const b64 = (value: unknown) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');

export function encryptionKeyOf(node: TestNode): PublicJwk {
  return publicJwks(node.node.ctx.config.keys).keys.find((k) => k.purpose === 'encryption' && !k.validUntil)!;
}

export function signingKeyOf(node: TestNode): PrivateKeyRecord {
  return currentKey(node.node.ctx.config.keys.signing, new Date());
}

/** Valid claims for a fresh referral.request from `from` to `to`. */
export function requestClaims(from: TestNode, to: TestNode, body: Record<string, unknown>, over: Partial<MessageClaims> = {}): MessageClaims {
  const iat = Math.floor(Date.now() / 1000);
  return { iss: from.id, aud: to.id, iat, exp: iat + 300, jti: randomUUID(), type: 'referral.request', referralId: randomUUID(), seq: 1, prev: null, body, ...over };
}

/** An inner JWS with any header, signed with any Ed25519 key. */
export async function signInner(claims: MessageClaims, key: PrivateKeyRecord, header: Record<string, unknown> = {}): Promise<string> {
  return new CompactSign(new TextEncoder().encode(JSON.stringify(claims)))
    .setProtectedHeader({ alg: 'EdDSA', typ: 'bridge-msg+jwt', kid: key.kid, ...header } as { alg: string })
    .sign(key.privateKey);
}

/** An inner JWS whose signature is whatever `sign` makes of the signing input (alg none, HS256…). */
export function signInnerRaw(claims: MessageClaims, header: Record<string, unknown>, sign: (input: string) => string): string {
  const input = `${b64(header)}.${b64(claims)}`;
  return `${input}.${sign(input)}`;
}

export const hmacWith = (secret: string | Buffer) => (input: string) => createHmac('sha256', secret).update(input).digest('base64url');

/** Encrypts any inner text to a receiver key the way a sender does (or with another alg/enc). */
export async function encrypt(inner: string, to: PublicJwk, header: Record<string, unknown> = {}): Promise<string> {
  const alg = (header.alg as string | undefined) ?? 'ECDH-ES+A256KW';
  return new CompactEncrypt(new TextEncoder().encode(inner))
    .setProtectedHeader({ alg, enc: 'A256GCM', cty: 'JWT', kid: to.kid, ...header } as { alg: string; enc: string })
    .encrypt(await importJWK({ kty: to.kty, crv: to.crv, x: to.x }, alg));
}

/** Replaces the JWE protected header without re-encrypting (the receiver must refuse before decrypting). */
export function withOuterHeader(jwe: string, extra: Record<string, unknown>): string {
  const parts = jwe.split('.');
  const header = { ...JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()), ...extra };
  return [b64(header), ...parts.slice(1)].join('.');
}

/** Flips one bit of the decoded bytes of part `index` of a compact serialization. */
export function flipBit(compact: string, index: number, byte = 0, bit = 0): string {
  const parts = compact.split('.');
  const bytes = Buffer.from(parts[index]!, 'base64url');
  if (bytes.length === 0) return compact;
  const at = byte % bytes.length;
  bytes[at] = bytes[at]! ^ (1 << bit);
  parts[index] = bytes.toString('base64url');
  return parts.join('.');
}

export async function postMessage(to: TestNode, body: string, contentType = 'application/jose'): Promise<{ status: number; body: any }> {
  const res = await fetch(`${to.federationUrl}/federation/v1/messages`, { method: 'POST', headers: { 'content-type': contentType }, body });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}
