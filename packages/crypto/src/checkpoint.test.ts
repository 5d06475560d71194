import { describe, expect, it } from 'vitest';
import { canonicalJson } from './digest.ts';
import { canonicalJsonFast, entryLeafHash, signCheckpoint, signCosignature, verifyCheckpoint, verifyCosignature, decodeHash, encodeHash } from './checkpoint.ts';
import { generateKey } from './keys.ts';
import { leafHash } from './merkle.ts';

const tricky = ['', 'a"b', 'back\\slash', 'line\nbreak', '\u0000\u001f\u007f', 'Ђурђевак', 'Dritë', '😀', 'é', 'e\u0301', '\u2028\u2029'];
const numbers = [0, -0, 1, -1, 1.5, 1e21, 1e-7, 123456789012345, Number.MAX_SAFE_INTEGER, 0.1 + 0.2];

describe('audit leaves', () => {
  it('fast canonical JSON equals RFC 8785 canonicalize on audit-shaped and awkward values', () => {
    const values: unknown[] = [];
    for (const s of tricky) for (const n of numbers) {
      values.push({ idx: n, at: s, type: s, actor: s, peerNodeId: null, referralId: s, messageId: null, digest: s, detail: { [s]: n, z: true, a: null, [`${s}x`]: s }, leafIndex: n });
      values.push([s, n, null, false, { b: [s], a: { [s]: n } }]);
    }
    values.push({ '10': 1, '9': 2, B: 3, a: 4, é: 5, '😀': 6, '\uffff': 7 });
    for (const v of values) expect(canonicalJsonFast(v)).toBe(canonicalJson(v));
    // Lone surrogates cannot be canonicalized, by either.
    for (const v of ['\ud800', { a: 'x\udc00' }, { '\ud800': 1 }]) {
      expect(() => canonicalJson(v)).toThrow();
      expect(() => canonicalJsonFast(v)).toThrow();
    }
  });

  it('hashes the canonical JSON as an RFC 9162 leaf', () => {
    const entry = { idx: 7, at: '2026-01-01T00:00:00.000001Z', type: 'referral.read', actor: 'c', peerNodeId: 'pvpt', referralId: null, messageId: null, digest: null, detail: { operation: 'getReferral' }, leafIndex: 3 };
    expect(encodeHash(entryLeafHash(entry))).toBe(encodeHash(leafHash(new TextEncoder().encode(canonicalJson(entry)))));
  });

  it('decodes only canonical 32-byte base64url hashes', () => {
    const h = encodeHash(new Uint8Array(32).fill(7));
    expect(decodeHash(h)).toEqual(new Uint8Array(32).fill(7));
    expect(decodeHash(`${h.slice(0, 42)}B`)).toBeUndefined();
    expect(decodeHash(h.slice(1))).toBeUndefined();
    expect(decodeHash(42)).toBeUndefined();
  });
});

describe('checkpoints and co-signatures', () => {
  it('verify with the issuer log key and fail with any other key, issuer or typ', async () => {
    const now = new Date(Date.now() - 1000);
    const [log, other, signing] = await Promise.all([generateKey('log', now), generateKey('log', now), generateKey('signing', now)]);
    const pub = (k: typeof log) => ({ kty: 'OKP' as const, crv: 'Ed25519' as const, x: String(k.jwk.x), kid: k.kid, use: 'sig' as const, alg: 'EdDSA' as const, purpose: k.purpose as 'log', validFrom: k.validFrom });
    const claims = { iss: 'atina', iat: 1, treeSize: 5, rootHash: encodeHash(new Uint8Array(32)) };
    const cp = await signCheckpoint(claims, log);
    expect(await verifyCheckpoint(cp, 'atina', [pub(log)])).toEqual(claims);
    await expect(verifyCheckpoint(cp, 'atina', [pub(other)])).rejects.toThrow(/not a log key/);
    await expect(verifyCheckpoint(cp, 'pvpt', [pub(log)])).rejects.toThrow(/another node/);
    await expect(verifyCheckpoint(cp, 'atina', [{ ...pub(log), purpose: 'signing' as never }])).rejects.toThrow();
    await expect(signCheckpoint(claims, signing)).rejects.toThrow(/log key/);
    const co = await signCosignature({ iss: 'pvpt', sub: 'atina', iat: 2, treeSize: 5, rootHash: claims.rootHash }, other);
    expect((await verifyCosignature(co, 'pvpt', [pub(other)], 'atina')).treeSize).toBe(5);
    await expect(verifyCosignature(co, 'pvpt', [pub(other)], 'shelter')).rejects.toThrow(/another node/);
    // A checkpoint is not a co-signature (typ), even with the right key.
    await expect(verifyCosignature(cp, 'atina', [pub(log)], 'atina')).rejects.toThrow(/typ/);
  });
});
