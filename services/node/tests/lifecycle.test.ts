import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { auditEvents, outboxMessages } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { type TestNode, usePair } from './support/nodes.ts';
import { deliveredReferral, forgeStatus, historyOf, waitForHistory } from './support/lifecycle.ts';

describe('referral lifecycle', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('goes received → accepted → in-progress → on-hold → in-progress → completed, with the same history on both nodes', async () => {
    const id = await deliveredReferral(atina, pvpt);
    const steps: Array<[string, object, string]> = [
      ['accept', { note: 'Prvi razgovor 17. marta.' }, 'accepted'],
      ['start', {}, 'in-progress'],
      ['hold', { note: 'Čeka se putni list.' }, 'on-hold'],
      ['start', {}, 'in-progress'],
      ['complete', { outcome: 'SERVICE_PROVIDED', note: 'Bezbedan povratak; u kthye në shtëpi.' }, 'completed'],
    ];
    for (const [action, body, status] of steps) {
      const res = await pvpt.api('POST', `/v1/referrals/${id}/${action}`, body);
      expect(res.status, `${action}: ${JSON.stringify(res.body)}`).toBe(200);
      expect(res.body.status).toBe(status);
    }
    const expected = [
      { status: 'requested', by: 'atina' },
      { status: 'received', by: 'pvpt' },
      { status: 'accepted', by: 'pvpt', note: 'Prvi razgovor 17. marta.' },
      { status: 'in-progress', by: 'pvpt' },
      { status: 'on-hold', by: 'pvpt', note: 'Čeka se putni list.' },
      { status: 'in-progress', by: 'pvpt' },
      { status: 'completed', by: 'pvpt', reason: 'SERVICE_PROVIDED', note: 'Bezbedan povratak; u kthye në shtëpi.' },
    ];
    expect(await historyOf(pvpt, id)).toEqual(expected);
    await waitForHistory(atina, id, expected.length);
    expect(await historyOf(atina, id)).toEqual(expected);
    expect((await atina.api('GET', `/v1/referrals/${id}`)).body.status).toBe('completed');
    // Each change is audited once on each side, delivery included: by the client or the delivery here, by the peer's message there.
    const audited = async (node: TestNode) =>
      (await node.node.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.referralId, id), eq(auditEvents.type, 'referral.status')))).map((e) => e.detail?.status);
    expect(await audited(pvpt)).toEqual(['received', 'accepted', 'in-progress', 'on-hold', 'in-progress', 'completed']);
    expect(await audited(atina)).toEqual(['received', 'accepted', 'in-progress', 'on-hold', 'in-progress', 'completed']);
  });

  it('rejects with a reason code from the list, and refuses an unknown one as a validation error', async () => {
    const id = await deliveredReferral(atina, pvpt);
    const unknown = await pvpt.api('POST', `/v1/referrals/${id}/reject`, { reason: 'TOO_BUSY' });
    expect(unknown).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect((await pvpt.api('POST', `/v1/referrals/${id}/reject`, {})).status).toBe(400);
    expect((await pvpt.api('POST', `/v1/referrals/${id}/complete`, { outcome: 'NO_CAPACITY' })).status).toBe(400);
    const rejected = await pvpt.api('POST', `/v1/referrals/${id}/reject`, { reason: 'NO_CAPACITY' });
    expect(rejected.body.status).toBe('rejected');
    await waitForHistory(atina, id, 3);
    expect((await historyOf(atina, id)).at(-1)).toEqual({ status: 'rejected', by: 'pvpt', reason: 'NO_CAPACITY' });
  });

  it('refuses, with illegal_transition, a status set by the wrong party or from the wrong status, on either node', async () => {
    const id = await deliveredReferral(atina, pvpt);
    const refused = async (node: TestNode, action: string, body: object = {}) => {
      const res = await node.api('POST', `/v1/referrals/${id}/${action}`, body);
      expect(res, `${node.id} ${action}`).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
    };
    // The sender never sets the receiver's statuses, nor the receiver the sender's.
    await refused(atina, 'accept');
    await refused(atina, 'reject', { reason: 'OTHER' });
    await refused(pvpt, 'entered-in-error');
    await refused(pvpt, 'withdraw');
    // Out of order.
    await refused(pvpt, 'start');
    await refused(pvpt, 'complete', { outcome: 'SERVICE_PROVIDED' });
    expect((await pvpt.api('POST', `/v1/referrals/${id}/accept`, {})).status).toBe(200);
    await refused(pvpt, 'accept');
    await refused(pvpt, 'fail');
    expect((await pvpt.api('POST', `/v1/referrals/${id}/start`, {})).status).toBe(200);
    expect((await pvpt.api('POST', `/v1/referrals/${id}/fail`, {})).status).toBe(200);
    await waitForHistory(atina, id, 5);
    // Final: not even the sender can withdraw it; it can still mark it entered in error, once.
    await refused(atina, 'withdraw');
    expect((await atina.api('POST', `/v1/referrals/${id}/entered-in-error`, { note: 'Pogrešna osoba.' })).status).toBe(200);
    await refused(atina, 'entered-in-error');
    await waitForHistory(pvpt, id, 6);
    expect((await historyOf(pvpt, id)).map((h) => h.status)).toEqual(['requested', 'received', 'accepted', 'in-progress', 'failed', 'entered-in-error']);
    expect(await historyOf(pvpt, id)).toEqual(await historyOf(atina, id));
    expect((await pvpt.api('POST', '/v1/referrals/01a20b9a-d0a9-7063-8665-db99611824e1/accept', {})).status).toBe(404);
  });

  it('refuses a forged message with an illegal transition, or from the wrong party, and changes nothing', async () => {
    const id = await deliveredReferral(atina, pvpt);
    const before = await historyOf(atina, id);
    // pvpt (the receiver) may not complete a referral that was never accepted …
    expect(await forgeStatus(pvpt, atina, id, { status: 'completed', reason: 'SERVICE_PROVIDED' })).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
    // … nor set a status only the sender sets; and atina (the sender) may not accept at pvpt.
    expect(await forgeStatus(pvpt, atina, id, { status: 'entered-in-error' })).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
    expect(await forgeStatus(atina, pvpt, id, { status: 'accepted' })).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
    // A rejection without a rejection reason, or with an outcome, does not match its code list.
    expect(await forgeStatus(pvpt, atina, id, { status: 'rejected' })).toMatchObject({ status: 422, body: { code: 'message_body_invalid' } });
    expect(await forgeStatus(pvpt, atina, id, { status: 'rejected', reason: 'SERVICE_PROVIDED' })).toMatchObject({ status: 422, body: { code: 'message_body_invalid' } });
    expect(await historyOf(atina, id)).toEqual(before);
    expect((await atina.api('GET', `/v1/referrals/${id}`)).body.status).toBe('received');
    const refusals = await atina.node.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.referralId, id), eq(auditEvents.type, 'message.refused')));
    expect(refusals.map((r) => r.detail?.code)).toEqual(expect.arrayContaining(['illegal_transition', 'message_body_invalid']));
    // The real chain is intact: pvpt's own next message still applies.
    expect((await pvpt.api('POST', `/v1/referrals/${id}/accept`, {})).status).toBe(200);
    await waitForHistory(atina, id, 3);
    expect((await atina.api('GET', `/v1/referrals/${id}`)).body.status).toBe('accepted');
  });

  it('keeps a status note at home when the consent does not cover case notes, and refuses a message that discloses one', async () => {
    const base = demoReferral(new Date());
    const consent = { ...base.consent, dataCategories: base.consent.dataCategories.filter((c) => c !== 'CASE_NOTES') };
    const id = await deliveredReferral(atina, pvpt, { consent, note: undefined });
    expect((await pvpt.api('POST', `/v1/referrals/${id}/accept`, { note: 'Interna beleška.' })).status).toBe(200);
    await waitForHistory(atina, id, 3);
    expect((await historyOf(pvpt, id)).at(-1)).toEqual({ status: 'accepted', by: 'pvpt', note: 'Interna beleška.' });
    expect((await historyOf(atina, id)).at(-1)).toEqual({ status: 'accepted', by: 'pvpt' });
    expect(await forgeStatus(pvpt, atina, id, { status: 'in-progress', note: 'Ne sme da pređe.' })).toMatchObject({ status: 422, body: { code: 'disclosure_not_allowed' } });
  });

  it('replays a transition sent again with the same Idempotency-Key, and sends its message once', async () => {
    const id = await deliveredReferral(atina, pvpt);
    const post = (body: object) =>
      fetch(`${pvpt.url}/v1/referrals/${id}/reject`, {
        method: 'POST',
        headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json', 'idempotency-key': `reject-${id}` },
        body: JSON.stringify(body),
      });
    const token = await pvpt.token();
    const first = await post({ reason: 'OUTSIDE_AREA' });
    const again = await post({ reason: 'OUTSIDE_AREA' });
    expect([first.status, again.status]).toEqual([200, 200]);
    expect([first.headers.get('idempotent-replayed'), again.headers.get('idempotent-replayed')]).toEqual(['false', 'true']);
    expect(await again.json()).toEqual(await first.json());
    expect((await post({ reason: 'NO_CAPACITY' })).status).toBe(422);
    const sent = await pvpt.node.ctx.db.select().from(outboxMessages).where(and(eq(outboxMessages.referralId, id), eq(outboxMessages.type, 'referral.status')));
    expect(sent).toHaveLength(1);
  });

  it('serves every code list with labels in the four languages to a referrals:read token only', async () => {
    const res = await atina.api('GET', '/v1/code-lists', undefined, await atina.token(['referrals:read']));
    expect(res.status).toBe(200);
    expect(res.body.rejectionReasons.find((e: { code: string }) => e.code === 'NO_CAPACITY').labels).toEqual({
      en: 'No capacity',
      'sr-Latn': 'Nema slobodnih kapaciteta',
      'sr-Cyrl': 'Нема слободних капацитета',
      sq: 'Nuk ka kapacitete të lira',
    });
    expect(Object.keys(res.body)).toEqual(['services', 'personCategories', 'phases', 'urgencies', 'rejectionReasons', 'outcomes', 'riskThreats', 'riskLevels', 'dataCategories']);
    expect((await atina.api('GET', '/v1/code-lists', undefined, await atina.token(['admin']))).status).toBe(403);
  });

  it('carries names in Cyrillic, Latin with diacritics and Albanian between the nodes byte for byte', async () => {
    const base = demoReferral(new Date());
    const names: Array<[string, string, string]> = [
      ['Јелена', 'Ђорђевић-Шћекић', 'Напомена: ћирилица — љ, њ, џ, ђ, ћ.'],
      ['Šćepan', 'Đurđević Žučić', 'Napomena: š, đ, č, ć, ž — Š, Đ, Č, Ć, Ž.'],
      ['Dritë', 'Çeliku-Xhëmajli', 'Shënim: ë, ç — Ë, Ç; Gjakovë.'],
      // Decomposed (NFD) stays decomposed: nothing on the way normalises it.
      ['Drite\u0308', 'C\u0327eliku', 'S\u030Cta je ovo\u0301?'],
    ];
    for (const [givenName, familyName, note] of names) {
      const id = await deliveredReferral(atina, pvpt, { person: { ...base.person, givenName, familyName }, note });
      const seen = (await pvpt.api('GET', `/v1/referrals/${id}`)).body;
      for (const [got, sent] of [[seen.person.givenName, givenName], [seen.person.familyName, familyName], [seen.note, note]] as const) {
        expect(Buffer.from(got, 'utf8').equals(Buffer.from(sent, 'utf8')), `${sent} arrived as ${got}`).toBe(true);
      }
      // And back: a note on a status change, from pvpt to atina.
      expect((await pvpt.api('POST', `/v1/referrals/${id}/accept`, { note })).status).toBe(200);
      await waitForHistory(atina, id, 3);
      const back = (await historyOf(atina, id)).at(-1)!.note!;
      expect(Buffer.from(back, 'utf8').equals(Buffer.from(note, 'utf8')), `${note} came back as ${back}`).toBe(true);
    }
  });
});
