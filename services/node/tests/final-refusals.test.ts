import { and, asc, eq, sql } from 'drizzle-orm';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { ReferralCreate } from '@bridge/contract';
import { auditEvents, events, inboundMessages, infoRequests, outboxMessages, referrals } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { main } from '../src/cli/main.ts';
import type { CliIo } from '../src/cli/args.ts';
import { messageContentDigest } from '../src/outbox/enqueue.ts';
import { type TestNode, usePair, waitFor } from './support/nodes.ts';
import { encrypt, encryptionKeyOf, postMessage, requestClaims, signInner, signingKeyOf } from './support/forge.ts';
import { TEST_KEYS_ENV } from './support/keys-secret.ts';

/** A referral whose consent covers case notes, so either side may ask questions. */
function notesReferral(marker: string): ReferralCreate {
  const base = demoReferral(new Date());
  return { ...base, note: `Note-${marker}`, consent: { ...base.consent, dataCategories: [...new Set([...base.consent.dataCategories, 'CASE_NOTES' as const])] } };
}

async function sendAccepted(atina: TestNode, pvpt: TestNode, input: ReferralCreate): Promise<string> {
  const created = await atina.api('POST', '/v1/referrals', input);
  expect(created.status).toBe(201);
  const id: string = created.body.id;
  // Accepted by hand once atina has recorded the receipt (which moves its copy to `received`).
  await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'received');
  for (const node of [atina, pvpt]) await node.node.ctx.db.update(referrals).set({ status: 'accepted' }).where(eq(referrals.id, id));
  return id;
}

const outboxOf = (node: TestNode, referralId: string) =>
  node.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, referralId)).orderBy(asc(outboxMessages.createdAt));

const auditOf = (node: TestNode, referralId: string, type: string) =>
  node.node.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.referralId, referralId), eq(auditEvents.type, type)));

describe('an erasure.confirm behind a question the peer can no longer take', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  // pvpt's dispatcher starts only once its question is stuck behind the revocation.
  usePair((a, b) => ([atina, pvpt] = [a, b]), { pvpt: { autoDispatch: false } });

  it('is delivered within seconds: the question is accepted with its text dropped', async () => {
    const id = await sendAccepted(atina, pvpt, notesReferral('q1'));
    // pvpt asks; the question waits in its outbox (seq 1) while atina records the person's revocation.
    const asked = await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-q1: treba li joj prevodilac?' });
    expect(asked.status).toBe(201);
    expect((await atina.api('POST', `/v1/referrals/${id}/consent/revoke`, { reason: 'WITHDRAWN_IN_WRITING' })).status).toBe(200);
    // The revocation reaches pvpt, which erases and queues its erasure.confirm (seq 2) behind the question.
    await waitFor(async () => (await outboxOf(pvpt, id)).some((m) => m.type === 'erasure.confirm'));
    expect((await outboxOf(pvpt, id)).map((m) => [m.type, m.seq, m.status])).toEqual([
      ['referral.info-request', 1, 'queued'],
      ['erasure.confirm', 2, 'queued'],
    ]);

    pvpt.node.dispatcher.start();
    // Before, atina refused the question (consent_not_valid) and pvpt retried it for the whole deadline.
    await waitFor(async () => (await atina.node.ctx.db.select().from(referrals).where(eq(referrals.id, id)))[0]?.erasureConfirmedAt, 10_000);
    // pvpt records the receipt a moment after atina applied the message.
    await waitFor(async () => (await outboxOf(pvpt, id)).every((m) => m.status === 'delivered'));
    const sent = await outboxOf(pvpt, id);
    expect(sent.map((m) => [m.type, m.status, m.attempts])).toEqual([
      ['referral.info-request', 'delivered', 1],
      ['erasure.confirm', 'delivered', 1],
    ]);
    // atina keeps that a question was asked, not what it said.
    const [question] = await atina.node.ctx.db.select().from(infoRequests).where(eq(infoRequests.id, asked.body.id));
    expect(question).toMatchObject({ askedBy: 'pvpt', question: null });
    const [requested] = await auditOf(atina, id, 'info.requested');
    expect(requested!.detail).toEqual({ questionId: asked.body.id, textDropped: true });
    const everything = JSON.stringify(await atina.node.ctx.db.execute(sql`select * from info_requests`)) + JSON.stringify(await atina.node.ctx.db.select().from(auditEvents));
    expect(everything).not.toContain('Question-q1');
  });
});

describe('a message the peer refuses for good', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]), { pvpt: { autoDispatch: false } });

  it('is dead-lettered at its first refusal with an alert; discarding it lets the later messages flow, renumbered', async () => {
    const id = await sendAccepted(atina, pvpt, notesReferral('f1'));
    const first = await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-f1a' });
    const second = await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-f1b' });
    expect([first.status, second.status]).toEqual([201, 201]);
    // The first body no longer matches its schema (as a faulty or older node might have written it).
    const [broken, later] = await outboxOf(pvpt, id);
    await pvpt.node.ctx.db.update(outboxMessages).set({ body: { questionId: first.body.id } }).where(eq(outboxMessages.id, broken!.id));
    expect((await atina.api('POST', `/v1/referrals/${id}/consent/revoke`, {})).status).toBe(200);
    await waitFor(async () => (await outboxOf(pvpt, id)).length === 3);
    const confirm = (await outboxOf(pvpt, id))[2]!;
    expect(confirm).toMatchObject({ type: 'erasure.confirm', seq: 3, prev: later!.contentDigest });

    await pvpt.node.dispatcher.processAll();
    let rows = await outboxOf(pvpt, id);
    // Refused with message_body_invalid: dead at once, not retried until its deadline.
    expect(rows.map((m) => [m.seq, m.status, m.attempts, m.lastError])).toEqual([
      [1, 'dead', 1, 'message_body_invalid'],
      [2, 'queued', 0, null],
      [3, 'queued', 0, null],
    ]);
    const [dead] = await auditOf(pvpt, id, 'message.dead');
    expect(dead!.detail).toEqual({ error: 'message_body_invalid', attempts: 1, final: true, alert: true });
    const [alert] = await pvpt.node.ctx.db.select().from(events).where(and(eq(events.referralId, id), eq(events.type, 'referral.message_refused')));
    expect(alert!.data).toMatchObject({ messageId: broken!.id, messageType: 'referral.info-request', error: 'message_body_invalid' });
    // The later messages still wait: the peer applies a referral's messages only in order.
    await pvpt.node.dispatcher.processAll();
    expect((await outboxOf(pvpt, id)).map((m) => m.status)).toEqual(['dead', 'queued', 'queued']);

    const admin = await pvpt.token(['admin']);
    expect((await pvpt.api('POST', `/admin/v1/outbox/${broken!.id}/discard`, {}, admin)).body.code).toBe('validation_failed');
    expect((await pvpt.api('POST', `/admin/v1/outbox/${broken!.id}/discard`, { reason: 'Asked by Jana' }, admin)).body.code).toBe('validation_failed');
    expect((await pvpt.api('POST', `/admin/v1/outbox/${later!.id}/discard`, { reason: 'OBSOLETE' }, admin)).body.code).toBe('conflict');
    expect((await pvpt.api('POST', `/admin/v1/outbox/${broken!.id}/discard`, { reason: 'REFUSED_BY_PEER' })).status).toBe(403);
    const discarded = await pvpt.api('POST', `/admin/v1/outbox/${broken!.id}/discard`, { reason: 'REFUSED_BY_PEER' }, admin);
    expect(discarded).toMatchObject({ status: 200, body: { id: broken!.id, status: 'discarded', seq: 1 } });
    expect((await pvpt.api('POST', `/admin/v1/outbox/${broken!.id}/discard`, { reason: 'REFUSED_BY_PEER' }, admin)).body.code).toBe('conflict');

    // The gap is closed: seq 2 becomes 1 chaining from nothing, seq 3 becomes 2 chaining from it.
    rows = await outboxOf(pvpt, id);
    const [gone, q2, conf] = rows;
    expect(gone).toMatchObject({ status: 'discarded', seq: 1, body: {} });
    const q2Digest = messageContentDigest({ type: q2!.type, referralId: id, seq: 1, prev: null, body: q2!.body });
    expect(q2).toMatchObject({ id: later!.id, seq: 1, prev: null, contentDigest: q2Digest, status: 'queued' });
    expect(conf).toMatchObject({ id: confirm.id, seq: 2, prev: q2Digest, status: 'queued' });
    const [discardEvent] = await auditOf(pvpt, id, 'message.discarded');
    expect(discardEvent).toMatchObject({ messageId: broken!.id, detail: { reason: 'REFUSED_BY_PEER', error: 'message_body_invalid', seq: 1, resequenced: 2 } });
    expect((await auditOf(pvpt, id, 'message.resequenced')).map((e) => [e.messageId, e.detail])).toEqual([
      [later!.id, { seq: 1, previousSeq: 2, discarded: broken!.id }],
      [confirm.id, { seq: 2, previousSeq: 3, discarded: broken!.id }],
    ]);

    await pvpt.node.dispatcher.processAll();
    expect((await outboxOf(pvpt, id)).map((m) => [m.seq, m.status, m.attempts])).toEqual([
      [1, 'discarded', 1],
      [1, 'delivered', 1],
      [2, 'delivered', 1],
    ]);
    const [atinaRow] = await atina.node.ctx.db.select().from(referrals).where(eq(referrals.id, id));
    expect(atinaRow!.erasureConfirmedAt).toBeInstanceOf(Date);
    const received = await atina.node.ctx.db.select().from(inboundMessages).where(and(eq(inboundMessages.issuer, 'pvpt'), eq(inboundMessages.referralId, id))).orderBy(asc(inboundMessages.seq));
    expect(received.map((m) => [m.id, m.seq])).toEqual([[later!.id, 1], [confirm.id, 2]]);

    // A message queued after the discard continues the chain from the last one kept.
    expect((await pvpt.api('POST', `/v1/referrals/${id}/start`, {})).status).toBe(200);
    const next = (await outboxOf(pvpt, id))[3]!;
    expect(next).toMatchObject({ type: 'referral.status', seq: 3, prev: conf!.contentDigest });
  });

  it('cannot be discarded when it died of timeouts: the peer may have applied it, so it is resent instead', async () => {
    const id = await sendAccepted(atina, pvpt, notesReferral('f3'));
    expect((await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-f3' })).status).toBe(201);
    const [message] = await outboxOf(pvpt, id);
    // As a message past its deadline after timeouts ends up (no answer came back from the peer).
    await pvpt.node.ctx.db.update(outboxMessages).set({ status: 'dead', lastError: 'timeout' }).where(eq(outboxMessages.id, message!.id));
    const admin = await pvpt.token(['admin']);
    const refused = await pvpt.api('POST', `/admin/v1/outbox/${message!.id}/discard`, { reason: 'OBSOLETE' }, admin);
    expect(refused).toMatchObject({ status: 409, body: { code: 'conflict' } });
    expect((await outboxOf(pvpt, id))[0]).toMatchObject({ status: 'dead', seq: 1 });
    expect((await pvpt.api('POST', `/admin/v1/outbox/${message!.id}/resend`, {}, admin)).status).toBe(200);
  });

  it('lists discarded messages, without their content', async () => {
    const admin = await pvpt.token(['admin']);
    const listed = await pvpt.api('GET', '/admin/v1/outbox?status=discarded', undefined, admin);
    expect(listed.status).toBe(200);
    expect(listed.body.items).toHaveLength(1);
    expect(JSON.stringify(listed.body)).not.toContain('Question-f1');
  });

  it('can be discarded by an operator with `bridge outbox discard`, which requires a reason code', async () => {
    const id = await sendAccepted(atina, pvpt, notesReferral('f2'));
    expect((await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-f2' })).status).toBe(201);
    const [message] = await outboxOf(pvpt, id);
    await pvpt.node.ctx.db.update(outboxMessages).set({ body: { text: 'Question-f2' } }).where(eq(outboxMessages.id, message!.id));
    await pvpt.node.dispatcher.processAll();
    expect((await outboxOf(pvpt, id))[0]).toMatchObject({ status: 'dead', attempts: 1, lastError: 'message_body_invalid' });

    const dir = await mkdtemp(join(tmpdir(), 'bridge-discard-'));
    try {
      let out = '';
      const io: CliIo = { out: (l) => (out += `${l}\n`), err: (l) => (out += `${l}\n`), env: { ...TEST_KEYS_ENV, DATABASE_URL: pvpt.node.ctx.config.databaseUrl }, cwd: dir };
      expect(await main(['init', '--node-id', 'pvpt', '--data-dir', dir, '--public-url', pvpt.url, '--jurisdiction', 'XK'], io)).toBe(0);
      expect(await main(['outbox', 'discard', message!.id, '--data-dir', dir], io)).toBe(2);
      expect(out).toContain('--reason');
      expect(await main(['outbox', 'discard', message!.id, '--data-dir', dir, '--reason', 'asked twice'], io)).toBe(2);
      expect(out).toContain('--reason must be one of REFUSED_BY_PEER');
      out = '';
      expect(await main(['outbox', 'discard', message!.id, '--data-dir', dir, '--reason', 'SENT_IN_ERROR'], io)).toBe(0);
      expect(out).toContain(`message ${message!.id} is discarded`);
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
    expect((await outboxOf(pvpt, id))[0]).toMatchObject({ status: 'discarded', body: {} });
    const [discarded] = await auditOf(pvpt, id, 'message.discarded');
    expect(discarded).toMatchObject({ actor: 'operator:pvpt', detail: { reason: 'SENT_IN_ERROR', error: 'message_body_invalid', seq: 1, resequenced: 0 } });
  });
});

describe('a status change that overtakes the receipt of its request', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]), { atina: { autoDispatch: false } });

  it('is refused as out of order (retried), not as an illegal transition, and applies once the receipt is recorded', async () => {
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    const id: string = created.body.id;
    const [request] = await outboxOf(atina, id);
    // pvpt applied the request and accepted it; atina has not recorded the receipt yet.
    const claims = requestClaims(pvpt, atina, { status: 'accepted', from: 'received', at: new Date().toISOString() }, { type: 'referral.status', referralId: id });
    const sealed = async () => encrypt(await signInner({ ...claims, iat: Math.floor(Date.now() / 1000) }, signingKeyOf(pvpt)), encryptionKeyOf(atina));
    const early = await postMessage(atina, await sealed());
    expect(early).toMatchObject({ status: 409, body: { code: 'message_out_of_order' } });
    expect(request!.status).toBe('queued');

    await atina.node.dispatcher.processAll();
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'received');
    const late = await postMessage(atina, await sealed());
    expect(late.status).toBe(200);
    expect((await atina.api('GET', `/v1/referrals/${id}`)).body.status).toBe('accepted');
  });
});
