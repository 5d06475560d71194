import { createCipheriv, createHash, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { CompactEncrypt, CompactSign, compactDecrypt, compactVerify, importJWK } from 'jose';
import { decryptCompact, encryptCompact } from './jwe.ts';
import { signCompactEdDsa, verifyCompactEdDsa } from './jws.ts';
import { decodeSegmentJson, splitCompact } from './compact.ts';
import { generateKey, toPublicJwk } from './keys.ts';

const now = new Date('2026-11-24T10:00:00Z');
const text = 'Јелена Krasniqi-Çeliku — {"a":1}';

async function keys() {
  const encryption = await generateKey('encryption', now);
  const signing = await generateKey('signing', now);
  return { encryption, encryptionPublic: toPublicJwk(encryption), signing, signingPublic: toPublicJwk(signing) };
}

const open = async (compact: string, key: Parameters<typeof decryptCompact>[2]) => {
  const parts = splitCompact(compact, 5);
  return (await decryptCompact(parts, decodeSegmentJson(parts[0]!, 'header'), key)).toString('utf8');
};

const withPart = (compact: string, index: number, change: (bytes: Buffer) => Buffer): string => {
  const parts = compact.split('.');
  parts[index] = change(Buffer.from(parts[index]!, 'base64url')).toString('base64url');
  return parts.join('.');
};

/**
 * ECDH-ES+A256KW / A256GCM written out step by step, with `apu` put in the header exactly as given:
 * to build a message whose header carries a non-canonical spelling of the bytes its key was
 * derived from (no JOSE library will write one).
 */
function sealWithApu(plaintext: string, recipient: { x?: string }, apu: string): string {
  const u32 = (n: number) => Buffer.from([n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255]);
  const prefixed = (b: Buffer) => Buffer.concat([u32(b.length), b]);
  const ephemeral = generateKeyPairSync('x25519');
  const shared = diffieHellman({ privateKey: ephemeral.privateKey, publicKey: createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: recipient.x! }, format: 'jwk' }) });
  const otherInfo = Buffer.concat([prefixed(Buffer.from('ECDH-ES+A256KW')), prefixed(Buffer.from(apu, 'base64url')), prefixed(Buffer.alloc(0)), u32(256)]);
  const kek = createHash('sha256').update(u32(1)).update(shared).update(otherInfo).digest();
  const cek = randomBytes(32);
  const wrap = createCipheriv('id-aes256-wrap', kek, Buffer.from('a6a6a6a6a6a6a6a6', 'hex'));
  const encryptedKey = Buffer.concat([wrap.update(cek), wrap.final()]);
  const header = Buffer.from(JSON.stringify({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', apu, epk: { kty: 'OKP', crv: 'X25519', x: ephemeral.publicKey.export({ format: 'jwk' }).x } })).toString('base64url');
  const iv = randomBytes(12);
  const gcm = createCipheriv('aes-256-gcm', cek, iv);
  gcm.setAAD(Buffer.from(header, 'ascii'));
  const ciphertext = Buffer.concat([gcm.update(plaintext, 'utf8'), gcm.final()]);
  return [header, encryptedKey, iv, ciphertext, gcm.getAuthTag()].map((p) => (typeof p === 'string' ? p : p.toString('base64url'))).join('.');
}

const withHeader = (compact: string, change: (header: Record<string, unknown>) => Record<string, unknown>): string => {
  const parts = compact.split('.');
  parts[0] = Buffer.from(JSON.stringify(change(JSON.parse(Buffer.from(parts[0]!, 'base64url').toString())))).toString('base64url');
  return parts.join('.');
};

describe('compact JWE and JWS by node:crypto, checked against jose', () => {
  it('jose decrypts and verifies what is produced here', async () => {
    const k = await keys();
    const jws = signCompactEdDsa({ typ: 'bridge-msg+jwt', kid: k.signing.kid }, text, k.signing);
    const jwe = encryptCompact(jws, { cty: 'JWT', kid: k.encryption.kid }, k.encryptionPublic);
    const { plaintext, protectedHeader } = await compactDecrypt(jwe, k.encryption.privateKey, {
      keyManagementAlgorithms: ['ECDH-ES+A256KW'],
      contentEncryptionAlgorithms: ['A256GCM'],
    });
    expect(protectedHeader).toMatchObject({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM', cty: 'JWT', kid: k.encryption.kid, epk: { kty: 'OKP', crv: 'X25519' } });
    const verified = await compactVerify(new TextDecoder().decode(plaintext), await importJWK(k.signingPublic, 'EdDSA'), { algorithms: ['EdDSA'] });
    expect(new TextDecoder().decode(verified.payload)).toBe(text);
    expect(verified.protectedHeader).toEqual({ alg: 'EdDSA', typ: 'bridge-msg+jwt', kid: k.signing.kid });
  });

  it('decrypts what jose encrypts, with and without apu/apv', async () => {
    const k = await keys();
    const recipient = await importJWK(k.encryptionPublic, 'ECDH-ES+A256KW');
    const jws = await new CompactSign(new TextEncoder().encode(text)).setProtectedHeader({ alg: 'EdDSA' }).sign(k.signing.privateKey);
    const plain = await new CompactEncrypt(new TextEncoder().encode(jws)).setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' }).encrypt(recipient);
    expect(await open(plain, k.encryption.privateKey)).toBe(jws);
    const parties = await new CompactEncrypt(new TextEncoder().encode(jws))
      .setProtectedHeader({ alg: 'ECDH-ES+A256KW', enc: 'A256GCM' })
      .setKeyManagementParameters({ apu: new TextEncoder().encode('atina'), apv: new TextEncoder().encode('pvpt') })
      .encrypt(recipient);
    expect(await open(parties, k.encryption.privateKey)).toBe(jws);
  });

  it('uses a fresh ephemeral key, content key and IV for every message', async () => {
    const k = await keys();
    const a = encryptCompact(text, { cty: 'JWT', kid: k.encryption.kid }, k.encryptionPublic).split('.');
    const b = encryptCompact(text, { cty: 'JWT', kid: k.encryption.kid }, k.encryptionPublic).split('.');
    for (const i of [0, 1, 2, 3, 4]) expect(a[i]).not.toBe(b[i]);
  });

  it('refuses every changed part, a short tag, another key and a small-order ephemeral key', async () => {
    const k = await keys();
    const other = await keys();
    const jwe = encryptCompact(text, { cty: 'JWT', kid: k.encryption.kid }, k.encryptionPublic);
    expect(await open(jwe, k.encryption.privateKey)).toBe(text);
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[c.length - 1] = c[c.length - 1]! ^ 1;
      return c;
    };
    const forged = [
      withPart(jwe, 1, flip), // encrypted key: AES-KW integrity check
      withPart(jwe, 2, flip), // IV
      withPart(jwe, 3, flip), // ciphertext
      withPart(jwe, 4, flip), // tag
      withPart(jwe, 4, (b) => b.subarray(0, 12)), // a truncated tag would weaken GCM's check
      withHeader(jwe, (h) => ({ ...h, kid: 'another' })), // the header is the AAD
      withHeader(jwe, (h) => ({ ...h, apu: Buffer.from('atina').toString('base64url') })), // and feeds the KDF
      withHeader(jwe, (h) => ({ ...h, epk: { ...(h.epk as object), x: other.encryptionPublic.x } })),
      withHeader(jwe, (h) => ({ ...h, epk: { kty: 'OKP', crv: 'X25519', x: Buffer.alloc(32).toString('base64url') } })), // small order
      withHeader(jwe, (h) => ({ ...h, epk: { kty: 'OKP', crv: 'Ed25519', x: other.signingPublic.x } })),
      withHeader(jwe, (h) => ({ ...h, epk: undefined })),
    ];
    for (const f of forged) await expect(open(f, k.encryption.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
    await expect(open(jwe, other.encryption.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
    await expect(open(withHeader(jwe, (h) => ({ ...h, enc: 'A128GCM' })), k.encryption.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'algorithm_forbidden' }));
  });

  it('refuses apu spelled in non-canonical base64url, which lenient decoders read as the same bytes', async () => {
    const k = await keys();
    // 'atina' is YXRpbmE; in YXRpbmF the last character's two unused bits are not zero.
    expect(Buffer.from('YXRpbmF', 'base64url').toString()).toBe('atina');
    expect(await open(sealWithApu(text, k.encryptionPublic, 'YXRpbmE'), k.encryption.privateKey)).toBe(text);
    await expect(open(sealWithApu(text, k.encryptionPublic, 'YXRpbmF'), k.encryption.privateKey)).rejects.toThrow(expect.objectContaining({ code: 'decrypt_failed' }));
  });

  it('verifies an EdDSA signature jose made, and refuses any change, another key, and a non-canonical copy', async () => {
    const k = await keys();
    const other = await keys();
    const jws = await new CompactSign(new TextEncoder().encode(text)).setProtectedHeader({ alg: 'EdDSA', typ: 'bridge-receipt+jwt', kid: k.signing.kid }).sign(k.signing.privateKey);
    const parts = splitCompact(jws, 3);
    expect(verifyCompactEdDsa(parts, k.signingPublic)).toBe(true);
    expect(verifyCompactEdDsa(parts, other.signingPublic)).toBe(false);
    expect(verifyCompactEdDsa(parts, k.encryptionPublic)).toBe(false);
    const flip = (b: Buffer) => {
      const c = Buffer.from(b);
      c[0] = c[0]! ^ 1;
      return c;
    };
    for (const i of [0, 1, 2]) expect(verifyCompactEdDsa(withPart(jws, i, flip).split('.'), k.signingPublic)).toBe(false);
    expect(verifyCompactEdDsa(withPart(jws, 2, (b) => b.subarray(0, 63)).split('.'), k.signingPublic)).toBe(false);
    // S + L (the group order) passes the same equation on a lax verifier: a second valid-looking copy.
    const L = 2n ** 252n + 27742317777372353535851937790883648493n;
    const malleable = withPart(jws, 2, (b) => {
      const s = BigInt(`0x${Buffer.from(b.subarray(32)).reverse().toString('hex')}`) + L;
      return Buffer.concat([b.subarray(0, 32), Buffer.from(s.toString(16).padStart(64, '0'), 'hex').reverse()]);
    });
    expect(malleable).not.toBe(jws);
    expect(verifyCompactEdDsa(malleable.split('.'), k.signingPublic)).toBe(false);
  });
});
