import { and, eq, sql } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { idempotencyKeys, outboxMessages } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { listOutbox, resendMessage } from '../src/outbox/admin.ts';
import { Dispatcher } from '../src/outbox/dispatcher.ts';
import { startPair, type TestNode, usePair } from './support/nodes.ts';

async function post(node: TestNode, body: unknown, key?: string, token?: string) {
  const res = await fetch(`${node.url}/v1/referrals`, {
    method: 'POST',
    headers: { authorization: `Bearer ${token ?? (await node.token())}`, 'content-type': 'application/json', ...(key ? { 'idempotency-key': key } : {}) },
    body: JSON.stringify(body),
  });
  return { status: res.status, body: (await res.json()) as any, replayed: res.headers.get('idempotent-replayed') };
}

describe('idempotent integration POSTs', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let token: string;
  beforeAll(async () => {
    [atina, pvpt] = await startPair();
    token = await atina.token();
  });
  afterAll(async () => {
    await Promise.all([atina?.stop(), pvpt?.stop()]);
  });
  const count = () => atina.node.ctx.db.$count(outboxMessages);

  it('answers the same key and payload with the stored response and creates one referral', async () => {
    const body = demoReferral(new Date());
    const first = await post(atina, body, 'case-4711-create', token);
    const before = await count();
    const second = await post(atina, body, 'case-4711-create', token);
    expect(first.status).toBe(201);
    expect(second).toMatchObject({ status: 201, replayed: 'true' });
    expect(second.body).toEqual(first.body);
    expect(await count()).toBe(before);
  });

  it('refuses the same key with another payload (422) and leaves the first result alone', async () => {
    const body = demoReferral(new Date());
    expect((await post(atina, body, 'case-4712', token)).status).toBe(201);
    const reused = await post(atina, { ...body, urgency: 'EMERGENCY' }, 'case-4712', token);
    expect(reused.status).toBe(422);
    expect(reused.body.code).toBe('idempotency_key_reused');
  });

  it('refuses the same key while the first request is still running (409), and takes over a crashed one', async () => {
    const [client] = await atina.node.ctx.db.execute<{ id: string }>(sql`select id from api_clients order by created_at desc limit 1`).then((r) => r.rows);
    const body = demoReferral(new Date());
    const { contentDigest } = await import('@bridge/crypto');
    const requestHash = contentDigest(['POST', '/v1/referrals', JSON.parse(JSON.stringify(body))]);
    const now = new Date();
    await atina.node.ctx.db.insert(idempotencyKeys).values({ clientId: client!.id, key: 'case-4713', requestHash, state: 'running', owner: crypto.randomUUID(), leaseUntil: new Date(now.getTime() + 60_000), createdAt: now });
    const busy = await post(atina, body, 'case-4713', token);
    expect(busy.status).toBe(409);
    expect(busy.body.code).toBe('idempotency_key_in_use');
    // The first request's process died: once its lease has run out, a retry executes it.
    await atina.node.ctx.db.update(idempotencyKeys).set({ leaseUntil: new Date(now.getTime() - 1) }).where(and(eq(idempotencyKeys.clientId, client!.id), eq(idempotencyKeys.key, 'case-4713')));
    const taken = await post(atina, body, 'case-4713', token);
    expect(taken.status).toBe(201);
    expect((await post(atina, body, 'case-4713', token)).body.id).toBe(taken.body.id);
  });

  it('stores nothing for a refused request, so the same key can be used again', async () => {
    const body = demoReferral(new Date());
    const refused = await post(atina, { ...body, consent: { ...body.consent, validUntil: '2020-01-01T00:00:00Z' } }, 'case-4714', token);
    expect(refused.status).toBe(400);
    expect(await atina.node.ctx.db.$count(idempotencyKeys, eq(idempotencyKeys.key, 'case-4714'))).toBe(0);
  });

  it('scopes keys to the client', async () => {
    const body = demoReferral(new Date());
    const mine = await post(atina, body, 'shared-key', token);
    const theirs = await post(atina, body, 'shared-key', await atina.token());
    expect(theirs.body.id).not.toBe(mine.body.id);
  });
});

describe('the outbox', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]), { atina: { autoDispatch: false, config: { delivery: { pollIntervalMs: 100, baseDelayMs: 10, maxDelayMs: 20, deadlineMs: 200, requestTimeoutMs: 2000, concurrency: 4 } } } });

  it('dead-letters a message past its deadline with an alert event, and an operator can resend it', async () => {
    await pvpt.stop(); // the peer is down
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    const deadline = Date.now() + 5000;
    let row;
    do {
      await atina.node.dispatcher.processAll();
      [row] = await atina.node.ctx.db.select().from(outboxMessages).where(eq(outboxMessages.referralId, created.body.id));
      await new Promise((r) => setTimeout(r, 30));
    } while (row!.status !== 'dead' && Date.now() < deadline);
    expect(row).toMatchObject({ status: 'dead', lastError: expect.stringMatching(/^network_/) });
    expect(row!.attempts).toBeGreaterThan(1);
    const dead = await atina.node.ctx.db.execute<{ n: number }>(sql`select count(*)::int as n from audit_events where type = 'message.dead' and message_id = ${row!.id}`);
    expect(dead.rows[0]!.n).toBe(1);
    const listed = await listOutbox(atina.node.ctx.db, { status: 'dead', limit: 10 });
    expect(listed.items.map((m) => m.id)).toContain(row!.id);
    expect(JSON.stringify(listed)).not.toContain('Krasniqi');

    await expect(resendMessage(atina.node.ctx, row!.id, 'test')).resolves.toMatchObject({ status: 'queued' });
    await expect(resendMessage(atina.node.ctx, row!.id, 'test')).rejects.toMatchObject({ code: 'conflict' });
  });

  it('never lets two dispatchers of one node send the same message at once', async () => {
    // Two replicas of one node share its database; their dispatchers race over a burst.
    const [sender, receiver] = await startPair({ atina: { autoDispatch: false } });
    try {
      const replica = new Dispatcher({ ...sender.node.ctx });
      const ids: string[] = [];
      for (let i = 0; i < 30; i++) ids.push((await sender.api('POST', '/v1/referrals', demoReferral(new Date()))).body.id);
      await Promise.all([sender.node.dispatcher.processAll(), replica.processAll(), sender.node.dispatcher.processAll()]);
      const rows = await sender.node.ctx.db.select().from(outboxMessages);
      expect(rows.filter((r) => ids.includes(r.referralId!) && r.status === 'delivered')).toHaveLength(30);
      // One attempt each: no message was claimed by two dispatchers, and pvpt received each once.
      expect(rows.every((r) => r.attempts === 1 && r.sentDigests.length === 1)).toBe(true);
      expect(await receiver.node.ctx.db.$count((await import('../src/db/schema/index.ts')).inboundMessages)).toBe(30);
    } finally {
      await Promise.all([sender.stop(), receiver.stop()]);
    }
  });
});
