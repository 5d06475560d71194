import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { syncLog } from '../src/audit/sequencer.ts';
import { postMessage } from './support/forge.ts';
import { type TestNode, startTestNode, usePair, waitFor } from './support/nodes.ts';
import { samplesOf, scrape, valueOf } from './support/metrics.ts';

describe('metrics', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  usePair((a, b) => ([atina, pvpt] = [a, b]));

  it('counts a delivered referral on both nodes, refusals by code, and exposes no personal data or ids', async () => {
    const input = demoReferral(new Date());
    const created = await atina.api('POST', '/v1/referrals', input);
    expect(created.status).toBe(201);
    const id: string = created.body.id;
    await waitFor(async () => (await atina.api('GET', `/v1/referrals/${id}`)).body.status === 'received');
    expect((await postMessage(pvpt, 'not.a.compact.jwe')).body.code).toBe('message_malformed');

    const sender = await scrape(atina);
    expect(sender.contentType).toMatch(/^text\/plain; version=0\.0\.4/);
    const s = sender.samples;
    expect(valueOf(s, 'bridge_deliveries_total', { peer: 'pvpt', type: 'referral.request' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(s, 'bridge_delivery_attempts_total', { peer: 'pvpt', outcome: 'delivered' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(s, 'bridge_delivery_duration_seconds_count')).toBeGreaterThanOrEqual(1);
    expect(valueOf(s, 'bridge_outbox_messages', { status: 'delivered' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(s, 'bridge_outbox_messages', { status: 'dead' })).toBe(0);
    expect(valueOf(s, 'bridge_dead_letters_total')).toBe(0);
    // HTTP durations are labelled by the route pattern, never by the URL that carried the id.
    expect(valueOf(s, 'bridge_http_request_duration_seconds_count', { listener: 'private', method: 'POST', route: '/v1/referrals', status_class: '2xx' })).toBe(1);
    expect(valueOf(s, 'bridge_http_request_duration_seconds_count', { listener: 'private', method: 'GET', route: '/v1/referrals/:referralId', status_class: '2xx' })).toBeGreaterThanOrEqual(1);
    // prom-client's process metrics, on the node's own registry
    expect(valueOf(s, 'process_cpu_user_seconds_total')).toBeGreaterThan(0);

    const receiver = await scrape(pvpt);
    const r = receiver.samples;
    expect(valueOf(r, 'bridge_messages_received_total', { peer: 'atina', type: 'referral.request' })).toBeGreaterThanOrEqual(1);
    expect(valueOf(r, 'bridge_messages_refused_total', { code: 'message_malformed' })).toBe(1);
    expect(valueOf(r, 'bridge_http_request_duration_seconds_count', { listener: 'federation', method: 'POST', route: '/federation/v1/messages', status_class: '4xx' })).toBe(1);
    // each request is counted once, under the listener that answered it
    expect(valueOf(r, 'bridge_http_request_duration_seconds_count', { listener: 'private', route: '/federation/v1/messages' })).toBe(0);

    const person = input.person;
    const markers = [id, person.givenName, person.familyName, person.localId, person.documentNumber, person.urgentHealthNeeds, input.note].filter((v): v is string => typeof v === 'string' && v.length > 0);
    expect(markers.length).toBeGreaterThanOrEqual(5);
    for (const text of [sender.text, receiver.text]) {
      for (const marker of markers) expect(text).not.toContain(marker);
      // no uuid of any kind (referral, message, client) as a label value
      expect(text).not.toMatch(/[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}/i);
    }
  });
});

describe('rate limits', () => {
  let node: TestNode;
  beforeAll(async () => {
    node = await startTestNode('atina', { autoDispatch: false, config: { limits: { clientPerMinute: 5, messagesPerMinute: 3 } } });
  });
  afterAll(async () => {
    await node?.stop();
  });

  it('answers the 6th request of one client with 429 rate_limited and Retry-After, while another client is unaffected', async () => {
    const [one, other] = await Promise.all([node.token(), node.token()]);
    for (let i = 0; i < 5; i++) expect((await node.api('GET', '/v1/referrals', undefined, one)).status).toBe(200);
    const res = await fetch(`${node.url}/v1/referrals`, { headers: { authorization: `Bearer ${one}` } });
    expect(res.status).toBe(429);
    expect(res.headers.get('content-type')).toMatch(/^application\/problem\+json/);
    expect(Number(res.headers.get('retry-after'))).toBeGreaterThan(0);
    expect(await res.json()).toMatchObject({ status: 429, code: 'rate_limited', type: 'urn:bridge:problem:rate_limited' });
    expect((await node.api('GET', '/v1/referrals', undefined, other)).status).toBe(200);
    // an unauthenticated request is still refused by auth, not counted against the client
    expect((await node.api('GET', '/v1/referrals', undefined, 'not-a-token')).status).toBe(401);
  });

  it('limits messages by remote address before reading them, and counts but does not audit the throttled ones', async () => {
    for (let i = 0; i < 3; i++) expect((await postMessage(node, 'garbage')).body.code).toBe('message_malformed');
    const throttled = await postMessage(node, 'garbage');
    expect(throttled).toMatchObject({ status: 429, body: { code: 'rate_limited' } });
    const { samples } = await scrape(node);
    expect(valueOf(samples, 'bridge_messages_refused_total', { code: 'message_malformed' })).toBe(3);
    expect(valueOf(samples, 'bridge_messages_refused_total', { code: 'rate_limited' })).toBe(1);
    const refused = await node.node.ctx.db.select().from(auditEvents).where(eq(auditEvents.type, 'message.refused'));
    expect(refused).toHaveLength(3);
  });
});

describe('metrics the alert rules read', () => {
  let atina: TestNode;
  let pvpt: TestNode;
  let offsetMs = 0;
  const clock = { now: () => new Date(Date.now() + offsetMs) };
  usePair((a, b) => ([atina, pvpt] = [a, b]), { atina: { autoDispatch: false, clock } });

  it('gives the age of the oldest message each peer has not received yet, 0 once it is delivered', async () => {
    const before = await scrape(atina);
    expect(samplesOf(before.samples, 'bridge_outbox_oldest_undelivered_age_seconds')).toEqual([{ name: 'bridge_outbox_oldest_undelivered_age_seconds', labels: { peer: 'pvpt' }, value: 0 }]);
    const created = await atina.api('POST', '/v1/referrals', demoReferral(new Date()));
    expect(created.status).toBe(201);
    offsetMs = 600_000;
    const waiting = valueOf((await scrape(atina)).samples, 'bridge_outbox_oldest_undelivered_age_seconds', { peer: 'pvpt' });
    expect(waiting).toBeGreaterThanOrEqual(600);
    expect(waiting).toBeLessThan(3600);
    offsetMs = 0;
    await atina.node.dispatcher.processAll();
    expect(valueOf((await scrape(atina)).samples, 'bridge_outbox_oldest_undelivered_age_seconds', { peer: 'pvpt' })).toBe(0);
  });

  it('gives when each key purpose stops being valid: +Inf until a rotation sets an end', async () => {
    const expiry = () => scrape(atina).then(({ samples }) => Object.fromEntries(samplesOf(samples, 'bridge_key_expiry_timestamp_seconds').map((s) => [s.labels.purpose, s.value])));
    expect(await expiry()).toEqual({ signing: Infinity, encryption: Infinity, log: Infinity, token: Infinity });
    const keys = atina.node.ctx.config.keys;
    const until = new Date(Date.now() + 86_400_000);
    atina.node.reloadKeys({ ...keys, log: keys.log.map((k) => ({ ...k, validUntil: until.toISOString() })) });
    expect(await expiry()).toMatchObject({ log: until.getTime() / 1000, signing: Infinity });
    atina.node.reloadKeys({ ...keys, log: keys.log.map((k) => ({ ...k, validUntil: null })) });
  });

  it('gives the time of the latest co-signature per peer and direction', async () => {
    const admin = await atina.token(['admin']);
    const pvptAdmin = await pvpt.token(['admin']);
    expect(samplesOf((await scrape(atina)).samples, 'bridge_audit_last_cosignature_timestamp_seconds')).toEqual([]);
    // a checkpoint pvpt has not co-signed yet, ten minutes old
    await syncLog(atina.node.ctx);
    offsetMs = 600_000;
    expect(valueOf((await scrape(atina)).samples, 'bridge_audit_uncosigned_age_seconds', { peer: 'pvpt' })).toBeGreaterThanOrEqual(600);
    offsetMs = 0;
    const start = Date.now() / 1000;
    expect((await atina.api('POST', '/admin/v1/audit/witness', undefined, admin)).body.peers).toMatchObject([{ peer: 'pvpt', outcome: 'cosigned' }]);
    expect((await pvpt.api('POST', '/admin/v1/audit/witness', undefined, pvptAdmin)).body.peers).toMatchObject([{ peer: 'atina', outcome: 'cosigned' }]);
    const at = (labels: Record<string, string>) => scrape(atina).then(({ samples }) => samplesOf(samples, 'bridge_audit_last_cosignature_timestamp_seconds', labels).map((s) => s.value));
    for (const direction of ['given', 'received']) {
      const [value, ...more] = await at({ peer: 'pvpt', direction });
      expect(more).toEqual([]);
      expect(value).toBeGreaterThanOrEqual(Math.floor(start) - 1);
      expect(value).toBeLessThanOrEqual(Date.now() / 1000 + 1);
    }
    // pvpt has co-signed atina's latest checkpoint (or one a moment older, if the round itself was logged since)
    expect(valueOf((await scrape(atina)).samples, 'bridge_audit_uncosigned_age_seconds', { peer: 'pvpt' })).toBeLessThan(60);
  });
});
