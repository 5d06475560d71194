import { eq, sql } from 'drizzle-orm';
import { createBridgeClient } from '@bridge/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Event, WebhookDeliveryList, WebhookSubscriptionCreated, WebhookSubscriptionList } from '@bridge/contract';
import { auditEvents, events, webhookDeliveries, webhookSubscriptions } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { listEvents } from '../src/events/feed.ts';
import { startPair, type TestNode, usePair, waitFor } from './support/nodes.ts';
import { startReceiver, verifyDelivery, type ReceivedWebhook } from './support/webhook-receiver.ts';
import { PERSONAL_MARKERS } from './support/markers.ts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function subscribe(node: TestNode, admin: string, body: unknown) {
  const res = await node.api('POST', '/v1/webhooks', body, admin);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return WebhookSubscriptionCreated.parse(res.body);
}

const bodyOf = (r: ReceivedWebhook) => Event.parse(JSON.parse(r.body));

describe('webhooks', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let admin: string;
  const receivers: Receiver[] = [];
  usePair((a, b) => ([atina, pvpt] = [a, b]));
  beforeAll(async () => {
    admin = await atina.token(['admin']);
  });
  afterAll(async () => {
    await Promise.all(receivers.map((r) => r.close()));
  });
  const receiver = async (...args: Parameters<typeof startReceiver>) => {
    const r = await startReceiver(...args);
    receivers.push(r);
    return r;
  };

  it('shows the secret once, stores it sealed, never logs or lists it, and needs the admin scope', async () => {
    const target = await receiver();
    const created = await subscribe(atina, admin, { url: `${target.url}/hooks`, eventTypes: ['referral.status_changed'] });
    expect(created).toMatchObject({ url: `${target.url}/hooks`, eventTypes: ['referral.status_changed'], secret: expect.stringMatching(/^whsec_/) });

    const listed = await atina.api('GET', '/v1/webhooks', undefined, admin);
    expect(await createBridgeClient({ baseUrl: atina.url, token: admin }).listWebhookSubscriptions()).toEqual(listed.body.items);
    expect(WebhookSubscriptionList.parse(listed.body).items).toContainEqual({ id: created.id, url: created.url, eventTypes: created.eventTypes, createdAt: created.createdAt });
    const secretBase64 = created.secret.slice('whsec_'.length);
    expect(JSON.stringify(listed.body)).not.toContain(secretBase64);
    const [row] = await atina.node.ctx.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, created.id));
    expect(row!.sealedSecret).not.toContain(secretBase64);
    expect(atina.logs.join('\n')).not.toContain(secretBase64);
    const audit = await atina.node.ctx.db.select().from(auditEvents).where(eq(auditEvents.type, 'webhook.subscribed'));
    expect(JSON.stringify(audit)).not.toContain(secretBase64);

    const reader = await atina.token(['referrals:read', 'referrals:write']);
    expect(await atina.api('POST', '/v1/webhooks', { url: target.url }, reader)).toMatchObject({ status: 403, body: { code: 'forbidden' } });
    expect(await atina.api('GET', '/v1/webhooks', undefined, reader)).toMatchObject({ status: 403 });
    expect(await atina.api('POST', '/v1/webhooks', { url: 'ftp://cases.example/hook' }, admin)).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await atina.api('POST', '/v1/webhooks', { url: 'https://user:pw@cases.example/hook' }, admin)).toMatchObject({ status: 400, body: { code: 'validation_failed' } });
    expect(await atina.api('POST', '/v1/webhooks', { url: target.url, eventTypes: ['referral.eaten'] }, admin)).toMatchObject({ status: 400 });
  });

  it('POSTs each matching event, signed, with the feed event as its body and no personal data', async () => {
    const all = await receiver();
    const statusOnly = await receiver();
    const everything = await subscribe(atina, admin, { url: `${all.url}/all` });
    const filtered = await subscribe(atina, admin, { url: `${statusOnly.url}/status`, eventTypes: ['referral.status_changed'] });
    const pvptHooks = await receiver();
    const pvptSubscription = await subscribe(pvpt, await pvpt.token(['admin']), { url: pvptHooks.url });

    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    const id = created.body.id as string;
    await waitFor(async () => all.received.filter((r) => bodyOf(r).referralId === id).length >= 3);
    await waitFor(async () => statusOnly.received.some((r) => bodyOf(r).referralId === id));
    await waitFor(async () => pvptHooks.received.filter((r) => bodyOf(r).referralId === id).length >= 2);

    const mine = all.received.filter((r) => bodyOf(r).referralId === id);
    expect(mine.map((r) => bodyOf(r).type).sort()).toEqual(['referral.created', 'referral.message_delivered', 'referral.status_changed']);
    const deliveries = [
      ...all.received.map((d) => [d, everything.secret] as const),
      ...statusOnly.received.map((d) => [d, filtered.secret] as const),
      ...pvptHooks.received.map((d) => [d, pvptSubscription.secret] as const),
    ];
    for (const [delivery, secret] of deliveries) {
      expect(verifyDelivery(secret, delivery.headers, delivery.body)).toBe(true);
      expect(delivery.headers['webhook-id']).toBe(bodyOf(delivery).id);
      expect(delivery.headers['content-type']).toBe('application/json');
      for (const marker of PERSONAL_MARKERS) expect(delivery.body).not.toContain(marker);
    }
    // The wrong secret, or a changed body, does not verify.
    expect(verifyDelivery(filtered.secret, mine[0]!.headers, mine[0]!.body)).toBe(false);
    expect(verifyDelivery(everything.secret, mine[0]!.headers, mine[0]!.body.replace('requested', 'accepted'))).toBe(false);
    // The body is the very event the feed serves.
    const feed = await waitFor(async () => {
      const items = (await listEvents(atina.node.ctx.db, { limit: 500 })).items.filter((e) => e.referralId === id);
      return items.length === 3 && items;
    });
    expect(mine.map(bodyOf).sort((a, b) => a.id.localeCompare(b.id))).toEqual([...feed].sort((a, b) => a.id.localeCompare(b.id)));
    expect(statusOnly.received.filter((r) => bodyOf(r).referralId === id).map((r) => bodyOf(r).type)).toEqual(['referral.status_changed']);
    expect(pvptHooks.received.filter((r) => bodyOf(r).referralId === id).map((r) => bodyOf(r).type).sort()).toEqual(['referral.received', 'referral.status_changed']);

    for (const sub of [everything, filtered]) expect((await atina.api('DELETE', `/v1/webhooks/${sub.id}`, undefined, admin)).status).toBe(204);
  });

  it('retries a receiver that fails first, with the same webhook-id and body, each attempt signed', async () => {
    // Each event's first attempt is answered 503, the next one 200.
    const flaky = await receiver((request, earlier) => (earlier.some((e) => e.headers['webhook-id'] === request.headers['webhook-id']) ? 200 : 503));
    const subscription = await subscribe(atina, admin, { url: flaky.url, eventTypes: ['referral.created'] });
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    const [event] = await atina.node.ctx.db.select().from(events).where(sql`${events.referralId} = ${created.body.id} and ${events.type} = 'referral.created'`);
    const delivered = await waitFor(async () => {
      const [row] = await atina.node.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.eventId, event!.id));
      return row?.status === 'delivered' && row;
    });
    expect(delivered).toMatchObject({ attempts: 2, lastError: null, subscriptionId: subscription.id });
    const attempts = flaky.received.filter((r) => r.headers['webhook-id'] === event!.eventId);
    expect(attempts).toHaveLength(2);
    expect(attempts.every((a) => verifyDelivery(subscription.secret, a.headers, a.body))).toBe(true);
    expect(attempts[1]!.body).toBe(attempts[0]!.body);
    await atina.api('DELETE', `/v1/webhooks/${subscription.id}`, undefined, admin);
  });

  it('stops queueing for a deleted subscription and gives up what it still had waiting', async () => {
    const target = await receiver(() => 503);
    const subscription = await subscribe(atina, admin, { url: target.url });
    await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    await waitFor(async () => target.received.length > 0);
    expect((await atina.api('DELETE', `/v1/webhooks/${subscription.id}`, undefined, admin)).status).toBe(204);
    expect(await atina.api('DELETE', `/v1/webhooks/${subscription.id}`, undefined, admin)).toMatchObject({ status: 404, body: { code: 'not_found' } });
    const before = await atina.node.ctx.db.$count(webhookDeliveries, eq(webhookDeliveries.subscriptionId, subscription.id));
    await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(await atina.node.ctx.db.$count(webhookDeliveries, eq(webhookDeliveries.subscriptionId, subscription.id))).toBe(before);
    const rows = await waitFor(async () => {
      const all = await atina.node.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscription.id));
      return all.every((r) => r.status === 'dead') && all;
    });
    expect(rows.map((r) => r.lastError)).toContain('subscription_deleted');
    expect((await atina.api('GET', '/v1/webhooks', undefined, admin)).body.items.map((s: { id: string }) => s.id)).not.toContain(subscription.id);
  });
});

describe('a webhook receiver that never answers', () => {
  it('is given up after the deadline, with an audit event, and operators see it dead', async () => {
    const [atina, pvpt] = await startPair({ atina: { config: { delivery: { pollIntervalMs: 100, baseDelayMs: 20, maxDelayMs: 100, deadlineMs: 1500, requestTimeoutMs: 2000, concurrency: 4 } } } });
    const down = await startReceiver(() => 503);
    try {
      const admin = await atina.token(['admin']);
      const subscription = await subscribe(atina, admin, { url: down.url, eventTypes: ['referral.created'] });
      const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
      const dead = await waitFor(async () => {
        const [row] = await atina.node.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscription.id));
        return row?.status === 'dead' && row;
      });
      expect(dead.lastError).toBe('http_503');
      expect(dead.attempts).toBeGreaterThan(1);
      expect(down.received.length).toBe(dead.attempts);
      const [audit] = await atina.node.ctx.db.select().from(auditEvents).where(eq(auditEvents.type, 'webhook.dead'));
      expect(audit).toMatchObject({ actor: 'system', referralId: created.body.id, detail: { deliveryId: dead.id, subscriptionId: subscription.id, eventType: 'referral.created', error: 'http_503' } });

      const listing = await atina.api('GET', '/admin/v1/webhook-deliveries?status=dead', undefined, admin);
      const page = WebhookDeliveryList.parse(listing.body);
      expect(page.items).toEqual([expect.objectContaining({ id: dead.id, subscriptionId: subscription.id, eventType: 'referral.created', status: 'dead', lastError: 'http_503' })]);
      expect(JSON.stringify(page)).not.toContain(down.url);
      expect((await atina.api('GET', '/admin/v1/webhook-deliveries', undefined, await atina.token(['referrals:read']))).status).toBe(403);
      const metrics = await (await fetch(`${atina.url}/metrics`)).text();
      expect(metrics).toMatch(/^bridge_webhook_dead_total 1$/m);
      expect(metrics).toMatch(new RegExp(`^bridge_webhook_attempts_total\\{outcome="failed"\\} ${dead.attempts}$`, 'm'));
    } finally {
      await Promise.all([atina.stop(), pvpt.stop(), down.close()]);
    }
  });
});
