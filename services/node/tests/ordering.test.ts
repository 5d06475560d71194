import { and, eq } from 'drizzle-orm';
import { describe, expect, it } from 'vitest';
import { inboundMessages, outboxMessages } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { messageContentDigest } from '../src/outbox/enqueue.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { requestBody } from './support/state.ts';

describe('messages of one referral', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('arrive in order under concurrent dispatch: a withdrawal never overtakes its request', async () => {
    const ids: string[] = [];
    for (let i = 0; i < 20; i++) {
      const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
      const withdrawn = await atina.api('POST', `/v1/referrals/${created.body.id}/withdraw`, { reason: 'PERSON_DECLINED', note: 'Одустала је; nuk dëshiron më.' });
      expect(withdrawn.status).toBe(200);
      expect(withdrawn.body.status).toBe('cancelled');
      ids.push(created.body.id);
    }
    await waitFor(async () => (await pvpt.node.ctx.db.$count(inboundMessages)) >= 40, 30_000);
    for (const id of ids) {
      const seen = await pvpt.api('GET', `/v1/referrals/${id}`);
      expect(seen.body.status).toBe('cancelled');
      expect(seen.body.history.map((h: { status: string }) => h.status)).toEqual(['requested', 'received', 'cancelled']);
      expect(seen.body.history[2]).toMatchObject({ by: 'atina', reason: 'PERSON_DECLINED', note: 'Одустала је; nuk dëshiron më.' });
      const sent = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, id));
      // seq 2 was sent once, after seq 1 was delivered: never refused as out of order.
      expect(sent.map((m) => [m.seq, m.status, m.attempts])).toEqual(expect.arrayContaining([[1, 'delivered', 1], [2, 'delivered', 1]]));
    }
  });

  it('a later message is refused as out of order until the earlier one arrives, then applied', async () => {
    const first = requestClaims(atina, pvpt, requestBody('pvpt'));
    const second = { ...requestClaims(atina, pvpt, {}), type: 'referral.withdraw', referralId: first.referralId, seq: 2, prev: messageContentDigest(first), body: { from: 'received', reason: 'PERSON_DECLINED' } };
    const seal = async (c: typeof first) => encrypt(await signInner(c, signingKeyOf(atina)), encryptionKeyOf(pvpt));
    const early = await postMessage(pvpt, await seal(second));
    expect(early.status).toBe(409);
    expect(early.body.code).toBe('message_out_of_order');
    expect((await postMessage(pvpt, await seal(first))).status).toBe(200);
    // A seq 2 whose prev is not the digest of seq 1 is still refused.
    const wrongPrev = await postMessage(pvpt, await seal({ ...second, jti: crypto.randomUUID(), prev: 'sha-256:AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA' }));
    expect(wrongPrev.body.code).toBe('message_out_of_order');
    expect((await postMessage(pvpt, await seal(second))).status).toBe(200);
    const rows = await pvpt.node.ctx.db.select().from(inboundMessages).where(and(eq(inboundMessages.referralId, first.referralId)));
    expect(rows.map((r) => r.seq).sort()).toEqual([1, 2]);
  });

  it('refuses withdrawing a final or an inbound referral with illegal_transition', async () => {
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect((await atina.api('POST', `/v1/referrals/${created.body.id}/withdraw`, {})).status).toBe(200);
    const again = await atina.api('POST', `/v1/referrals/${created.body.id}/withdraw`, {});
    expect(again).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${created.body.id}`)).status === 200);
    const inbound = await pvpt.api('POST', `/v1/referrals/${created.body.id}/withdraw`, {});
    expect(inbound).toMatchObject({ status: 409, body: { code: 'illegal_transition' } });
    expect((await atina.api('POST', '/v1/referrals/01a20b9a-d0a9-7063-8665-db99611824e1/withdraw', {})).status).toBe(404);
  });
});

describe('admin outbox API', () => {
  let atina: TestNode;
  usePair((a) => (atina = a));

  it('lists messages without their content to an admin, refuses other scopes, resends only dead letters', async () => {
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${created.body.id}`)).body.status === 'received');
    const admin = await atina.token(['admin']);
    const listed = await atina.api('GET', '/admin/v1/outbox?status=delivered', undefined, admin);
    expect(listed.status).toBe(200);
    expect(listed.body.items[0]).toMatchObject({ peer: 'pvpt', type: 'referral.request', status: 'delivered', attempts: 1 });
    expect(JSON.stringify(listed.body)).not.toContain('Krasniqi');
    expect((await atina.api('GET', '/admin/v1/outbox')).status).toBe(403);
    const notDead = await atina.api('POST', `/admin/v1/outbox/${listed.body.items[0].id}/resend`, undefined, admin);
    expect(notDead).toMatchObject({ status: 409, body: { code: 'conflict' } });
    const missing = await atina.api('POST', '/admin/v1/outbox/01a20b9a-d0a9-7063-8665-db99611824e1/resend', undefined, admin);
    expect(missing.status).toBe(404);
  });
});
