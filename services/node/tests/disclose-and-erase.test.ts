import { and, desc, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import type { MessageClaims, ReferralCreate } from '@bridge/contract';
import { auditEvents, idempotencyKeys, inboundMessages, infoRequests, outboxMessages, referrals, referralStatusHistory } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import type { Clock } from '../src/clock.ts';
import { createBridgeClient } from '@bridge/client';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { latestAudit, snapshot } from './support/state.ts';

/** A legal-status referral: the document number is in its profile only after acceptance. */
function documentsReferral(marker: string): ReferralCreate {
  const base = demoReferral(new Date());
  return {
    ...base,
    services: ['LEGAL_STATUS_AND_DOCUMENTS'],
    person: { ...base.person, localId: `LOCAL-${marker}`, givenName: `Given-${marker}`, birthDate: '1999-05-17', documentNumber: `DOC-${marker}` },
    consent: { ...base.consent, services: ['LEGAL_STATUS_AND_DOCUMENTS'], dataCategories: ['IDENTITY', 'AGE', 'NATIONALITY', 'DOCUMENTS', 'CASE_NOTES'] },
    note: `Note-${marker}`,
  };
}

async function send(atina: TestNode, pvpt: TestNode, input: ReferralCreate): Promise<string> {
  const created = await atina.api('POST', '/v1/referrals', input);
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  await waitFor(async () => (await pvpt.node.ctx.db.$count(referrals, eq(referrals.id, id))) > 0);
  return id;
}

/** A POST with an Idempotency-Key, whose response the node stores (and must erase too). */
async function postWithKey(node: TestNode, path: string, body: unknown): Promise<{ status: number; body: any }> {
  const res = await fetch(`${node.url}${path}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${await node.token()}`, 'content-type': 'application/json', 'idempotency-key': crypto.randomUUID() },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: await res.json() };
}

async function row(node: TestNode, id: string) {
  const [r] = await node.node.ctx.db.select().from(referrals).where(eq(referrals.id, id));
  return r!;
}

/** Stands in for the lifecycle messages (another branch): both sides record the acceptance. */
async function markAccepted(atina: TestNode, pvpt: TestNode, id: string): Promise<void> {
  for (const node of [atina, pvpt]) await node.node.ctx.db.update(referrals).set({ status: 'accepted' }).where(eq(referrals.id, id));
}

/** A follow-up message from atina for a referral, chained after the last one pvpt applied. */
async function forgeFollowUp(atina: TestNode, pvpt: TestNode, referralId: string, type: MessageClaims['type'], body: Record<string, unknown>): Promise<string> {
  const [last] = await pvpt.node.ctx.db
    .select()
    .from(inboundMessages)
    .where(and(eq(inboundMessages.issuer, 'atina'), eq(inboundMessages.referralId, referralId)))
    .orderBy(desc(inboundMessages.seq))
    .limit(1);
  const claims = requestClaims(atina, pvpt, body, { type, referralId, seq: last!.seq + 1, prev: last!.contentDigest as `sha-256:${string}` });
  return encrypt(await signInner(claims, signingKeyOf(atina)), encryptionKeyOf(pvpt));
}

/** Everything a node stores about referrals, as one string to search for personal data. */
async function everything(node: TestNode): Promise<string> {
  const { db } = node.node.ctx;
  return JSON.stringify([
    await db.select().from(referrals),
    await db.select().from(referralStatusHistory),
    await db.select().from(infoRequests),
    await db.select().from(inboundMessages),
    await db.select().from(outboxMessages),
    await db.select().from(auditEvents),
    await db.select().from(idempotencyKeys),
  ]);
}

describe('referral.disclose: further fields after acceptance, within profiles and consent', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('releases the document number only after acceptance and only as the profile and consent allow', async () => {
    const input = documentsReferral('d1');
    const id = await send(atina, pvpt, input);
    const before = await row(pvpt, id);
    expect(before.person).toMatchObject({ givenName: 'Given-d1', birthDate: '1999-05-17', nationality: 'XK' });
    expect(before.person).not.toHaveProperty('documentNumber');

    const early = await atina.api('POST', `/v1/referrals/${id}/disclose`, { fields: ['documentNumber'] });
    expect(early).toMatchObject({ status: 409, body: { code: 'referral_not_accepted' } });

    await markAccepted(atina, pvpt, id);
    // gender is outside the consent; urgent health needs outside the profile
    for (const field of ['gender', 'urgentHealthNeeds']) {
      const refused = await atina.api('POST', `/v1/referrals/${id}/disclose`, { fields: [field] });
      expect(refused, field).toMatchObject({ status: 422, body: { code: 'disclosure_not_allowed' } });
      expect(refused.body.detail).toContain(field);
    }
    const outbound = await atina.node.ctx.db.$count(outboxMessages, eq(outboxMessages.referralId, id));
    expect(outbound).toBe(1);

    const released = await atina.api('POST', `/v1/referrals/${id}/disclose`, { fields: ['documentNumber'] });
    expect(released.status).toBe(200);
    const merged = await waitFor(async () => {
      const r = await row(pvpt, id);
      return (r.person as { documentNumber?: string }).documentNumber !== undefined && r;
    });
    expect(merged.person).toMatchObject({ givenName: 'Given-d1', documentNumber: 'DOC-d1', pseudonym: (before.person as { pseudonym: string }).pseudonym });
    expect(merged.person).not.toHaveProperty('gender');
    expect((await pvpt.api('GET', `/v1/referrals/${id}`)).body.person.documentNumber).toBe('DOC-d1');
    // The audit log names the fields released, never their values.
    const audit = JSON.stringify(await pvpt.node.ctx.db.select().from(auditEvents).where(eq(auditEvents.referralId, id)));
    expect(audit).toContain('documentNumber');
    expect(audit).not.toContain('DOC-d1');
  });

  it('refuses a forged disclose beyond the rule or before acceptance, and writes nothing', async () => {
    const id = await send(atina, pvpt, documentsReferral('d2'));
    let before = await snapshot(pvpt);
    const early = await postMessage(pvpt, await forgeFollowUp(atina, pvpt, id, 'referral.disclose', { person: { documentNumber: 'DOC-d2' } }));
    expect(early).toMatchObject({ status: 409, body: { code: 'referral_not_accepted' } });
    expect(await snapshot(pvpt)).toEqual({ ...before, audit: before.audit + 1 });

    await markAccepted(atina, pvpt, id);
    for (const person of [{ urgentHealthNeeds: 'Forged-health' }, { gender: 'FEMALE' }, { documentNumber: 'DOC-d2', ageBand: '18-25', languages: ['sq'] }]) {
      before = await snapshot(pvpt);
      const res = await postMessage(pvpt, await forgeFollowUp(atina, pvpt, id, 'referral.disclose', { person }));
      expect(res, JSON.stringify(person)).toMatchObject({ status: 422, body: { code: 'disclosure_not_allowed' } });
      expect(await snapshot(pvpt)).toEqual({ ...before, audit: before.audit + 1 });
      expect(await latestAudit(pvpt)).toMatchObject({ type: 'message.refused', detail: expect.objectContaining({ code: 'disclosure_not_allowed' }) });
    }
    expect((await row(pvpt, id)).person).not.toHaveProperty('documentNumber');
    expect(await everything(pvpt)).not.toContain('Forged-health');

    const ok = await postMessage(pvpt, await forgeFollowUp(atina, pvpt, id, 'referral.disclose', { person: { documentNumber: 'DOC-d2' } }));
    expect(ok.status).toBe(200);
    expect((await row(pvpt, id)).person).toMatchObject({ documentNumber: 'DOC-d2' });
  });

  it('lists the contract profiles', async () => {
    const res = await atina.api('GET', '/v1/disclosure-profiles');
    expect(res.status).toBe(200);
    expect(res.body.LEGAL_STATUS_AND_DOCUMENTS).toEqual({
      onRequest: ['givenName', 'familyName', 'birthDate', 'gender', 'languages', 'nationality', 'note'],
      afterAcceptance: ['documentNumber'],
    });
  });
});

describe('info requests: either side asks, the other answers', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('stores question and answer on both sides and never logs or audits their text', async () => {
    const id = await send(atina, pvpt, documentsReferral('i1'));
    const asked = await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-i1: treba li joj prevodilac?' });
    expect(asked.status).toBe(201);
    const questionId: string = asked.body.id;
    expect(asked.body).toMatchObject({ askedBy: 'pvpt', question: 'Question-i1: treba li joj prevodilac?' });
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}/info-requests`)).body.items.length === 1);

    const own = await pvpt.api('POST', `/v1/referrals/${id}/info-requests/${questionId}/answer`, { text: 'x' });
    expect(own).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
    const answered = await atina.api('POST', `/v1/referrals/${id}/info-requests/${questionId}/answer`, { text: 'Answer-i1: da, na albanskom.' });
    expect(answered).toMatchObject({ status: 200, body: { id: questionId, answeredBy: 'atina', answer: 'Answer-i1: da, na albanskom.' } });
    expect((await atina.api('POST', `/v1/referrals/${id}/info-requests/${questionId}/answer`, { text: 'again' })).body.code).toBe('illegal_transition');

    const seen = await waitFor(async () => {
      const list = await pvpt.api('GET', `/v1/referrals/${id}/info-requests`);
      return list.body.items[0]?.answer !== undefined && list.body.items;
    });
    expect(seen).toEqual([expect.objectContaining({ id: questionId, askedBy: 'pvpt', answeredBy: 'atina', question: 'Question-i1: treba li joj prevodilac?', answer: 'Answer-i1: da, na albanskom.' })]);

    // atina asks too (its consent covers case notes)
    const back = await atina.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-i1b' });
    expect(back.status).toBe(201);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}/info-requests`)).body.items.length === 2);

    const logs = [...atina.logs, ...pvpt.logs].join('\n');
    for (const node of [atina, pvpt]) {
      const audit = JSON.stringify(await node.node.ctx.db.select().from(auditEvents));
      for (const marker of ['Question-i1', 'Answer-i1']) {
        expect(logs).not.toContain(marker);
        expect(audit).not.toContain(marker);
      }
    }
  });

  it('lets the sender ask only when the profiles and consent allow case notes', async () => {
    const input = documentsReferral('i2');
    const id = await send(atina, pvpt, { ...input, consent: { ...input.consent, dataCategories: ['IDENTITY'] }, note: undefined } as ReferralCreate);
    const res = await atina.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-i2' });
    expect(res).toMatchObject({ status: 422, body: { code: 'disclosure_not_allowed' } });
    // and pvpt refuses a forged one just the same
    const before = await snapshot(pvpt);
    const forged = await postMessage(pvpt, await forgeFollowUp(atina, pvpt, id, 'referral.info-request', { questionId: crypto.randomUUID(), text: 'Question-i2' }));
    expect(forged).toMatchObject({ status: 422, body: { code: 'disclosure_not_allowed' } });
    expect(await snapshot(pvpt)).toEqual({ ...before, audit: before.audit + 1 });
    expect(await pvpt.node.ctx.db.$count(infoRequests, eq(infoRequests.referralId, id))).toBe(0);
  });
});

describe('consent revocation: the receiver erases and confirms', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it("erases the person's data, notes and info texts at the receiver, keeps the metadata, and confirms", async () => {
    const input = documentsReferral('r1');
    const id = await send(atina, pvpt, input);
    await markAccepted(atina, pvpt, id);
    expect((await atina.api('POST', `/v1/referrals/${id}/disclose`, { fields: ['documentNumber'] })).status).toBe(200);
    const asked = await postWithKey(pvpt, `/v1/referrals/${id}/info-requests`, { text: 'Question-r1' });
    await waitFor(async () => (await atina.node.ctx.db.$count(infoRequests, eq(infoRequests.id, asked.body.id))) > 0);
    expect((await atina.api('POST', `/v1/referrals/${id}/info-requests/${asked.body.id}/answer`, { text: 'Answer-r1' })).status).toBe(200);
    await waitFor(async () => (await row(pvpt, id)).person && (await pvpt.api('GET', `/v1/referrals/${id}/info-requests`)).body.items[0]?.answer === 'Answer-r1');
    await waitFor(async () => (await row(pvpt, id) as { person: { documentNumber?: string } }).person.documentNumber === 'DOC-r1');
    // pvpt's own outgoing messages are delivered before the revocation (their bodies are emptied too)
    await waitFor(async () => (await pvpt.node.ctx.db.$count(outboxMessages, and(eq(outboxMessages.referralId, id), eq(outboxMessages.status, 'delivered')))) === 1);

    const markers = ['Given-r1', 'DOC-r1', 'Note-r1', 'Question-r1', 'Answer-r1', 'Krasniqi'];
    const full = await everything(pvpt);
    for (const m of markers.slice(0, 5)) expect(full, m).toContain(m);
    const inboundBefore = await pvpt.node.ctx.db.$count(inboundMessages, eq(inboundMessages.referralId, id));
    const historyBefore = await pvpt.node.ctx.db.select().from(referralStatusHistory).where(eq(referralStatusHistory.referralId, id));
    const auditBefore = await pvpt.node.ctx.db.$count(auditEvents);

    const revoked = await atina.api('POST', `/v1/referrals/${id}/consent/revoke`, { reason: 'WITHDRAWN_IN_WRITING' });
    expect(revoked.status).toBe(200);
    expect(revoked.body.consentRevokedAt).toEqual(expect.any(String));
    const confirmed = await waitFor(async () => {
      const r = await atina.api('GET', `/v1/referrals/${id}`);
      return r.body.erasureConfirmedAt !== undefined && r.body;
    });
    expect(confirmed.person).toMatchObject({ localId: 'LOCAL-r1', documentNumber: 'DOC-r1' });

    // pvpt: person, notes and texts gone; ids, codes, statuses, consent, message records and audit kept.
    const erased = await row(pvpt, id);
    expect(erased).toMatchObject({ id, person: {}, note: null, erasureReason: 'CONSENT_REVOKED', status: 'accepted', services: ['LEGAL_STATUS_AND_DOCUMENTS'], risk: input.risk });
    expect(erased.erasedAt).toBeInstanceOf(Date);
    expect(erased.consent).toEqual(input.consent);
    const after = await everything(pvpt);
    for (const m of markers) expect(after, m).not.toContain(m);
    expect(await pvpt.node.ctx.db.$count(inboundMessages, eq(inboundMessages.referralId, id))).toBe(inboundBefore + 1);
    const historyAfter = await pvpt.node.ctx.db.select().from(referralStatusHistory).where(eq(referralStatusHistory.referralId, id));
    expect(historyAfter.map((h) => [h.id, h.status, h.at.getTime(), h.by])).toEqual(historyBefore.map((h) => [h.id, h.status, h.at.getTime(), h.by]));
    expect(await pvpt.node.ctx.db.$count(auditEvents)).toBeGreaterThan(auditBefore);
    const [info] = await pvpt.node.ctx.db.select().from(infoRequests).where(eq(infoRequests.referralId, id));
    expect(info).toMatchObject({ id: asked.body.id, askedBy: 'pvpt', answeredBy: 'atina', question: null, answer: null });
    const view = (await pvpt.api('GET', `/v1/referrals/${id}`)).body;
    expect(view).toMatchObject({ person: {}, erasedAt: expect.any(String) });
    expect(view).not.toHaveProperty('note');
    const events = await pvpt.node.ctx.db.select().from(auditEvents).where(eq(auditEvents.referralId, id));
    expect(events.map((e) => e.type)).toEqual(expect.arrayContaining(['referral.erased', 'message.queued']));
    const atinaEvents = await atina.node.ctx.db.select().from(auditEvents).where(eq(auditEvents.referralId, id));
    expect(atinaEvents.map((e) => e.type)).toEqual(expect.arrayContaining(['consent.revoked', 'erasure.confirmed']));

    // Nothing more can cross for this referral.
    expect((await atina.api('POST', `/v1/referrals/${id}/consent/revoke`, {})).body.code).toBe('consent_not_valid');
    expect((await atina.api('POST', `/v1/referrals/${id}/disclose`, { fields: ['birthDate'] })).body.code).toBe('consent_not_valid');
    expect((await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-r1-late' })).body.code).toBe('consent_not_valid');
    const forged = await postMessage(pvpt, await forgeFollowUp(atina, pvpt, id, 'referral.disclose', { person: { birthDate: '1999-05-17' } }));
    expect(forged).toMatchObject({ status: 422, body: { code: 'consent_not_valid' } });
    expect((await row(pvpt, id)).person).toEqual({});
  });

  it('only lets the sender revoke', async () => {
    const id = await send(atina, pvpt, documentsReferral('r2'));
    expect((await pvpt.api('POST', `/v1/referrals/${id}/consent/revoke`, {})).body.code).toBe('illegal_transition');
  });
});

describe('consent expiry and retention, on the node clock', () => {
  let offset = 0;
  const clock: Clock = { now: () => new Date(Date.now() + offset) };
  const retention = { closedReferralMs: 60_000, sweepIntervalMs: 3_600_000 };
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]), { atina: { clock, config: { retention } }, pvpt: { clock, config: { retention } } });

  it('erases at the receiver when the consent expires and confirms to the sender', async () => {
    const input = documentsReferral('e1');
    const id = await send(atina, pvpt, { ...input, consent: { ...input.consent, validUntil: new Date(Date.now() + 60_000).toISOString() } });
    const other = await send(atina, pvpt, documentsReferral('e2'));
    expect(await pvpt.node.erasure.runOnce()).toEqual({ expired: 0, purged: 0 });
    // Both clocks move on two minutes: inside the acceptance window, past the consent.
    offset = 120_000;
    expect(await pvpt.node.erasure.runOnce()).toEqual({ expired: 1, purged: 0 });
    const confirmed = await waitFor(async () => {
      const r = await row(atina, id);
      return r.erasureConfirmedAt !== null && r;
    });
    expect(confirmed.person).toMatchObject({ givenName: 'Given-e1' });
    const erased = await row(pvpt, id);
    expect(erased).toMatchObject({ person: {}, note: null, erasureReason: 'CONSENT_EXPIRED' });
    expect((await row(pvpt, other)).person).toMatchObject({ givenName: 'Given-e2' });
    const [confirm] = await atina.node.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.referralId, id), eq(auditEvents.type, 'erasure.confirmed')));
    expect(confirm!.detail).toEqual({ reason: 'CONSENT_EXPIRED' });
    expect(await pvpt.node.erasure.runOnce()).toEqual({ expired: 0, purged: 0 });
  });

  it('purges personal data of closed referrals after the retention period, on both sides', async () => {
    offset = 0;
    const created = await postWithKey(atina, '/v1/referrals', documentsReferral('t1'));
    const id: string = created.body.id;
    await waitFor(async () => (await pvpt.node.ctx.db.$count(referrals, eq(referrals.id, id))) > 0);
    const open = await send(atina, pvpt, documentsReferral('t2'));
    expect((await postWithKey(atina, `/v1/referrals/${id}/withdraw`, { reason: 'PERSON_DECLINED', note: 'Withdraw-t1' })).status).toBe(200);
    await waitFor(async () => (await row(pvpt, id)).status === 'cancelled');
    // purged bodies are those of delivered messages: wait until atina has the withdrawal's receipt
    await waitFor(async () => (await atina.node.ctx.db.$count(outboxMessages, and(eq(outboxMessages.referralId, id), eq(outboxMessages.status, 'delivered')))) === 2);
    expect(await everything(pvpt)).toContain('Withdraw-t1');
    expect(await everything(atina)).toContain('Given-t1');
    expect(await atina.node.ctx.db.$count(idempotencyKeys)).toBeGreaterThanOrEqual(2);
    for (const node of [atina, pvpt]) expect(await node.node.erasure.runOnce()).toMatchObject({ purged: 0 });
    offset = 120_000;
    for (const node of [atina, pvpt]) expect((await node.node.erasure.runOnce()).purged).toBeGreaterThanOrEqual(1);
    const sent = await row(atina, id);
    expect(sent).toMatchObject({ person: { localId: 'LOCAL-t1' }, note: null, erasureReason: 'RETENTION', status: 'cancelled' });
    expect(await row(pvpt, id)).toMatchObject({ person: {}, note: null, erasureReason: 'RETENTION', status: 'cancelled' });
    for (const node of [atina, pvpt]) {
      const all = await everything(node);
      for (const m of ['Given-t1', 'DOC-t1', 'Note-t1', 'Withdraw-t1']) expect(all, `${node.id} ${m}`).not.toContain(m);
      const history = await node.node.ctx.db.select().from(referralStatusHistory).where(eq(referralStatusHistory.referralId, id));
      expect(history.map((h) => h.status)).toContain('cancelled');
      expect(history.find((h) => h.status === 'cancelled')).toMatchObject({ reason: 'PERSON_DECLINED', note: null });
      expect(await node.node.ctx.db.$count(auditEvents, and(eq(auditEvents.referralId, id), eq(auditEvents.type, 'referral.erased')))).toBe(1);
    }
    // an open referral keeps its data however old
    expect((await row(pvpt, open)).person).toMatchObject({ givenName: 'Given-t2' });
    expect((await row(atina, open)).person).toMatchObject({ givenName: 'Given-t2' });
  });
});

describe('@bridge/client helpers for disclosure, questions and revocation', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('ask, answer, disclose and revoke through the typed client, with replays', async () => {
    const a = createBridgeClient({ baseUrl: atina.url, token: await atina.token() });
    const p = createBridgeClient({ baseUrl: pvpt.url, token: await pvpt.token() });
    expect((await a.getDisclosureProfiles()).SAFE_RETURN.afterAcceptance).toContain('documentNumber');
    const id = await send(atina, pvpt, documentsReferral('c1'));
    const key = crypto.randomUUID();
    const question = await p.askInfo(id, 'Question-c1', { idempotencyKey: key });
    expect((await p.askInfo(id, 'Question-c1', { idempotencyKey: key })).id).toBe(question.id);
    await waitFor(async () => (await a.listInfoRequests(id)).items.length === 1);
    expect(await a.answerInfo(id, question.id, 'Answer-c1')).toMatchObject({ answer: 'Answer-c1' });
    await expect(a.discloseReferral(id, { fields: ['documentNumber'] })).rejects.toMatchObject({ status: 409, code: 'referral_not_accepted' });
    await markAccepted(atina, pvpt, id);
    expect((await a.discloseReferral(id, { fields: ['documentNumber'] })).id).toBe(id);
    const revoked = await a.revokeConsent(id, { reason: 'WITHDRAWN_IN_WRITING' });
    expect(revoked.consentRevokedAt).toEqual(expect.any(String));
    const erased = await waitFor(async () => {
      const r = await p.getReferral(id);
      return r.erasedAt !== undefined && r;
    });
    expect(erased.person).toEqual({});
    expect((await p.listInfoRequests(id)).items).toEqual([expect.not.objectContaining({ question: expect.anything() })]);
    // the replayed question no longer carries its text either
    expect(await p.askInfo(id, 'Question-c1', { idempotencyKey: key })).not.toHaveProperty('question');
    await waitFor(async () => (await a.getReferral(id)).erasureConfirmedAt !== undefined);
  });
});
