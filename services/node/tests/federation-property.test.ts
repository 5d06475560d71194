import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { MessageClaims } from '@bridge/contract';
import { type TestNode, usePair } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { requestBody, snapshot } from './support/state.ts';
import { stringPaths, unstorableText, withTextAt } from './support/unstorable.ts';

const ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** Random damage to a compact serialization: a character, a bit, a cut, a swap, a lost or doubled part. */
const mutation = fc.oneof(
  fc.record({ kind: fc.constant('char' as const), at: fc.nat(), ch: fc.constantFrom(...ALPHABET, '.', '=', '+', '/', ' ') }),
  fc.record({ kind: fc.constant('bit' as const), part: fc.nat(4), byte: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('swap' as const), i: fc.nat(4), j: fc.nat(4) }),
  fc.record({ kind: fc.constant('drop' as const), part: fc.nat(4) }),
  fc.record({ kind: fc.constant('duplicate' as const), part: fc.nat(4) }),
);
type Mutation = typeof mutation extends fc.Arbitrary<infer M> ? M : never;

function apply(m: Mutation, compact: string): string {
  const parts = compact.split('.');
  switch (m.kind) {
    case 'char': {
      const at = m.at % compact.length;
      return compact.slice(0, at) + m.ch + compact.slice(at + 1);
    }
    case 'bit': {
      const index = m.part % parts.length;
      const bytes = Buffer.from(parts[index]!, 'base64url');
      if (bytes.length === 0) return compact;
      bytes[m.byte % bytes.length]! ^= 1 << m.bit;
      parts[index] = bytes.toString('base64url');
      return parts.join('.');
    }
    case 'truncate':
      return compact.slice(0, m.at % compact.length);
    case 'swap': {
      const [i, j] = [m.i % parts.length, m.j % parts.length];
      [parts[i], parts[j]] = [parts[j]!, parts[i]!];
      return parts.join('.');
    }
    case 'drop':
      parts.splice(m.part % parts.length, 1);
      return parts.join('.');
    case 'duplicate':
      parts.splice(m.part % parts.length, 0, parts[m.part % parts.length]!);
      return parts.join('.');
  }
}

describe('random damage to a valid message', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  async function expectEveryMutationRefused(original: () => Promise<{ compact: string; seal: (inner: string) => Promise<string> }>, numRuns: number) {
    const before = await snapshot(pvpt);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(mutation, async (m) => {
        const { compact, seal } = await original();
        const mutated = apply(m, compact);
        fc.pre(mutated !== compact);
        tried++;
        const res = await postMessage(pvpt, await seal(mutated));
        expect(res.status).toBeGreaterThanOrEqual(400);
        expect(res.status).toBeLessThan(500);
        expect(res.body.code).toMatch(/^(message_|payload_too_large|peer_)/);
        const after = await snapshot(pvpt);
        expect({ ...after, audit: 0 }).toEqual({ ...before, audit: 0 });
      }),
      { numRuns },
    );
    expect(tried).toBeGreaterThan(numRuns * 0.9);
    return tried;
  }

  it('refuses every mutation of the JWE and writes no row', async () => {
    const valid = await encrypt(await signInner(requestClaims(atina, pvpt, requestBody('pvpt')), signingKeyOf(atina)), encryptionKeyOf(pvpt));
    const tried = await expectEveryMutationRefused(async () => ({ compact: valid, seal: async (m) => m }), 300);
    console.log(`[property] JWE mutations refused: ${tried}`);
  });

  it('refuses every mutation of the inner JWS, correctly re-encrypted, and writes no row', async () => {
    const inner = await signInner(requestClaims(atina, pvpt, requestBody('pvpt')), signingKeyOf(atina));
    const tried = await expectEveryMutationRefused(async () => ({ compact: inner, seal: (m) => encrypt(m, encryptionKeyOf(pvpt)) }), 200);
    console.log(`[property] inner JWS mutations refused: ${tried}`);
  });

  it('refuses a correctly sealed message of any type with a NUL or an unpaired surrogate in any string, and writes no row', async () => {
    const referralId = crypto.randomUUID();
    const bodies: Array<[MessageClaims['type'], Record<string, unknown>]> = [
      ['referral.request', requestBody('pvpt')],
      ['referral.withdraw', { reason: 'PERSON_DECLINED', note: 'Withdrawn.' }],
      ['referral.status', { status: 'accepted', from: 'received', at: new Date().toISOString(), note: 'Accepted.' }],
      ['referral.disclose', { person: { givenName: 'Given' }, note: 'Note.' }],
      ['referral.info-request', { questionId: crypto.randomUUID(), text: 'Question?' }],
      ['referral.info-response', { questionId: crypto.randomUUID(), text: 'Answer.' }],
      ['consent.revoke', { revokedAt: new Date().toISOString(), reason: 'PERSON_DECLINED' }],
    ];
    const before = await snapshot(pvpt);
    let tried = 0;
    await fc.assert(
      fc.asyncProperty(fc.nat(), fc.nat(), unstorableText, async (which, pick, bad) => {
        const [type, body] = bodies[which % bodies.length]!;
        // Anywhere in the claims the sender signs, its own envelope fields included.
        const claims = requestClaims(atina, pvpt, body, { type, referralId });
        const paths = stringPaths(claims);
        const path = paths[pick % paths.length]!;
        tried++;
        const res = await postMessage(pvpt, await encrypt(await signInner(withTextAt(claims, path, bad), signingKeyOf(atina)), encryptionKeyOf(pvpt)));
        expect(res.status, path.join('/')).toBeGreaterThanOrEqual(400);
        expect(res.status, path.join('/')).toBeLessThan(500);
        // The issuer and the audience are checked first, while opening; everything else by the text check.
        const expected = path[0] === 'iss' ? 'peer_unknown' : path[0] === 'aud' ? 'message_audience_mismatch' : 'message_body_invalid';
        expect(res.body.code, path.join('/')).toBe(expected);
      }),
      { numRuns: 150 },
    );
    expect({ ...(await snapshot(pvpt)), audit: 0 }).toEqual({ ...before, audit: 0 });
    console.log(`[property] messages with unstorable text refused: ${tried}`);
  });

  it('still accepts the unmutated message (so refusals above are not for another reason)', async () => {
    const valid = await encrypt(await signInner(requestClaims(atina, pvpt, requestBody('pvpt')), signingKeyOf(atina)), encryptionKeyOf(pvpt));
    expect((await postMessage(pvpt, valid)).status).toBe(200);
  });
});
