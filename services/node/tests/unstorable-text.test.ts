import { describe, expect, it } from 'vitest';
import { isStorableText, unstorableTextPath } from '@bridge/contract';
import { demoReferral } from '../src/demo/scenario.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { requestBody, snapshot } from './support/state.ts';
import { UNSTORABLE_PIECES } from './support/unstorable.ts';

describe('unstorable text (NUL, an unpaired surrogate)', () => {
  it('is told apart from every well-formed string, emoji and other pairs included', () => {
    for (const bad of UNSTORABLE_PIECES) expect(isStorableText(`ok ${bad} ok`), JSON.stringify(bad)).toBe(false);
    for (const good of ['', 'Dritë Krasniqi-Çeliku', 'Ђорђевић', '👩‍👧 \ud83d\ude00', '\u0001\u001f\ufffd\uffff']) expect(isStorableText(good), good).toBe(true);
    expect(unstorableTextPath({ person: { languages: ['sq', 'x\ud800'] } })).toEqual(['person', 'languages', 1]);
    expect(unstorableTextPath({ person: { ['k\u0000']: 1 } })).toEqual(['person']);
    expect(unstorableTextPath({ person: { givenName: 'Dritë' }, n: 1, b: null })).toBeUndefined();
  });
});

describe('unstorable text on every surface', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  const refused = (path: string) => ({ status: 400, body: { code: 'validation_failed', errors: [expect.objectContaining({ path })] } });

  it('refuses it in a referral, a withdrawal note, a question, a query, as validation_failed, and stores nothing', async () => {
    const before = await snapshot(atina);
    const base = demoReferral(new Date());
    for (const bad of UNSTORABLE_PIECES) {
      const label = JSON.stringify(bad);
      expect(await atina.api('POST', '/v1/referrals', { ...base, person: { ...base.person, givenName: `Dri${bad}të` } }), label).toMatchObject(refused('/body/person/givenName'));
      expect(await atina.api('POST', '/v1/referrals', { ...base, person: { ...base.person, localId: `ATN${bad}` } }), label).toMatchObject(refused('/body/person/localId'));
      expect(await atina.api('POST', '/v1/referrals', { ...base, note: `note ${bad}` }), label).toMatchObject(refused('/body/note'));
      expect(await atina.api('POST', '/v1/referrals', { ...base, consent: { ...base.consent, recordedBy: `staff${bad}` } }), label).toMatchObject(refused('/body/consent/recordedBy'));
      // A property name too (never quoted back).
      const keyed = await atina.api('POST', '/v1/referrals', { ...base, person: { ...base.person, [`x${bad}`]: 'y' } });
      expect(keyed, label).toMatchObject(refused('/body/person'));
    }
    // A query can spell a NUL; a surrogate cannot be percent-encoded in UTF-8, and its CESU-8 bytes are no cursor.
    expect(await atina.api('GET', '/v1/events?after=%00')).toMatchObject(refused('/querystring/after'));
    expect(await atina.api('GET', '/v1/referrals?cursor=c2Vx%00')).toMatchObject(refused('/querystring/cursor'));
    expect(await atina.api('GET', '/v1/events?after=%ED%A0%80')).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    // (The audit log only grew by the test client's token.)
    expect({ ...(await snapshot(atina)), audit: 0 }).toEqual({ ...before, audit: 0 });
    expect(await atina.api('GET', '/admin/v1/audit/events?actor=a%00b', undefined, await atina.token(['audit:read']))).toMatchObject(refused('/querystring/actor'));

    const created = await atina.api('POST', '/v1/referrals', base);
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`)).body?.status === 'received');
    expect(await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Pitanje \u0000' })).toMatchObject(refused('/body/text'));
    expect(await pvpt.api('POST', `/v1/referrals/${id}/reject`, { reason: 'NO_CAPACITY', note: 'lone \udc00' })).toMatchObject(refused('/body/note'));
    expect(await atina.api('POST', `/v1/referrals/${id}/withdraw`, { reason: 'PERSON_DECLINED', note: 'The person \u0000 decided.' })).toMatchObject(refused('/body/note'));
    expect((await atina.api('GET', `/v1/referrals/${id}`)).body.status).toBe('received');
    // Well-formed text with astral characters still goes through.
    expect(await atina.api('POST', `/v1/referrals/${id}/withdraw`, { reason: 'PERSON_DECLINED', note: 'Odlučila je 👩‍👧.' })).toMatchObject({ status: 200 });
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`)).body.status === 'cancelled');
  });

  it('refuses a peer message holding it as message_body_invalid, and writes nothing', async () => {
    const before = await snapshot(pvpt);
    for (const bad of UNSTORABLE_PIECES) {
      const body = requestBody('pvpt') as { person: Record<string, unknown> };
      const claims = requestClaims(atina, pvpt, { ...body, person: { ...body.person, givenName: `G${bad}` } });
      const res = await postMessage(pvpt, await encrypt(await signInner(claims, signingKeyOf(atina)), encryptionKeyOf(pvpt)));
      expect(res, JSON.stringify(bad)).toMatchObject({ status: 422, body: { code: 'message_body_invalid' } });
    }
    expect({ ...(await snapshot(pvpt)), audit: 0 }).toEqual({ ...before, audit: 0 });
  });
});
