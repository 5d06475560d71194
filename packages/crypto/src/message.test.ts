import { describe, expect, it } from 'vitest';
import { CompactSign, importJWK } from 'jose';
import {
  contentDigest,
  generateNodeKeys,
  nodeFingerprint,
  openMessage,
  publicJwks,
  sealMessage,
  signReceipt,
  verifyReceipt,
  type MessageClaims,
  type NodeKeySet,
  type OpenMessageOptions,
  type PublicJwk,
} from './index.ts';

const now = new Date('2026-11-24T10:00:00Z');
const t = Math.floor(now.getTime() / 1000);

function claims(over: Partial<MessageClaims> = {}): MessageClaims {
  return {
    iss: 'atina',
    aud: 'pvpt',
    iat: t,
    exp: t + 300,
    jti: '019a0000-0000-7000-8000-000000000001',
    type: 'referral.request',
    referralId: '019a0000-0000-7000-8000-0000000000aa',
    seq: 1,
    prev: null,
    body: { person: { givenName: 'Јелена', familyName: 'Krasniqi-Çeliku' } },
    ...over,
  };
}

function enc(keys: NodeKeySet): PublicJwk {
  return publicJwks(keys).keys.find((k) => k.purpose === 'encryption')!;
}

async function setup() {
  const atina = await generateNodeKeys(now);
  const pvpt = await generateNodeKeys(now);
  const atinaSigning = publicJwks(atina).keys.find((k) => k.purpose === 'signing')!;
  const opts: OpenMessageOptions = {
    decryptionKeys: pvpt.encryption,
    audience: 'pvpt',
    now,
    acceptanceWindowSeconds: 300,
    maxBytes: 65536,
    resolveSenderKey: async (iss, kid) => {
      if (iss !== 'atina' || kid !== atinaSigning.kid) throw new Error('unknown');
      return atinaSigning;
    },
  };
  return { atina, pvpt, opts };
}

describe('sealed messages', () => {
  it('round-trips a signed and encrypted message with names in Cyrillic and Albanian', async () => {
    const { atina, pvpt, opts } = await setup();
    const sealed = await sealMessage(claims(), atina.signing[0]!, enc(pvpt));
    expect(sealed.split('.')).toHaveLength(5);
    const opened = await openMessage(sealed, opts);
    expect(opened.claims.body).toEqual({ person: { givenName: 'Јелена', familyName: 'Krasniqi-Çeliku' } });
    expect(opened.digest).toMatch(/^sha-256:[A-Za-z0-9_-]{43}$/);
  });

  it('refuses a message addressed to another node', async () => {
    const { atina, pvpt, opts } = await setup();
    const sealed = await sealMessage(claims({ aud: 'csr-beograd' }), atina.signing[0]!, enc(pvpt));
    await expect(openMessage(sealed, opts)).rejects.toMatchObject({ code: 'audience_mismatch' });
  });

  it('refuses a message outside the acceptance window', async () => {
    const { atina, pvpt, opts } = await setup();
    const sealed = await sealMessage(claims({ iat: t - 301, exp: t + 600 }), atina.signing[0]!, enc(pvpt));
    await expect(openMessage(sealed, opts)).rejects.toMatchObject({ code: 'stale' });
  });

  it('refuses a message signed by a key the issuer does not own', async () => {
    const { pvpt, opts } = await setup();
    const mallory = await generateNodeKeys(now);
    const sealed = await sealMessage(claims(), mallory.signing[0]!, enc(pvpt));
    await expect(openMessage(sealed, opts)).rejects.toThrow('unknown');
  });

  it('refuses a message encrypted to someone else', async () => {
    const { atina, opts } = await setup();
    const other = await generateNodeKeys(now);
    const sealed = await sealMessage(claims(), atina.signing[0]!, enc(other));
    await expect(openMessage(sealed, opts)).rejects.toMatchObject({ code: 'decrypt_failed' });
  });

  it('refuses a changed byte in the ciphertext', async () => {
    const { atina, pvpt, opts } = await setup();
    const parts = (await sealMessage(claims(), atina.signing[0]!, enc(pvpt))).split('.');
    const ct = Buffer.from(parts[3]!, 'base64url');
    ct[0] = ct[0]! ^ 1;
    parts[3] = ct.toString('base64url');
    await expect(openMessage(parts.join('.'), opts)).rejects.toMatchObject({ code: 'decrypt_failed' });
  });

  it('refuses a non-canonical base64url spelling that would decode to the same bytes', async () => {
    const { atina, pvpt, opts } = await setup();
    const parts = (await sealMessage(claims(), atina.signing[0]!, enc(pvpt))).split('.');
    // The tag is 16 bytes: its last character carries 2 unused bits; set one of them.
    const tag = parts[4]!;
    const last = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'.indexOf(tag.at(-1)!);
    const sibling = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'[last ^ 1]!;
    parts[4] = tag.slice(0, -1) + sibling;
    expect(Buffer.from(parts[4]!, 'base64url').equals(Buffer.from(tag, 'base64url'))).toBe(true);
    await expect(openMessage(parts.join('.'), opts)).rejects.toMatchObject({ code: 'malformed' });
  });

  it('refuses zip and jku headers before decrypting', async () => {
    const { atina, pvpt, opts } = await setup();
    const parts = (await sealMessage(claims(), atina.signing[0]!, enc(pvpt))).split('.');
    for (const extra of [{ zip: 'DEF' }, { jku: 'https://evil.example/jwks' }]) {
      const header = { ...JSON.parse(Buffer.from(parts[0]!, 'base64url').toString()), ...extra };
      const forged = [Buffer.from(JSON.stringify(header)).toString('base64url'), ...parts.slice(1)].join('.');
      await expect(openMessage(forged, opts)).rejects.toMatchObject({ code: 'header_forbidden' });
    }
  });

  it('refuses an inner JWS with alg none', async () => {
    const { pvpt, opts } = await setup();
    const header = Buffer.from(JSON.stringify({ alg: 'none', typ: 'bridge-msg+jwt', kid: 'x' })).toString('base64url');
    const payload = Buffer.from(JSON.stringify(claims())).toString('base64url');
    const { CompactEncrypt } = await import('jose');
    const key = enc(pvpt);
    const sealed = await new CompactEncrypt(new TextEncoder().encode(`${header}.${payload}.`))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT', kid: key.kid })
      .encrypt(await importJWK({ kty: key.kty, crv: key.crv, x: key.x }, 'ECDH-ES+A256KW'));
    await expect(openMessage(sealed, opts)).rejects.toMatchObject({ code: 'algorithm_forbidden' });
  });
});

describe('receipts', () => {
  it('verifies a receipt and refuses one for another digest or signed by another key', async () => {
    const { pvpt } = await setup();
    const pvptKeys = publicJwks(pvpt).keys;
    const receiptClaims = { iss: 'pvpt', aud: 'atina', iat: t, jti: '019a0000-0000-7000-8000-0000000000bb', messageId: 'm1', digest: contentDigest('x'), logIndex: 3 };
    const receipt = await signReceipt(receiptClaims, pvpt.signing[0]!);
    const expectation = { iss: 'pvpt', aud: 'atina', messageId: 'm1', digests: [contentDigest('x')], issuerKeys: pvptKeys };
    await expect(verifyReceipt(receipt, expectation)).resolves.toMatchObject({ logIndex: 3 });
    await expect(verifyReceipt(receipt, { ...expectation, digests: [contentDigest('y')] })).rejects.toMatchObject({ code: 'receipt_invalid' });
    await expect(verifyReceipt(receipt, { ...expectation, messageId: 'm2' })).rejects.toMatchObject({ code: 'receipt_invalid' });
    const other = await generateNodeKeys(now);
    const forged = await new CompactSign(new TextEncoder().encode(JSON.stringify(receiptClaims)))
      .setProtectedHeader({ alg: 'EdDSA', typ: 'bridge-receipt+jwt', kid: pvpt.signing[0]!.kid })
      .sign(other.signing[0]!.privateKey);
    await expect(verifyReceipt(forged, expectation)).rejects.toMatchObject({ code: 'receipt_invalid' });
  });
});

describe('fingerprints', () => {
  const identity = { nodeId: 'pvpt', urls: { api: 'https://pvpt.example', messages: 'https://pvpt.example/federation/v1/messages', jwks: 'https://pvpt.example/.well-known/jwks.json' } };
  it('is stable, and changes when any key, the node id or a pinned URL changes', async () => {
    const a = await generateNodeKeys(now);
    const b = await generateNodeKeys(now);
    const fa = await nodeFingerprint(identity, publicJwks(a));
    expect(fa).toMatch(/^([0-9A-F]{4}-){15}[0-9A-F]{4}$/);
    expect(await nodeFingerprint(identity, { keys: [...publicJwks(a).keys].reverse() })).toBe(fa);
    const mixed = { keys: [...publicJwks(a).keys.filter((k) => k.purpose !== 'encryption'), enc(b)] };
    expect(await nodeFingerprint(identity, mixed)).not.toBe(fa);
    expect(await nodeFingerprint({ ...identity, nodeId: 'atina' }, publicJwks(a))).not.toBe(fa);
    expect(await nodeFingerprint({ ...identity, urls: { ...identity.urls, jwks: 'https://evil.example/jwks.json' } }, publicJwks(a))).not.toBe(fa);
    expect(await nodeFingerprint({ ...identity, urls: { ...identity.urls, messages: 'https://evil.example/m' } }, publicJwks(a))).not.toBe(fa);
  });
});
