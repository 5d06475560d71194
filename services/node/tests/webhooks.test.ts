import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { and, eq, sql } from 'drizzle-orm';
import { createBridgeClient } from '@bridge/client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Event, WebhookDelivery, WebhookDeliveryList, WebhookSubscriptionCreated, WebhookSubscriptionList } from '@bridge/contract';
import type { CliIo } from '../src/cli/args.ts';
import { main } from '../src/cli/main.ts';
import { auditEvents, events, webhookDeliveries, webhookSubscriptions } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { listEvents } from '../src/events/feed.ts';
import { startPair, type TestNode, usePair, waitFor } from './support/nodes.ts';
import { startReceiver, verifyDelivery, type ReceivedWebhook } from './support/webhook-receiver.ts';
import { PERSONAL_MARKERS } from './support/markers.ts';
import { TEST_KEYS_ENV } from './support/keys-secret.ts';

type Receiver = Awaited<ReturnType<typeof startReceiver>>;

async function subscribe(node: TestNode, admin: string, body: unknown) {
  const res = await node.api('POST', '/v1/webhooks', body, admin);
  expect(res.status, JSON.stringify(res.body)).toBe(201);
  return WebhookSubscriptionCreated.parse(res.body);
}

const bodyOf = (r: ReceivedWebhook) => Event.parse(JSON.parse(r.body));

/**
 * Runs `fn` with local webhook targets allowed or not, as if the operator had restarted the node
 * with BRIDGE_WEBHOOK_ALLOW_LOCAL set so; the test nodes allow them by default.
 */
async function withLocalTargets<T>(node: TestNode, allowLocal: boolean, fn: () => Promise<T>): Promise<T> {
  const before = node.node.ctx.config.webhooks;
  node.node.ctx.config.webhooks = { allowLocal };
  try {
    return await fn();
  } finally {
    node.node.ctx.config.webhooks = before;
  }
}

/** Runs the CLI in this process and collects what it prints. */
async function bridgeCli(argv: string[], env: Record<string, string>): Promise<{ code: number; out: string; err: string }> {
  let out = '';
  let err = '';
  const io: CliIo = { out: (l) => (out += `${l}\n`), err: (l) => (err += `${l}\n`), env: { ...TEST_KEYS_ENV, ...env }, cwd: process.cwd() };
  return { code: await main(argv, io), out, err };
}

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

  it('refuses a subscription to plain http or to an address inside, unless local targets are allowed', async () => {
    const forbidden = [
      'https://169.254.169.254/latest/meta-data/iam/security-credentials/',
      'http://169.254.169.254/latest/meta-data/',
      'https://127.0.0.1/hook',
      'https://localhost/hook',
      'https://[::1]/hook',
      'https://[::ffff:127.0.0.1]/hook',
      'https://0.0.0.0/hook',
      'https://[::]/hook',
      'https://10.0.0.5/hook',
      'https://172.16.3.4/hook',
      'https://192.168.1.10/hook',
      'https://100.64.0.1/hook',
      'https://[fc00::1]/hook',
      'https://[fd00:ec2::254]/hook',
      'https://[fe80::1]/hook',
      'https://224.0.0.251/hook',
      'http://93.184.216.34/hook',
    ];
    const subscriptionsBefore = await atina.node.ctx.db.$count(webhookSubscriptions);
    await withLocalTargets(atina, false, async () => {
      for (const url of forbidden) {
        const res = await atina.api('POST', '/v1/webhooks', { url }, admin);
        expect(res, url).toMatchObject({ status: 400, body: { code: 'webhook_target_forbidden', errors: [{ path: '/body/url', message: expect.any(String) }] } });
      }
      expect((await atina.api('POST', '/v1/webhooks', { url: 'https://169.254.169.254/' }, admin)).body.errors[0].message).toBe('must not point at a linkLocal address');
      expect((await atina.api('POST', '/v1/webhooks', { url: 'https://localhost/hook' }, admin)).body.errors[0].message).toBe('the host resolves to a loopback address');
    });
    expect(await atina.node.ctx.db.$count(webhookSubscriptions)).toBe(subscriptionsBefore);
    // The same URL is taken when the operator allows local targets (the default of the test nodes).
    const local = await subscribe(atina, admin, { url: 'http://127.0.0.1:9/hook', eventTypes: ['referral.overdue'] });
    expect((await atina.api('DELETE', `/v1/webhooks/${local.id}`, undefined, admin)).status).toBe(204);
  });

  it('refuses at connection time a target that became forbidden, by name or by address, and connects to none', async () => {
    const target = await receiver();
    const port = new URL(target.url).port;
    // Made while local targets were allowed; `localhost` is a name, checked by the guarded lookup.
    const byName = await subscribe(atina, admin, { url: `https://localhost:${port}/hook`, eventTypes: ['referral.created'] });
    const byAddress = await subscribe(atina, admin, { url: `${target.url}/hook`, eventTypes: ['referral.created'] });
    await withLocalTargets(atina, false, async () => {
      await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
      const rows = await waitFor(async () => {
        const all = await atina.node.ctx.db.select().from(webhookDeliveries).where(sql`${webhookDeliveries.subscriptionId} in (${byName.id}, ${byAddress.id})`);
        return all.length === 2 && all.every((r) => r.lastError !== null) && all;
      });
      // A TLS handshake with the http receiver would fail otherwise (network_…): this is the guard.
      expect(rows.map((r) => r.lastError)).toEqual(['target_forbidden', 'target_forbidden']);
      expect(target.received).toEqual([]);
      for (const sub of [byName, byAddress]) expect((await atina.api('DELETE', `/v1/webhooks/${sub.id}`, undefined, admin)).status).toBe(204);
    });
    expect(atina.logs.some((l) => l.includes('"error":"target_forbidden"'))).toBe(true);
  });

  it('disables a subscription whose receiver answers 410 Gone, with an audit event, and queues no more for it', async () => {
    const gone = await receiver(() => 410);
    const subscription = await subscribe(atina, admin, { url: gone.url, eventTypes: ['referral.created'] });
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    const [audit] = await waitFor(() =>
      atina.node.ctx.db.select().from(auditEvents).where(and(eq(auditEvents.type, 'webhook.disabled'), sql`${auditEvents.detail}->>'subscriptionId' = ${subscription.id}`)).then((rows) => rows.length > 0 && rows),
    );
    const [delivery] = await atina.node.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.subscriptionId, subscription.id));
    expect(delivery).toMatchObject({ status: 'dead', lastError: 'http_410', attempts: 1 });
    expect(audit).toMatchObject({ actor: 'system', referralId: created.body.id, detail: { subscriptionId: subscription.id, deliveryId: delivery!.id, eventType: 'referral.created', error: 'http_410' } });
    expect(gone.received).toHaveLength(1);
    const [row] = await atina.node.ctx.db.select().from(webhookSubscriptions).where(eq(webhookSubscriptions.id, subscription.id));
    expect(row!.deletedAt).not.toBeNull();
    expect((await atina.api('GET', '/v1/webhooks', undefined, admin)).body.items.map((s: { id: string }) => s.id)).not.toContain(subscription.id);
    await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(await atina.node.ctx.db.$count(webhookDeliveries, eq(webhookDeliveries.subscriptionId, subscription.id))).toBe(1);
    // A delivery of a disabled subscription cannot be resent.
    expect(await atina.api('POST', `/admin/v1/webhook-deliveries/${delivery!.id}/resend`, undefined, admin)).toMatchObject({ status: 409, body: { code: 'conflict' } });
  });
});

describe('a webhook receiver that never answers', () => {
  it('is given up after the deadline, with an audit event; operators see it dead and resend it by API or CLI', async () => {
    const [atina, pvpt] = await startPair({ atina: { config: { delivery: { pollIntervalMs: 100, baseDelayMs: 20, maxDelayMs: 100, deadlineMs: 1500, requestTimeoutMs: 2000, concurrency: 4 } } } });
    let answer = 503;
    const down = await startReceiver(() => answer);
    const dir = await mkdtemp(join(tmpdir(), 'bridge-webhooks-'));
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

      // A second event dies the same way; then the receiver is back, and an operator resends both.
      const second = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
      const deadAgain = await waitFor(async () => {
        const rows = await atina.node.ctx.db.select().from(webhookDeliveries).where(and(eq(webhookDeliveries.subscriptionId, subscription.id), eq(webhookDeliveries.status, 'dead')));
        return rows.length === 2 && rows.find((r) => r.id !== dead.id);
      });
      answer = 204;
      const received = down.received.length;

      // Through the admin API (the typed client), like a dead outbox message.
      const client = createBridgeClient({ baseUrl: atina.url, token: admin });
      const resent = WebhookDelivery.parse(await client.resendWebhookDelivery(dead.id));
      expect(resent).toMatchObject({ id: dead.id, status: 'queued', eventType: 'referral.created' });
      expect(Date.parse(resent.deadlineAt)).toBeGreaterThan(dead.deadlineAt.getTime());
      await waitFor(async () => {
        const [row] = await atina.node.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, dead.id));
        return row?.status === 'delivered';
      });
      expect(down.received.slice(received).map((r) => r.headers['webhook-id'])).toEqual([bodyOf(down.received[0]!).id]);
      expect(verifyDelivery(subscription.secret, down.received.at(-1)!.headers, down.received.at(-1)!.body)).toBe(true);
      await expect(client.resendWebhookDelivery(dead.id)).rejects.toMatchObject({ status: 409, code: 'conflict' });
      expect(await atina.api('POST', '/admin/v1/webhook-deliveries/0192f4a2-3c4d-7e5f-8a6b-7c8d9e0f1a2b/resend', undefined, admin)).toMatchObject({ status: 404, body: { code: 'not_found' } });
      expect((await atina.api('POST', `/admin/v1/webhook-deliveries/${deadAgain.id}/resend`, undefined, await atina.token(['referrals:write']))).status).toBe(403);
      const [resentAudit] = await atina.node.ctx.db.select().from(auditEvents).where(eq(auditEvents.type, 'webhook.resent'));
      expect(resentAudit).toMatchObject({ actor: expect.stringMatching(/^client:/), referralId: created.body.id, detail: { deliveryId: dead.id, subscriptionId: subscription.id } });

      // Through the CLI, on the node's database, as an operator would on the server.
      const env = { DATABASE_URL: atina.node.ctx.config.databaseUrl };
      const dataDir = join(dir, 'atina');
      expect((await bridgeCli(['init', '--node-id', 'atina', '--data-dir', dataDir, '--public-url', atina.url], env)).code).toBe(0);
      const listed = await bridgeCli(['webhooks', 'deliveries', '--data-dir', dataDir, '--status', 'dead'], env);
      expect(listed.code, listed.err).toBe(0);
      expect(listed.out).toContain(deadAgain.id);
      expect(listed.out).toContain('dead (http_503)');
      expect(listed.out).not.toContain(dead.id);
      expect(listed.out).not.toContain(down.url);
      const cli = await bridgeCli(['webhooks', 'resend', deadAgain.id, '--data-dir', dataDir], env);
      expect(cli, cli.err).toMatchObject({ code: 0, out: expect.stringContaining(`delivery ${deadAgain.id} is queued again`) });
      await waitFor(async () => {
        const [row] = await atina.node.ctx.db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, deadAgain.id));
        return row?.status === 'delivered';
      });
      expect(down.received.at(-1)!.body).toContain(second.body.id);
      const again = await bridgeCli(['webhooks', 'resend', deadAgain.id, '--data-dir', dataDir], env);
      expect(again).toMatchObject({ code: 1, err: expect.stringContaining('only a dead delivery can be resent; this one is delivered') });
      const bad = await bridgeCli(['webhooks', 'resend', 'not-an-id', '--data-dir', dataDir], env);
      expect(bad.code).toBe(2);
      const audits = await atina.node.ctx.db.select().from(auditEvents).where(eq(auditEvents.type, 'webhook.resent'));
      expect(audits.map((a) => a.actor).sort()).toEqual([resentAudit!.actor, 'operator:atina'].sort());
    } finally {
      await Promise.all([atina.stop(), pvpt.stop(), down.close()]);
      await rm(dir, { recursive: true, force: true });
    }
  });
});
