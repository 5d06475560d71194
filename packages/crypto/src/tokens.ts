import { SignJWT, exportSPKI, importJWK } from 'jose';
import type { PrivateKeyRecord } from './keys.ts';

export interface ApiTokenClaims {
  clientId: string;
  scopes: string[];
  issuer: string;
  audience: string;
  expiresAt: Date;
  issuedAt: Date;
}

/** A bearer token for the integration and admin API, signed with the node's (unpublished) token key. */
export async function signApiToken(claims: ApiTokenClaims, tokenKey: PrivateKeyRecord): Promise<string> {
  return new SignJWT({ scope: claims.scopes.join(' ') })
    .setProtectedHeader({ alg: 'EdDSA', typ: 'JWT', kid: tokenKey.kid })
    .setIssuer(claims.issuer)
    .setAudience(claims.audience)
    .setSubject(claims.clientId)
    .setJti(claims.clientId)
    .setIssuedAt(Math.floor(claims.issuedAt.getTime() / 1000))
    .setExpirationTime(Math.floor(claims.expiresAt.getTime() / 1000))
    .sign(tokenKey.privateKey);
}

/** SPKI PEM of a token key's public half, for the token verifier. */
export async function publicKeyPem(record: PrivateKeyRecord): Promise<string> {
  const { kty, crv, x } = record.jwk;
  return exportSPKI((await importJWK({ kty, crv, x }, 'EdDSA', { extractable: true })) as Parameters<typeof exportSPKI>[0]);
}
