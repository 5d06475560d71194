import fc from 'fast-check';
import { randomBytes } from 'node:crypto';
import { eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { DataCategory, ServiceCode, UNSTORABLE_TEXT_MESSAGE, type DisclosableField, type Person, type ReferralCreate } from '@bridge/contract';
import { inboundMessages, outboxMessages, referrals, referralStatusHistory } from '../src/db/schema/index.ts';
import { allowedFields } from '../src/consent/disclosure.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { latestAudit, requestBody, snapshot } from './support/state.ts';
import { stringPaths, unstorableText, withTextAt } from './support/unstorable.ts';

const RUNS = Number(process.env.BRIDGE_PROPERTY_RUNS ?? 100);

/** Every optional field may be there or not; strings carry a marker so a leak is found by value too. */
const person = fc.record(
  {
    givenName: fc.constant('GIVEN'),
    familyName: fc.constant('FAMILY'),
    ageBand: fc.constantFrom('0-13', '14-17', '18-25', '26-35', '36-50', '51+'),
    birthDate: fc.constant('1997-04-02'),
    gender: fc.constantFrom('FEMALE', 'MALE', 'OTHER', 'UNDISCLOSED'),
    languages: fc.subarray(['sq', 'sr', 'sr-Cyrl', 'en'], { minLength: 1 }),
    accompanyingChildren: fc.integer({ min: 0, max: 5 }),
    urgentHealthNeeds: fc.constant('HEALTH'),
    nationality: fc.constantFrom('XK', 'RS'),
    documentNumber: fc.constant('DOCUMENT'),
  },
  { requiredKeys: ['givenName'] },
);

/** A referral with random fields, services and consent scope (the consent covers the services). */
const referral = fc
  .record({
    person,
    services: fc.subarray([...ServiceCode.options], { minLength: 1, maxLength: 4 }),
    extraConsentServices: fc.subarray([...ServiceCode.options], { maxLength: 2 }),
    dataCategories: fc.subarray([...DataCategory.options]),
    withNote: fc.boolean(),
  })
  .map(({ person: p, services, extraConsentServices, dataCategories, withNote }): ReferralCreate => {
    const base = demoReferral(new Date());
    const unique = (tag: string) => `${tag}-${randomBytes(6).toString('hex')}`;
    const record = { ...p, localId: unique('LOCAL') } as Person;
    for (const key of ['givenName', 'familyName', 'urgentHealthNeeds', 'documentNumber'] as const) if (record[key] !== undefined) record[key] = unique(record[key]);
    const { note: _n, ...rest } = base;
    return {
      ...rest,
      services,
      person: record,
      consent: { ...base.consent, services: [...new Set([...services, ...extraConsentServices])], dataCategories },
      ...(withNote ? { note: unique('NOTE') } : {}),
    };
  });

const STRING_FIELDS = ['givenName', 'familyName', 'urgentHealthNeeds', 'documentNumber'] as const;

describe('disclosure: what reaches the receiver is exactly risk + (profiles ∩ consent)', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('never stores a field outside the rule in the receiver database, over random referrals and consents', async () => {
    let runs = 0;
    let withheld = 0;
    await fc.assert(
      fc.asyncProperty(referral, async (input) => {
        runs++;
        const created = await atina.api('POST', '/v1/referrals', input);
        expect(created.status).toBe(201);
        const id: string = created.body.id;
        const [row] = await waitFor(async () => {
          const rows = await pvpt.node.ctx.db.select().from(referrals).where(eq(referrals.id, id));
          return rows.length > 0 && rows;
        });
        const allowed = allowedFields(input.services, input.consent, 'request');
        const stored = row!.person as Record<string, unknown>;
        // Only the pseudonym and allowed fields; every allowed field the sender had is there.
        for (const key of Object.keys(stored)) if (key !== 'pseudonym') expect(allowed.has(key as DisclosableField), key).toBe(true);
        for (const [key, value] of Object.entries(input.person)) {
          if (key === 'localId') continue;
          if (allowed.has(key as DisclosableField)) expect(stored[key], key).toEqual(value);
          else withheld++;
        }
        expect(row!.note ?? undefined).toEqual(allowed.has('note') ? input.note : undefined);
        expect(row!.risk).toEqual(input.risk);
        // Value search over everything the receiver stored for this referral: nothing withheld leaks.
        const history = await pvpt.node.ctx.db.select().from(referralStatusHistory).where(eq(referralStatusHistory.referralId, id));
        const everything = JSON.stringify([row, history]);
        expect(everything).not.toContain(input.person.localId);
        for (const key of STRING_FIELDS) {
          const value = input.person[key];
          if (value !== undefined && !allowed.has(key)) expect(everything, key).not.toContain(value);
        }
        if (input.note !== undefined && !allowed.has('note')) expect(everything).not.toContain(input.note);
        // The record of the inbound message keeps digests and the receipt, never decrypted content.
        const inbound = JSON.stringify(await pvpt.node.ctx.db.select().from(inboundMessages).where(eq(inboundMessages.referralId, id)));
        for (const value of [...STRING_FIELDS.map((k) => input.person[k]), input.note]) if (value !== undefined) expect(inbound).not.toContain(value);
        // A document number never travels with a request: it is only ever an afterAcceptance field.
        expect(stored).not.toHaveProperty('documentNumber');
      }),
      { numRuns: RUNS },
    );
    console.log(`[disclosure property] ${runs} referrals through two nodes, ${withheld} fields withheld`);
    expect(runs).toBe(RUNS);
    expect(withheld).toBeGreaterThan(0);
  });

  it('after acceptance, releases exactly the requested fields the rule allows, over random referrals and field choices', async () => {
    let runs = 0;
    let released = 0;
    let refused = 0;
    const FIELDS = ['givenName', 'familyName', 'ageBand', 'birthDate', 'gender', 'languages', 'accompanyingChildren', 'urgentHealthNeeds', 'nationality', 'documentNumber', 'note'] as const;
    await fc.assert(
      fc.asyncProperty(referral, fc.subarray([...FIELDS], { minLength: 1, maxLength: 4 }), async (input, fields) => {
        runs++;
        const created = await atina.api('POST', '/v1/referrals', input);
        const id: string = created.body.id;
        await waitFor(async () => (await pvpt.node.ctx.db.$count(referrals, eq(referrals.id, id))) > 0);
        // Stands in for the acceptance message of the lifecycle (another branch).
        for (const node of [atina, pvpt]) await node.node.ctx.db.update(referrals).set({ status: 'accepted' }).where(eq(referrals.id, id));
        const allowed = allowedFields(input.services, input.consent, 'accepted');
        const present = (f: string) => (f === 'note' ? input.note : (input.person as Record<string, unknown>)[f]) !== undefined;
        const res = await atina.api('POST', `/v1/referrals/${id}/disclose`, { fields });
        if (!fields.every((f) => allowed.has(f))) {
          expect(res.body.code).toBe('disclosure_not_allowed');
          refused++;
        } else if (!fields.every(present)) {
          expect(res.body.code).toBe('validation_failed');
        } else {
          expect(res.status).toBe(200);
          released++;
          await waitFor(async () => (await atina.node.ctx.db.$count(outboxMessages, eq(outboxMessages.referralId, id))) === 2 && (await atina.node.ctx.db.$count(outboxMessages, eq(outboxMessages.status, 'delivered'))) === (await atina.node.ctx.db.$count(outboxMessages)));
        }
        const [row] = await pvpt.node.ctx.db.select().from(referrals).where(eq(referrals.id, id));
        for (const key of Object.keys(row!.person as object)) if (key !== 'pseudonym') expect(allowed.has(key as DisclosableField), key).toBe(true);
        if (row!.note !== null) expect(allowed.has('note')).toBe(true);
        if (res.status === 200) for (const f of fields) if (f !== 'note') expect((row!.person as Record<string, unknown>)[f], f).toEqual((input.person as Record<string, unknown>)[f]);
        const everything = JSON.stringify(row);
        for (const key of STRING_FIELDS) {
          const value = input.person[key];
          if (value !== undefined && !allowed.has(key)) expect(everything, key).not.toContain(value);
        }
      }),
      { numRuns: RUNS },
    );
    console.log(`[disclosure property] ${runs} accepted referrals: ${released} disclosures released, ${refused} refused beyond the rule`);
    expect(released).toBeGreaterThan(0);
    expect(refused).toBeGreaterThan(0);
  });

  it('refuses forged requests that disclose one field beyond the rule, and writes nothing', async () => {
    let runs = 0;
    const forged = referral.chain((input) => {
      const allowed = allowedFields(input.services, input.consent, 'request');
      const outside = (['givenName', 'familyName', 'ageBand', 'birthDate', 'gender', 'languages', 'accompanyingChildren', 'urgentHealthNeeds', 'nationality', 'documentNumber', 'note'] as const).filter(
        (f) => !allowed.has(f),
      );
      return outside.length === 0 ? fc.constant(undefined) : fc.constantFrom(...outside).map((extra) => ({ input, extra, allowed }));
    });
    await fc.assert(
      fc.asyncProperty(forged, async (c) => {
        if (!c) return;
        runs++;
        const { input, extra, allowed } = c;
        const disclosed: Record<string, unknown> = { pseudonym: randomBytes(32).toString('base64url') };
        for (const [k, v] of Object.entries(input.person)) if (allowed.has(k as DisclosableField)) disclosed[k] = v;
        const sample: Record<string, unknown> = {
          givenName: 'G', familyName: 'F', ageBand: '18-25', birthDate: '1990-01-01', gender: 'FEMALE', languages: ['sq'],
          accompanyingChildren: 2, urgentHealthNeeds: 'H', nationality: 'XK', documentNumber: 'P0012345',
        };
        const body: Record<string, unknown> = {
          services: input.services, urgency: input.urgency, personCategory: input.personCategory, phase: input.phase, risk: input.risk,
          consent: { ...input.consent, recipient: 'pvpt' }, person: disclosed,
        };
        if (extra === 'note') body.note = 'N';
        else disclosed[extra] = sample[extra];
        const before = await snapshot(pvpt);
        const sealed = await encrypt(await signInner(requestClaims(atina, pvpt, body), signingKeyOf(atina)), encryptionKeyOf(pvpt));
        const res = await postMessage(pvpt, sealed);
        expect(res.status).toBe(422);
        expect(res.body.code).toBe('disclosure_not_allowed');
        expect(res.body.detail).toContain(extra);
        expect(await snapshot(pvpt)).toEqual({ ...before, audit: before.audit + 1 });
        expect(await latestAudit(pvpt)).toMatchObject({ type: 'message.refused', detail: expect.objectContaining({ code: 'disclosure_not_allowed' }) });
      }),
      { numRuns: RUNS },
    );
    console.log(`[disclosure property] ${runs} forged over-disclosing requests refused`);
    expect(runs).toBeGreaterThan(RUNS / 2);
  });

  it('refuses a NUL or an unpaired surrogate in any string of a referral, from the API or a peer, and stores nothing', async () => {
    let runs = 0;
    const atinaBefore = await snapshot(atina);
    // Warm the test client's token, so the audit log holds still below.
    await atina.api('GET', '/v1/events?limit=1');
    await fc.assert(
      fc.asyncProperty(referral, fc.nat(), unstorableText, async (input, pick, bad) => {
        runs++;
        // On the sender's API: any string, wherever it is (person, consent, note, codes, languages).
        const paths = stringPaths(input);
        const path = paths[pick % paths.length]!;
        const res = await atina.api('POST', '/v1/referrals', withTextAt(input, path, bad));
        expect(res, path.join('/')).toMatchObject({ status: 400, body: { code: 'validation_failed', errors: [{ path: `/body/${path.join('/')}` }] } });
        expect(res.body.errors).toEqual([{ path: `/body/${path.join('/')}`, message: UNSTORABLE_TEXT_MESSAGE }]);
        // From a peer, signed and sealed correctly: refused after decryption, before anything is stored.
        const body = requestBody('pvpt');
        const bodyPaths = stringPaths(body);
        const before = await snapshot(pvpt);
        const sealed = await encrypt(await signInner(requestClaims(atina, pvpt, withTextAt(body, bodyPaths[pick % bodyPaths.length]!, bad)), signingKeyOf(atina)), encryptionKeyOf(pvpt));
        expect(await postMessage(pvpt, sealed)).toMatchObject({ status: 422, body: { code: 'message_body_invalid' } });
        expect(await snapshot(pvpt)).toEqual({ ...before, audit: before.audit + 1 });
      }),
      { numRuns: RUNS },
    );
    const after = await snapshot(atina);
    expect({ ...after, audit: 0 }).toEqual({ ...atinaBefore, audit: 0 });
    console.log(`[disclosure property] ${runs} referrals with unstorable text refused on both surfaces`);
    expect(runs).toBe(RUNS);
  });
});
