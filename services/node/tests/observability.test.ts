import { eq } from 'drizzle-orm';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { auditEvents } from '../src/db/schema/index.ts';
import { demoReferral } from '../src/demo/scenario.ts';
import { postMessage } from './support/forge.ts';
import { type TestNode, startTestNode, usePair, waitFor } from './support/nodes.ts';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text format (enough of it for these metrics: no escaped quotes in labels). */
function parseMetrics(text: string): Sample[] {
  return text
    .split('\n')
    .filter((line) => line && !line.startsWith('#'))
    .map((line) => {
      const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)/.exec(line);
      if (!match) throw new Error(`not a sample: ${line}`);
      const labels = Object.fromEntries([...(match[2] ?? '').matchAll(/([a-zA-Z_]\w*)="([^"]*)"/g)].map((m) => [m[1]!, m[2]!]));
      return { name: match[1]!, labels, value: Number(match[3]) };
    });
}

/** The sum of the samples of `name` whose labels include `labels`. */
function valueOf(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((sum, s) => sum + s.value, 0);
}

async function scrape(node: TestNode): Promise<{ text: string; samples: Sample[]; contentType: string | null }> {
  const res = await fetch(`${node.url}/metrics`);
  expect(res.status).toBe(200);
  const text = await res.text();
  return { text, samples: parseMetrics(text), contentType: res.headers.get('content-type') };
}

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
