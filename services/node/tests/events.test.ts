import { desc, eq, gt, gte, ne } from 'drizzle-orm';
import { createBridgeClient } from '@bridge/client';
import { afterAll, describe, expect, it } from 'vitest';
import { Event, EventPage, type EventType } from '@bridge/contract';
import { events, outboxMessages } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { recordEvent } from '../src/events/record.ts';
import { listEvents } from '../src/events/feed.ts';
import { PERSONAL_MARKERS } from './support/markers.ts';
import { startPair, type TestNode, usePair, waitFor } from './support/nodes.ts';
import { startReceiver } from './support/webhook-receiver.ts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;


/** Reads the whole feed from `after` on, page by page, as a client would. */
async function readFeed(node: TestNode, after?: string, limit = 3): Promise<{ items: Event[]; cursor: string }> {
  const items: Event[] = [];
  let cursor = after;
  for (;;) {
    const res = await node.api('GET', `/v1/events?limit=${limit}${cursor ? `&after=${cursor}` : ''}`);
    expect(res.status).toBe(200);
    const page = EventPage.parse(res.body);
    items.push(...page.items);
    if (page.items.length === 0) return { items, cursor: page.nextCursor };
    cursor = page.nextCursor;
  }
}

/** The feed's cursor once it has served every committed event. */
async function caughtUp(node: TestNode): Promise<string> {
  const { db } = node.node.ctx;
  return waitFor(async () => {
    const total = await db.$count(events);
    const read = await readFeed(node, undefined, 500);
    return read.items.length === total && read.cursor;
  });
}

const summary = (e: Event) => [e.type, e.status, e.previousStatus ?? e.messageType ?? null];

describe('the event feed', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('records each change to a referral on both sides, in order, with no personal data', async () => {
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'received');
    const withdrawn = await atina.api('POST', `/v1/referrals/${id}/withdraw`, { reason: 'PERSON_DECLINED', note: 'The person decided to stay in Belgrade.' });
    expect(withdrawn.status).toBe(200);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`)).body.status === 'cancelled');
    // The withdraw message's receipt is recorded just after the peer applied it.
    const atinaEvents = await waitFor(async () => {
      const { items } = await readFeed(atina);
      return items.filter((e) => e.referralId === id).length === 5 && items.filter((e) => e.referralId === id);
    });

    expect(atinaEvents.map(summary)).toEqual([
      ['referral.created', 'requested', null],
      ['referral.status_changed', 'received', 'requested'],
      ['referral.message_delivered', 'received', 'referral.request'],
      ['referral.status_changed', 'cancelled', 'received'],
      ['referral.message_delivered', 'cancelled', 'referral.withdraw'],
    ]);
    expect(atinaEvents.every((e) => e.direction === 'outbound' && e.peer === 'pvpt')).toBe(true);
    expect(atinaEvents[3]).toMatchObject({ reason: 'PERSON_DECLINED' });

    const pvptEvents = await waitFor(async () => {
      const mine = (await readFeed(pvpt)).items.filter((e) => e.referralId === id);
      return mine.length === 3 && mine;
    });
    expect(pvptEvents.map(summary)).toEqual([
      ['referral.received', 'received', null],
      ['referral.status_changed', 'received', 'requested'],
      ['referral.status_changed', 'cancelled', 'received'],
    ]);
    expect(pvptEvents.every((e) => e.direction === 'inbound' && e.peer === 'atina')).toBe(true);

    const stored = JSON.stringify([atinaEvents, pvptEvents, await atina.node.ctx.db.select().from(events), await pvpt.node.ctx.db.select().from(events)]);
    for (const marker of PERSONAL_MARKERS) expect(stored).not.toContain(marker);
  });

  it('pages with a cursor that never repeats or skips, and answers the same cursor when there is nothing new', async () => {
    for (let i = 0; i < 4; i++) expect((await atina.api('POST', '/v1/referrals', demoReferral(new Date()))).status).toBe(201);
    // Let the deliveries (and the events they record) finish, so the feed holds still while it is compared.
    await waitFor(async () => (await atina.node.ctx.db.$count(outboxMessages, ne(outboxMessages.status, 'delivered'))) === 0);
    const total = await atina.node.ctx.db.$count(events);
    const all = await waitFor(async () => {
      const page = await listEvents(atina.node.ctx.db, { limit: 500 });
      return page.items.length === total && page;
    });
    const paged = await readFeed(atina, undefined, 2);
    expect(paged.items.map((e) => e.id)).toEqual(all.items.map((e) => e.id));
    expect(new Set(paged.items.map((e) => e.id)).size).toBe(paged.items.length);
    const again = await createBridgeClient({ baseUrl: atina.url, token: await atina.token(['referrals:read']) }).listEvents({ after: paged.cursor });
    expect(again).toEqual({ items: [], nextCursor: paged.cursor });
    // A client that stored the cursor sees only what happened since.
    await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    const since = await waitFor(async () => {
      const read = await readFeed(atina, paged.cursor);
      return read.items.some((e) => e.type === 'referral.created') && read;
    });
    expect(since.items.some((e) => paged.items.some((p) => p.id === e.id))).toBe(false);
  });

  it('never skips an event whose transaction took its id first but committed last', async () => {
    const { ctx } = atina.node;
    const [referral] = await ctx.db.select({ id: outboxMessages.referralId }).from(outboxMessages).limit(1);
    const referralId = referral!.id!;
    const record = (tx: Parameters<Parameters<typeof ctx.db.transaction>[0]>[0]) =>
      recordEvent(tx, ctx, { type: 'referral.status_changed', referralId, direction: 'outbound', peer: 'pvpt', status: 'received', previousStatus: 'requested' });
    // Nothing else writes events meanwhile: the earlier tests' deliveries are done.
    await waitFor(async () => (await ctx.db.$count(outboxMessages, ne(outboxMessages.status, 'delivered'))) === 0);
    const start = await caughtUp(atina);

    // Slow: inserts first (the smaller id and xid), then waits before committing.
    let releaseSlow!: () => void;
    const slowMayCommit = new Promise<void>((r) => (releaseSlow = r));
    let slowInserted!: (id: number) => void;
    const slowHasInserted = new Promise<number>((r) => (slowInserted = r));
    const slow = ctx.db.transaction(async (tx) => {
      await record(tx);
      const [row] = await tx.select({ id: events.id }).from(events).orderBy(desc(events.id)).limit(1);
      slowInserted(row!.id);
      await slowMayCommit;
    });
    try {
      const slowId = await slowHasInserted;
      // Fast: inserts after it (a larger id) and commits at once.
      await ctx.db.transaction((tx) => record(tx));
      const [fast] = await ctx.db.select({ id: events.id }).from(events).orderBy(desc(events.id)).limit(1);
      expect(fast!.id).toBeGreaterThan(slowId);

      // A naive reader ("id > last seen") sees the fast row now and moves its cursor past the slow one ...
      const naive = await ctx.db.select({ id: events.id }).from(events).where(gte(events.id, slowId)).orderBy(events.id);
      expect(naive.map((r) => r.id)).toEqual([fast!.id]);
      // ... and so does the feed: the fast event is committed, so it is served at once.
      const [fastRow] = await ctx.db.select({ eventId: events.eventId }).from(events).where(eq(events.id, fast!.id));
      const during = await readFeed(atina, start);
      expect(during.items.map((e) => e.id)).toEqual([fastRow!.eventId]);

      releaseSlow();
      await slow;
      // The slow event commits with the smaller id: "id > last seen" never returns it ...
      const naiveAfter = await ctx.db.select({ id: events.id }).from(events).where(gt(events.id, fast!.id));
      expect(naiveAfter).toEqual([]);
      // ... but the feed gives it a position after the cursor the client already holds.
      const [slowRow] = await ctx.db.select({ eventId: events.eventId }).from(events).where(eq(events.id, slowId));
      const after = await readFeed(atina, during.cursor);
      expect(after.items.map((e) => e.id)).toEqual([slowRow!.eventId]);
    } finally {
      releaseSlow();
      await slow;
    }
  });

  it('refuses a cursor it did not issue, a missing token and a token without referrals:read', async () => {
    const bad = await atina.api('GET', '/v1/events?after=bm90LWEtY3Vyc29y');
    expect(bad).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    // Well formed but never handed out: a position past the end, or one written another way.
    const cursor = (text: string) => Buffer.from(text).toString('base64url');
    const latest = await caughtUp(atina);
    const top = Number(/^seq\.(\d+)$/.exec(Buffer.from(latest, 'base64url').toString('utf8'))![1]);
    for (const forged of [cursor(`seq.${top + 1}`), cursor('seq.999999999'), cursor(`seq.0${top}`), cursor(`seq.${top} `), `${latest}!`]) {
      const res = await atina.api('GET', `/v1/events?after=${encodeURIComponent(forged)}`);
      expect(res, forged).toMatchObject({ status: 400, body: { code: 'validation_failed', errors: [{ path: '/querystring/after' }] } });
    }
    // Every cursor it did hand out still reads, the last one as an empty page.
    expect(await atina.api('GET', `/v1/events?after=${latest}`)).toMatchObject({ status: 200, body: { items: [], nextCursor: latest } });
    expect(await atina.api('GET', `/v1/events?after=${cursor('seq.0')}`)).toMatchObject({ status: 200 });
    const anonymous = await fetch(`${atina.url}/v1/events`);
    expect(anonymous.status).toBe(401);
    const adminOnly = await atina.api('GET', '/v1/events', undefined, await atina.token(['admin']));
    expect(adminOnly).toMatchObject({ status: 403, body: { code: 'forbidden' } });
  });
});

describe('events for messages given up', () => {
  it('records referral.message_dead when a message passes its deadline', async () => {
    const [atina, pvpt] = await startPair({ atina: { autoDispatch: false, config: { delivery: { pollIntervalMs: 100, baseDelayMs: 10, maxDelayMs: 20, deadlineMs: 200, requestTimeoutMs: 2000, concurrency: 2 } } } });
    try {
      await pvpt.stop();
      const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
      const dead = await waitFor(async () => {
        await atina.node.dispatcher.processAll();
        const { items } = await readFeed(atina);
        return items.find((e) => e.type === 'referral.message_dead' && e.referralId === created.body.id);
      });
      expect(dead).toMatchObject({ direction: 'outbound', peer: 'pvpt', status: 'requested', messageType: 'referral.request', error: expect.stringMatching(/^network_/) });
    } finally {
      await Promise.all([atina.stop(), pvpt.stop()]);
    }
  });
});

describe('events of disclosures, questions, revocations and erasures', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));
  const hooks: Receiver[] = [];
  afterAll(async () => {
    await Promise.all(hooks.map((h) => h.close()));
  });

  /** A receiver subscribed to `node`'s webhooks: every type, or only `eventTypes`. */
  async function subscribed(node: TestNode, eventTypes?: EventType[]): Promise<Receiver> {
    const receiver = await startReceiver();
    hooks.push(receiver);
    const res = await node.api('POST', '/v1/webhooks', { url: receiver.url, ...(eventTypes ? { eventTypes } : {}) }, await node.token(['admin']));
    expect(res.status, JSON.stringify(res.body)).toBe(201);
    return receiver;
  }

  const TEXT_MARKERS = ['DOC-e1', 'Question-e1', 'Answer-e1', 'Question-e2', 'Answer-e2', 'Note-e1', 'Given-e1'];
  const NEW_TYPES = new Set<EventType>([
    'referral.disclosed',
    'referral.disclosure_received',
    'referral.question_asked',
    'referral.question_received',
    'referral.question_answered',
    'referral.answer_received',
    'referral.consent_revoked',
    'referral.erased',
    'referral.erasure_confirmed',
  ]);

  it('tells each side what it did and what arrived, in the feed and by webhook, with ids and codes only', async () => {
    const atinaAll = await subscribed(atina);
    const pvptAll = await subscribed(pvpt);
    const pvptArrivals = await subscribed(pvpt, ['referral.disclosure_received', 'referral.question_received', 'referral.answer_received', 'referral.erased']);

    // A legal-status referral: the document number is in its profile only after acceptance.
    const base = demoReferral(new Date());
    const created = await atina.api('POST', '/v1/referrals', {
      ...base,
      services: ['LEGAL_STATUS_AND_DOCUMENTS'],
      person: { ...base.person, localId: 'LOCAL-e1', givenName: 'Given-e1', birthDate: '1999-05-17', documentNumber: 'DOC-e1' },
      consent: { ...base.consent, services: ['LEGAL_STATUS_AND_DOCUMENTS'], dataCategories: ['IDENTITY', 'AGE', 'NATIONALITY', 'DOCUMENTS', 'CASE_NOTES'] },
      note: 'Note-e1',
    });
    expect(created.status).toBe(201);
    const id = created.body.id as string;
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`)).body.status === 'received');
    expect((await pvpt.api('POST', `/v1/referrals/${id}/accept`, {})).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'accepted');

    expect((await atina.api('POST', `/v1/referrals/${id}/disclose`, { fields: ['documentNumber'] })).status).toBe(200);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}`)).body.person.documentNumber === 'DOC-e1');

    // pvpt asks, atina answers; then atina asks, pvpt answers.
    const q1 = await pvpt.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-e1: treba li joj prevodilac?' });
    expect(q1.status).toBe(201);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}/info-requests`)).body.items.length === 1);
    expect((await atina.api('POST', `/v1/referrals/${id}/info-requests/${q1.body.id}/answer`, { text: 'Answer-e1: da.' })).status).toBe(200);
    const q2 = await atina.api('POST', `/v1/referrals/${id}/info-requests`, { text: 'Question-e2: kada je termin?' });
    expect(q2.status).toBe(201);
    await waitFor(async () => (await pvpt.api('GET', `/v1/referrals/${id}/info-requests`)).body.items.length === 2);
    expect((await pvpt.api('POST', `/v1/referrals/${id}/info-requests/${q2.body.id}/answer`, { text: 'Answer-e2: sutra.' })).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}/info-requests`)).body.items.some((q: { answer?: string }) => q.answer === 'Answer-e2: sutra.'));

    expect((await atina.api('POST', `/v1/referrals/${id}/consent/revoke`, { reason: 'PERSON_DECLINED' })).status).toBe(200);
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.erasureConfirmedAt !== undefined);

    const newOnes = async (node: TestNode) => (await readFeed(node, undefined, 50)).items.filter((e) => e.referralId === id && NEW_TYPES.has(e.type));
    const atinaEvents = await waitFor(async () => {
      const mine = await newOnes(atina);
      return mine.length === 7 && mine;
    });
    expect(atinaEvents.map((e) => [e.type, e.direction, e.peer, e.fields ?? e.questionId ?? e.reason ?? null])).toEqual([
      ['referral.disclosed', 'outbound', 'pvpt', ['documentNumber']],
      ['referral.question_received', 'outbound', 'pvpt', q1.body.id],
      ['referral.question_answered', 'outbound', 'pvpt', q1.body.id],
      ['referral.question_asked', 'outbound', 'pvpt', q2.body.id],
      ['referral.answer_received', 'outbound', 'pvpt', q2.body.id],
      ['referral.consent_revoked', 'outbound', 'pvpt', 'PERSON_DECLINED'],
      ['referral.erasure_confirmed', 'outbound', 'pvpt', 'CONSENT_REVOKED'],
    ]);

    const pvptEvents = await waitFor(async () => {
      const mine = await newOnes(pvpt);
      return mine.length === 6 && mine;
    });
    expect(pvptEvents.map((e) => [e.type, e.direction, e.peer, e.fields ?? e.questionId ?? e.reason ?? null])).toEqual([
      ['referral.disclosure_received', 'inbound', 'atina', ['documentNumber']],
      ['referral.question_asked', 'inbound', 'atina', q1.body.id],
      ['referral.answer_received', 'inbound', 'atina', q1.body.id],
      ['referral.question_received', 'inbound', 'atina', q2.body.id],
      ['referral.question_answered', 'inbound', 'atina', q2.body.id],
      ['referral.erased', 'inbound', 'atina', 'CONSENT_REVOKED'],
    ]);

    // The same events reach the webhooks, each subscription only the types it asked for.
    const delivered = (receiver: Receiver) => receiver.received.map((r) => Event.parse(JSON.parse(r.body))).filter((e) => e.referralId === id && NEW_TYPES.has(e.type));
    const atinaFeed = atinaEvents;
    await waitFor(async () => delivered(atinaAll).length === atinaFeed.length && delivered(pvptAll).length === pvptEvents.length && delivered(pvptArrivals).length === 4);
    expect(new Set(delivered(atinaAll).map((e) => e.id))).toEqual(new Set(atinaFeed.map((e) => e.id)));
    expect(new Set(delivered(pvptAll).map((e) => e.id))).toEqual(new Set(pvptEvents.map((e) => e.id)));
    expect(delivered(pvptArrivals).map((e) => e.type).sort()).toEqual(['referral.answer_received', 'referral.disclosure_received', 'referral.erased', 'referral.question_received']);

    // No text crosses into an event: not the disclosed value, not a question, not an answer.
    const stored = JSON.stringify([
      atinaFeed,
      pvptEvents,
      [atinaAll, pvptAll, pvptArrivals].map((h) => h.received.map((r) => r.body)),
      await atina.node.ctx.db.select().from(events),
      await pvpt.node.ctx.db.select().from(events),
    ]);
    for (const marker of [...PERSONAL_MARKERS, ...TEXT_MARKERS]) expect(stored).not.toContain(marker);
  });
});
